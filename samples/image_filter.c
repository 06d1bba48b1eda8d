/* SPDX-License-Identifier: MIT */
/* An image filter: a 3x3 weighted blur of a generated RGBA8 image.  The
 * source is uploaded with a buffer-to-image copy and read through a sampler,
 * the weights through a uniform texel buffer (a buffer view), the result is
 * written to a storage image and copied back.  Integer formats keep every
 * pixel exact. */
#include <string.h>

#include "pv_sample.h"

#include "image_filter.spv.h"

#define W 512u
#define H 384u

static const uint32_t weights[9] = { 1, 2, 1, 2, 4, 2, 1, 2, 1 };

static uint8_t
source_pixel(uint32_t x, uint32_t y, uint32_t c)
{
   return (uint8_t)((x * 7 + y * 13 + c * 101 + ((x ^ y) & 31) * 5) & 255);
}

int
main(void)
{
   struct sample s;
   sample_init(&s, "pv-image-filter");
   const VkDeviceSize bytes = (VkDeviceSize)W * H * 4;

   struct sample_buffer upload, download, weight_buf;
   sample_buffer_host(&s, &upload, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
   sample_buffer_host(&s, &download, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   sample_buffer_host(&s, &weight_buf, sizeof(weights),
                      VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
   uint8_t *src = upload.map;
   for (uint32_t y = 0; y < H; y++)
      for (uint32_t x = 0; x < W; x++)
         for (uint32_t c = 0; c < 4; c++)
            src[(y * W + x) * 4 + c] = source_pixel(x, y, c);
   memcpy(weight_buf.map, weights, sizeof(weights));

   struct sample_image in, out;
   sample_image_init(&s, &in, VK_FORMAT_R8G8B8A8_UINT, W, H, 1, VK_SAMPLE_COUNT_1_BIT,
                     VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
   sample_image_init(&s, &out, VK_FORMAT_R8G8B8A8_UINT, W, H, 1, VK_SAMPLE_COUNT_1_BIT,
                     VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);

   const VkBufferViewCreateInfo bvci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
      .buffer = weight_buf.buffer,
      .format = VK_FORMAT_R32_UINT,
      .range = VK_WHOLE_SIZE,
   };
   VkBufferView weight_view;
   CHECK_VK(vkCreateBufferView(s.device, &bvci, NULL, &weight_view));
   const VkSamplerCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
      .magFilter = VK_FILTER_NEAREST,
      .minFilter = VK_FILTER_NEAREST,
      .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
      .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
      .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
      .unnormalizedCoordinates = VK_FALSE,
   };
   VkSampler sampler;
   CHECK_VK(vkCreateSampler(s.device, &sci, NULL, &sampler));

   const VkDescriptorSetLayoutBinding bindings[3] = {
      { 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT, &sampler },
      { 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
      { 2, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL },
   };
   VkDescriptorSetLayout dsl = sample_set_layout(&s, bindings, 3);
   VkPipelineLayout layout = sample_pipeline_layout(&s, dsl, 0, 0);
   VkShaderModule module = sample_shader(&s, image_filter_spv, sizeof(image_filter_spv));
   VkPipeline pipeline = sample_compute_pipeline(&s, layout, module, NULL, VK_NULL_HANDLE);

   const VkDescriptorPoolSize sizes[3] = {
      { VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1 },
      { VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1 },
      { VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1 },
   };
   VkDescriptorPool dpool = sample_descriptor_pool(&s, 0, sizes, 3);
   VkDescriptorSet set = sample_descriptor_set(&s, dpool, dsl);
   const VkDescriptorImageInfo src_info = { VK_NULL_HANDLE, in.view,
                                            VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL };
   const VkDescriptorImageInfo dst_info = { VK_NULL_HANDLE, out.view, VK_IMAGE_LAYOUT_GENERAL };
   const VkWriteDescriptorSet writes[3] = {
      { VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, 0, 0, 1,
        VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, &src_info, NULL, NULL },
      { VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, 1, 0, 1,
        VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &dst_info, NULL, NULL },
      { VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, set, 2, 0, 1,
        VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, NULL, NULL, &weight_view },
   };
   vkUpdateDescriptorSets(s.device, 3, writes, 0, NULL);

   VkCommandBuffer cmd = sample_begin(&s);
   sample_transition(cmd, in.image, 0, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
   const VkBufferImageCopy region = sample_image_region(W, H);
   vkCmdCopyBufferToImage(cmd, upload.buffer, in.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                          &region);
   sample_transition(cmd, in.image, 0, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                     VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
   sample_transition(cmd, out.image, 0, 1, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                     VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
   vkCmdDispatch(cmd, (W + 7) / 8, (H + 7) / 8, 1);
   sample_transition(cmd, out.image, 0, 1, VK_IMAGE_LAYOUT_GENERAL,
                     VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT);
   vkCmdCopyImageToBuffer(cmd, out.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, download.buffer,
                          1, &region);
   sample_barrier_to_host(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   sample_submit_wait(&s, cmd);

   const uint8_t *dst = download.map;
   uint32_t bad = 0;
   for (uint32_t y = 0; y < H; y++) {
      for (uint32_t x = 0; x < W; x++) {
         for (uint32_t c = 0; c < 4; c++) {
            uint32_t sum = 0, total = 0;
            for (int dy = -1; dy <= 1; dy++) {
               for (int dx = -1; dx <= 1; dx++) {
                  int qx = (int)x + dx, qy = (int)y + dy;
                  qx = qx < 0 ? 0 : qx >= (int)W ? (int)W - 1 : qx;
                  qy = qy < 0 ? 0 : qy >= (int)H ? (int)H - 1 : qy;
                  const uint32_t w = weights[(dy + 1) * 3 + dx + 1];
                  sum += w * source_pixel((uint32_t)qx, (uint32_t)qy, c);
                  total += w;
               }
            }
            if (dst[(y * W + x) * 4 + c] != sum / total && bad++ < 5)
               fprintf(stderr, "pixel %u,%u.%u = %u, want %u\n", x, y, c,
                       dst[(y * W + x) * 4 + c], sum / total);
         }
      }
   }
   printf("image_filter: %ux%u RGBA8, output hash %016llx\n", W, H,
          (unsigned long long)sample_hash(dst, (size_t)bytes));

   sample_maybe_abandon();
   vkDestroyDescriptorPool(s.device, dpool, NULL);
   vkDestroyPipeline(s.device, pipeline, NULL);
   vkDestroyShaderModule(s.device, module, NULL);
   vkDestroyPipelineLayout(s.device, layout, NULL);
   vkDestroyDescriptorSetLayout(s.device, dsl, NULL);
   vkDestroySampler(s.device, sampler, NULL);
   vkDestroyBufferView(s.device, weight_view, NULL);
   sample_image_fini(&s, &out);
   sample_image_fini(&s, &in);
   sample_buffer_fini(&s, &weight_buf);
   sample_buffer_fini(&s, &download);
   sample_buffer_fini(&s, &upload);
   sample_fini(&s);
   printf("image_filter: %s\n", bad ? "FAILED" : "OK");
   return bad ? 1 : 0;
}
