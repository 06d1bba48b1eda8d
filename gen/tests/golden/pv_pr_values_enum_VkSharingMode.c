static const struct pv_pr_value pv_pr_values_enum_VkSharingMode[] = {
   { 0x0u, "VK_SHARING_MODE_EXCLUSIVE" },
   { 0x1u, "VK_SHARING_MODE_CONCURRENT" },
};
