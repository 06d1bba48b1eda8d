static void
pv_create_vkCreateBuffer(struct pv_dispatch *d, struct pv_cmd_vkCreateBuffer *args)
{
   struct pv_object *dev = args->device;
   const PFN_vkCreateBuffer fn = dev->vk->CreateBuffer;
   if (!fn) {
      pv_dispatch_missing(d, "vkCreateBuffer");
      return;
   }
   struct pv_object *obj = pv_vk_object_alloc(d, sizeof(*obj), VK_OBJECT_TYPE_BUFFER, pv_handle_id(*args->pBuffer), &args->ret);
   if (!obj)
      return;
   VkBuffer handle = VK_NULL_HANDLE;
   args->ret = fn((VkDevice)(uintptr_t)dev->handle, args->pCreateInfo, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_object_free(obj);
      return;
   }
   obj->handle = (uint64_t)(uintptr_t)handle;
   obj->vk = dev->vk;
   obj->destroy = pv_free_VkBuffer;
   if (!pv_vk_object_adopt(d, obj, dev)) {
      if (dev->vk->DestroyBuffer)
         dev->vk->DestroyBuffer((VkDevice)(uintptr_t)dev->handle, handle, NULL);
      pv_object_free(obj);
   }
}
