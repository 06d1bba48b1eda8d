const struct pv_chain pv_chain_VkMemoryAllocateInfo = {
   .name = "VkMemoryAllocateInfo",
   .count = 2,
   .entries = pv_chain_entries_VkMemoryAllocateInfo,
};
