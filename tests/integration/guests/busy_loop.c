/* SPDX-License-Identifier: MIT */
/* A guest that keeps its renderer busy for a while: a host-visible buffer,
 * then empty submissions, each waited for, and a small allocation made
 * and freed, over and over.  test_stats watches several at once.
 *
 *   guest-busy-loop NAME SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pv_sample.h"

static double
now(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
   if (argc != 3) {
      fprintf(stderr, "usage: guest-busy-loop NAME SECONDS\n");
      return 2;
   }
   const double seconds = atof(argv[2]);
   struct sample s;
   sample_init(&s, argv[1]);
   struct sample_buffer kept;
   sample_buffer_host(&s, &kept, 1 << 20, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
   VkFence fence;
   if (vkCreateFence(s.device, &fci, NULL, &fence) != VK_SUCCESS)
      return 1;
   unsigned long rounds = 0;
   for (const double end = now() + seconds; now() < end; rounds++) {
      if (vkQueueSubmit(s.queue, 0, NULL, fence) != VK_SUCCESS ||
          vkWaitForFences(s.device, 1, &fence, VK_TRUE, UINT64_MAX) != VK_SUCCESS ||
          vkResetFences(s.device, 1, &fence) != VK_SUCCESS)
         return 1;
      struct sample_buffer b;
      sample_buffer_host(&s, &b, 64 << 10, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
      sample_buffer_fini(&s, &b);
   }
   vkDestroyFence(s.device, fence, NULL);
   sample_buffer_fini(&s, &kept);
   sample_fini(&s);
   printf("rounds %lu\n", rounds);
   return 0;
}
