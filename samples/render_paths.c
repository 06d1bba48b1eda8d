/* SPDX-License-Identifier: MIT */
/* The graphics paths pv-scene does not take, each leaving a coloured quad
 * in a 64x64 target that is then checked and hashed:
 *
 *   render pass 2 with an imageless framebuffer (vkCreateRenderPass2,
 *     VkFramebufferAttachmentsCreateInfo, VkRenderPassAttachmentBeginInfo)
 *   a pipeline cache, and a derivative pipeline (additive blending)
 *   conditional rendering (VK_EXT_conditional_rendering): one quad skipped,
 *     one drawn
 *   vkCmdDrawIndirectCount, with its count in a buffer
 *   a pipeline-statistics query (vertices assembled)
 *   dynamic rendering (VK_KHR_dynamic_rendering) into a second target
 *
 * Paths the device lacks are skipped and named; the output must be the same
 * natively and through PearVisor. */
#include <string.h>

#include "paths_quad.h"

#define SIZE 64
#define FORMAT VK_FORMAT_R8G8B8A8_UNORM

static bool
has_extension(VkPhysicalDevice pdev, const char *name)
{
   uint32_t count = 0;
   vkEnumerateDeviceExtensionProperties(pdev, NULL, &count, NULL);
   VkExtensionProperties *props = calloc(count, sizeof(*props));
   vkEnumerateDeviceExtensionProperties(pdev, NULL, &count, props);
   bool found = false;
   for (uint32_t i = 0; i < count && !found; i++)
      found = !strcmp(props[i].extensionName, name);
   free(props);
   return found;
}

static VkRenderPass
render_pass2(struct sample *s)
{
   const VkAttachmentDescription2 color = {
      .sType = VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_2,
      .format = FORMAT,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR,
      .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
      .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
      .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
      .finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
   };
   const VkAttachmentReference2 ref = {
      .sType = VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_2,
      .attachment = 0,
      .layout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
      .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT,
   };
   const VkSubpassDescription2 subpass = {
      .sType = VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_2,
      .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
      .colorAttachmentCount = 1,
      .pColorAttachments = &ref,
   };
   const VkSubpassDependency2 dep = {
      .sType = VK_STRUCTURE_TYPE_SUBPASS_DEPENDENCY_2,
      .srcSubpass = 0,
      .dstSubpass = VK_SUBPASS_EXTERNAL,
      .srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
      .dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT,
      .srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
   };
   const VkRenderPassCreateInfo2 info = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO_2,
      .attachmentCount = 1,
      .pAttachments = &color,
      .subpassCount = 1,
      .pSubpasses = &subpass,
      .dependencyCount = 1,
      .pDependencies = &dep,
   };
   VkRenderPass pass;
   CHECK_VK(vkCreateRenderPass2(s->device, &info, NULL, &pass));
   return pass;
}

/* A pipeline for `pass`, or for dynamic rendering when pass is null. */
static VkPipeline
pipeline(struct sample *s, VkPipelineLayout layout, VkRenderPass pass, VkPipelineCache cache,
         VkPipelineCreateFlags flags, VkPipeline base, bool additive)
{
   const VkPipelineColorBlendAttachmentState blend = {
      .blendEnable = additive,
      .srcColorBlendFactor = VK_BLEND_FACTOR_ONE,
      .dstColorBlendFactor = VK_BLEND_FACTOR_ONE,
      .colorBlendOp = VK_BLEND_OP_ADD,
      .srcAlphaBlendFactor = VK_BLEND_FACTOR_ONE,
      .dstAlphaBlendFactor = VK_BLEND_FACTOR_ZERO,
      .alphaBlendOp = VK_BLEND_OP_ADD,
      .colorWriteMask = 0xf,
   };
   /* a fixed viewport here: pv-scene and pv-sync2 set theirs dynamically */
   struct sample_graphics_pipeline desc = quad_pipeline(layout, pass, FORMAT);
   desc.blend = &blend;
   desc.viewport = (VkExtent2D){ SIZE, SIZE };
   desc.cache = cache;
   desc.flags = flags;
   desc.base = base;
   return sample_graphics_pipeline(s, &desc);
}

static void
draw_quad(VkCommandBuffer cmd, VkPipelineLayout layout, float x, float y, float r, float g,
          float b)
{
   const struct quad q = { { x, y }, { 0.5f, 0.5f }, { r, g, b, 1.0f } };
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(q), &q);
}

/* The colour at the centre of the quad placed at (x, y). */
static const uint8_t *
at(const uint8_t *pixels, float x, float y)
{
   const int px = (int)((x + 1.0f + 0.25f) * 0.5f * SIZE);
   const int py = (int)((y + 1.0f + 0.25f) * 0.5f * SIZE);
   return &pixels[(py * SIZE + px) * 4];
}

