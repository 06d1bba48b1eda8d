static const struct pv_pr_record pv_pr_VkClearColorValue = {
   .name = "VkClearColorValue",
   .flags = PV_PR_IS_UNION,
   .count = 3,
   .items = pv_pr_items_VkClearColorValue,
};
