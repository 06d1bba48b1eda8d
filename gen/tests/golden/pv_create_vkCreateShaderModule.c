static void
pv_create_vkCreateShaderModule(struct pv_dispatch *d, struct pv_cmd_vkCreateShaderModule *args)
{
   struct pv_object *dev = args->device;
   const PFN_vkCreateShaderModule fn = dev->vk->CreateShaderModule;
   if (!fn) {
      pv_dispatch_missing(d, "vkCreateShaderModule");
      return;
   }
   struct pv_object *obj = pv_vk_object_alloc(d, pv_keep_size_vkCreateShaderModule, VK_OBJECT_TYPE_SHADER_MODULE, pv_handle_id(*args->pShaderModule), &args->ret);
   if (!obj)
      return;
   VkShaderModule handle = VK_NULL_HANDLE;
   args->ret = fn((VkDevice)(uintptr_t)dev->handle, args->pCreateInfo, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_object_free(obj);
      return;
   }
   obj->handle = (uint64_t)(uintptr_t)handle;
   obj->vk = dev->vk;
   obj->destroy = pv_free_VkShaderModule;
   pv_keep_vkCreateShaderModule(obj, args);
   if (!pv_vk_object_adopt(d, obj, dev)) {
      pv_object_free(obj);
   }
}
