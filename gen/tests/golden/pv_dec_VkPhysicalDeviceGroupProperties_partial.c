void
pv_dec_VkPhysicalDeviceGroupProperties_partial(struct pv_decoder *dec, VkPhysicalDeviceGroupProperties *val)
{
   val->sType = pv_dec_stype(dec, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GROUP_PROPERTIES, "VkPhysicalDeviceGroupProperties");
   val->pNext = pv_dec_chain(dec, &pv_chain_VkPhysicalDeviceGroupProperties, true);
   pv_dec_fixed(dec, VK_MAX_DEVICE_GROUP_SIZE, "VkPhysicalDeviceGroupProperties.physicalDevices");
   for (uint32_t i = 0; i < VK_MAX_DEVICE_GROUP_SIZE; i++)
      val->physicalDevices[i] = (VkPhysicalDevice)(uintptr_t)pv_dec_u64(dec);
}
