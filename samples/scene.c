/* SPDX-License-Identifier: MIT */
/* An offscreen scene: two textured cubes and a floor, depth-tested, drawn
 * with 4x multisampling into a render pass that resolves into a single-
 * sample image, which is copied out and written as a PNG.
 *
 * On the way: a texture uploaded from a buffer and mipmapped with blits, a
 * sampler, vertex and index buffers, push constants, dynamic viewport and
 * scissor, direct, indexed and indexed-indirect draws, an occlusion query.
 * The PNG (and the hash of its pixels) must be the same natively and
 * through PearVisor. */
#include <math.h>
#include <png.h>
#include <string.h>

#include "pv_sample.h"
#include "scene_frag.spv.h"
#include "scene_vert.spv.h"

#define WIDTH 256
#define HEIGHT 256
#define TEX_SIZE 64
#define TEX_MIPS 7 /* 64 .. 1 */
#define SAMPLES VK_SAMPLE_COUNT_4_BIT
#define COLOR_FORMAT VK_FORMAT_R8G8B8A8_UNORM

struct vertex {
   float pos[3];
   float uv[2];
};

struct params {
   float mvp[16];
   float shade;
};

/* -- matrices (column-major, as GLSL reads them) ------------------------------ */

static void
mat_mul(float *out, const float *a, const float *b)
{
   float r[16];
   for (int c = 0; c < 4; c++) {
      for (int row = 0; row < 4; row++) {
         float sum = 0;
         for (int k = 0; k < 4; k++)
            sum += a[k * 4 + row] * b[c * 4 + k];
         r[c * 4 + row] = sum;
      }
   }
   memcpy(out, r, sizeof(r));
}

/* Vulkan clip space: y down, depth 0..1. */
static void
perspective(float *m, float fovy, float aspect, float znear, float zfar)
{
   const float f = 1.0f / tanf(fovy / 2);
   memset(m, 0, 16 * sizeof(float));
   m[0] = f / aspect;
   m[5] = -f;
   m[10] = zfar / (znear - zfar);
   m[11] = -1;
   m[14] = znear * zfar / (znear - zfar);
}

static void
translate_rotate(float *m, float x, float y, float z, float angle)
{
   const float c = cosf(angle), s = sinf(angle);
   /* rotation about y, then about x by half the angle, then translation */
   const float ry[16] = { c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, 0, 0, 0, 1 };
   const float c2 = cosf(angle / 2), s2 = sinf(angle / 2);
   const float rx[16] = { 1, 0, 0, 0, 0, c2, s2, 0, 0, -s2, c2, 0, 0, 0, 0, 1 };
   const float t[16] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1 };
   mat_mul(m, rx, ry);
   mat_mul(m, t, m);
}

/* -- geometry --------------------------------------------------------------------- */

/* A unit cube (24 vertices, 36 indices), then a floor quad (4 vertices). */
static void
make_geometry(struct vertex *v, uint16_t *idx)
{
   static const float faces[6][4][3] = {
      { { -1, -1, 1 }, { 1, -1, 1 }, { 1, 1, 1 }, { -1, 1, 1 } },
      { { 1, -1, -1 }, { -1, -1, -1 }, { -1, 1, -1 }, { 1, 1, -1 } },
      { { -1, -1, -1 }, { -1, -1, 1 }, { -1, 1, 1 }, { -1, 1, -1 } },
      { { 1, -1, 1 }, { 1, -1, -1 }, { 1, 1, -1 }, { 1, 1, 1 } },
      { { -1, 1, 1 }, { 1, 1, 1 }, { 1, 1, -1 }, { -1, 1, -1 } },
      { { -1, -1, -1 }, { 1, -1, -1 }, { 1, -1, 1 }, { -1, -1, 1 } },
   };
   static const float uvs[4][2] = { { 0, 1 }, { 1, 1 }, { 1, 0 }, { 0, 0 } };
   for (int f = 0; f < 6; f++) {
      for (int i = 0; i < 4; i++) {
         memcpy(v[f * 4 + i].pos, faces[f][i], sizeof(v->pos));
         memcpy(v[f * 4 + i].uv, uvs[i], sizeof(v->uv));
      }
      const uint16_t base = (uint16_t)(f * 4);
      const uint16_t quad[6] = { base, (uint16_t)(base + 2), (uint16_t)(base + 1), base,
                                 (uint16_t)(base + 3), (uint16_t)(base + 2) };
      memcpy(&idx[f * 6], quad, sizeof(quad));
   }
   /* the floor: large, texture repeated */
   const struct vertex floor[4] = {
      { { -6, -1.5f, -8 }, { 0, 0 } }, { { 6, -1.5f, -8 }, { 8, 0 } },
      { { -6, -1.5f, 2 }, { 0, 8 } }, { { 6, -1.5f, 2 }, { 8, 8 } },
   };
   memcpy(&v[24], floor, sizeof(floor));
}

