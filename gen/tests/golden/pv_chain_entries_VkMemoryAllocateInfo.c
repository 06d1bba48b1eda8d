static const struct pv_chain_entry pv_chain_entries_VkMemoryAllocateInfo[] = {
   { 1000060000, sizeof(VkMemoryAllocateFlagsInfo), .dec = pv_dec_self_VkMemoryAllocateFlagsInfo, .partial = NULL, .enc = NULL, .rep = NULL }, /* VkMemoryAllocateFlagsInfo */
   { 1000384002, sizeof(VkImportMemoryResourceInfoMESA), .dec = pv_dec_self_VkImportMemoryResourceInfoMESA, .partial = NULL, .enc = NULL, .rep = NULL }, /* VkImportMemoryResourceInfoMESA */
};
