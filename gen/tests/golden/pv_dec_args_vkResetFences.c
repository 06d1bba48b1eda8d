void
pv_dec_args_vkResetFences(struct pv_decoder *dec, struct pv_cmd_vkResetFences *args)
{
   args->device = pv_dec_object(dec, VK_OBJECT_TYPE_DEVICE, true, "vkResetFences.device");
   args->fenceCount = (uint32_t)pv_dec_u32(dec);
   {
      uint64_t n;
      VkFence *p = NULL;
      if (pv_dec_dyn(dec, args->fenceCount, false, 8, &n, "vkResetFences.pFences")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         for (uint64_t i = 0; i < n; i++)
            p[i] = (VkFence)pv_dec_object(dec, VK_OBJECT_TYPE_FENCE, true, "vkResetFences.pFences");
      }
      args->pFences = p;
   }
}
