void
pv_dec_args_vkCmdBindVertexBuffers(struct pv_decoder *dec, struct pv_cmd_vkCmdBindVertexBuffers *args)
{
   args->commandBuffer = pv_dec_object(dec, VK_OBJECT_TYPE_COMMAND_BUFFER, true, "vkCmdBindVertexBuffers.commandBuffer");
   args->firstBinding = (uint32_t)pv_dec_u32(dec);
   args->bindingCount = (uint32_t)pv_dec_u32(dec);
   {
      uint64_t n;
      VkBuffer *p = NULL;
      if (pv_dec_dyn(dec, args->bindingCount, false, 8, &n, "vkCmdBindVertexBuffers.pBuffers")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         for (uint64_t i = 0; i < n; i++)
            p[i] = (VkBuffer)pv_dec_object(dec, VK_OBJECT_TYPE_BUFFER, false, "vkCmdBindVertexBuffers.pBuffers");
      }
      args->pBuffers = p;
   }
   {
      uint64_t n;
      VkDeviceSize *p = NULL;
      if (pv_dec_dyn(dec, args->bindingCount, false, 8, &n, "vkCmdBindVertexBuffers.pOffsets")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         pv_dec_scalars(dec, p, n, sizeof(*p));
      }
      args->pOffsets = p;
   }
}
