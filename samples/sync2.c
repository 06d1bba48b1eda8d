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

#include "pv_sample.h"
#include "paths_frag.spv.h"
#include "paths_vert.spv.h"

#define SIZE 64
#define FORMAT VK_FORMAT_R8G8B8A8_UNORM

/* what paths_vert.vert takes as push constants */
struct quad {
   float offset[2], scale[2], color[4];
};

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
   memset(s, 0, sizeof(*s));
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "pv-sync2",
      .apiVersion = VK_API_VERSION_1_3,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   CHECK_VK(vkCreateInstance(&ici, NULL, &s->instance));
   uint32_t count = 1;
   VkResult r = vkEnumeratePhysicalDevices(s->instance, &count, &s->physical_device);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || !count) {
      fprintf(stderr, "no Vulkan device\n");
      exit(2);
   }
   vkGetPhysicalDeviceProperties(s->physical_device, &s->properties);
   vkGetPhysicalDeviceMemoryProperties(s->physical_device, &s->memory);
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
   VkPhysicalDeviceVulkan12Features v12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .pNext = &v13,
   };
   VkPhysicalDeviceFeatures2 features = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
      .pNext = &v12,
   };
   vkGetPhysicalDeviceFeatures2(s->physical_device, &features);
   if (!v13.synchronization2 || !v13.dynamicRendering || !v12.timelineSemaphore) {
      fprintf(stderr, "missing features: synchronization2 %u, dynamicRendering %u, "
                      "timelineSemaphore %u\n",
              v13.synchronization2, v13.dynamicRendering, v12.timelineSemaphore);
      exit(1);
   }

   uint32_t families = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &families, NULL);
   VkQueueFamilyProperties props[16];
   if (families > 16)
      families = 16;
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &families, props);
   s->queue_family = UINT32_MAX;
   for (uint32_t i = 0; i < families && s->queue_family == UINT32_MAX; i++) {
      if (props[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)
         s->queue_family = i;
   }
   if (s->queue_family == UINT32_MAX) {
      fprintf(stderr, "no graphics queue\n");
      exit(2);
   }
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = s->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
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
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = &want12,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
   };
   CHECK_VK(vkCreateDevice(s->physical_device, &dci, NULL, &s->device));
   vkGetDeviceQueue(s->device, s->queue_family, 0, &s->queue);
   const VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .queueFamilyIndex = s->queue_family,
   };
   CHECK_VK(vkCreateCommandPool(s->device, &pci, NULL, &s->pool));
}

static VkPipeline
make_pipeline(struct sample *s, VkPipelineLayout layout)
{
   VkShaderModule vs = sample_shader(s, paths_vert_spv, sizeof(paths_vert_spv));
   VkShaderModule fs = sample_shader(s, paths_frag_spv, sizeof(paths_frag_spv));
   const VkPipelineShaderStageCreateInfo stages[2] = {
      { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_VERTEX_BIT, .module = vs, .pName = "main" },
      { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_FRAGMENT_BIT, .module = fs, .pName = "main" },
   };
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
   };
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
   };
   const VkPipelineViewportStateCreateInfo vp = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .scissorCount = 1,
   };
   const VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
   };
   const VkPipelineColorBlendAttachmentState att = {
      .colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                        VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT,
   };
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &att,
   };
   const VkDynamicState dyn_states[] = { VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR };
   const VkPipelineDynamicStateCreateInfo dyn = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO,
      .dynamicStateCount = 2,
      .pDynamicStates = dyn_states,
   };
   const VkFormat format = FORMAT;
   /* dynamic rendering: the attachment formats instead of a render pass */
   const VkPipelineRenderingCreateInfo rendering = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO,
      .colorAttachmentCount = 1,
      .pColorAttachmentFormats = &format,
   };
   const VkGraphicsPipelineCreateInfo gpci = {
      .sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
      .pNext = &rendering,
      .stageCount = 2,
      .pStages = stages,
      .pVertexInputState = &vi,
      .pInputAssemblyState = &ia,
      .pViewportState = &vp,
      .pRasterizationState = &rs,
      .pMultisampleState = &ms,
      .pColorBlendState = &cb,
      .pDynamicState = &dyn,
      .layout = layout,
   };
   VkPipeline pipeline;
   CHECK_VK(vkCreateGraphicsPipelines(s->device, VK_NULL_HANDLE, 1, &gpci, NULL, &pipeline));
   vkDestroyShaderModule(s->device, vs, NULL);
   vkDestroyShaderModule(s->device, fs, NULL);
   return pipeline;
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

