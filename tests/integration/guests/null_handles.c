/* SPDX-License-Identifier: MIT */
/* A guest that hands the renderer VK_NULL_HANDLE where Vulkan allows one
 * only under a feature this device did not enable (or did, with
 * "null-descriptor-enabled").  Invalid usage on purpose: test_null_handles
 * checks that the renderer refuses it before the driver, which would
 * dereference it.
 *
 *   guest-null-handles set|vertex|descriptor|null-descriptor-enabled */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#define CHECK_VK(call)                                                                     \
   do {                                                                                    \
      VkResult r_ = (call);                                                                \
      if (r_ != VK_SUCCESS) {                                                              \
         fprintf(stderr, "%s failed: %d\n", #call, r_);                                    \
         exit(1);                                                                          \
      }                                                                                    \
   } while (0)

int
main(int argc, char **argv)
{
   const char *mode = argc > 1 ? argv[1] : "";
   const bool robust = !strcmp(mode, "null-descriptor-enabled");
   const VkApplicationInfo app = { .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                                   .apiVersion = VK_API_VERSION_1_2 };
   const VkInstanceCreateInfo ici = { .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                      .pApplicationInfo = &app };
   VkInstance instance;
   CHECK_VK(vkCreateInstance(&ici, NULL, &instance));
   uint32_t count = 1;
   VkPhysicalDevice pdev;
   vkEnumeratePhysicalDevices(instance, &count, &pdev);
   if (!count)
      return 1;

   VkPhysicalDeviceRobustness2FeaturesEXT robustness2 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT,
   };
   VkPhysicalDeviceFeatures2 features = { .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                          .pNext = &robustness2 };
   const char *ext = VK_EXT_ROBUSTNESS_2_EXTENSION_NAME;
   if (robust) {
      vkGetPhysicalDeviceFeatures2(pdev, &features);
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
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = { .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                         .queueCount = 1, .pQueuePriorities = &priority };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = robust ? &features : NULL,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
      .enabledExtensionCount = robust ? 1 : 0,
      .ppEnabledExtensionNames = &ext,
   };
   VkDevice device;
   CHECK_VK(vkCreateDevice(pdev, &dci, NULL, &device));
   VkQueue queue;
   vkGetDeviceQueue(device, 0, 0, &queue);

   const VkDescriptorSetLayoutBinding binding = {
      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .descriptorCount = 1,
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
   };
   const VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 1,
      .pBindings = &binding,
   };
   VkDescriptorSetLayout set_layout;
   CHECK_VK(vkCreateDescriptorSetLayout(device, &dslci, NULL, &set_layout));
   const VkPipelineLayoutCreateInfo plci = { .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                             .setLayoutCount = 1,
                                             .pSetLayouts = &set_layout };
   VkPipelineLayout layout;
   CHECK_VK(vkCreatePipelineLayout(device, &plci, NULL, &layout));
   const VkDescriptorPoolSize size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1 };
   const VkDescriptorPoolCreateInfo dpci = { .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                             .maxSets = 1, .poolSizeCount = 1,
                                             .pPoolSizes = &size };
   VkDescriptorPool dpool;
   CHECK_VK(vkCreateDescriptorPool(device, &dpci, NULL, &dpool));
   const VkDescriptorSetAllocateInfo dsai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = dpool, .descriptorSetCount = 1, .pSetLayouts = &set_layout };
   VkDescriptorSet set;
   CHECK_VK(vkAllocateDescriptorSets(device, &dsai, &set));

   if (!strcmp(mode, "descriptor") || robust) {
      const VkDescriptorBufferInfo info = { VK_NULL_HANDLE, 0, VK_WHOLE_SIZE };
      const VkWriteDescriptorSet write = { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                           .dstSet = set, .descriptorCount = 1,
                                           .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                           .pBufferInfo = &info };
      vkUpdateDescriptorSets(device, 1, &write, 0, NULL);
   }

   const VkCommandPoolCreateInfo cpci = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
   VkCommandPool pool;
   CHECK_VK(vkCreateCommandPool(device, &cpci, NULL, &pool));
   const VkCommandBufferAllocateInfo cbai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1 };
   VkCommandBuffer cmd;
   CHECK_VK(vkAllocateCommandBuffers(device, &cbai, &cmd));
   const VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
   CHECK_VK(vkBeginCommandBuffer(cmd, &begin));
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
   CHECK_VK(vkEndCommandBuffer(cmd));
   const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
   VkFence fence;
   CHECK_VK(vkCreateFence(device, &fci, NULL, &fence));
   const VkSubmitInfo submit = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                                 .commandBufferCount = 1, .pCommandBuffers = &cmd };
   CHECK_VK(vkQueueSubmit(queue, 1, &submit, fence));
   CHECK_VK(vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX));

   vkDestroyFence(device, fence, NULL);
   vkDestroyCommandPool(device, pool, NULL);
   vkDestroyDescriptorPool(device, dpool, NULL);
   vkDestroyPipelineLayout(device, layout, NULL);
   vkDestroyDescriptorSetLayout(device, set_layout, NULL);
   vkDestroyDevice(device, NULL);
   vkDestroyInstance(instance, NULL);
   printf("%s: ok\n", mode);
   return 0;
}
