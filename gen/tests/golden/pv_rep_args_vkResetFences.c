void
pv_rep_args_vkResetFences(struct pv_cmd_vkResetFences *args)
{
   if (args->pFences) {
      VkFence *h = (VkFence *)args->pFences;
      for (uint64_t i = 0; i < (uint64_t)(args->fenceCount); i++)
         h[i] = (VkFence)(uintptr_t)pv_obj_host((const void *)h[i]);
   }
}
