void
pv_dec_VkShaderModuleCreateInfo(struct pv_decoder *dec, VkShaderModuleCreateInfo *val)
{
   val->sType = pv_dec_stype(dec, VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, "VkShaderModuleCreateInfo");
   val->pNext = pv_dec_chain(dec, &pv_chain_VkShaderModuleCreateInfo, false);
   val->flags = (VkShaderModuleCreateFlags)pv_dec_u32(dec);
   val->codeSize = (size_t)pv_dec_u64(dec);
   {
      uint64_t n;
      uint32_t *p = NULL;
      if (pv_dec_dyn(dec, val->codeSize / 4, false, 4, &n, "VkShaderModuleCreateInfo.pCode")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         pv_dec_scalars(dec, p, n, sizeof(*p));
      }
      val->pCode = p;
   }
}
