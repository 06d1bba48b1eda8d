static const struct pv_pr_item pv_pr_params_vkCreateBuffer[] = {
   { "device", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkDevice" },
   { "pCreateInfo", PV_PR_PTR, PV_PR_STRUCT, 0, PV_PR_FULL, .type.record = &pv_pr_VkBufferCreateInfo },
   { "pAllocator", PV_PR_NULL, PV_PR_STRUCT, 0, PV_PR_FULL, .type.record = &pv_pr_VkAllocationCallbacks },
   { "pBuffer", PV_PR_PTR, PV_PR_HANDLE, 8, PV_PR_PARTIAL, .type.handle = "VkBuffer" },
};
