static const struct pv_pr_item pv_pr_params_vkEnumeratePhysicalDevices[] = {
   { "instance", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkInstance" },
   { "pPhysicalDeviceCount", PV_PR_PTR, PV_PR_UINT, 4, PV_PR_FULL },
   { "pPhysicalDevices", PV_PR_DYN, PV_PR_HANDLE, 8, PV_PR_PARTIAL, .type.handle = "VkPhysicalDevice" },
};
