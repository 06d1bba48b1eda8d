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

   const struct sample_buffer *buffers[3] = { &a, &b, &count };
   struct sample_compute check;
   sample_compute_init(&s, &check, coherence_spv, sizeof(coherence_spv), buffers, 3, 8);

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
      sample_compute_bind(cmd, &check);
      const uint32_t params[2] = { round, N };
      vkCmdPushConstants(cmd, check.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 8, params);
      vkCmdDispatch(cmd, (N + 63) / 64, 1, 1);
      sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                             VK_ACCESS_SHADER_WRITE_BIT);
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
   sample_compute_fini(&s, &check);
   sample_buffer_fini(&s, &count);
   sample_buffer_fini(&s, &b);
   sample_buffer_fini(&s, &a);
   sample_fini(&s);
   const bool ok = !guest_to_shader_errors && !shader_to_guest_errors;
   printf("coherence: %s\n", ok ? "OK" : "FAILED");
   return ok ? 0 : 1;
}