static bool
color_is(const uint8_t *p, int r, int g, int b)
{
   return p[0] == r && p[1] == g && p[2] == b;
}

int
main(void)
{
   struct sample s;
   sample_select_device(&s, "pv-render-paths", VK_API_VERSION_1_2);
   printf("device: %s\n", s.properties.deviceName);
   /* the sample's own device: the extensions and features of these paths */
   const bool conditional = has_extension(s.physical_device, "VK_EXT_conditional_rendering");
   const bool dynamic = has_extension(s.physical_device, "VK_KHR_dynamic_rendering");
   if (!s.features12.imagelessFramebuffer || !s.features12.drawIndirectCount) {
      fprintf(stderr, "render-paths: needs imagelessFramebuffer and drawIndirectCount\n");
      return 2;
   }
   const bool statistics = s.features.pipelineStatisticsQuery;

   VkPhysicalDeviceDynamicRenderingFeaturesKHR want_dynamic = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DYNAMIC_RENDERING_FEATURES_KHR,
      .dynamicRendering = VK_TRUE,
   };
   VkPhysicalDeviceConditionalRenderingFeaturesEXT want_conditional = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_CONDITIONAL_RENDERING_FEATURES_EXT,
      .pNext = dynamic ? &want_dynamic : NULL,
      .conditionalRendering = VK_TRUE,
   };
   VkPhysicalDeviceVulkan12Features want12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .pNext = conditional ? (void *)&want_conditional : dynamic ? (void *)&want_dynamic : NULL,
      .imagelessFramebuffer = VK_TRUE,
      .drawIndirectCount = VK_TRUE,
   };
   const VkPhysicalDeviceFeatures want = { .pipelineStatisticsQuery = statistics };
   const char *exts[2];
   uint32_t ext_count = 0;
   if (conditional)
      exts[ext_count++] = "VK_EXT_conditional_rendering";
   if (dynamic)
      exts[ext_count++] = "VK_KHR_dynamic_rendering";
   const struct sample_device_options options = {
      .features_chain = &want12,
      .features = &want,
      .extensions = exts,
      .extension_count = ext_count,
   };
   sample_create_device(&s, &options);
   PFN_vkCmdBeginConditionalRenderingEXT begin_conditional =
      (PFN_vkCmdBeginConditionalRenderingEXT)vkGetDeviceProcAddr(
         s.device, "vkCmdBeginConditionalRenderingEXT");
   PFN_vkCmdEndConditionalRenderingEXT end_conditional =
      (PFN_vkCmdEndConditionalRenderingEXT)vkGetDeviceProcAddr(
         s.device, "vkCmdEndConditionalRenderingEXT");
   PFN_vkCmdBeginRenderingKHR begin_rendering =
      (PFN_vkCmdBeginRenderingKHR)vkGetDeviceProcAddr(s.device, "vkCmdBeginRenderingKHR");
   PFN_vkCmdEndRenderingKHR end_rendering =
      (PFN_vkCmdEndRenderingKHR)vkGetDeviceProcAddr(s.device, "vkCmdEndRenderingKHR");

   struct sample_image a, b;
   const VkImageUsageFlags usage =
      VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
   sample_image_init(&s, &a, FORMAT, SIZE, SIZE, 1, VK_SAMPLE_COUNT_1_BIT, usage,
                     VK_IMAGE_ASPECT_COLOR_BIT);
   sample_image_init(&s, &b, FORMAT, SIZE, SIZE, 1, VK_SAMPLE_COUNT_1_BIT, usage,
                     VK_IMAGE_ASPECT_COLOR_BIT);
   VkPipelineLayout layout = quad_pipeline_layout(&s);
   const VkPipelineCacheCreateInfo cci = { .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO };
   VkPipelineCache cache;
   CHECK_VK(vkCreatePipelineCache(s.device, &cci, NULL, &cache));
   VkRenderPass pass = render_pass2(&s);
   VkPipeline opaque = pipeline(&s, layout, pass, cache, VK_PIPELINE_CREATE_ALLOW_DERIVATIVES_BIT,
                                VK_NULL_HANDLE, false);
   VkPipeline additive =
      pipeline(&s, layout, pass, cache, VK_PIPELINE_CREATE_DERIVATIVE_BIT, opaque, true);
   VkPipeline dynamic_pipeline =
      dynamic ? pipeline(&s, layout, VK_NULL_HANDLE, cache, 0, VK_NULL_HANDLE, false)
              : VK_NULL_HANDLE;
   size_t cache_size = 0;
   CHECK_VK(vkGetPipelineCacheData(s.device, cache, &cache_size, NULL));

   /* the imageless framebuffer: attachments described, bound at begin */
   const VkFormat format = FORMAT;
   const VkFramebufferAttachmentImageInfo attachment_info = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_ATTACHMENT_IMAGE_INFO,
      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
      .width = SIZE,
      .height = SIZE,
      .layerCount = 1,
      .viewFormatCount = 1,
      .pViewFormats = &format,
   };
   const VkFramebufferAttachmentsCreateInfo attachments = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_ATTACHMENTS_CREATE_INFO,
      .attachmentImageInfoCount = 1,
      .pAttachmentImageInfos = &attachment_info,
   };
   const VkFramebufferCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .pNext = &attachments,
      .flags = VK_FRAMEBUFFER_CREATE_IMAGELESS_BIT,
      .renderPass = pass,
      .attachmentCount = 1,
      .width = SIZE,
      .height = SIZE,
      .layers = 1,
   };
   VkFramebuffer framebuffer;
   CHECK_VK(vkCreateFramebuffer(s.device, &fci, NULL, &framebuffer));

   /* conditions (skip, draw), the indirect draw, its count, the read-back */
   struct sample_buffer conditions, indirect, count, readback;
   sample_buffer_host(&s, &conditions, 8, VK_BUFFER_USAGE_CONDITIONAL_RENDERING_BIT_EXT);
   /* room for the 4 draws vkCmdDrawIndirectCount may make; the count says 1 */
   sample_buffer_host(&s, &indirect, 4 * sizeof(VkDrawIndirectCommand),
                      VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT);
   memset(indirect.map, 0, 4 * sizeof(VkDrawIndirectCommand));
   sample_buffer_host(&s, &count, 4, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT);
   sample_buffer_host(&s, &readback, 2 * SIZE * SIZE * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   ((uint32_t *)conditions.map)[0] = 0;
   ((uint32_t *)conditions.map)[1] = 1;
   *(VkDrawIndirectCommand *)indirect.map = (VkDrawIndirectCommand){ 6, 1, 0, 0 };
   *(uint32_t *)count.map = 1;

   VkQueryPool queries = VK_NULL_HANDLE;
   if (statistics)
      queries = sample_query_pool(&s, VK_QUERY_TYPE_PIPELINE_STATISTICS, 1,
                                  VK_QUERY_PIPELINE_STATISTIC_INPUT_ASSEMBLY_VERTICES_BIT);

   VkCommandBuffer cmd = sample_begin(&s);
   if (statistics)
      vkCmdResetQueryPool(cmd, queries, 0, 1);
   const VkClearValue clear = { .color = { { 0.0f, 0.0f, 0.25f, 1.0f } } };
   const VkRenderPassAttachmentBeginInfo bound = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO,
      .attachmentCount = 1,
      .pAttachments = &a.view,
   };
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .pNext = &bound,
      .renderPass = pass,
      .framebuffer = framebuffer,
      .renderArea = { { 0, 0 }, { SIZE, SIZE } },
      .clearValueCount = 1,
      .pClearValues = &clear,
   };
   const VkSubpassBeginInfo sbi = { .sType = VK_STRUCTURE_TYPE_SUBPASS_BEGIN_INFO,
                                    .contents = VK_SUBPASS_CONTENTS_INLINE };
   const VkSubpassEndInfo sei = { .sType = VK_STRUCTURE_TYPE_SUBPASS_END_INFO };
   vkCmdBeginRenderPass2(cmd, &rpbi, &sbi);
   if (statistics)
      vkCmdBeginQuery(cmd, queries, 0, 0);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, opaque);
   draw_quad(cmd, layout, -1.0f, -1.0f, 1.0f, 0.0f, 0.0f); /* red, a plain draw */
   vkCmdDraw(cmd, 6, 1, 0, 0);
   if (conditional) {
      VkConditionalRenderingBeginInfoEXT cond = {
         .sType = VK_STRUCTURE_TYPE_CONDITIONAL_RENDERING_BEGIN_INFO_EXT,
         .buffer = conditions.buffer,
         .offset = 0,
      };
      begin_conditional(cmd, &cond); /* condition 0: skipped */
      draw_quad(cmd, layout, 0.0f, -1.0f, 0.0f, 1.0f, 0.0f);
      vkCmdDraw(cmd, 6, 1, 0, 0);
      end_conditional(cmd);
      cond.offset = 4; /* condition 1: drawn */
      begin_conditional(cmd, &cond);
      draw_quad(cmd, layout, -1.0f, 0.0f, 0.0f, 1.0f, 1.0f);
      vkCmdDraw(cmd, 6, 1, 0, 0);
      end_conditional(cmd);
   }
   /* the derivative pipeline adds yellow onto the clear colour */
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, additive);
   draw_quad(cmd, layout, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f);
   vkCmdDrawIndirectCount(cmd, indirect.buffer, 0, count.buffer, 0, 4,
                          sizeof(VkDrawIndirectCommand));
   if (statistics)
      vkCmdEndQuery(cmd, queries, 0);
   vkCmdEndRenderPass2(cmd, &sei);

   if (dynamic) {
      sample_transition(cmd, b.image, 0, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, 0,
                        VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                        VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT);
      static const float dark_red[4] = { 0.25f, 0.0f, 0.0f, 1.0f };
      sample_begin_rendering(cmd, begin_rendering, b.view, VK_ATTACHMENT_LOAD_OP_CLEAR, dark_red,
                             SIZE, SIZE);
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, dynamic_pipeline);
      draw_quad(cmd, layout, -0.5f, -0.5f, 1.0f, 1.0f, 1.0f); /* white, centred */
      vkCmdDraw(cmd, 6, 1, 0, 0);
      end_rendering(cmd);
      sample_transition(cmd, b.image, 0, 1, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                        VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT);
   }
   const VkBufferImageCopy region = sample_image_region(SIZE, SIZE);
   vkCmdCopyImageToBuffer(cmd, a.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1,
                          &region);
   if (dynamic) {
      VkBufferImageCopy second = region;
      second.bufferOffset = SIZE * SIZE * 4;
      vkCmdCopyImageToBuffer(cmd, b.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer,
                             1, &second);
   }
   sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   sample_submit_wait(&s, cmd);

   uint64_t vertices = 0;
   if (statistics)
      sample_query_results(&s, queries, 1, &vertices);
   const uint8_t *px = readback.map;
   bool ok = true;
