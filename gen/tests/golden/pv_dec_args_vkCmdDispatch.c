void
pv_dec_args_vkCmdDispatch(struct pv_decoder *dec, struct pv_cmd_vkCmdDispatch *args)
{
   args->commandBuffer = pv_dec_object(dec, VK_OBJECT_TYPE_COMMAND_BUFFER, true, "vkCmdDispatch.commandBuffer");
   args->groupCountX = (uint32_t)pv_dec_u32(dec);
   args->groupCountY = (uint32_t)pv_dec_u32(dec);
   args->groupCountZ = (uint32_t)pv_dec_u32(dec);
}
