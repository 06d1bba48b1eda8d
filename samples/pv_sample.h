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
   /* what the physical device offers (its pNext is null) */
   VkPhysicalDeviceFeatures features;
   VkPhysicalDeviceVulkan12Features features12;
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

/* Instance, first device with a compute queue, that queue, a command pool;
 * the device has the Vulkan 1.2 features the samples use where offered.
 * Prints the device's name. */
void sample_init(struct sample *s, const char *name);
void sample_fini(struct sample *s);

/* The two halves of sample_init, for programs whose device needs other
 * features, extensions or queues: first the instance at `api_version` and
 * the first physical device (its properties, memory and features), then,
 * once the program has looked at those, the device. */
void sample_select_device(struct sample *s, const char *name, uint32_t api_version);
struct sample_device_options {
   VkQueueFlags queue_flags;                 /* the queue's family has these; 0: compute */
   const void *features_chain;               /* feature structs to enable, chained */
   const VkPhysicalDeviceFeatures *features; /* core features to enable; may be null */
   const char *const *extensions;
   uint32_t extension_count;
};
void sample_create_device(struct sample *s, const struct sample_device_options *options);

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

/* A command buffer from the sample's pool, begun for one submission. */
VkCommandBuffer sample_begin(struct sample *s);
/* The same, begun to be submitted again and again. */
VkCommandBuffer sample_begin_reusable(struct sample *s);
/* Submits an ended command buffer, waits for `fence` and resets it. */
void sample_run(struct sample *s, VkCommandBuffer cmd, VkFence fence);
/* Ends, submits with a fence, waits, frees the command buffer. */
void sample_submit_wait(struct sample *s, VkCommandBuffer cmd);

VkFence sample_fence(struct sample *s);
VkSemaphore sample_timeline(struct sample *s);
/* Waits on the host until `timeline` reaches `value`. */
void sample_wait_timeline(struct sample *s, VkSemaphore timeline, uint64_t value);

/* A layout transition of mip levels [mip, mip + mips) of a colour image. */
void sample_transition(VkCommandBuffer cmd, VkImage image, uint32_t mip, uint32_t mips,
                       VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                       VkAccessFlags dst_access, VkPipelineStageFlags src_stage,
                       VkPipelineStageFlags dst_stage);
/* Makes what `src_stage` wrote visible to the host's reads of mapped memory. */
void sample_barrier_to_host(VkCommandBuffer cmd, VkPipelineStageFlags src_stage,
                            VkAccessFlags src_access);
/* Sets a viewport and scissor of all of width x height. */
void sample_set_viewport(VkCommandBuffer cmd, uint32_t width, uint32_t height);
/* Begins dynamic rendering into one colour attachment (`view`, in
 * COLOR_ATTACHMENT_OPTIMAL, stored) of width x height, through `begin`:
 * vkCmdBeginRendering, or VK_KHR_dynamic_rendering's entry point. */
void sample_begin_rendering(VkCommandBuffer cmd, PFN_vkCmdBeginRendering begin, VkImageView view,
                            VkAttachmentLoadOp load_op, const float clear_color[4],
                            uint32_t width, uint32_t height);
/* A copy between a tightly packed buffer and mip 0 of a width x height
 * colour image. */
VkBufferImageCopy sample_image_region(uint32_t width, uint32_t height);

/* A query pool (`statistics` only for pipeline-statistics queries), and its
 * results as 64-bit values, waited for. */
VkQueryPool sample_query_pool(struct sample *s, VkQueryType type, uint32_t count,
                              VkQueryPipelineStatisticFlags statistics);
void sample_query_results(struct sample *s, VkQueryPool pool, uint32_t count, uint64_t *results);

/* -- descriptors and pipelines (pv_sample_pipeline.c) ------------------------- */

VkDescriptorSetLayout sample_set_layout(struct sample *s,
                                        const VkDescriptorSetLayoutBinding *bindings,
                                        uint32_t count);
/* Bindings 0 .. count - 1: one storage buffer each, for compute. */
VkDescriptorSetLayout sample_storage_set_layout(struct sample *s, uint32_t count);
/* One set layout (none if null) and one push-constant range (none if
 * push_size is 0). */
VkPipelineLayout sample_pipeline_layout(struct sample *s, VkDescriptorSetLayout set_layout,
                                        VkShaderStageFlags push_stages, uint32_t push_size);
/* A pool with room for one set of these descriptors, and that set. */
VkDescriptorPool sample_descriptor_pool(struct sample *s, VkDescriptorPoolCreateFlags flags,
                                        const VkDescriptorPoolSize *sizes, uint32_t count);
VkDescriptorSet sample_descriptor_set(struct sample *s, VkDescriptorPool pool,
                                      VkDescriptorSetLayout layout);
/* Binding i of `set` is all of buffers[i]. */
void sample_write_storage_buffers(struct sample *s, VkDescriptorSet set,
                                  const struct sample_buffer *const *buffers, uint32_t count);

/* A compute pipeline running `module`'s "main". */
VkPipeline sample_compute_pipeline(struct sample *s, VkPipelineLayout layout, VkShaderModule module,
                                   const VkSpecializationInfo *spec, VkPipelineCache cache);

/* A compute shader over storage buffers (binding i: buffers[i]) with
 * `push_size` bytes of push constants: its pipeline and its one set. */
struct sample_compute {
   VkDescriptorSetLayout set_layout;
   VkPipelineLayout layout;
   VkPipeline pipeline;
   VkDescriptorPool pool;
   VkDescriptorSet set;
};
void sample_compute_init(struct sample *s, struct sample_compute *c, const uint32_t *code,
                         size_t code_size, const struct sample_buffer *const *buffers,
                         uint32_t count, uint32_t push_size);
void sample_compute_bind(VkCommandBuffer cmd, const struct sample_compute *c);
void sample_compute_fini(struct sample *s, struct sample_compute *c);

/* A graphics pipeline drawing triangle lists from a vertex and a fragment
 * shader into one colour attachment, no culling.  Zeroed fields take the
 * plain choice. */
struct sample_graphics_pipeline {
   const uint32_t *vertex_code, *fragment_code;
   size_t vertex_size, fragment_size;
   VkPipelineLayout layout;
   VkRenderPass render_pass;   /* null: dynamic rendering into color_format */
   VkFormat color_format;
   const VkPipelineVertexInputStateCreateInfo *vertex_input; /* null: no vertex buffers */
   VkSampleCountFlagBits samples;                            /* 0: one sample */
   bool depth_test;                                          /* depth test (less) and write */
   const VkPipelineColorBlendAttachmentState *blend;         /* null: no blending */
   VkExtent2D viewport; /* a fixed viewport and scissor; 0 x 0: both dynamic */
   VkPipelineCache cache;
   VkPipelineCreateFlags flags;
   VkPipeline base; /* for a derivative */
};
VkPipeline sample_graphics_pipeline(struct sample *s, const struct sample_graphics_pipeline *p);

/* With PV_SAMPLE_ABANDON set, ends the process here without destroying
 * anything: how a guest that crashes or is killed leaves its objects. */
void sample_maybe_abandon(void);

/* FNV-1a over bytes: the output fingerprint a test compares. */
uint64_t sample_hash(const void *data, size_t size);

#endif /* PV_SAMPLE_H */
