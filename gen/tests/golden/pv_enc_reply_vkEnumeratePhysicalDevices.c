void
pv_enc_reply_vkEnumeratePhysicalDevices(struct pv_encoder *enc, const struct pv_cmd_vkEnumeratePhysicalDevices *args)
{
   pv_enc_u32(enc, 2); /* vkEnumeratePhysicalDevices */
   pv_enc_i32(enc, args->ret);
   if (pv_enc_marker(enc, args->pPhysicalDeviceCount))
      pv_enc_u32(enc, args->pPhysicalDeviceCount[0]);
   if (args->pPhysicalDevices) {
      const uint64_t n = (args->pPhysicalDeviceCount ? *args->pPhysicalDeviceCount : 0);
      pv_enc_u64(enc, n);
      for (uint64_t i = 0; i < n; i++)
         pv_enc_u64(enc, (uint64_t)(uintptr_t)args->pPhysicalDevices[i]);
   } else {
      pv_enc_u64(enc, 0);
   }
}