/* Draws `quads` with dynamic rendering (cleared or loaded), then copies the
 * target into `out` and makes the copy visible to the host. */
static void
record_pass(VkCommandBuffer cmd, const struct sample_image *target, VkPipeline pipeline,
            VkPipelineLayout layout, const struct quad *quads, uint32_t count, bool clear,
            const struct sample_buffer *out)
{
   const VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
   };
   CHECK_VK(vkBeginCommandBuffer(cmd, &bi));
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
   VkRenderingAttachmentInfo color = {
      .sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO,
      .imageView = target->view,
      .imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
      .loadOp = clear ? VK_ATTACHMENT_LOAD_OP_CLEAR : VK_ATTACHMENT_LOAD_OP_LOAD,
      .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
   };
   memcpy(color.clearValue.color.float32, clear_color, sizeof(clear_color));
   const VkRenderingInfo ri = {
      .sType = VK_STRUCTURE_TYPE_RENDERING_INFO,
      .renderArea = { { 0, 0 }, { SIZE, SIZE } },
      .layerCount = 1,
      .colorAttachmentCount = 1,
      .pColorAttachments = &color,
   };
   vkCmdBeginRendering(cmd, &ri);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
   const VkViewport viewport = { 0.0f, 0.0f, SIZE, SIZE, 0.0f, 1.0f };
   const VkRect2D scissor = { { 0, 0 }, { SIZE, SIZE } };
   vkCmdSetViewport(cmd, 0, 1, &viewport);
   vkCmdSetScissor(cmd, 0, 1, &scissor);
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
   const VkBufferImageCopy region = {
      .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
      .imageExtent = { SIZE, SIZE, 1 },
   };
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

   const VkPushConstantRange range = { VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(struct quad) };
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .pushConstantRangeCount = 1,
      .pPushConstantRanges = &range,
   };
   VkPipelineLayout layout;
   CHECK_VK(vkCreatePipelineLayout(s.device, &plci, NULL, &layout));
   VkPipeline pipeline = make_pipeline(&s, layout);

   const VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = s.pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 2,
   };
   VkCommandBuffer cmds[2];
   CHECK_VK(vkAllocateCommandBuffers(s.device, &ai, cmds));
   record_pass(cmds[0], &target, pipeline, layout, pass1, 2, true, &out1);
   record_pass(cmds[1], &target, pipeline, layout, pass2, 1, false, &out2);

   const VkSemaphoreTypeCreateInfo timeline_type = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
      .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
      .initialValue = 0,
   };
   const VkSemaphoreCreateInfo timeline_ci = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
      .pNext = &timeline_type,
   };
   const VkSemaphoreCreateInfo binary_ci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
   VkSemaphore timeline, binary;
   CHECK_VK(vkCreateSemaphore(s.device, &timeline_ci, NULL, &timeline));
   CHECK_VK(vkCreateSemaphore(s.device, &binary_ci, NULL, &binary));
   const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
   VkFence fence;
   CHECK_VK(vkCreateFence(s.device, &fci, NULL, &fence));

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
   const uint64_t want = 3;
   const VkSemaphoreWaitInfo wait_info = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
      .semaphoreCount = 1,
      .pSemaphores = &timeline,
      .pValues = &want,
   };
   CHECK_VK(vkWaitSemaphores(s.device, &wait_info, UINT64_MAX));
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
