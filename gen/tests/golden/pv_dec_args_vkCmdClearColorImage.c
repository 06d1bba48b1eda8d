void
pv_dec_args_vkCmdClearColorImage(struct pv_decoder *dec, struct pv_cmd_vkCmdClearColorImage *args)
{
   args->commandBuffer = pv_dec_object(dec, VK_OBJECT_TYPE_COMMAND_BUFFER, true, "vkCmdClearColorImage.commandBuffer");
   args->image = pv_dec_object(dec, VK_OBJECT_TYPE_IMAGE, true, "vkCmdClearColorImage.image");
   args->imageLayout = (VkImageLayout)pv_dec_enum(dec, pv_valid_VkImageLayout, "vkCmdClearColorImage.imageLayout");
   {
      VkClearColorValue *p = NULL;
      if (pv_dec_marker(dec, false, "vkCmdClearColorImage.pColor")) {
         p = pv_dec_alloc(dec, 1, sizeof(*p));
         if (!p)
            return;
         pv_dec_VkClearColorValue(dec, &p[0]);
      }
      args->pColor = p;
   }
   args->rangeCount = (uint32_t)pv_dec_u32(dec);
   {
      uint64_t n;
      VkImageSubresourceRange *p = NULL;
      if (pv_dec_dyn(dec, args->rangeCount, false, 20, &n, "vkCmdClearColorImage.pRanges")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         for (uint64_t i = 0; i < n; i++)
            pv_dec_VkImageSubresourceRange(dec, &p[i]);
      }
      args->pRanges = p;
   }
}
