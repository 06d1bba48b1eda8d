static void
pv_free_VkBuffer(struct pv_object *obj)
{
   const PFN_vkDestroyBuffer fn = obj->vk->DestroyBuffer;
   if (fn)
      fn((VkDevice)(uintptr_t)obj->parent->handle, (VkBuffer)(uintptr_t)obj->handle, NULL);
   pv_object_free(obj);
}
