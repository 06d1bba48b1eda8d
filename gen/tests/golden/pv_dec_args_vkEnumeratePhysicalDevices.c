void
pv_dec_args_vkEnumeratePhysicalDevices(struct pv_decoder *dec, struct pv_cmd_vkEnumeratePhysicalDevices *args)
{
   args->instance = pv_dec_object(dec, VK_OBJECT_TYPE_INSTANCE, true, "vkEnumeratePhysicalDevices.instance");
   {
      uint32_t *p = NULL;
      if (pv_dec_marker(dec, false, "vkEnumeratePhysicalDevices.pPhysicalDeviceCount")) {
         p = pv_dec_alloc(dec, 1, sizeof(*p));
         if (!p)
            return;
         p[0] = (uint32_t)pv_dec_u32(dec);
      }
      args->pPhysicalDeviceCount = p;
   }
   {
      uint64_t n;
      VkPhysicalDevice *p = NULL;
      if (pv_dec_dyn(dec, (args->pPhysicalDeviceCount ? *args->pPhysicalDeviceCount : 0), true, 8, &n, "vkEnumeratePhysicalDevices.pPhysicalDevices")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         for (uint64_t i = 0; i < n; i++)
            p[i] = (VkPhysicalDevice)(uintptr_t)pv_dec_u64(dec);
      }
      args->pPhysicalDevices = p;
   }
}
