static const struct pv_pr_item pv_pr_params_vkCmdDispatch[] = {
   { "commandBuffer", PV_PR_VALUE, PV_PR_HANDLE, 8, PV_PR_FULL, .type.handle = "VkCommandBuffer" },
   { "groupCountX", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_FULL },
   { "groupCountY", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_FULL },
   { "groupCountZ", PV_PR_VALUE, PV_PR_UINT, 4, PV_PR_FULL },
};
