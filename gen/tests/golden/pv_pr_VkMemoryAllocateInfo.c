static const struct pv_pr_record pv_pr_VkMemoryAllocateInfo = {
   .name = "VkMemoryAllocateInfo",
   .stype = 5, /* VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO */
   .flags = PV_PR_HAS_STYPE | PV_PR_HAS_PNEXT,
   .count = 2,
   .items = pv_pr_items_VkMemoryAllocateInfo,
   .chain_count = 2,
   .chain = pv_pr_chain_VkMemoryAllocateInfo,
};
