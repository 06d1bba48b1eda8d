/* SPDX-License-Identifier: MIT */
/* Where recorded transfers and memory bindings may reach, checked before the
 * driver records them.
 *
 * On a GPU an out-of-range copy faults in the guest's own GPU address
 * space; on a CPU driver such as lavapipe every copy is a memcpy in the host
 * process, and Vulkan leaves the ranges to the application (the fuzzer found
 * vkCmdCopyImageToBuffer reading host heap memory past an image).  So a
 * buffer must lie inside the memory bound to it, and every buffer range,
 * image subresource and image region that a transfer, clear, indirect
 * argument or binding names must lie inside its buffer or image.  A guest
 * that breaks this has its context marked fatal.
 *
 * A buffer or image that a transfer, clear, indirect argument, buffer
 * descriptor or view names must be bound to memory (Vulkan: "must be bound
 * completely and contiguously to a single VkDeviceMemory object"): lavapipe
 * executed a fill of a never-bound buffer through a null pointer in its
 * queue thread (found by fuzz-session-host).  A view is how shaders,
 * attachments and image descriptors reach an image's or a texel buffer's
 * memory, so it is checked when it is made, which Vulkan requires to
 * follow the binding.  A binding is noted when its
 * check passes, before the host call; a host binding that then fails
 * (out of memory) is not undone.
 *
 * Buffer descriptors must lie inside their buffers too, and on a CPU driver
 * the device is created with robustBufferAccess (pv_device.c), so that
 * shaders stay inside their descriptors.  Not covered (docs/security.md):
 * dynamic offsets added at bind time, vertex and index fetch, storage
 * images, sparse binding.
 */
#include "pv_vk.h"

#include <string.h>

#include <inttypes.h>

static const struct pv_buffer *
as_buffer(const void *obj)
{
   return (const struct pv_buffer *)obj;
}

static const struct pv_image *
as_image(const void *obj)
{
   return (const struct pv_image *)obj;
}

static bool
buffer_bound(struct pv_dispatch *d, const struct pv_buffer *buffer, const char *what)
{
   if (atomic_load_explicit(&buffer->bound, memory_order_acquire))
      return true;
   pv_dispatch_fail(d, "%s: buffer %" PRIu64 " is not bound to memory", what, buffer->base.id);
   return false;
}

static bool
image_bound(struct pv_dispatch *d, const struct pv_image *image, const char *what)
{
   if (atomic_load_explicit(&image->bound, memory_order_acquire))
      return true;
   pv_dispatch_fail(d, "%s: image %" PRIu64 " is not bound to memory", what, image->base.id);
   return false;
}

static bool
buffer_range(struct pv_dispatch *d, const void *obj, VkDeviceSize offset, VkDeviceSize size,
             const char *what)
{
   const struct pv_buffer *buffer = as_buffer(obj);
   if (!buffer) {
      pv_dispatch_fail(d, "%s: no buffer", what);
      return false;
   }
   if (!buffer_bound(d, buffer, what))
      return false;
   if (offset <= buffer->size && size <= buffer->size - offset)
      return true;
   pv_dispatch_fail(d, "%s: %" PRIu64 " bytes at %" PRIu64 " of a %" PRIu64 "-byte buffer", what,
                    (uint64_t)size, (uint64_t)offset, (uint64_t)buffer->size);
   return false;
}

/* Where Vulkan requires the offset to lie inside the buffer even when no
 * byte follows it (a fill or a descriptor to the end of the buffer):
 * "offset must be less than the size of buffer". */
static bool
buffer_offset_inside(struct pv_dispatch *d, const struct pv_buffer *buffer, VkDeviceSize offset,
                     const char *what)
{
   if (!buffer) {
      pv_dispatch_fail(d, "%s: no buffer", what);
      return false;
   }
   if (!buffer_bound(d, buffer, what))
      return false;
   if (offset < buffer->size)
      return true;
   pv_dispatch_fail(d, "%s: offset %" PRIu64 " is not inside a %" PRIu64 "-byte buffer", what,
                    (uint64_t)offset, (uint64_t)buffer->size);
   return false;
}

bool
pv_buffer_records(struct pv_dispatch *d, const void *obj, VkDeviceSize offset, uint32_t count,
                  uint32_t stride, uint32_t record, const char *what)
{
   if (!count)
      return true;
   uint64_t span;
   if (__builtin_mul_overflow((uint64_t)(count - 1), (uint64_t)stride, &span) ||
       __builtin_add_overflow(span, (uint64_t)record, &span)) {
      pv_dispatch_fail(d, "%s: %u records of stride %u overflow", what, count, stride);
      return false;
   }
   return buffer_range(d, obj, offset, span, what);
}

