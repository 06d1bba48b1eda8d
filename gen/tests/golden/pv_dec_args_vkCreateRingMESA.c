void
pv_dec_args_vkCreateRingMESA(struct pv_decoder *dec, struct pv_cmd_vkCreateRingMESA *args)
{
   args->ring = (uint64_t)pv_dec_u64(dec);
   {
      VkRingCreateInfoMESA *p = NULL;
      if (pv_dec_marker(dec, false, "vkCreateRingMESA.pCreateInfo")) {
         p = pv_dec_alloc(dec, 1, sizeof(*p));
         if (!p)
            return;
         pv_dec_VkRingCreateInfoMESA(dec, &p[0]);
      }
      args->pCreateInfo = p;
   }
}
