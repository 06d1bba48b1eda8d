static const struct pv_pr_record *const pv_pr_chain_VkMemoryAllocateInfo[] = {
   &pv_pr_VkMemoryAllocateFlagsInfo,
   &pv_pr_VkImportMemoryResourceInfoMESA,
};