static bool
layers_of(struct pv_dispatch *d, const struct pv_image *image, uint32_t mip, uint32_t base,
          uint32_t count, uint32_t *layers, const char *what)
{
   if (!image) {
      pv_dispatch_fail(d, "%s: no image", what);
      return false;
   }
   if (!image_bound(d, image, what))
      return false;
   if (count == VK_REMAINING_ARRAY_LAYERS && base < image->array_layers)
      count = image->array_layers - base;
   if (mip < image->mip_levels && base < image->array_layers && count &&
       count <= image->array_layers - base) {
      if (layers)
         *layers = count;
      return true;
   }
   pv_dispatch_fail(d, "%s: level %u, layers %u+%u of an image of %u levels and %u layers", what,
                    mip, base, count, image->mip_levels, image->array_layers);
   return false;
}

static bool
subresource(struct pv_dispatch *d, const struct pv_image *image,
            const VkImageSubresourceLayers *sub, uint32_t *layers, const char *what)
{
   return layers_of(d, image, sub->mipLevel, sub->baseArrayLayer, sub->layerCount, layers, what);
}

static bool
subresource_range(struct pv_dispatch *d, const struct pv_image *image,
                  const VkImageSubresourceRange *range, const char *what)
{
   if (!image) {
      pv_dispatch_fail(d, "%s: no image", what);
      return false;
   }
   if (!image_bound(d, image, what))
      return false;
   uint32_t levels = range->levelCount;
   if (levels == VK_REMAINING_MIP_LEVELS && range->baseMipLevel < image->mip_levels)
      levels = image->mip_levels - range->baseMipLevel;
   if (range->baseMipLevel >= image->mip_levels || !levels ||
       levels > image->mip_levels - range->baseMipLevel) {
      pv_dispatch_fail(d, "%s: levels %u+%u of an image of %u", what, range->baseMipLevel,
                       range->levelCount, image->mip_levels);
      return false;
   }
   return layers_of(d, image, range->baseMipLevel, range->baseArrayLayer, range->layerCount, NULL,
                    what);
}

static uint32_t
plane_of(VkImageAspectFlags aspect)
{
   switch (aspect) {
   case VK_IMAGE_ASPECT_PLANE_1_BIT: return 1;
   case VK_IMAGE_ASPECT_PLANE_2_BIT: return 2;
   default: return 0;
   }
}

static bool
is_plane(VkImageAspectFlags aspect)
{
   return aspect == VK_IMAGE_ASPECT_PLANE_0_BIT || aspect == VK_IMAGE_ASPECT_PLANE_1_BIT ||
          aspect == VK_IMAGE_ASPECT_PLANE_2_BIT;
}

/* The extent of a level of the image, of one plane where `aspect` is one. */
static VkExtent3D
level_extent(const struct pv_image *image, uint32_t mip, VkImageAspectFlags aspect)
{
   VkExtent3D e = image->extent;
   const struct pv_format_layout *layout = pv_format_layout_of(image->format);
   if (layout && layout->plane_count && is_plane(aspect) && plane_of(aspect) < layout->plane_count) {
      const uint32_t p = plane_of(aspect);
      e.width = (e.width + layout->planes[p].divisor[0] - 1) / layout->planes[p].divisor[0];
      e.height = (e.height + layout->planes[p].divisor[1] - 1) / layout->planes[p].divisor[1];
   }
   e.width = e.width >> mip ? e.width >> mip : 1;
   e.height = e.height >> mip ? e.height >> mip : 1;
   e.depth = e.depth >> mip ? e.depth >> mip : 1;
   return e;
}

static bool
axis_inside(int32_t offset, uint32_t size, uint32_t limit)
{
   return offset >= 0 && (uint64_t)offset + size <= limit;
}

static bool
region(struct pv_dispatch *d, const struct pv_image *image, uint32_t mip,
       VkImageAspectFlags aspect, VkOffset3D offset, VkExtent3D extent, const char *what)
{
   const VkExtent3D e = level_extent(image, mip, aspect);
   if (extent.width && extent.height && extent.depth && axis_inside(offset.x, extent.width, e.width) &&
       axis_inside(offset.y, extent.height, e.height) &&
       axis_inside(offset.z, extent.depth, e.depth))
      return true;
   pv_dispatch_fail(d, "%s: region %ux%ux%u at (%d,%d,%d) of a %ux%ux%u level", what, extent.width,
                    extent.height, extent.depth, offset.x, offset.y, offset.z, e.width, e.height,
                    e.depth);
   return false;
}

static bool
blit_corner_inside(VkOffset3D o, VkExtent3D e)
{
   return o.x >= 0 && (uint32_t)o.x <= e.width && o.y >= 0 && (uint32_t)o.y <= e.height &&
          o.z >= 0 && (uint32_t)o.z <= e.depth;
}

static bool
blit_region(struct pv_dispatch *d, const struct pv_image *image,
            const VkImageSubresourceLayers *sub, const VkOffset3D corners[2], const char *what)
{
   if (!subresource(d, image, sub, NULL, what))
      return false;
   const VkExtent3D e = level_extent(image, sub->mipLevel, sub->aspectMask);
   if (blit_corner_inside(corners[0], e) && blit_corner_inside(corners[1], e))
      return true;
   pv_dispatch_fail(d, "%s: blit corners (%d,%d,%d)-(%d,%d,%d) outside a %ux%ux%u level", what,
                    corners[0].x, corners[0].y, corners[0].z, corners[1].x, corners[1].y,
                    corners[1].z, e.width, e.height, e.depth);
   return false;
}

