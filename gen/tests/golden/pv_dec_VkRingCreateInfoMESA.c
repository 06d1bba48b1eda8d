void
pv_dec_VkRingCreateInfoMESA(struct pv_decoder *dec, VkRingCreateInfoMESA *val)
{
   val->sType = pv_dec_stype(dec, VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA, "VkRingCreateInfoMESA");
   val->pNext = pv_dec_chain(dec, &pv_chain_VkRingCreateInfoMESA, false);
   val->flags = (VkRingCreateFlagsMESA)pv_dec_u32(dec);
   val->resourceId = (uint32_t)pv_dec_u32(dec);
   val->offset = (size_t)pv_dec_u64(dec);
   val->size = (size_t)pv_dec_u64(dec);
   val->idleTimeout = (uint64_t)pv_dec_u64(dec);
   val->headOffset = (size_t)pv_dec_u64(dec);
   val->tailOffset = (size_t)pv_dec_u64(dec);
   val->statusOffset = (size_t)pv_dec_u64(dec);
   val->bufferOffset = (size_t)pv_dec_u64(dec);
   val->bufferSize = (size_t)pv_dec_u64(dec);
   val->extraOffset = (size_t)pv_dec_u64(dec);
   val->extraSize = (size_t)pv_dec_u64(dec);
}