/* -- images --------------------------------------------------------------------- */

/* Whether an RGBA8 UNORM pixel is `rgb` to within one step per channel. */
static bool
is_clear_colour(const uint8_t *px, const float *rgb)
{
   for (int c = 0; c < 3; c++) {
      const int want = (int)(rgb[c] * 255.0f + 0.5f);
      if (px[c] < want - 1 || px[c] > want + 1)
         return false;
   }
   return true;
}

/* A checkerboard with a colour ramp, uploaded to mip 0 and blitted down to
 * every smaller mip level; left ready for sampling. */
static void
make_texture(struct sample *s, struct sample_image *tex)
{
   sample_image_init(s, tex, COLOR_FORMAT, TEX_SIZE, TEX_SIZE, TEX_MIPS, VK_SAMPLE_COUNT_1_BIT,
              VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT |
                 VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
              VK_IMAGE_ASPECT_COLOR_BIT);
   struct sample_buffer staging;
   sample_buffer_host(s, &staging, TEX_SIZE * TEX_SIZE * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
   uint8_t *p = staging.map;
   for (int y = 0; y < TEX_SIZE; y++) {
      for (int x = 0; x < TEX_SIZE; x++) {
         const bool dark = ((x / 8) ^ (y / 8)) & 1;
         uint8_t *px = &p[(y * TEX_SIZE + x) * 4];
         px[0] = dark ? 40 : (uint8_t)(128 + x * 2);
         px[1] = dark ? 40 : (uint8_t)(128 + y * 2);
         px[2] = dark ? 90 : 200;
         px[3] = 255;
      }
   }
   VkCommandBuffer cmd = sample_begin(s);
   sample_transition(cmd, tex->image, 0, TEX_MIPS, VK_IMAGE_LAYOUT_UNDEFINED,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
   const VkBufferImageCopy region = sample_image_region(TEX_SIZE, TEX_SIZE);
   vkCmdCopyBufferToImage(cmd, staging.buffer, tex->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                          1, &region);
   for (uint32_t mip = 1; mip < TEX_MIPS; mip++) {
      sample_transition(cmd, tex->image, mip - 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
                        VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT);
      const int32_t from = TEX_SIZE >> (mip - 1), to = TEX_SIZE >> mip;
      const VkImageBlit blit = {
         .srcSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, mip - 1, 0, 1 },
         .srcOffsets = { { 0, 0, 0 }, { from, from, 1 } },
         .dstSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, mip, 0, 1 },
         .dstOffsets = { { 0, 0, 0 }, { to, to, 1 } },
      };
      vkCmdBlitImage(cmd, tex->image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, tex->image,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_LINEAR);
   }
   sample_transition(cmd, tex->image, 0, TEX_MIPS - 1, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                     VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_READ_BIT,
                     VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                     VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT);
   sample_transition(cmd, tex->image, TEX_MIPS - 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                     VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                     VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT);
   sample_submit_wait(s, cmd);
   sample_buffer_fini(s, &staging);
}

static VkFormat
depth_format(struct sample *s)
{
   static const VkFormat candidates[] = { VK_FORMAT_D32_SFLOAT, VK_FORMAT_D24_UNORM_S8_UINT,
                                          VK_FORMAT_D16_UNORM };
   for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
      VkFormatProperties props;
      vkGetPhysicalDeviceFormatProperties(s->physical_device, candidates[i], &props);
      if (props.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT)
         return candidates[i];
   }
   fprintf(stderr, "no depth format\n");
   exit(2);
}

