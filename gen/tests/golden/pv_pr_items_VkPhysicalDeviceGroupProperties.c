static const struct pv_pr_item pv_pr_items_VkPhysicalDeviceGroupProperties[] = {
   { "physicalDeviceCount", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_NONE },
   { "physicalDevices", PV_PR_FIXED, PV_PR_HANDLE, 8, PV_PR_PARTIAL, .type.handle = "VkPhysicalDevice" },
   { "subsetAllocation", PV_PR_VALUE, PV_PR_BOOL, 4, PV_PR_NONE },
};
