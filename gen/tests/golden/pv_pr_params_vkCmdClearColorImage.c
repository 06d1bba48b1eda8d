static const struct pv_pr_item pv_pr_params_vkCmdClearColorImage[] = {
   { "commandBuffer", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkCommandBuffer" },
   { "image", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkImage" },
   { "imageLayout", PV_PR_VALUE, PV_PR_ENUM, 4, PV_PR_FULL, .type.values = &pv_pr_enum_VkImageLayout },
   { "pColor", PV_PR_PTR, PV_PR_UNION, 0, PV_PR_FULL, .type.record = &pv_pr_VkClearColorValue },
   { "rangeCount", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_FULL },
   { "pRanges", PV_PR_DYN, PV_PR_STRUCT, 0, PV_PR_FULL, .type.record = &pv_pr_VkImageSubresourceRange },
};
