/* SPDX-License-Identifier: MIT */
/* A guest that hands the renderer VK_NULL_HANDLE where Vulkan allows one
 * only under a feature this device did not enable (or did, with
 * "null-descriptor-enabled").  Invalid usage on purpose: test_null_handles
 * checks that the renderer refuses it before the driver, which would
 * dereference it.
 *
 *   guest-null-handles set|vertex|descriptor|null-descriptor-enabled */
#include <string.h>

#include "pv_sample.h"

int
main(int argc, char **argv)
{
   const char *mode = argc > 1 ? argv[1] : "";
   const bool robust = !strcmp(mode, "null-descriptor-enabled");
   struct sample s;
   sample_select_device(&s, "guest-null-handles", VK_API_VERSION_1_2);

   VkPhysicalDeviceRobustness2FeaturesEXT robustness2 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT,
   };
   VkPhysicalDeviceFeatures2 features = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                          .pNext = &robustness2 };
   const char *ext = VK_EXT_ROBUSTNESS_2_EXTENSION_NAME;
   if (robust) {
      vkGetPhysicalDeviceFeatures2(s.physical_device, &features);
      if (!robustness2.nullDescriptor) {
         printf("SKIP: no nullDescriptor on this device\n");
         return 77;
      }
      features.features = (VkPhysicalDeviceFeatures){ 0 };
      robustness2 = (VkPhysicalDeviceRobustness2FeaturesEXT){
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT,
         .nullDescriptor = VK_TRUE,
      };
   }
   const struct sample_device_options options = {
      .features_chain = robust ? &features : NULL,
      .extensions = &ext,
      .extension_count = robust ? 1 : 0,
   };
   sample_create_device(&s, &options);

   VkDescriptorSetLayout set_layout = sample_storage_set_layout(&s, 1);
   VkPipelineLayout layout = sample_pipeline_layout(&s, set_layout, 0, 0);
   const VkDescriptorPoolSize size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1 };
   VkDescriptorPool dpool = sample_descriptor_pool(&s, 0, &size, 1);
   VkDescriptorSet set = sample_descriptor_set(&s, dpool, set_layout);

   if (!strcmp(mode, "descriptor") || robust) {
      const VkDescriptorBufferInfo info = { VK_NULL_HANDLE, 0, VK_WHOLE_SIZE };
      const VkWriteDescriptorSet write = { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                           .dstSet = set, .descriptorCount = 1,
                                           .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                           .pBufferInfo = &info };
      vkUpdateDescriptorSets(s.device, 1, &write, 0, NULL);
   }

   VkCommandBuffer cmd = sample_begin(&s);
   if (!strcmp(mode, "set")) {
      const VkDescriptorSet null_set = VK_NULL_HANDLE;
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &null_set, 0,
                              NULL);
   } else if (!strcmp(mode, "vertex")) {
      const VkBuffer null_buffer = VK_NULL_HANDLE;
      const VkDeviceSize offset = 0;
      vkCmdBindVertexBuffers(cmd, 0, 1, &null_buffer, &offset);
   } else {
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
   }
   sample_submit_wait(&s, cmd);

   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, set_layout, NULL);
   sample_fini(&s);
   printf("%s: ok\n", mode);
   return 0;
}
