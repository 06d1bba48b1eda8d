/* SPDX-License-Identifier: MIT */
/* SAXPY: y = a * x + y on a million floats in mapped memory.  Dispatched
 * indirectly, with push constants, and waited for on a timeline semaphore.
 * Values are small integers, so every result is exact and comparable. */
#include <string.h>

#include "pv_sample.h"
#include "saxpy.spv.h"

#define N (1u << 20)

int
main(void)
{
   struct sample s;
   sample_init(&s, "pv-saxpy");

   struct sample_buffer x, y, indirect;
   sample_buffer_host(&s, &x, N * sizeof(float), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   sample_buffer_host(&s, &y, N * sizeof(float), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   sample_buffer_host(&s, &indirect, sizeof(VkDispatchIndirectCommand),
                      VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT);
   float *xs = x.map, *ys = y.map;
   for (uint32_t i = 0; i < N; i++) {
      xs[i] = (float)(i % 1000);
      ys[i] = (float)((i * 7) % 1000);
   }
   *(VkDispatchIndirectCommand *)indirect.map = (VkDispatchIndirectCommand){ N / 64, 1, 1 };

   const VkDescriptorSetLayoutBinding bindings[2] = {
      { 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
      { 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
   };
   const VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 2,
      .pBindings = bindings,
   };
   VkDescriptorSetLayout dsl;
   CHECK_VK(vkCreateDescriptorSetLayout(s.device, &dslci, NULL, &dsl));
   const VkPushConstantRange range = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 8 };
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &dsl,
      .pushConstantRangeCount = 1,
      .pPushConstantRanges = &range,
   };
   VkPipelineLayout layout;
   CHECK_VK(vkCreatePipelineLayout(s.device, &plci, NULL, &layout));
   VkShaderModule module = sample_shader(&s, saxpy_spv, sizeof(saxpy_spv));
   const VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {
         .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
         .stage = VK_SHADER_STAGE_COMPUTE_BIT,
         .module = module,
         .pName = "main",
      },
      .layout = layout,
   };
   VkPipeline pipeline;
   CHECK_VK(vkCreateComputePipelines(s.device, VK_NULL_HANDLE, 1, &cpci, NULL, &pipeline));

   const VkDescriptorPoolSize pool_size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 };
   const VkDescriptorPoolCreateInfo dpci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &pool_size,
   };
   VkDescriptorPool dpool;
   CHECK_VK(vkCreateDescriptorPool(s.device, &dpci, NULL, &dpool));
   const VkDescriptorSetAllocateInfo dsai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = dpool,
      .descriptorSetCount = 1,
      .pSetLayouts = &dsl,
   };
   VkDescriptorSet set;
   CHECK_VK(vkAllocateDescriptorSets(s.device, &dsai, &set));
   const VkDescriptorBufferInfo infos[2] = {
      { x.buffer, 0, VK_WHOLE_SIZE },
      { y.buffer, 0, VK_WHOLE_SIZE },
   };
   const VkWriteDescriptorSet writes[2] = {
      { VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, 0, 0, 1,
        VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, NULL, &infos[0], NULL },
      { VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, 1, 0, 1,
        VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, NULL, &infos[1], NULL },
   };
   vkUpdateDescriptorSets(s.device, 2, writes, 0, NULL);

   VkCommandBuffer cmd = sample_begin(&s);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
   const struct {
      float a;
      uint32_t n;
   } params = { 3.0f, N };
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(params), &params);
   vkCmdDispatchIndirect(cmd, indirect.buffer, 0);
   const VkMemoryBarrier to_host = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                        0, 1, &to_host, 0, NULL, 0, NULL);
   CHECK_VK(vkEndCommandBuffer(cmd));

   /* completion through a timeline semaphore */
   const VkSemaphoreTypeCreateInfo stci = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
      .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
   };
   const VkSemaphoreCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
                                       .pNext = &stci };
   VkSemaphore timeline;
   CHECK_VK(vkCreateSemaphore(s.device, &sci, NULL, &timeline));
   const uint64_t signal_value = 1;
   const VkTimelineSemaphoreSubmitInfo tssi = {
      .sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
      .signalSemaphoreValueCount = 1,
      .pSignalSemaphoreValues = &signal_value,
   };
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .pNext = &tssi,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
      .signalSemaphoreCount = 1,
      .pSignalSemaphores = &timeline,
   };
   CHECK_VK(vkQueueSubmit(s.queue, 1, &si, VK_NULL_HANDLE));
   const VkSemaphoreWaitInfo swi = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
      .semaphoreCount = 1,
      .pSemaphores = &timeline,
      .pValues = &signal_value,
   };
   CHECK_VK(vkWaitSemaphores(s.device, &swi, UINT64_MAX));
   uint64_t value = 0;
   CHECK_VK(vkGetSemaphoreCounterValue(s.device, timeline, &value));

   uint32_t bad = 0;
   for (uint32_t i = 0; i < N; i++) {
      const float want = 3.0f * (float)(i % 1000) + (float)((i * 7) % 1000);
      if (ys[i] != want && bad++ < 5)
         fprintf(stderr, "y[%u] = %f, want %f\n", i, ys[i], want);
   }
   printf("saxpy: %u elements, timeline value %llu, output hash %016llx\n", N,
          (unsigned long long)value, (unsigned long long)sample_hash(ys, N * sizeof(float)));

   sample_maybe_abandon();
   vkFreeCommandBuffers(s.device, s.pool, 1, &cmd);
   vkDestroySemaphore(s.device, timeline, NULL);
   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyShaderModule(s.device, module, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, dsl, NULL);
   sample_buffer_fini(&s, &indirect);
   sample_buffer_fini(&s, &y);
   sample_buffer_fini(&s, &x);
   sample_fini(&s);
   if (bad || value != 1) {
      printf("saxpy: FAILED (%u wrong values)\n", bad);
      return 1;
   }
   printf("saxpy: OK\n");
   return 0;
}
