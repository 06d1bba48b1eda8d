/* SPDX-License-Identifier: MIT */
/* Mapped-memory coherence, both ways, through one persistent mapping:
 * each round the host writes a fresh pattern, a shader checks every word of
 * it and writes an answer, and the host checks every word of the answer.
 * Sizes are odd on purpose (not page multiples).  Through PearVisor the
 * mapping is the guest's view of memory the host driver uses directly. */
#include <string.h>

#include "pv_sample.h"

#include "coherence.spv.h"

#define N 12345u /* words: 49380 bytes, no multiple of a page */
#define ROUNDS 24u

int
main(void)
{
   struct sample s;
   sample_init(&s, "pv-coherence");

   struct sample_buffer a, b, count;
   sample_buffer_host(&s, &a, N * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   sample_buffer_host(&s, &b, N * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   sample_buffer_host(&s, &count, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);

   const VkDescriptorSetLayoutBinding bindings[3] = {
      { 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
      { 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
      { 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
   };
   const VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 3,
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
   VkShaderModule module = sample_shader(&s, coherence_spv, sizeof(coherence_spv));
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
   const VkDescriptorPoolSize pool_size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3 };
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
   const VkDescriptorBufferInfo infos[3] = {
      { a.buffer, 0, VK_WHOLE_SIZE },
      { b.buffer, 0, VK_WHOLE_SIZE },
      { count.buffer, 0, VK_WHOLE_SIZE },
   };
   VkWriteDescriptorSet writes[3];
   for (uint32_t i = 0; i < 3; i++)
      writes[i] = (VkWriteDescriptorSet){ VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, i,
                                          0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, NULL,
                                          &infos[i], NULL };
   vkUpdateDescriptorSets(s.device, 3, writes, 0, NULL);

   uint32_t *pa = a.map, *pb = b.map, *pc = count.map;
   uint32_t guest_to_shader_errors = 0, shader_to_guest_errors = 0;
   uint64_t hash = 0;
   for (uint32_t round = 1; round <= ROUNDS; round++) {
      /* host -> device: fresh data every round, through the same mapping */
      for (uint32_t i = 0; i < N; i++)
         pa[i] = round * 2654435761u + i;
      memset(pb, 0xa5, N * 4);
      *pc = 0;

      VkCommandBuffer cmd = sample_begin(&s);
      const VkMemoryBarrier from_host = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
         .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT,
         .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
      };
      vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_HOST_BIT,
                           VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &from_host, 0, NULL, 0,
                           NULL);
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0,
                              NULL);
      const uint32_t params[2] = { round, N };
      vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, params);
      vkCmdDispatch(cmd, (N + 63) / 64, 1, 1);
      const VkMemoryBarrier to_host = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
         .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
         .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
      };
      vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                           VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, NULL, 0, NULL);
      sample_submit_wait(&s, cmd);

      /* device -> host */
      guest_to_shader_errors += *pc;
      for (uint32_t i = 0; i < N; i++) {
         const uint32_t want = ~(round * 2654435761u + i) ^ round;
         if (pb[i] != want && shader_to_guest_errors++ < 5)
            fprintf(stderr, "round %u: b[%u] = %08x, want %08x\n", round, i, pb[i], want);
      }
      hash ^= sample_hash(pb, N * 4) + round;
   }
   printf("coherence: %u rounds of %u words; host->shader mismatches %u, shader->host "
          "mismatches %u, output hash %016llx\n",
          ROUNDS, N, guest_to_shader_errors, shader_to_guest_errors, (unsigned long long)hash);

   sample_maybe_abandon();
   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyShaderModule(s.device, module, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, dsl, NULL);
   sample_buffer_fini(&s, &count);
   sample_buffer_fini(&s, &b);
   sample_buffer_fini(&s, &a);
   sample_fini(&s);
   const bool ok = !guest_to_shader_errors && !shader_to_guest_errors;
   printf("coherence: %s\n", ok ? "OK" : "FAILED");
   return ok ? 0 : 1;
}
