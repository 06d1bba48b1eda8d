static const struct pv_pr_item pv_pr_params_vkCreateShaderModule[] = {
   { "device", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkDevice" },
   { "pCreateInfo", PV_PR_PTR, PV_PR_STRUCT, 0, PV_PR_FULL, .type.record = &pv_pr_VkShaderModuleCreateInfo },
   { "pAllocator", PV_PR_NULL, PV_PR_STRUCT, 0, PV_PR_FULL, .type.record = &pv_pr_VkAllocationCallbacks },
   { "pShaderModule", PV_PR_PTR, PV_PR_HANDLE, 8, PV_PR_PARTIAL, .type.handle = "VkShaderModule" },
};
