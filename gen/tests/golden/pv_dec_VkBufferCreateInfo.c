void
pv_dec_VkBufferCreateInfo(struct pv_decoder *dec, VkBufferCreateInfo *val)
{
   val->sType = pv_dec_stype(dec, VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, "VkBufferCreateInfo");
   val->pNext = pv_dec_chain(dec, &pv_chain_VkBufferCreateInfo, false);
   val->flags = (VkBufferCreateFlags)pv_dec_u32(dec);
   val->size = (VkDeviceSize)pv_dec_u64(dec);
   val->usage = (VkBufferUsageFlags)pv_dec_u32(dec);
   val->sharingMode = (VkSharingMode)pv_dec_enum(dec, pv_valid_VkSharingMode, "VkBufferCreateInfo.sharingMode");
   val->queueFamilyIndexCount = (uint32_t)pv_dec_u32(dec);
   {
      uint64_t n;
      uint32_t *p = NULL;
      if (pv_dec_dyn(dec, val->queueFamilyIndexCount, true, 4, &n, "VkBufferCreateInfo.pQueueFamilyIndices")) {
         p = pv_dec_alloc(dec, n, sizeof(*p));
         if (!p)
            return;
         pv_dec_scalars(dec, p, n, sizeof(*p));
      }
      val->pQueueFamilyIndices = p;
   }
}
