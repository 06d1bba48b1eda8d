/* SPDX-License-Identifier: MIT */
/* Image creation parameters, checked before a driver sees them.
 *
 * Drivers trust VkImageCreateInfo: they size layouts from its extent, mip
 * and layer counts without checking them against their own limits, and an
 * out-of-range value is memory corruption in the host process (the fuzzer
 * found lavapipe reading through a null pointer for a 2D image 8x8x897087073
 * with 1651913265 mip levels).  Every path that hands the driver image
 * creation parameters (vkCreateImage and the queries that take them) checks
 * them here first: the shape rules of the specification, then the limits the
 * driver itself reports for the format, type, tiling, usage and flags.
 * A guest that breaks them has its context marked fatal; Mesa's driver never
 * sends such parameters for a valid program.
 */
#include "pv_vk.h"

#include "context/pv_dispatch.h"

static uint32_t
full_mip_chain(const VkExtent3D *e)
{
   uint32_t largest = e->width;
   if (e->height > largest)
      largest = e->height;
   if (e->depth > largest)
      largest = e->depth;
   uint32_t levels = 1;
   while (largest >>= 1)
      levels++;
   return levels;
}

static bool
one_bit(uint32_t v)
{
   return v && !(v & (v - 1));
}

/* The rules that hold whatever the driver: returns the broken one, or NULL. */
static const char *
shape_error(const VkImageCreateInfo *info)
{
   const VkExtent3D *e = &info->extent;
   if (!info->usage)
      return "no usage";
   if (info->format == VK_FORMAT_UNDEFINED)
      return "format VK_FORMAT_UNDEFINED";
   if (!e->width || !e->height || !e->depth)
      return "an empty extent";
   switch (info->imageType) {
   case VK_IMAGE_TYPE_1D:
      if (e->height != 1 || e->depth != 1)
         return "a 1D image taller or deeper than 1";
      break;
   case VK_IMAGE_TYPE_2D:
      if (e->depth != 1)
         return "a 2D image deeper than 1";
      break;
   case VK_IMAGE_TYPE_3D:
      if (info->arrayLayers != 1)
         return "a 3D image with array layers";
      break;
   default:
      return "an unknown image type";
   }
   if (!info->mipLevels || info->mipLevels > full_mip_chain(e))
      return "more mip levels than the extent has";
   if (!info->arrayLayers)
      return "no array layers";
   if (!one_bit(info->samples) || info->samples > VK_SAMPLE_COUNT_64_BIT)
      return "a sample count that is not a power of two up to 64";
   if (info->samples != VK_SAMPLE_COUNT_1_BIT &&
       (info->imageType != VK_IMAGE_TYPE_2D || info->mipLevels != 1 ||
        info->tiling != VK_IMAGE_TILING_OPTIMAL ||
        (info->flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT)))
      return "a multisampled image that is not a single-level optimal 2D image";
   if ((info->flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) &&
       (info->imageType != VK_IMAGE_TYPE_2D || e->width != e->height || info->arrayLayers < 6))
      return "a cube-compatible image that is not square 2D with 6 layers or more";
   if (info->sharingMode != VK_SHARING_MODE_EXCLUSIVE &&
       info->sharingMode != VK_SHARING_MODE_CONCURRENT)
      return "an unknown sharing mode";
   return NULL;
}

/* The driver's limits for these parameters: NULL when within them. */
static const char *
limit_error(const struct pv_device *dev, const VkImageCreateInfo *info)
{
   /* modifiers are checked per modifier, through a query the plain one
    * does not take; the shape rules above still apply to them */
   if (info->tiling == VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT)
      return NULL;
   const struct pv_physical_device *pdev = dev->physical_device;
   const PFN_vkGetPhysicalDeviceImageFormatProperties query =
      pdev->instance->vk.GetPhysicalDeviceImageFormatProperties;
   if (!query)
      return "no way to ask the driver for its limits";
   VkImageFormatProperties props = { .maxMipLevels = 0 };
   if (query((VkPhysicalDevice)(uintptr_t)pdev->base.handle, info->format, info->imageType,
             info->tiling, info->usage, info->flags, &props) != VK_SUCCESS)
      return "a format, type, tiling, usage and flags the driver does not support";
   const VkExtent3D *e = &info->extent;
   if (e->width > props.maxExtent.width || e->height > props.maxExtent.height ||
       e->depth > props.maxExtent.depth)
      return "an extent beyond the driver's maximum";
   if (info->mipLevels > props.maxMipLevels)
      return "more mip levels than the driver's maximum";
   if (info->arrayLayers > props.maxArrayLayers)
      return "more array layers than the driver's maximum";
   if (!(info->samples & props.sampleCounts))
      return "a sample count the driver does not support";
   return NULL;
}

bool
pv_image_info_check(struct pv_dispatch *d, const struct pv_device *dev,
                    const VkImageCreateInfo *info)
{
   const char *error = shape_error(info);
   if (!error)
      error = limit_error(dev, info);
   if (!error)
      return true;
   pv_dispatch_fail(d,
                    "invalid image parameters (%s): type %d, format %d, extent %ux%ux%u, "
                    "%u levels, %u layers, %d samples, tiling %d, usage 0x%x, flags 0x%x",
                    error, info->imageType, info->format, info->extent.width,
                    info->extent.height, info->extent.depth, info->mipLevels, info->arrayLayers,
                    info->samples, info->tiling, info->usage, info->flags);
   return false;
}
