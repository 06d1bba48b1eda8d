static void
pv_pass_vkCmdDispatch(struct pv_dispatch *d, struct pv_cmd_vkCmdDispatch *args)
{
   const struct pv_object *obj = args->commandBuffer;
   const PFN_vkCmdDispatch fn = obj->vk->CmdDispatch;
   if (!fn) {
      pv_dispatch_missing(d, "vkCmdDispatch");
      return;
   }
   fn((VkCommandBuffer)(uintptr_t)pv_obj_host(args->commandBuffer), args->groupCountX, args->groupCountY, args->groupCountZ);
}
