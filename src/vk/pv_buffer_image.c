/* SPDX-License-Identifier: MIT */
/* Buffers and images.
 *
 * Host-visible memory is imported from a host pointer (pv_memory.c), and
 * Vulkan allows such memory to back only buffers and images created with
 * that external handle type declared.  The guest cannot know this, so the
 * renderer declares it for every buffer and image whose creation parameters
 * the host can import host memory for (and in the memory-requirement queries
 * that take creation parameters, so that they agree).
 */
#include "pv_vk.h"

#include <stdlib.h>

#define HOST_ALLOCATION VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT

static const VkExternalMemoryBufferCreateInfo *
find_buffer_external(const void *pnext)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO)
         return (const VkExternalMemoryBufferCreateInfo *)s;
   }
   return NULL;
}

static const VkExternalMemoryImageCreateInfo *
find_image_external(const void *pnext)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO)
         return (const VkExternalMemoryImageCreateInfo *)s;
   }
   return NULL;
}

static bool
buffer_importable(const struct pv_device *dev, const VkBufferCreateInfo *info)
{
   const struct pv_physical_device *pdev = dev->physical_device;
   const PFN_vkGetPhysicalDeviceExternalBufferProperties query =
      pdev->instance->vk.GetPhysicalDeviceExternalBufferProperties;
   if (!dev->host_import || !query)
      return false;
   const VkPhysicalDeviceExternalBufferInfo ext = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
      .flags = info->flags,
      .usage = info->usage,
      .handleType = HOST_ALLOCATION,
   };
   VkExternalBufferProperties props = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES,
   };
   query((VkPhysicalDevice)(uintptr_t)pdev->base.handle, &ext, &props);
   return props.externalMemoryProperties.externalMemoryFeatures &
          VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
}

static bool
image_importable(const struct pv_device *dev, const VkImageCreateInfo *info)
{
   const struct pv_physical_device *pdev = dev->physical_device;
   const PFN_vkGetPhysicalDeviceImageFormatProperties2 query =
      pdev->instance->vk.GetPhysicalDeviceImageFormatProperties2;
   if (!dev->host_import || !query || info->tiling == VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT)
      return false;
   VkPhysicalDeviceExternalImageFormatInfo ext = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO,
      .handleType = HOST_ALLOCATION,
   };
   const VkPhysicalDeviceImageFormatInfo2 format = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
      .pNext = &ext,
      .format = info->format,
      .type = info->imageType,
      .tiling = info->tiling,
      .usage = info->usage,
      .flags = info->flags,
   };
   VkExternalImageFormatProperties ext_props = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES,
   };
   VkImageFormatProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2,
      .pNext = &ext_props,
   };
   if (query((VkPhysicalDevice)(uintptr_t)pdev->base.handle, &format, &props) != VK_SUCCESS)
      return false;
   return ext_props.externalMemoryProperties.externalMemoryFeatures &
          VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
}

/* The memory types a buffer or image could be bound to: asked without
 * making one where the device can (Vulkan 1.3, maintenance4), else of a
 * throwaway one.  0 when the driver cannot tell. */
static uint32_t
buffer_type_bits(const struct pv_device *dev, const VkBufferCreateInfo *info)
{
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   if (dev->vk.GetDeviceBufferMemoryRequirements) {
      const VkDeviceBufferMemoryRequirements query = {
         .sType = VK_STRUCTURE_TYPE_DEVICE_BUFFER_MEMORY_REQUIREMENTS,
         .pCreateInfo = info,
      };
      VkMemoryRequirements2 req = { .sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2 };
      dev->vk.GetDeviceBufferMemoryRequirements(device, &query, &req);
      return req.memoryRequirements.memoryTypeBits;
   }
   VkBuffer buffer;
   if (dev->vk.CreateBuffer(device, info, NULL, &buffer) != VK_SUCCESS)
      return 0;
   VkMemoryRequirements req;
   dev->vk.GetBufferMemoryRequirements(device, buffer, &req);
   dev->vk.DestroyBuffer(device, buffer, NULL);
   return req.memoryTypeBits;
}

