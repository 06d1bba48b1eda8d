void
pv_dec_args_vkCmdSetBlendConstants(struct pv_decoder *dec, struct pv_cmd_vkCmdSetBlendConstants *args)
{
   args->commandBuffer = pv_dec_object(dec, VK_OBJECT_TYPE_COMMAND_BUFFER, true, "vkCmdSetBlendConstants.commandBuffer");
   pv_dec_fixed(dec, 4, "vkCmdSetBlendConstants.blendConstants");
   pv_dec_scalars(dec, args->blendConstants, 4, sizeof(args->blendConstants[0]));
}
