/* SPDX-License-Identifier: MIT */
#ifndef PV_SAMPLE_H
#define PV_SAMPLE_H

/* Shared set-up for the samples: plain Vulkan, no PearVisor code.  Each
 * sample runs the same natively or through `pearvisor-gpu run`, checks its
 * own results against a CPU reference, and prints a hash of its output so
 * that runs can be compared bit for bit. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <vulkan/vulkan.h>

#define CHECK_VK(expr)                                                                     \
   do {                                                                                    \
      VkResult r_ = (expr);                                                                \
      if (r_ != VK_SUCCESS) {                                                              \
         fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #expr, (int)r_);    \
         exit(2);                                                                          \
      }                                                                                    \
   } while (0)

struct sample {
   VkInstance instance;
   VkPhysicalDevice physical_device;
   VkPhysicalDeviceProperties properties;
   VkPhysicalDeviceMemoryProperties memory;
   VkDevice device;
   uint32_t queue_family;
   VkQueue queue;
   VkCommandPool pool;
};

struct sample_buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   VkDeviceSize size;
   void *map; /* persistently mapped (host-visible buffers) */
};

/* Instance, first device with a compute queue, that queue, a command pool. */
void sample_init(struct sample *s, const char *name);
void sample_fini(struct sample *s);

/* A buffer in host-visible, host-coherent memory, mapped. */
void sample_buffer_host(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                        VkBufferUsageFlags usage);
/* A mappable buffer chosen as most programs choose upload and readback
 * memory (VMA's "host access, prefer device"): host-visible and coherent,
 * device-local where such a type exists. */
void sample_buffer_staging(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                           VkBufferUsageFlags usage);
/* A buffer in device-local memory (host-visible only if that is all there is). */
void sample_buffer_device(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                          VkBufferUsageFlags usage);
void sample_buffer_fini(struct sample *s, struct sample_buffer *b);

/* A 2D image in device-local memory (any memory if there is none), with a
 * view of all its levels. */
struct sample_image {
   VkImage image;
   VkDeviceMemory memory;
   VkImageView view;
};
void sample_image_init(struct sample *s, struct sample_image *img, VkFormat format, uint32_t width,
                       uint32_t height, uint32_t mips, VkSampleCountFlagBits samples,
                       VkImageUsageFlags usage, VkImageAspectFlags aspect);
void sample_image_fini(struct sample *s, struct sample_image *img);

uint32_t sample_memory_type(struct sample *s, uint32_t bits, VkMemoryPropertyFlags want);

VkShaderModule sample_shader(struct sample *s, const uint32_t *code, size_t size);

VkCommandBuffer sample_begin(struct sample *s);
/* Ends, submits with a fence, waits, frees the command buffer. */
/* Submits an ended command buffer, waits for `fence` and resets it. */
void sample_run(struct sample *s, VkCommandBuffer cmd, VkFence fence);
void sample_submit_wait(struct sample *s, VkCommandBuffer cmd);

/* With PV_SAMPLE_ABANDON set, ends the process here without destroying
 * anything: how a guest that crashes or is killed leaves its objects. */
void sample_maybe_abandon(void);

/* FNV-1a over bytes: the output fingerprint a test compares. */
uint64_t sample_hash(const void *data, size_t size);

#endif /* PV_SAMPLE_H */