#define EXPECT(what, cond)                                                                     \
   do {                                                                                        \
      const bool c_ = (cond);                                                                  \
      printf("  %-34s %s\n", what, c_ ? "ok" : "FAILED");                                     \
      ok = ok && c_;                                                                           \
   } while (0)
   EXPECT("render pass 2, imageless framebuffer", color_is(at(px, -1.0f, -1.0f), 255, 0, 0));
   EXPECT("pipeline cache has data", cache_size > 0);
   EXPECT("derivative pipeline, indirect count",
          color_is(at(px, 0.0f, 0.0f), 255, 255, 64));
   if (conditional) {
      EXPECT("conditional rendering: skipped", color_is(at(px, 0.0f, -1.0f), 0, 0, 64));
      EXPECT("conditional rendering: drawn", color_is(at(px, -1.0f, 0.0f), 0, 255, 255));
   }
   if (statistics) {
      const uint64_t expected = conditional ? 18 : 12; /* a skipped draw assembles nothing */
      EXPECT("pipeline statistics: vertices", vertices == expected);
   }
   if (dynamic) {
      const uint8_t *second = px + SIZE * SIZE * 4;
      EXPECT("dynamic rendering", color_is(at(second, -0.5f, -0.5f), 255, 255, 255) &&
                                     color_is(second, 64, 0, 0));
   }
   printf("render-paths: conditional rendering %s, dynamic rendering %s, statistics %s\n",
          conditional ? "yes" : "no", dynamic ? "yes" : "no", statistics ? "yes" : "no");
   printf("render-paths: output hash %016llx\n",
          (unsigned long long)sample_hash(px, (dynamic ? 2 : 1) * SIZE * SIZE * 4));
   printf("render-paths: %s\n", ok ? "OK" : "FAILED");

   sample_maybe_abandon();
   if (queries)
      vkDestroyQueryPool(s.device, queries, NULL);
   sample_buffer_fini(&s, &readback);
   sample_buffer_fini(&s, &count);
   sample_buffer_fini(&s, &indirect);
   sample_buffer_fini(&s, &conditions);
   vkDestroyFramebuffer(s.device, framebuffer, NULL);
   if (dynamic_pipeline)
      vkDestroyPipeline(s.device, dynamic_pipeline, NULL);
   vkDestroyPipeline(s.device, additive, NULL);
   vkDestroyPipeline(s.device, opaque, NULL);
   vkDestroyRenderPass(s.device, pass, NULL);
   vkDestroyPipelineCache(s.device, cache, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   sample_image_fini(&s, &b);
   sample_image_fini(&s, &a);
   sample_fini(&s);
   return ok ? 0 : 1;
}
