void
pv_dec_VkMemoryAllocateInfo(struct pv_decoder *dec, VkMemoryAllocateInfo *val)
{
   val->sType = pv_dec_stype(dec, VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, "VkMemoryAllocateInfo");
   val->pNext = pv_dec_chain(dec, &pv_chain_VkMemoryAllocateInfo, false);
   val->allocationSize = (VkDeviceSize)pv_dec_u64(dec);
   val->memoryTypeIndex = (uint32_t)pv_dec_u32(dec);
}