/* -- the render pass and pipeline ---------------------------------------------------- */

static VkRenderPass
make_render_pass(struct sample *s, VkFormat depth)
{
   const VkAttachmentDescription attachments[3] = {
      { 0, COLOR_FORMAT, SAMPLES, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_DONT_CARE,
        VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_ATTACHMENT_STORE_OP_DONT_CARE,
        VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL },
      { 0, depth, SAMPLES, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_ATTACHMENT_STORE_OP_DONT_CARE,
        VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_ATTACHMENT_STORE_OP_DONT_CARE,
        VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL },
      { 0, COLOR_FORMAT, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
        VK_ATTACHMENT_STORE_OP_STORE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
        VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL },
   };
   const VkAttachmentReference color = { 0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL };
   const VkAttachmentReference depth_ref = { 1,
                                             VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL };
   const VkAttachmentReference resolve = { 2, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL };
   const VkSubpassDescription subpass = {
      .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
      .colorAttachmentCount = 1,
      .pColorAttachments = &color,
      .pResolveAttachments = &resolve,
      .pDepthStencilAttachment = &depth_ref,
   };
   const VkSubpassDependency dependency = {
      .srcSubpass = 0,
      .dstSubpass = VK_SUBPASS_EXTERNAL,
      .srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
      .dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT,
      .srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
   };
   const VkRenderPassCreateInfo rpci = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
      .attachmentCount = 3,
      .pAttachments = attachments,
      .subpassCount = 1,
      .pSubpasses = &subpass,
      .dependencyCount = 1,
      .pDependencies = &dependency,
   };
   VkRenderPass pass;
   CHECK_VK(vkCreateRenderPass(s->device, &rpci, NULL, &pass));
   return pass;
}

static VkPipeline
make_pipeline(struct sample *s, VkRenderPass pass, VkPipelineLayout layout)
{
   const VkVertexInputBindingDescription binding = { 0, sizeof(struct vertex),
                                                     VK_VERTEX_INPUT_RATE_VERTEX };
   const VkVertexInputAttributeDescription attrs[2] = {
      { 0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(struct vertex, pos) },
      { 1, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(struct vertex, uv) },
   };
   const VkPipelineVertexInputStateCreateInfo vertex_input = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = 1,
      .pVertexBindingDescriptions = &binding,
      .vertexAttributeDescriptionCount = 2,
      .pVertexAttributeDescriptions = attrs,
   };
   const struct sample_graphics_pipeline desc = {
      .vertex_code = scene_vert_spv,
      .vertex_size = sizeof(scene_vert_spv),
      .fragment_code = scene_frag_spv,
      .fragment_size = sizeof(scene_frag_spv),
      .layout = layout,
      .render_pass = pass,
      .vertex_input = &vertex_input,
      .samples = SAMPLES,
      .depth_test = true,
   };
   return sample_graphics_pipeline(s, &desc);
}

/* -- output ---------------------------------------------------------------------------- */

static bool
write_png(const char *path, const uint8_t *rgba, int width, int height)
{
   FILE *f = fopen(path, "wb");
   if (!f)
      return false;
   png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
   png_infop info = png ? png_create_info_struct(png) : NULL;
   if (!info || setjmp(png_jmpbuf(png))) {
      png_destroy_write_struct(&png, info ? &info : NULL);
      fclose(f);
      return false;
   }
   png_init_io(png, f);
   png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGBA,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
   png_write_info(png, info);
   for (int y = 0; y < height; y++)
      png_write_row(png, rgba + (size_t)y * width * 4);
   png_write_end(png, NULL);
   png_destroy_write_struct(&png, &info);
   return fclose(f) == 0;
}

