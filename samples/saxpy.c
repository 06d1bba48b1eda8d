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

   const struct sample_buffer *buffers[2] = { &x, &y };
   struct sample_compute saxpy;
   sample_compute_init(&s, &saxpy, saxpy_spv, sizeof(saxpy_spv), buffers, 2, 8);

   VkCommandBuffer cmd = sample_begin(&s);
   sample_compute_bind(cmd, &saxpy);
   const struct {
      float a;
      uint32_t n;
   } params = { 3.0f, N };
   vkCmdPushConstants(cmd, saxpy.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(params),
                      &params);
   vkCmdDispatchIndirect(cmd, indirect.buffer, 0);
   sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
   CHECK_VK(vkEndCommandBuffer(cmd));

   /* completion through a timeline semaphore */
   VkSemaphore timeline = sample_timeline(&s);
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
   sample_wait_timeline(&s, timeline, signal_value);
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
   sample_compute_fini(&s, &saxpy);
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