/* Bytes and texels of one block of `aspect` as a buffer holds it. */
static bool
buffer_block(const struct pv_image *image, VkImageAspectFlags aspect, uint32_t *bytes,
             uint32_t block[3])
{
   const struct pv_format_layout *layout = pv_format_layout_of(image->format);
   if (!layout)
      return false;
   block[0] = block[1] = block[2] = 1;
   switch (aspect) {
   case VK_IMAGE_ASPECT_COLOR_BIT:
      if (layout->depth_bytes || layout->stencil_bytes || layout->plane_count)
         return false;
      *bytes = layout->block_bytes;
      block[0] = layout->block_extent[0];
      block[1] = layout->block_extent[1];
      block[2] = layout->block_extent[2];
      return true;
   case VK_IMAGE_ASPECT_DEPTH_BIT:
      *bytes = layout->depth_bytes;
      return *bytes != 0;
   case VK_IMAGE_ASPECT_STENCIL_BIT:
      *bytes = layout->stencil_bytes;
      return *bytes != 0;
   case VK_IMAGE_ASPECT_PLANE_0_BIT:
   case VK_IMAGE_ASPECT_PLANE_1_BIT:
   case VK_IMAGE_ASPECT_PLANE_2_BIT:
      if (plane_of(aspect) >= layout->plane_count)
         return false;
      *bytes = layout->planes[plane_of(aspect)].bytes;
      return true;
   default:
      return false;
   }
}

static uint64_t
blocks(uint32_t texels, uint32_t per_block)
{
   return ((uint64_t)texels + per_block - 1) / per_block;
}

/* One region of a copy between a buffer and an image: the image side, then
 * the bytes the buffer side addresses (the specification's "Buffer and
 * Image Addressing"). */
static bool
buffer_image_region(struct pv_dispatch *d, const void *buffer_obj, const void *image_obj,
                    VkDeviceSize buffer_offset, uint32_t row_length, uint32_t image_height,
                    const VkImageSubresourceLayers *sub, VkOffset3D offset, VkExtent3D extent,
                    const char *what)
{
   const struct pv_image *image = as_image(image_obj);
   uint32_t layers;
   if (!subresource(d, image, sub, &layers, what) ||
       !region(d, image, sub->mipLevel, sub->aspectMask, offset, extent, what))
      return false;
   uint32_t bytes, block[3];
   if (!buffer_block(image, sub->aspectMask, &bytes, block)) {
      pv_dispatch_fail(d, "%s: aspect 0x%x of format %d cannot be copied", what, sub->aspectMask,
                       image->format);
      return false;
   }
   row_length = row_length ? row_length : extent.width;
   image_height = image_height ? image_height : extent.height;
   if (row_length < extent.width || image_height < extent.height) {
      pv_dispatch_fail(d, "%s: buffer rows of %u texels, %u rows, for a %ux%u region", what,
                       row_length, image_height, extent.width, extent.height);
      return false;
   }
   const uint64_t row_bytes = blocks(row_length, block[0]) * bytes;
   const uint64_t slice_rows = blocks(image_height, block[1]);
   const uint64_t slices = blocks(extent.depth, block[2]) * layers;
   const uint64_t rows = blocks(extent.height, block[1]);
   /* the last slice's last row ends the range */
   uint64_t last_row, end;
   if (__builtin_mul_overflow(slices - 1, slice_rows, &last_row) ||
       __builtin_add_overflow(last_row, rows - 1, &last_row) ||
       __builtin_mul_overflow(last_row, row_bytes, &end) ||
       __builtin_add_overflow(end, blocks(extent.width, block[0]) * bytes, &end)) {
      pv_dispatch_fail(d, "%s: buffer addressing overflows", what);
      return false;
   }
   return buffer_range(d, buffer_obj, buffer_offset, end, what);
}