static uint32_t
image_type_bits(const struct pv_device *dev, const VkImageCreateInfo *info)
{
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   if (dev->vk.GetDeviceImageMemoryRequirements) {
      const VkDeviceImageMemoryRequirements query = {
         .sType = VK_STRUCTURE_TYPE_DEVICE_IMAGE_MEMORY_REQUIREMENTS,
         .pCreateInfo = info,
         /* looked at for disjoint images only */
         .planeAspect = (info->flags & VK_IMAGE_CREATE_DISJOINT_BIT)
                           ? VK_IMAGE_ASPECT_PLANE_0_BIT
                           : 0,
      };
      VkMemoryRequirements2 req = { .sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2 };
      dev->vk.GetDeviceImageMemoryRequirements(device, &query, &req);
      return req.memoryRequirements.memoryTypeBits;
   }
   if (info->flags & VK_IMAGE_CREATE_DISJOINT_BIT)
      return 0;
   VkImage image;
   if (dev->vk.CreateImage(device, info, NULL, &image) != VK_SUCCESS)
      return 0;
   VkMemoryRequirements req;
   dev->vk.GetImageMemoryRequirements(device, image, &req);
   dev->vk.DestroyImage(device, image, NULL);
   return req.memoryTypeBits;
}

/* The declaration must not cost the guest a memory type: on a GPU, a
 * resource that may back host-pointer imports can be confined to system
 * memory, and a buffer meant for device-local memory would then be bound
 * to memory across the bus.  Such resources are left undeclared (binding
 * them to host-visible memory works on the drivers tested, but the
 * validation layer reports it: docs/performance.md). */
static void
declare_buffer(struct pv_device *dev, VkBufferCreateInfo *info,
               VkExternalMemoryBufferCreateInfo *ext)
{
   /* A guest that declares its own handle types binds memory it allocates
    * for export, which is never a host-pointer import (pv_memory.c). */
   if (find_buffer_external(info->pNext) || !buffer_importable(dev, info))
      return;
   const uint32_t undeclared = buffer_type_bits(dev, info);
   *ext = (VkExternalMemoryBufferCreateInfo){
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .pNext = info->pNext,
      .handleTypes = HOST_ALLOCATION,
   };
   info->pNext = ext;
   if (!undeclared || buffer_type_bits(dev, info) != undeclared)
      info->pNext = ext->pNext;
}

static void
declare_image(struct pv_device *dev, VkImageCreateInfo *info,
              VkExternalMemoryImageCreateInfo *ext)
{
   /* A guest that declares its own handle types binds memory it allocates
    * for export, which is never a host-pointer import (pv_memory.c). */
   if (find_image_external(info->pNext) || !image_importable(dev, info))
      return;
   const uint32_t undeclared = image_type_bits(dev, info);
   *ext = (VkExternalMemoryImageCreateInfo){
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
      .pNext = info->pNext,
      .handleTypes = HOST_ALLOCATION,
   };
   info->pNext = ext;
   if (!undeclared || image_type_bits(dev, info) != undeclared)
      info->pNext = ext->pNext;
}

static void
buffer_destroy(struct pv_object *obj)
{
   if (obj->vk->DestroyBuffer)
      obj->vk->DestroyBuffer((VkDevice)(uintptr_t)obj->parent->handle,
                             (VkBuffer)(uintptr_t)obj->handle, NULL);
   pv_object_free(obj);
}

static void
image_destroy(struct pv_object *obj)
{
   if (obj->vk->DestroyImage)
      obj->vk->DestroyImage((VkDevice)(uintptr_t)obj->parent->handle,
                            (VkImage)(uintptr_t)obj->handle, NULL);
   pv_object_free(obj);
}

void
pv_handle_vkCreateBuffer(struct pv_dispatch *d, struct pv_cmd_vkCreateBuffer *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   struct pv_buffer *buffer = pv_vk_object_alloc(d, sizeof(*buffer), VK_OBJECT_TYPE_BUFFER,
                                                 pv_handle_id(*args->pBuffer), &args->ret);
   if (!buffer)
      return;
   struct pv_object *obj = &buffer->base;
   VkBufferCreateInfo *info = (VkBufferCreateInfo *)args->pCreateInfo;
   buffer->size = info->size;
   atomic_init(&buffer->bound, (info->flags & VK_BUFFER_CREATE_SPARSE_BINDING_BIT) != 0);
   VkExternalMemoryBufferCreateInfo ext;
   declare_buffer(dev, info, &ext);
   VkBuffer handle = VK_NULL_HANDLE;
   args->ret = dev->vk.CreateBuffer((VkDevice)(uintptr_t)dev->base.handle, info, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_object_free(obj);
      return;
   }
   obj->handle = (uint64_t)(uintptr_t)handle;
   obj->vk = &dev->vk;
   obj->destroy = buffer_destroy;
   if (!pv_vk_object_adopt(d, obj, &dev->base)) {
      dev->vk.DestroyBuffer((VkDevice)(uintptr_t)dev->base.handle, handle, NULL);
      pv_object_free(obj);
   }
}

