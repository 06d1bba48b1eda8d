static const struct pv_pr_item pv_pr_items_VkClearColorValue[] = {
   { "float32", PV_PR_FIXED, PV_PR_FLOAT, 4, PV_PR_NONE },
   { "int32", PV_PR_FIXED, PV_PR_SINT, 4, PV_PR_NONE },
   { "uint32", PV_PR_FIXED, PV_PR_UINT, 4, PV_PR_NONE },
};