static bool
image_pair(struct pv_dispatch *d, const void *src_obj, const void *dst_obj,
           const VkImageSubresourceLayers *src_sub, VkOffset3D src_offset,
           const VkImageSubresourceLayers *dst_sub, VkOffset3D dst_offset, VkExtent3D extent,
           const char *what)
{
   const struct pv_image *src = as_image(src_obj), *dst = as_image(dst_obj);
   /* each subresource check comes first: it refuses a missing image */
   if (!subresource(d, src, src_sub, NULL, what) ||
       !region(d, src, src_sub->mipLevel, src_sub->aspectMask, src_offset, extent, what) ||
       !subresource(d, dst, dst_sub, NULL, what))
      return false;
   /* the extent counts source texels: between compressed and uncompressed
    * formats the destination covers as many blocks, not texels */
   const struct pv_format_layout *sl = pv_format_layout_of(src->format);
   const struct pv_format_layout *dl = pv_format_layout_of(dst->format);
   VkExtent3D dst_extent = extent;
   if (sl && dl) {
      dst_extent.width = (uint32_t)(blocks(extent.width, sl->block_extent[0]) * dl->block_extent[0]);
      dst_extent.height =
         (uint32_t)(blocks(extent.height, sl->block_extent[1]) * dl->block_extent[1]);
      dst_extent.depth = (uint32_t)(blocks(extent.depth, sl->block_extent[2]) * dl->block_extent[2]);
      /* a compressed destination's last blocks may hang over its edge */
      const VkExtent3D e = level_extent(dst, dst_sub->mipLevel, dst_sub->aspectMask);
      if (dl->block_extent[0] > 1 && dst_offset.x >= 0 &&
          (uint64_t)dst_offset.x + dst_extent.width > e.width)
         dst_extent.width = e.width > (uint32_t)dst_offset.x ? e.width - (uint32_t)dst_offset.x
                                                              : dst_extent.width;
      if (dl->block_extent[1] > 1 && dst_offset.y >= 0 &&
          (uint64_t)dst_offset.y + dst_extent.height > e.height)
         dst_extent.height = e.height > (uint32_t)dst_offset.y
                                ? e.height - (uint32_t)dst_offset.y
                                : dst_extent.height;
   }
   return region(d, dst, dst_sub->mipLevel, dst_sub->aspectMask, dst_offset, dst_extent, what);
}

/* -- transfers ---------------------------------------------------------------- */