void
pv_handle_vkCreateImage(struct pv_dispatch *d, struct pv_cmd_vkCreateImage *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   struct pv_image *image = pv_vk_object_alloc(d, sizeof(*image), VK_OBJECT_TYPE_IMAGE,
                                               pv_handle_id(*args->pImage), &args->ret);
   if (!image)
      return;
   struct pv_object *obj = &image->base;
   VkImageCreateInfo *info = (VkImageCreateInfo *)args->pCreateInfo;
   if (!pv_image_info_check(d, dev, info)) {
      pv_object_free(obj);
      return;
   }
   image->flags = info->flags;
   image->format = info->format;
   image->type = info->imageType;
   image->extent = info->extent;
   image->mip_levels = info->mipLevels;
   image->array_layers = info->arrayLayers;
   atomic_init(&image->bound, (info->flags & VK_IMAGE_CREATE_SPARSE_BINDING_BIT) != 0);
   VkExternalMemoryImageCreateInfo ext;
   declare_image(dev, info, &ext);
   VkImage handle = VK_NULL_HANDLE;
   args->ret = dev->vk.CreateImage((VkDevice)(uintptr_t)dev->base.handle, info, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_object_free(obj);
      return;
   }
   obj->handle = (uint64_t)(uintptr_t)handle;
   obj->vk = &dev->vk;
   obj->destroy = image_destroy;
   if (!pv_vk_object_adopt(d, obj, &dev->base)) {
      dev->vk.DestroyImage((VkDevice)(uintptr_t)dev->base.handle, handle, NULL);
      pv_object_free(obj);
   }
}

void
pv_handle_vkGetDeviceBufferMemoryRequirements(
   struct pv_dispatch *d, struct pv_cmd_vkGetDeviceBufferMemoryRequirements *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   if (!dev->vk.GetDeviceBufferMemoryRequirements) {
      pv_dispatch_missing(d, "vkGetDeviceBufferMemoryRequirements");
      return;
   }
   VkDeviceBufferMemoryRequirements *info = (VkDeviceBufferMemoryRequirements *)args->pInfo;
   VkExternalMemoryBufferCreateInfo ext;
   declare_buffer(dev, (VkBufferCreateInfo *)info->pCreateInfo, &ext);
   dev->vk.GetDeviceBufferMemoryRequirements((VkDevice)(uintptr_t)dev->base.handle, info,
                                             args->pMemoryRequirements);
}

void
pv_handle_vkGetDeviceImageMemoryRequirements(
   struct pv_dispatch *d, struct pv_cmd_vkGetDeviceImageMemoryRequirements *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   if (!dev->vk.GetDeviceImageMemoryRequirements) {
      pv_dispatch_missing(d, "vkGetDeviceImageMemoryRequirements");
      return;
   }
   VkDeviceImageMemoryRequirements *info = (VkDeviceImageMemoryRequirements *)args->pInfo;
   VkImageCreateInfo *create = (VkImageCreateInfo *)info->pCreateInfo;
   if (!pv_image_info_check(d, dev, create))
      return;
   VkExternalMemoryImageCreateInfo ext;
   declare_image(dev, create, &ext);
   dev->vk.GetDeviceImageMemoryRequirements((VkDevice)(uintptr_t)dev->base.handle, info,
                                            args->pMemoryRequirements);
}

void
pv_handle_vkGetDeviceImageSparseMemoryRequirements(
   struct pv_dispatch *d, struct pv_cmd_vkGetDeviceImageSparseMemoryRequirements *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   if (!dev->vk.GetDeviceImageSparseMemoryRequirements) {
      pv_dispatch_missing(d, "vkGetDeviceImageSparseMemoryRequirements");
      return;
   }
   const VkDeviceImageMemoryRequirements *info = args->pInfo;
   if (!pv_image_info_check(d, dev, info->pCreateInfo))
      return;
   dev->vk.GetDeviceImageSparseMemoryRequirements((VkDevice)(uintptr_t)dev->base.handle, info,
                                                  args->pSparseMemoryRequirementCount,
                                                  args->pSparseMemoryRequirements);
}
