/* SPDX-License-Identifier: MIT */
/* Vulkan 1.3's submission and rendering paths, which a guest gets only once
 * Venus offers VK_KHR_synchronization2 (issue 12):
 *
 *   vkQueueSubmit2 with VkSemaphoreSubmitInfo waits and signals, a timeline
 *     semaphore chaining three submissions, one wait submitted before the
 *     host signals it (vkSignalSemaphore), a binary semaphore between two
 *   vkCmdPipelineBarrier2 with image and buffer barriers (layouts, the
 *     copy's stage, the host's read)
 *   dynamic rendering (vkCmdBeginRendering), a clear and then a load
 *
 * Two passes draw pixel-aligned quads into a 64x64 target; each pass is
 * copied to a buffer, checked against a CPU reference and hashed, so the
 * output must be the same natively and through PearVisor. */
#include <string.h>

#include "paths_quad.h"

#define SIZE 64
#define FORMAT VK_FORMAT_R8G8B8A8_UNORM

/* Quads whose edges are pixel edges (multiples of 8 pixels, 0.25 in NDC),
 * so that no pixel centre lies on an edge and coverage has one answer; the
 * colour channels are multiples of 0.2, exact in UNORM8 (51 steps). */
static const struct quad pass1[] = {
   { { -1.0f, -1.0f }, { 1.0f, 1.0f }, { 1.0f, 0.2f, 0.0f, 1.0f } },
   { { -0.25f, -0.5f }, { 1.0f, 0.75f }, { 0.0f, 0.6f, 1.0f, 1.0f } },
};
static const struct quad pass2[] = {
   { { 0.25f, 0.25f }, { 0.5f, 0.75f }, { 0.4f, 0.8f, 0.2f, 1.0f } },
};
static const float clear_color[4] = { 0.0f, 0.0f, 0.2f, 1.0f };

static uint8_t
unorm8(float f)
{
   return (uint8_t)(f * 255.0f + 0.5f);
}

/* The CPU reference: pixel (x, y) centre in NDC is -1 + (x + 0.5) / 32. */
static void
reference(uint8_t *out, const struct quad *quads, uint32_t count)
{
   for (uint32_t y = 0; y < SIZE; y++) {
      for (uint32_t x = 0; x < SIZE; x++) {
         const float px = -1.0f + (x + 0.5f) * 2.0f / SIZE;
         const float py = -1.0f + (y + 0.5f) * 2.0f / SIZE;
         for (uint32_t q = 0; q < count; q++) {
            const struct quad *k = &quads[q];
            if (px > k->offset[0] && px < k->offset[0] + k->scale[0] && py > k->offset[1] &&
                py < k->offset[1] + k->scale[1]) {
               for (int c = 0; c < 4; c++)
                  out[(y * SIZE + x) * 4 + c] = unorm8(k->color[c]);
            }
         }
      }
   }
}

static void
init_device(struct sample *s)
{
   sample_select_device(s, "pv-sync2", VK_API_VERSION_1_3);
   printf("device: %s, Vulkan %u.%u\n", s->properties.deviceName,
          VK_API_VERSION_MAJOR(s->properties.apiVersion),
          VK_API_VERSION_MINOR(s->properties.apiVersion));
   if (s->properties.apiVersion < VK_API_VERSION_1_3) {
      fprintf(stderr, "the device offers no Vulkan 1.3\n");
      exit(1);
   }
   VkPhysicalDeviceVulkan13Features v13 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
   };
   VkPhysicalDeviceFeatures2 features = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
      .pNext = &v13,
   };
   vkGetPhysicalDeviceFeatures2(s->physical_device, &features);
   if (!v13.synchronization2 || !v13.dynamicRendering || !s->features12.timelineSemaphore) {
      fprintf(stderr, "missing features: synchronization2 %u, dynamicRendering %u, "
                      "timelineSemaphore %u\n",
              v13.synchronization2, v13.dynamicRendering, s->features12.timelineSemaphore);
      exit(1);
   }
   VkPhysicalDeviceVulkan13Features want13 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
      .synchronization2 = VK_TRUE,
      .dynamicRendering = VK_TRUE,
   };
   VkPhysicalDeviceVulkan12Features want12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .pNext = &want13,
      .timelineSemaphore = VK_TRUE,
   };
   const struct sample_device_options options = {
      .queue_flags = VK_QUEUE_GRAPHICS_BIT,
      .features_chain = &want12,
   };
   sample_create_device(s, &options);
}

