static const struct pv_pr_record pv_pr_VkBufferCreateInfo = {
   .name = "VkBufferCreateInfo",
   .stype = 12, /* VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO */
   .flags = PV_PR_HAS_STYPE | PV_PR_HAS_PNEXT,
   .count = 6,
   .items = pv_pr_items_VkBufferCreateInfo,
};