int
main(int argc, char **argv)
{
   const char *out = argc > 1 ? argv[1] : "scene.png";
   struct sample s;
   sample_init(&s, "pv-scene");

   VkSampleCountFlags counts = s.properties.limits.framebufferColorSampleCounts &
                               s.properties.limits.framebufferDepthSampleCounts;
   if (!(counts & SAMPLES)) {
      fprintf(stderr, "scene: 4x multisampling is not supported\n");
      return 2;
   }
   const VkFormat depth = depth_format(&s);

   struct sample_image tex, color, depth_img, resolve;
   make_texture(&s, &tex);
   sample_image_init(&s, &color, COLOR_FORMAT, WIDTH, HEIGHT, 1, SAMPLES,
              VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
              VK_IMAGE_ASPECT_COLOR_BIT);
   sample_image_init(&s, &depth_img, depth, WIDTH, HEIGHT, 1, SAMPLES,
              VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT |
                 VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT,
              VK_IMAGE_ASPECT_DEPTH_BIT);
   sample_image_init(&s, &resolve, COLOR_FORMAT, WIDTH, HEIGHT, 1, VK_SAMPLE_COUNT_1_BIT,
              VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
              VK_IMAGE_ASPECT_COLOR_BIT);

   const VkSamplerCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
      .magFilter = VK_FILTER_LINEAR,
      .minFilter = VK_FILTER_LINEAR,
      .mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR,
      .addressModeU = VK_SAMPLER_ADDRESS_MODE_REPEAT,
      .addressModeV = VK_SAMPLER_ADDRESS_MODE_REPEAT,
      .addressModeW = VK_SAMPLER_ADDRESS_MODE_REPEAT,
      .maxLod = TEX_MIPS,
   };
   VkSampler sampler;
   CHECK_VK(vkCreateSampler(s.device, &sci, NULL, &sampler));

   const VkDescriptorSetLayoutBinding dslb = { 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1,
                                               VK_SHADER_STAGE_FRAGMENT_BIT, NULL };
   VkDescriptorSetLayout dsl = sample_set_layout(&s, &dslb, 1);
   VkPipelineLayout layout =
      sample_pipeline_layout(&s, dsl, VK_SHADER_STAGE_VERTEX_BIT, sizeof(struct params));
   VkRenderPass pass = make_render_pass(&s, depth);
   VkPipeline pipeline = make_pipeline(&s, pass, layout);

   const VkDescriptorPoolSize pool_size = { VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1 };
   VkDescriptorPool dpool = sample_descriptor_pool(&s, 0, &pool_size, 1);
   VkDescriptorSet set = sample_descriptor_set(&s, dpool, dsl);
   const VkDescriptorImageInfo image_info = { sampler, tex.view,
                                              VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL };
   const VkWriteDescriptorSet write = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstSet = set,
      .descriptorCount = 1,
      .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
      .pImageInfo = &image_info,
   };
   vkUpdateDescriptorSets(s.device, 1, &write, 0, NULL);

   const VkImageView views[3] = { color.view, depth_img.view, resolve.view };
   const VkFramebufferCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .renderPass = pass,
      .attachmentCount = 3,
      .pAttachments = views,
      .width = WIDTH,
      .height = HEIGHT,
      .layers = 1,
   };
   VkFramebuffer framebuffer;
   CHECK_VK(vkCreateFramebuffer(s.device, &fci, NULL, &framebuffer));

   /* geometry, the indirect draw and the read-back buffer */
   struct sample_buffer vertices, indices, indirect, readback;
   sample_buffer_host(&s, &vertices, 28 * sizeof(struct vertex),
                      VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
   sample_buffer_host(&s, &indices, 36 * sizeof(uint16_t), VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
   sample_buffer_host(&s, &indirect, sizeof(VkDrawIndexedIndirectCommand),
                      VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT);
   sample_buffer_host(&s, &readback, WIDTH * HEIGHT * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   make_geometry(vertices.map, indices.map);
   *(VkDrawIndexedIndirectCommand *)indirect.map = (VkDrawIndexedIndirectCommand){ 36, 1, 0, 0,
                                                                                  0 };

   VkQueryPool queries = sample_query_pool(&s, VK_QUERY_TYPE_OCCLUSION, 1, 0);

   float proj[16], model[16];
   perspective(proj, 1.0f, (float)WIDTH / HEIGHT, 0.1f, 50.0f);
   struct params cube_a, cube_b, floor;
   translate_rotate(model, -1.2f, 0.0f, -5.0f, 0.6f);
   mat_mul(cube_a.mvp, proj, model);
   cube_a.shade = 1.0f;
   translate_rotate(model, 1.0f, 0.2f, -6.0f, 2.2f);
   mat_mul(cube_b.mvp, proj, model);
   cube_b.shade = 0.8f;
   translate_rotate(model, 0.0f, 0.0f, 0.0f, 0.0f);
   mat_mul(floor.mvp, proj, model);
   floor.shade = 0.6f;

   VkCommandBuffer cmd = sample_begin(&s);
   vkCmdResetQueryPool(cmd, queries, 0, 1);
   const VkClearValue clears[2] = { { .color = { { 0.10f, 0.12f, 0.18f, 1.0f } } },
                                    { .depthStencil = { 1.0f, 0 } } };
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = pass,
      .framebuffer = framebuffer,
      .renderArea = { { 0, 0 }, { WIDTH, HEIGHT } },
      .clearValueCount = 2,
      .pClearValues = clears,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &set, 0, NULL);
   sample_set_viewport(cmd, WIDTH, HEIGHT);
   const VkDeviceSize offset = 0;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vertices.buffer, &offset);
   vkCmdBindIndexBuffer(cmd, indices.buffer, 0, VK_INDEX_TYPE_UINT16);
   /* the floor: a plain draw of its 4 vertices as two triangles */
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(floor), &floor);
   vkCmdDraw(cmd, 3, 1, 24, 0);
   vkCmdDraw(cmd, 3, 1, 25, 0);
   /* the cubes: indexed, then indexed-indirect, the first one counted */
   vkCmdBeginQuery(cmd, queries, 0, 0);
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(cube_a), &cube_a);
   vkCmdDrawIndexed(cmd, 36, 1, 0, 0, 0);
   vkCmdEndQuery(cmd, queries, 0);
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(cube_b), &cube_b);
   vkCmdDrawIndexedIndirect(cmd, indirect.buffer, 0, 1, sizeof(VkDrawIndexedIndirectCommand));
   vkCmdEndRenderPass(cmd);
   const VkBufferImageCopy region = sample_image_region(WIDTH, HEIGHT);
   vkCmdCopyImageToBuffer(cmd, resolve.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                          readback.buffer, 1, &region);
   sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   sample_submit_wait(&s, cmd);

   uint64_t samples_passed = 0;
   sample_query_results(&s, queries, 1, &samples_passed);
   const uint8_t *px = readback.map;
   const uint8_t *corner = &px[0];
   const uint8_t *center_a = &px[((HEIGHT / 2) * WIDTH + WIDTH / 4) * 4];
   /* the clear colour as UNORM8: drivers round x.5 either way (lavapipe's
    * red is 26, NVIDIA's 25), so one step either side is the clear colour */
   const bool corner_is_clear = is_clear_colour(corner, clears[0].color.float32);
   const bool cube_drawn = center_a[2] > 60 && !is_clear_colour(center_a, clears[0].color.float32);
   const bool occluded_ok = samples_passed > 1000 && samples_passed < WIDTH * HEIGHT * 4;
   const bool written = write_png(out, px, WIDTH, HEIGHT);
   printf("scene: %dx%d, 4x MSAA resolved, depth %d, occlusion %llu samples, "
          "wrote %s, output hash %016llx\n",
          WIDTH, HEIGHT, depth, (unsigned long long)samples_passed, out,
          (unsigned long long)sample_hash(px, WIDTH * HEIGHT * 4));
   const bool ok = corner_is_clear && cube_drawn && occluded_ok && written;
   printf("scene: %s%s%s%s\n", ok ? "OK" : "FAILED:", corner_is_clear ? "" : " corner",
          cube_drawn ? "" : " cube", occluded_ok ? "" : " occlusion");

   sample_maybe_abandon();
   vkDestroyQueryPool(s.device, queries, NULL);
   sample_buffer_fini(&s, &readback);
   sample_buffer_fini(&s, &indirect);
   sample_buffer_fini(&s, &indices);
   sample_buffer_fini(&s, &vertices);
   vkDestroyFramebuffer(s.device, framebuffer, NULL);
   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyRenderPass(s.device, pass, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, dsl, NULL);
   vkDestroySampler(s.device, sampler, NULL);
   sample_image_fini(&s, &resolve);
   sample_image_fini(&s, &depth_img);
   sample_image_fini(&s, &color);
   sample_image_fini(&s, &tex);
   sample_fini(&s);
   return ok ? 0 : 1;
}
