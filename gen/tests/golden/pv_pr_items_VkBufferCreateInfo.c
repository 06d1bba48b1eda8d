static const struct pv_pr_item pv_pr_items_VkBufferCreateInfo[] = {
   { "flags", PV_PR_VALUE, PV_PR_FLAGS, 4, PV_PR_NONE },
   { "size", PV_PR_VALUE, PV_PR_UINT, 8, PV_PR_NONE },
   { "usage", PV_PR_VALUE, PV_PR_FLAGS, 4, PV_PR_NONE },
   { "sharingMode", PV_PR_VALUE, PV_PR_ENUM, 4, PV_PR_NONE, .type.values = &pv_pr_enum_VkSharingMode },
   { "queueFamilyIndexCount", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_FULL },
   { "pQueueFamilyIndices", PV_PR_DYN, PV_PR_UINT, 4, PV_PR_NONE },
};