bool
pv_check_vkCmdCopyBuffer(struct pv_dispatch *d, const struct pv_cmd_vkCmdCopyBuffer *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkBufferCopy *r = &args->pRegions[i];
      if (!buffer_range(d, args->srcBuffer, r->srcOffset, r->size, "copy source") ||
          !buffer_range(d, args->dstBuffer, r->dstOffset, r->size, "copy destination"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyBuffer2(struct pv_dispatch *d, const struct pv_cmd_vkCmdCopyBuffer2 *args)
{
   const VkCopyBufferInfo2 *info = args->pCopyBufferInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkBufferCopy2 *r = &info->pRegions[i];
      if (!buffer_range(d, (const void *)info->srcBuffer, r->srcOffset, r->size, "copy source") ||
          !buffer_range(d, (const void *)info->dstBuffer, r->dstOffset, r->size,
                        "copy destination"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdUpdateBuffer(struct pv_dispatch *d, const struct pv_cmd_vkCmdUpdateBuffer *args)
{
   return buffer_range(d, args->dstBuffer, args->dstOffset, args->dataSize, "update");
}

bool
pv_check_vkCmdFillBuffer(struct pv_dispatch *d, const struct pv_cmd_vkCmdFillBuffer *args)
{
   const struct pv_buffer *buffer = as_buffer(args->dstBuffer);
   if (!buffer_offset_inside(d, buffer, args->dstOffset, "fill"))
      return false;
   if (args->size == VK_WHOLE_SIZE)
      return true;
   return buffer_range(d, buffer, args->dstOffset, args->size, "fill");
}

bool
pv_check_vkCmdCopyBufferToImage(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdCopyBufferToImage *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkBufferImageCopy *r = &args->pRegions[i];
      if (!buffer_image_region(d, args->srcBuffer, args->dstImage, r->bufferOffset,
                               r->bufferRowLength, r->bufferImageHeight, &r->imageSubresource,
                               r->imageOffset, r->imageExtent, "buffer-to-image copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyImageToBuffer(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdCopyImageToBuffer *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkBufferImageCopy *r = &args->pRegions[i];
      if (!buffer_image_region(d, args->dstBuffer, args->srcImage, r->bufferOffset,
                               r->bufferRowLength, r->bufferImageHeight, &r->imageSubresource,
                               r->imageOffset, r->imageExtent, "image-to-buffer copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyBufferToImage2(struct pv_dispatch *d,
                                 const struct pv_cmd_vkCmdCopyBufferToImage2 *args)
{
   const VkCopyBufferToImageInfo2 *info = args->pCopyBufferToImageInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkBufferImageCopy2 *r = &info->pRegions[i];
      if (!buffer_image_region(d, (const void *)info->srcBuffer, (const void *)info->dstImage,
                               r->bufferOffset, r->bufferRowLength, r->bufferImageHeight,
                               &r->imageSubresource, r->imageOffset, r->imageExtent,
                               "buffer-to-image copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyImageToBuffer2(struct pv_dispatch *d,
                                 const struct pv_cmd_vkCmdCopyImageToBuffer2 *args)
{
   const VkCopyImageToBufferInfo2 *info = args->pCopyImageToBufferInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkBufferImageCopy2 *r = &info->pRegions[i];
      if (!buffer_image_region(d, (const void *)info->dstBuffer, (const void *)info->srcImage,
                               r->bufferOffset, r->bufferRowLength, r->bufferImageHeight,
                               &r->imageSubresource, r->imageOffset, r->imageExtent,
                               "image-to-buffer copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyImage(struct pv_dispatch *d, const struct pv_cmd_vkCmdCopyImage *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkImageCopy *r = &args->pRegions[i];
      if (!image_pair(d, args->srcImage, args->dstImage, &r->srcSubresource, r->srcOffset,
                      &r->dstSubresource, r->dstOffset, r->extent, "image copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdCopyImage2(struct pv_dispatch *d, const struct pv_cmd_vkCmdCopyImage2 *args)
{
   const VkCopyImageInfo2 *info = args->pCopyImageInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkImageCopy2 *r = &info->pRegions[i];
      if (!image_pair(d, (const void *)info->srcImage, (const void *)info->dstImage,
                      &r->srcSubresource, r->srcOffset, &r->dstSubresource, r->dstOffset,
                      r->extent, "image copy"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdResolveImage(struct pv_dispatch *d, const struct pv_cmd_vkCmdResolveImage *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkImageResolve *r = &args->pRegions[i];
      if (!image_pair(d, args->srcImage, args->dstImage, &r->srcSubresource, r->srcOffset,
                      &r->dstSubresource, r->dstOffset, r->extent, "resolve"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdResolveImage2(struct pv_dispatch *d, const struct pv_cmd_vkCmdResolveImage2 *args)
{
   const VkResolveImageInfo2 *info = args->pResolveImageInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkImageResolve2 *r = &info->pRegions[i];
      if (!image_pair(d, (const void *)info->srcImage, (const void *)info->dstImage,
                      &r->srcSubresource, r->srcOffset, &r->dstSubresource, r->dstOffset,
                      r->extent, "resolve"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdBlitImage(struct pv_dispatch *d, const struct pv_cmd_vkCmdBlitImage *args)
{
   for (uint32_t i = 0; i < args->regionCount; i++) {
      const VkImageBlit *r = &args->pRegions[i];
      if (!blit_region(d, as_image(args->srcImage), &r->srcSubresource, r->srcOffsets,
                       "blit source") ||
          !blit_region(d, as_image(args->dstImage), &r->dstSubresource, r->dstOffsets,
                       "blit destination"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdBlitImage2(struct pv_dispatch *d, const struct pv_cmd_vkCmdBlitImage2 *args)
{
   const VkBlitImageInfo2 *info = args->pBlitImageInfo;
   for (uint32_t i = 0; i < info->regionCount; i++) {
      const VkImageBlit2 *r = &info->pRegions[i];
      if (!blit_region(d, as_image((const void *)info->srcImage), &r->srcSubresource,
                       r->srcOffsets, "blit source") ||
          !blit_region(d, as_image((const void *)info->dstImage), &r->dstSubresource,
                       r->dstOffsets, "blit destination"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdClearColorImage(struct pv_dispatch *d,
                              const struct pv_cmd_vkCmdClearColorImage *args)
{
   for (uint32_t i = 0; i < args->rangeCount; i++) {
      if (!subresource_range(d, as_image(args->image), &args->pRanges[i], "clear"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdClearDepthStencilImage(struct pv_dispatch *d,
                                     const struct pv_cmd_vkCmdClearDepthStencilImage *args)
{
   for (uint32_t i = 0; i < args->rangeCount; i++) {
      if (!subresource_range(d, as_image(args->image), &args->pRanges[i], "clear"))
         return false;
   }
   return true;
}

/* -- indirect arguments --------------------------------------------------------- */

bool
pv_check_vkCmdDispatchIndirect(struct pv_dispatch *d,
                               const struct pv_cmd_vkCmdDispatchIndirect *args)
{
   return buffer_range(d, args->buffer, args->offset, sizeof(VkDispatchIndirectCommand),
                       "indirect dispatch");
}

bool
pv_check_vkCmdDrawIndirect(struct pv_dispatch *d, const struct pv_cmd_vkCmdDrawIndirect *args)
{
   return pv_buffer_records(d, args->buffer, args->offset, args->drawCount, args->stride,
                         sizeof(VkDrawIndirectCommand), "indirect draw");
}

bool
pv_check_vkCmdDrawIndexedIndirect(struct pv_dispatch *d,
                                  const struct pv_cmd_vkCmdDrawIndexedIndirect *args)
{
   return pv_buffer_records(d, args->buffer, args->offset, args->drawCount, args->stride,
                         sizeof(VkDrawIndexedIndirectCommand), "indirect draw");
}

bool
pv_check_vkCmdDrawIndirectCount(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdDrawIndirectCount *args)
{
   return buffer_range(d, args->countBuffer, args->countBufferOffset, 4, "draw count") &&
          pv_buffer_records(d, args->buffer, args->offset, args->maxDrawCount, args->stride,
                         sizeof(VkDrawIndirectCommand), "indirect draw");
}

bool
pv_check_vkCmdDrawIndexedIndirectCount(struct pv_dispatch *d,
                                       const struct pv_cmd_vkCmdDrawIndexedIndirectCount *args)
{
   return buffer_range(d, args->countBuffer, args->countBufferOffset, 4, "draw count") &&
          pv_buffer_records(d, args->buffer, args->offset, args->maxDrawCount, args->stride,
                         sizeof(VkDrawIndexedIndirectCommand), "indirect draw");
}

/* -- memory bindings ------------------------------------------------------------ */

static bool
memory_range(struct pv_dispatch *d, const void *memory_obj, VkDeviceSize offset,
             VkDeviceSize size, const char *what)
{
   const struct pv_device_memory *memory = memory_obj;
   if (!memory) {
      pv_dispatch_fail(d, "%s: no memory", what);
      return false;
   }
   if (offset <= memory->size && size <= memory->size - offset)
      return true;
   pv_dispatch_fail(d, "%s: %" PRIu64 " bytes at %" PRIu64 " of %" PRIu64 "-byte memory", what,
                    (uint64_t)size, (uint64_t)offset, (uint64_t)memory->size);
   return false;
}

static VkDeviceSize
buffer_needs(const void *buffer_obj)
{
   const struct pv_object *buffer = buffer_obj;
   VkMemoryRequirements req = { .size = 0 };
   buffer->vk->GetBufferMemoryRequirements((VkDevice)(uintptr_t)buffer->parent->handle,
                                           (VkBuffer)(uintptr_t)buffer->handle, &req);
   return req.size;
}

static VkDeviceSize
image_needs(const void *image_obj, const void *pnext)
{
   const struct pv_object *image = image_obj;
   const VkDevice device = (VkDevice)(uintptr_t)image->parent->handle;
   /* a plane of a disjoint image is bound alone */
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType != VK_STRUCTURE_TYPE_BIND_IMAGE_PLANE_MEMORY_INFO)
         continue;
      if (!image->vk->GetImageMemoryRequirements2)
         return UINT64_MAX;
      const VkImagePlaneMemoryRequirementsInfo plane = {
         .sType = VK_STRUCTURE_TYPE_IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO,
         .planeAspect = ((const VkBindImagePlaneMemoryInfo *)s)->planeAspect,
      };
      const VkImageMemoryRequirementsInfo2 info = {
         .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2,
         .pNext = &plane,
         .image = (VkImage)(uintptr_t)image->handle,
      };
      VkMemoryRequirements2 req = { .sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2 };
      image->vk->GetImageMemoryRequirements2(device, &info, &req);
      return req.memoryRequirements.size;
   }
   VkMemoryRequirements req = { .size = 0 };
   image->vk->GetImageMemoryRequirements(device, (VkImage)(uintptr_t)image->handle, &req);
   return req.size;
}

static bool
present(struct pv_dispatch *d, const void *obj, const char *what)
{
   if (obj)
      return true;
   pv_dispatch_fail(d, "%s: nothing to bind", what);
   return false;
}

static void
note_bound(void *obj)
{
   struct pv_object *o = obj;
   if (o->type == VK_OBJECT_TYPE_BUFFER)
      atomic_store_explicit(&((struct pv_buffer *)obj)->bound, true, memory_order_release);
   else if (o->type == VK_OBJECT_TYPE_IMAGE)
      atomic_store_explicit(&((struct pv_image *)obj)->bound, true, memory_order_release);
}

bool
pv_check_vkBindBufferMemory(struct pv_dispatch *d, const struct pv_cmd_vkBindBufferMemory *args)
{
   if (!present(d, args->buffer, "buffer binding") ||
       !memory_range(d, args->memory, args->memoryOffset, buffer_needs(args->buffer),
                     "buffer binding"))
      return false;
   note_bound(args->buffer);
   return true;
}

bool
pv_check_vkBindBufferMemory2(struct pv_dispatch *d,
                             const struct pv_cmd_vkBindBufferMemory2 *args)
{
   for (uint32_t i = 0; i < args->bindInfoCount; i++) {
      const VkBindBufferMemoryInfo *b = &args->pBindInfos[i];
      if (!present(d, (const void *)b->buffer, "buffer binding") ||
          !memory_range(d, (const void *)b->memory, b->memoryOffset,
                        buffer_needs((const void *)b->buffer), "buffer binding"))
         return false;
   }
   for (uint32_t i = 0; i < args->bindInfoCount; i++)
      note_bound((void *)args->pBindInfos[i].buffer);
   return true;
}

bool
pv_check_vkBindImageMemory(struct pv_dispatch *d, const struct pv_cmd_vkBindImageMemory *args)
{
   if (!present(d, args->image, "image binding") ||
       !memory_range(d, args->memory, args->memoryOffset, image_needs(args->image, NULL),
                     "image binding"))
      return false;
   note_bound(args->image);
   return true;
}

bool
pv_check_vkBindImageMemory2(struct pv_dispatch *d, const struct pv_cmd_vkBindImageMemory2 *args)
{
   for (uint32_t i = 0; i < args->bindInfoCount; i++) {
      const VkBindImageMemoryInfo *b = &args->pBindInfos[i];
      if (!present(d, (const void *)b->image, "image binding"))
         return false;
      if (!b->memory)
         continue; /* bound from a swapchain, which vtest does not have */
      if (!memory_range(d, (const void *)b->memory, b->memoryOffset,
                        image_needs((const void *)b->image, b->pNext), "image binding"))
         return false;
   }
   for (uint32_t i = 0; i < args->bindInfoCount; i++) {
      if (args->pBindInfos[i].memory)
         note_bound((void *)args->pBindInfos[i].image);
   }
   return true;
}

/* -- descriptors ------------------------------------------------------------------- */

static bool
is_buffer_descriptor(VkDescriptorType type)
{
   return type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
          type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER ||
          type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
          type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}

static bool
is_image_descriptor(VkDescriptorType type)
{
   return type == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE || type == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE ||
          type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER ||
          type == VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
}

static bool
is_texel_descriptor(VkDescriptorType type)
{
   return type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
          type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
}

/* A null buffer, image view or texel buffer view is a null descriptor:
 * valid only with robustness2's nullDescriptor, which drivers without it
 * do not expect (pv_handle_check.c). */
static bool
null_descriptor(struct pv_dispatch *d, const struct pv_device *dev, uint32_t write,
                uint32_t element)
{
   if (dev && dev->null_descriptor)
      return true;
   pv_dispatch_fail(d, "descriptor write %u, element %u: VK_NULL_HANDLE, which is valid only "
                    "with nullDescriptor (VK_EXT_robustness2; not enabled on this device)",
                    write, element);
   return false;
}

static bool
descriptor_writes(struct pv_dispatch *d, const struct pv_device *dev, uint32_t count,
                  const VkWriteDescriptorSet *writes)
{
   for (uint32_t i = 0; i < count; i++) {
      const VkWriteDescriptorSet *w = &writes[i];
      if (is_image_descriptor(w->descriptorType) && w->pImageInfo) {
         for (uint32_t j = 0; j < w->descriptorCount; j++) {
            if (!w->pImageInfo[j].imageView && !null_descriptor(d, dev, i, j))
               return false;
         }
      }
      if (is_texel_descriptor(w->descriptorType) && w->pTexelBufferView) {
         for (uint32_t j = 0; j < w->descriptorCount; j++) {
            if (!w->pTexelBufferView[j] && !null_descriptor(d, dev, i, j))
               return false;
         }
      }
      if (!is_buffer_descriptor(w->descriptorType) || !w->pBufferInfo)
         continue;
      for (uint32_t j = 0; j < w->descriptorCount; j++) {
         const VkDescriptorBufferInfo *b = &w->pBufferInfo[j];
         if (!b->buffer) {
            if (!null_descriptor(d, dev, i, j))
               return false;
            continue;
         }
         const struct pv_buffer *buffer = as_buffer((const void *)b->buffer);
         if (!buffer_offset_inside(d, buffer, b->offset, "buffer descriptor"))
            return false;
         if (b->range != VK_WHOLE_SIZE &&
             !buffer_range(d, buffer, b->offset, b->range, "buffer descriptor"))
            return false;
      }
   }
   return true;
}

/* The aspects a view may select: the color of a color format, depth
 * and/or stencil of a depth/stencil format, all planes or one of a
 * multi-planar one.  lavapipe made a view of plane 1 of a single-plane
 * image from a plane that is not there (found by fuzz-session-host). */
static bool
view_aspects(struct pv_dispatch *d, const struct pv_image *image, VkImageAspectFlags aspects)
{
   const struct pv_format_layout *layout = pv_format_layout_of(image->format);
   if (!layout)
      return true; /* a format the registry does not know: the driver made the image */
   bool ok;
   if (layout->plane_count) {
      ok = aspects == VK_IMAGE_ASPECT_COLOR_BIT ||
           (is_plane(aspects) && plane_of(aspects) < layout->plane_count);
   } else if (layout->depth_bytes || layout->stencil_bytes) {
      const VkImageAspectFlags has = (layout->depth_bytes ? VK_IMAGE_ASPECT_DEPTH_BIT : 0) |
                                     (layout->stencil_bytes ? VK_IMAGE_ASPECT_STENCIL_BIT : 0);
      ok = aspects && !(aspects & ~has);
   } else {
      ok = aspects == VK_IMAGE_ASPECT_COLOR_BIT;
   }
   if (!ok)
      pv_dispatch_fail(d, "image view: aspects 0x%x of an image of format %d", aspects,
                       (int)image->format);
   return ok;
}

/* A view's format other than its image's: the image made mutable, and a
 * texel block of the same bytes and extent (or a one-texel block over a
 * compressed image made for block-texel views), so that the view addresses
 * the image's memory as the image does. */
static bool
view_format(struct pv_dispatch *d, const struct pv_image *image, VkFormat format,
            VkImageAspectFlags aspects)
{
   if (format == image->format)
      return true;
   const char *why = NULL;
   const struct pv_format_layout *view = pv_format_layout_of(format);
   const struct pv_format_layout *of = pv_format_layout_of(image->format);
   uint32_t bytes = 0;
   const uint8_t one[3] = { 1, 1, 1 };
   const uint8_t *extent = one;
   if (!(image->flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT)) {
      why = "the image is not mutable";
   } else if (!view || !of || view->plane_count || view->depth_bytes || view->stencil_bytes) {
      why = "not a view format of it";
   } else if (of->plane_count) {
      if (is_plane(aspects) && plane_of(aspects) < of->plane_count)
         bytes = of->planes[plane_of(aspects)].bytes;
      else
         why = "not a view format of it";
   } else if (of->depth_bytes || of->stencil_bytes) {
      why = "not a view format of it";
   } else {
      bytes = of->block_bytes;
      extent = of->block_extent;
   }
   if (!why && view->block_bytes != bytes)
      why = "texel blocks of another size";
   if (!why && memcmp(view->block_extent, extent, 3) &&
       !((image->flags & VK_IMAGE_CREATE_BLOCK_TEXEL_VIEW_COMPATIBLE_BIT) &&
         !memcmp(view->block_extent, one, 3)))
      why = "texel blocks of another extent";
   if (why)
      pv_dispatch_fail(d, "image view: format %d of an image of format %d (%s)", (int)format,
                       (int)image->format, why);
   return !why;
}

/* The levels and layers a view takes; a 2D view of a 3D image (which
 * VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT allows) takes depth slices of its
 * level instead of layers. */
static bool
view_range(struct pv_dispatch *d, const struct pv_image *image, VkImageViewType type,
           const VkImageSubresourceRange *range)
{
   if (image->type != VK_IMAGE_TYPE_3D ||
       (type != VK_IMAGE_VIEW_TYPE_2D && type != VK_IMAGE_VIEW_TYPE_2D_ARRAY))
      return subresource_range(d, image, range, "image view");
   if (range->baseMipLevel >= image->mip_levels) {
      pv_dispatch_fail(d, "image view: levels %u+%u of an image of %u", range->baseMipLevel,
                       range->levelCount, image->mip_levels);
      return false;
   }
   const uint32_t depth = image->extent.depth >> range->baseMipLevel
                             ? image->extent.depth >> range->baseMipLevel
                             : 1;
   uint32_t count = range->layerCount;
   if (count == VK_REMAINING_ARRAY_LAYERS && range->baseArrayLayer < depth)
      count = depth - range->baseArrayLayer;
   const bool one_level = range->levelCount == 1 ||
                          (range->levelCount == VK_REMAINING_MIP_LEVELS &&
                           range->baseMipLevel + 1 == image->mip_levels);
   if (range->baseArrayLayer < depth && count && count <= depth - range->baseArrayLayer &&
       one_level)
      return true;
   pv_dispatch_fail(d, "image view: depth slices %u+%u, levels %u+%u, of a level %u slices deep",
                    range->baseArrayLayer, range->layerCount, range->baseMipLevel,
                    range->levelCount, depth);
   return false;
}

bool
pv_check_vkCreateImageView(struct pv_dispatch *d, const struct pv_cmd_vkCreateImageView *args)
{
   const VkImageViewCreateInfo *info = args->pCreateInfo;
   const struct pv_image *image = as_image(info->image);
   return image_bound(d, image, "image view") &&
          view_aspects(d, image, info->subresourceRange.aspectMask) &&
          view_format(d, image, info->format, info->subresourceRange.aspectMask) &&
          view_range(d, image, info->viewType, &info->subresourceRange);
}

bool
pv_check_vkCreateBufferView(struct pv_dispatch *d, const struct pv_cmd_vkCreateBufferView *args)
{
   return buffer_bound(d, as_buffer(args->pCreateInfo->buffer), "buffer view");
}

bool
pv_check_vkUpdateDescriptorSets(struct pv_dispatch *d,
                                const struct pv_cmd_vkUpdateDescriptorSets *args)
{
   return pv_descriptor_writes_in_layout(d, args->pDescriptorWrites, args->descriptorWriteCount,
                                         NULL, 0) &&
          pv_descriptor_copies_in_layout(d, args->pDescriptorCopies,
                                         args->descriptorCopyCount) &&
          descriptor_writes(d, (const struct pv_device *)args->device,
                            args->descriptorWriteCount, args->pDescriptorWrites);
}

bool
pv_check_vkCmdPushDescriptorSetKHR(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdPushDescriptorSetKHR *args)
{
   return pv_descriptor_writes_in_layout(d, args->pDescriptorWrites, args->descriptorWriteCount,
                                         args->layout, args->set) &&
          descriptor_writes(d, pv_command_buffer_device(args->commandBuffer),
                            args->descriptorWriteCount, args->pDescriptorWrites);
}

/* Push constants inside the device's maxPushConstantsSize: drivers copy
 * them into a buffer of that size when the command buffer runs (4096 bytes
 * at offset 0 overflowed lavapipe's).  Whether the layout's ranges cover
 * them is the guest's own business. */
bool
pv_check_vkCmdPushConstants(struct pv_dispatch *d, const struct pv_cmd_vkCmdPushConstants *args)
{
   const struct pv_device *dev = pv_command_buffer_device(args->commandBuffer);
   if (!dev)
      return true; /* no device: the decoder refused the command buffer */
   const uint32_t room = dev->physical_device->properties.limits.maxPushConstantsSize;
   if ((uint64_t)args->offset + args->size > room) {
      pv_dispatch_fail(d, "push constants: bytes %u+%u, beyond the device's %u", args->offset,
                       args->size, room);
      return false;
   }
   return true;
}