static void
image_barrier(VkCommandBuffer cmd, VkImage image, VkPipelineStageFlags2 src_stage,
              VkAccessFlags2 src_access, VkPipelineStageFlags2 dst_stage,
              VkAccessFlags2 dst_access, VkImageLayout from, VkImageLayout to)
{
   const VkImageMemoryBarrier2 barrier = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2,
      .srcStageMask = src_stage,
      .srcAccessMask = src_access,
      .dstStageMask = dst_stage,
      .dstAccessMask = dst_access,
      .oldLayout = from,
      .newLayout = to,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = image,
      .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
   };
   const VkDependencyInfo dep = {
      .sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO,
      .imageMemoryBarrierCount = 1,
      .pImageMemoryBarriers = &barrier,
   };
   vkCmdPipelineBarrier2(cmd, &dep);
}

/* Records into a new command buffer: draws `quads` with dynamic rendering
 * (cleared or loaded), then copies the target into `out` and makes the copy
 * visible to the host. */
static VkCommandBuffer
record_pass(struct sample *s, const struct sample_image *target, VkPipeline pipeline,
            VkPipelineLayout layout, const struct quad *quads, uint32_t count, bool clear,
            const struct sample_buffer *out)
{
   VkCommandBuffer cmd = sample_begin(s);
   if (clear)
      image_barrier(cmd, target->image, VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE,
                    VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT, VK_IMAGE_LAYOUT_UNDEFINED,
                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
   else /* after the previous pass's copy, which a semaphore waited for */
      image_barrier(cmd, target->image, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_NONE,
                    VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_2_COLOR_ATTACHMENT_READ_BIT |
                       VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT,
                    VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                    VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
   sample_begin_rendering(cmd, vkCmdBeginRendering, target->view,
                          clear ? VK_ATTACHMENT_LOAD_OP_CLEAR : VK_ATTACHMENT_LOAD_OP_LOAD,
                          clear_color, SIZE, SIZE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
   sample_set_viewport(cmd, SIZE, SIZE);
   for (uint32_t i = 0; i < count; i++) {
      vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(quads[i]),
                         &quads[i]);
      vkCmdDraw(cmd, 6, 1, 0, 0);
   }
   vkCmdEndRendering(cmd);
   image_barrier(cmd, target->image, VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
                 VK_ACCESS_2_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_2_COPY_BIT,
                 VK_ACCESS_2_TRANSFER_READ_BIT, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                 VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   const VkBufferImageCopy region = sample_image_region(SIZE, SIZE);
   vkCmdCopyImageToBuffer(cmd, target->image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                          out->buffer, 1, &region);
   const VkBufferMemoryBarrier2 to_host = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2,
      .srcStageMask = VK_PIPELINE_STAGE_2_COPY_BIT,
      .srcAccessMask = VK_ACCESS_2_TRANSFER_WRITE_BIT,
      .dstStageMask = VK_PIPELINE_STAGE_2_HOST_BIT,
      .dstAccessMask = VK_ACCESS_2_HOST_READ_BIT,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .buffer = out->buffer,
      .size = VK_WHOLE_SIZE,
   };
   const VkDependencyInfo dep = {
      .sType = VK_STRUCTURE_TYPE_DEPENDENCY_INFO,
      .bufferMemoryBarrierCount = 1,
      .pBufferMemoryBarriers = &to_host,
   };
   vkCmdPipelineBarrier2(cmd, &dep);
   CHECK_VK(vkEndCommandBuffer(cmd));
   return cmd;
}

static bool
check_pass(const char *name, const struct sample_buffer *buf, const struct quad *a,
           uint32_t a_count, const struct quad *b, uint32_t b_count)
{
   uint8_t *want = malloc(SIZE * SIZE * 4);
   for (uint32_t i = 0; i < SIZE * SIZE; i++) {
      for (int c = 0; c < 4; c++)
         want[i * 4 + c] = unorm8(clear_color[c]);
   }
   reference(want, a, a_count);
   if (b)
      reference(want, b, b_count);
   const uint8_t *got = buf->map;
   uint32_t bad = 0;
   for (uint32_t i = 0; i < SIZE * SIZE * 4; i++)
      bad += got[i] != want[i];
   free(want);
   printf("%s: %u bytes differ from the reference, output hash %016llx\n", name, bad,
          (unsigned long long)sample_hash(got, SIZE * SIZE * 4));
   return bad == 0;
}

int
main(void)
{
   struct sample s;
   init_device(&s);

   struct sample_image target;
   sample_image_init(&s, &target, FORMAT, SIZE, SIZE, 1, VK_SAMPLE_COUNT_1_BIT,
                     VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                     VK_IMAGE_ASPECT_COLOR_BIT);
   struct sample_buffer out1, out2;
   sample_buffer_host(&s, &out1, SIZE * SIZE * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   sample_buffer_host(&s, &out2, SIZE * SIZE * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   memset(out1.map, 0xcd, SIZE * SIZE * 4);
   memset(out2.map, 0xcd, SIZE * SIZE * 4);

   VkPipelineLayout layout = quad_pipeline_layout(&s);
   /* dynamic rendering (no render pass), dynamic viewport and scissor */
   const struct sample_graphics_pipeline desc = quad_pipeline(layout, VK_NULL_HANDLE, FORMAT);
   VkPipeline pipeline = sample_graphics_pipeline(&s, &desc);
   const VkCommandBuffer cmds[2] = {
      record_pass(&s, &target, pipeline, layout, pass1, 2, true, &out1),
      record_pass(&s, &target, pipeline, layout, pass2, 1, false, &out2),
   };

   VkSemaphore timeline = sample_timeline(&s);
   const VkSemaphoreCreateInfo binary_ci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
   VkSemaphore binary;
   CHECK_VK(vkCreateSemaphore(s.device, &binary_ci, NULL, &binary));
   VkFence fence = sample_fence(&s);

   /* pass 1 waits for timeline value 1, which the host signals only after
    * the submission (wait-before-signal), and signals 2 and the binary
    * semaphore; pass 2 waits for both (its barrier's source stage is the
    * copy) and signals 3 and the fence */
   const VkSemaphoreSubmitInfo wait1 = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO,
      .semaphore = timeline,
      .value = 1,
      .stageMask = VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT,
   };
   const VkSemaphoreSubmitInfo signal1[2] = {
      { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = timeline, .value = 2,
        .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT },
      { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = binary,
        .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT },
   };
   const VkSemaphoreSubmitInfo wait2[2] = {
      { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = timeline, .value = 2,
        .stageMask = VK_PIPELINE_STAGE_2_COPY_BIT },
      { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, .semaphore = binary,
        .stageMask = VK_PIPELINE_STAGE_2_COLOR_ATTACHMENT_OUTPUT_BIT },
   };
   const VkSemaphoreSubmitInfo signal2 = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO,
      .semaphore = timeline,
      .value = 3,
      .stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
   };
   const VkCommandBufferSubmitInfo cb1 = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO,
      .commandBuffer = cmds[0],
   };
   const VkCommandBufferSubmitInfo cb2 = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO,
      .commandBuffer = cmds[1],
   };
   const VkSubmitInfo2 submit1 = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2,
      .waitSemaphoreInfoCount = 1,
      .pWaitSemaphoreInfos = &wait1,
      .commandBufferInfoCount = 1,
      .pCommandBufferInfos = &cb1,
      .signalSemaphoreInfoCount = 2,
      .pSignalSemaphoreInfos = signal1,
   };
   const VkSubmitInfo2 submit2 = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO_2,
      .waitSemaphoreInfoCount = 2,
      .pWaitSemaphoreInfos = wait2,
      .commandBufferInfoCount = 1,
      .pCommandBufferInfos = &cb2,
      .signalSemaphoreInfoCount = 1,
      .pSignalSemaphoreInfos = &signal2,
   };
   CHECK_VK(vkQueueSubmit2(s.queue, 1, &submit1, VK_NULL_HANDLE));
   uint64_t value = 0;
   CHECK_VK(vkGetSemaphoreCounterValue(s.device, timeline, &value));
   bool ok = value == 0;
   printf("timeline before the host signal: %llu\n", (unsigned long long)value);
   const VkSemaphoreSignalInfo host_signal = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO,
      .semaphore = timeline,
      .value = 1,
   };
   CHECK_VK(vkSignalSemaphore(s.device, &host_signal));
   /* after the host signal: a driver without a submit thread (lavapipe)
    * blocks a binary wait until the signal it waits for is no longer
    * waiting itself */
   CHECK_VK(vkQueueSubmit2(s.queue, 1, &submit2, fence));
   sample_wait_timeline(&s, timeline, 3);
   CHECK_VK(vkWaitForFences(s.device, 1, &fence, VK_TRUE, UINT64_MAX));
   CHECK_VK(vkGetSemaphoreCounterValue(s.device, timeline, &value));
   printf("timeline after both passes: %llu\n", (unsigned long long)value);
   ok = value == 3 && ok;

   ok = check_pass("pass 1 (clear, two quads)", &out1, pass1, 2, NULL, 0) && ok;
   ok = check_pass("pass 2 (load, one more quad)", &out2, pass1, 2, pass2, 1) && ok;

   vkDestroyFence(s.device, fence, NULL);
   vkDestroySemaphore(s.device, binary, NULL);
   vkDestroySemaphore(s.device, timeline, NULL);
   vkFreeCommandBuffers(s.device, s.pool, 2, cmds);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   sample_buffer_fini(&s, &out1);
   sample_buffer_fini(&s, &out2);
   sample_image_fini(&s, &target);
   sample_fini(&s);
   printf("%s\n", ok ? "OK" : "FAILED");
   return ok ? 0 : 1;
}
