void
pv_enc_VkPhysicalDeviceGroupProperties(struct pv_encoder *enc, const VkPhysicalDeviceGroupProperties *val)
{
   pv_enc_i32(enc, (int32_t)val->sType);
   pv_enc_chain(enc, val->pNext, &pv_chain_VkPhysicalDeviceGroupProperties);
   pv_enc_u32(enc, val->physicalDeviceCount);
   pv_enc_u64(enc, VK_MAX_DEVICE_GROUP_SIZE);
   for (uint32_t i = 0; i < VK_MAX_DEVICE_GROUP_SIZE; i++)
      pv_enc_u64(enc, (uint64_t)(uintptr_t)val->physicalDevices[i]);
   pv_enc_u32(enc, val->subsetAllocation);
}
