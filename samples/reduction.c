/* SPDX-License-Identifier: MIT */
/* Parallel reduction: shared-memory tree per workgroup, atomics across them.
 * Exercises specialization constants, push constants, a pipeline cache (its
 * data read back, merged, reused), descriptor update templates, events,
 * timestamp and pipeline-statistics queries, and a device-local buffer
 * filled by a copy from mapped memory. */
#include <string.h>

#include "pv_sample.h"
#include "reduction.spv.h"

#define N (1u << 20)
#define WG 128u

static VkPipeline
make_pipeline(struct sample *s, VkShaderModule module, VkPipelineLayout layout,
              VkPipelineCache cache)
{
   const uint32_t wg = WG;
   const VkSpecializationMapEntry entry = { 0, 0, sizeof(uint32_t) };
   const VkSpecializationInfo spec = { 1, &entry, sizeof(wg), &wg };
   return sample_compute_pipeline(s, layout, module, &spec, cache);
}

int
main(void)
{
   struct sample s;
   sample_init(&s, "pv-reduction");
   const uint32_t groups = N / WG;

   struct sample_buffer staging, input, output;
   sample_buffer_host(&s, &staging, N * sizeof(uint32_t), VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
   sample_buffer_device(&s, &input, N * sizeof(uint32_t),
                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   sample_buffer_host(&s, &output, (1 + groups) * sizeof(uint32_t),
                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   uint32_t *in = staging.map;
   uint64_t want = 0;
   for (uint32_t i = 0; i < N; i++) {
      in[i] = (i * 2654435761u) >> 24; /* 0..255 */
      want += in[i];
   }

   VkDescriptorSetLayout dsl = sample_storage_set_layout(&s, 2);
   VkPipelineLayout layout = sample_pipeline_layout(&s, dsl, VK_SHADER_STAGE_COMPUTE_BIT, 4);
   VkShaderModule module = sample_shader(&s, reduction_spv, sizeof(reduction_spv));

   /* pipeline cache: fill one, read its data back, seed a second with it,
    * merge them, and build the pipeline used below from the merged cache */
   const VkPipelineCacheCreateInfo pcci = { .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO };
   VkPipelineCache cache1, cache2;
   CHECK_VK(vkCreatePipelineCache(s.device, &pcci, NULL, &cache1));
   vkDestroyPipeline(s.device, make_pipeline(&s, module, layout, cache1), NULL);
   size_t cache_size = 0;
   CHECK_VK(vkGetPipelineCacheData(s.device, cache1, &cache_size, NULL));
   void *cache_data = malloc(cache_size ? cache_size : 1);
   CHECK_VK(vkGetPipelineCacheData(s.device, cache1, &cache_size, cache_data));
   const VkPipelineCacheCreateInfo seeded = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
      .initialDataSize = cache_size,
      .pInitialData = cache_data,
   };
   CHECK_VK(vkCreatePipelineCache(s.device, &seeded, NULL, &cache2));
   CHECK_VK(vkMergePipelineCaches(s.device, cache2, 1, &cache1));
   VkPipeline pipeline = make_pipeline(&s, module, layout, cache2);
   free(cache_data);

   /* descriptors through an update template */
   const VkDescriptorPoolSize pool_size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 2 };
   /* the set is freed by itself at the end, which takes FREE_DESCRIPTOR_SET */
   VkDescriptorPool dpool =
      sample_descriptor_pool(&s, VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT, &pool_size, 1);
   VkDescriptorSet set = sample_descriptor_set(&s, dpool, dsl);
   const VkDescriptorBufferInfo infos[2] = {
      { input.buffer, 0, VK_WHOLE_SIZE },
      { output.buffer, 0, VK_WHOLE_SIZE },
   };
   const VkDescriptorUpdateTemplateEntry entries[1] = {
      { 0, 0, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0, sizeof(VkDescriptorBufferInfo) },
   };
   const VkDescriptorUpdateTemplateCreateInfo tci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_UPDATE_TEMPLATE_CREATE_INFO,
      .descriptorUpdateEntryCount = 1,
      .pDescriptorUpdateEntries = entries,
      .templateType = VK_DESCRIPTOR_UPDATE_TEMPLATE_TYPE_DESCRIPTOR_SET,
      .descriptorSetLayout = dsl,
   };
   VkDescriptorUpdateTemplate templ;
   CHECK_VK(vkCreateDescriptorUpdateTemplate(s.device, &tci, NULL, &templ));
   vkUpdateDescriptorSetWithTemplate(s.device, set, templ, infos);

   /* queries: two timestamps and, where supported, compute statistics */
   VkQueryPool timestamps = sample_query_pool(&s, VK_QUERY_TYPE_TIMESTAMP, 2, 0);
   VkQueryPool stats = VK_NULL_HANDLE;
   if (s.features.pipelineStatisticsQuery)
      stats = sample_query_pool(&s, VK_QUERY_TYPE_PIPELINE_STATISTICS, 1,
                                VK_QUERY_PIPELINE_STATISTIC_COMPUTE_SHADER_INVOCATIONS_BIT);
   const VkEventCreateInfo eci = { .sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO };
   VkEvent copied;
   CHECK_VK(vkCreateEvent(s.device, &eci, NULL, &copied));

   VkCommandBuffer cmd = sample_begin(&s);
   vkCmdResetQueryPool(cmd, timestamps, 0, 2);
   if (stats)
      vkCmdResetQueryPool(cmd, stats, 0, 1);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, timestamps, 0);
   const VkBufferCopy copy = { 0, 0, N * sizeof(uint32_t) };
   vkCmdCopyBuffer(cmd, staging.buffer, input.buffer, 1, &copy);
   vkCmdFillBuffer(cmd, output.buffer, 0, VK_WHOLE_SIZE, 0);
   /* the copy and fill happen before the dispatch: signalled by an event */
   vkCmdSetEvent(cmd, copied, VK_PIPELINE_STAGE_TRANSFER_BIT);
   const VkMemoryBarrier to_shader = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
   };
   vkCmdWaitEvents(cmd, 1, &copied, VK_PIPELINE_STAGE_TRANSFER_BIT,
                   VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 1, &to_shader, 0, NULL, 0, NULL);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
   const uint32_t n = N;
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
   if (stats)
      vkCmdBeginQuery(cmd, stats, 0, 0);
   vkCmdDispatch(cmd, groups, 1, 1);
   if (stats)
      vkCmdEndQuery(cmd, stats, 0);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, timestamps, 1);
   sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
   sample_submit_wait(&s, cmd);

   uint64_t ts[2] = { 0, 0 };
   sample_query_results(&s, timestamps, 2, ts);
   uint64_t invocations = 0;
   if (stats)
      sample_query_results(&s, stats, 1, &invocations);
   const VkResult event_status = vkGetEventStatus(s.device, copied);

   const uint32_t *out = output.map;
   uint64_t partial_sum = 0;
   for (uint32_t g = 0; g < groups; g++)
      partial_sum += out[1 + g];
   const bool ok = out[0] == (uint32_t)want && partial_sum == want && ts[1] >= ts[0] &&
                   event_status == VK_EVENT_SET &&
                   (!stats || invocations == N);
   printf("reduction: sum %u (want %llu), %u groups, %llu invocations counted, "
          "output hash %016llx\n",
          out[0], (unsigned long long)want, groups, (unsigned long long)invocations,
          (unsigned long long)sample_hash(out, output.size));

   sample_maybe_abandon();
   vkDestroyEvent(s.device, copied, NULL);
   if (stats)
      vkDestroyQueryPool(s.device, stats, NULL);
   vkDestroyQueryPool(s.device, timestamps, NULL);
   vkDestroyDescriptorUpdateTemplate(s.device, templ, NULL);
   CHECK_VK(vkFreeDescriptorSets(s.device, dpool, 1, &set));
   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyPipelineCache(s.device, cache2, NULL);
   vkDestroyPipelineCache(s.device, cache1, NULL);
   vkDestroyShaderModule(s.device, module, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, dsl, NULL);
   sample_buffer_fini(&s, &output);
   sample_buffer_fini(&s, &input);
   sample_buffer_fini(&s, &staging);
   sample_fini(&s);
   printf("reduction: %s\n", ok ? "OK" : "FAILED");
   return ok ? 0 : 1;
}
