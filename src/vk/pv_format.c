/* SPDX-License-Identifier: MIT */
/* Format queries: the one place where a guest may name a format that the
 * renderer's registry does not know (its driver knows a newer Vulkan; see
 * gen/data/lenient_enums.txt).  Such a format is answered "not supported"
 * without asking the host, which never sees a value the renderer cannot
 * vouch for; every known format goes to the host. */
#include "pv_vk.h"

static bool
known(VkFormat format)
{
   return pv_valid_VkFormat((int32_t)format);
}

static VkPhysicalDevice
host_pdev(const struct pv_object *pdev)
{
   return (VkPhysicalDevice)(uintptr_t)pdev->handle;
}

void
pv_handle_vkGetPhysicalDeviceFormatProperties(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceFormatProperties *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->format))
      return; /* the decoder left the properties zeroed: no features */
   if (!pdev->vk->GetPhysicalDeviceFormatProperties) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceFormatProperties");
      return;
   }
   pdev->vk->GetPhysicalDeviceFormatProperties(host_pdev(pdev), args->format,
                                               args->pFormatProperties);
}

void
pv_handle_vkGetPhysicalDeviceFormatProperties2(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceFormatProperties2 *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->format))
      return; /* zeroed, chained outputs included */
   if (!pdev->vk->GetPhysicalDeviceFormatProperties2) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceFormatProperties2");
      return;
   }
   pdev->vk->GetPhysicalDeviceFormatProperties2(host_pdev(pdev), args->format,
                                                args->pFormatProperties);
}

void
pv_handle_vkGetPhysicalDeviceImageFormatProperties(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceImageFormatProperties *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->format)) {
      args->ret = VK_ERROR_FORMAT_NOT_SUPPORTED;
      return;
   }
   if (!pdev->vk->GetPhysicalDeviceImageFormatProperties) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceImageFormatProperties");
      return;
   }
   args->ret = pdev->vk->GetPhysicalDeviceImageFormatProperties(
      host_pdev(pdev), args->format, args->type, args->tiling, args->usage, args->flags,
      args->pImageFormatProperties);
}

void
pv_handle_vkGetPhysicalDeviceImageFormatProperties2(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceImageFormatProperties2 *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->pImageFormatInfo->format)) {
      args->ret = VK_ERROR_FORMAT_NOT_SUPPORTED;
      return;
   }
   if (!pdev->vk->GetPhysicalDeviceImageFormatProperties2) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceImageFormatProperties2");
      return;
   }
   args->ret = pdev->vk->GetPhysicalDeviceImageFormatProperties2(
      host_pdev(pdev), args->pImageFormatInfo, args->pImageFormatProperties);
}

void
pv_handle_vkGetPhysicalDeviceSparseImageFormatProperties(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceSparseImageFormatProperties *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->format)) {
      *args->pPropertyCount = 0;
      return;
   }
   if (!pdev->vk->GetPhysicalDeviceSparseImageFormatProperties) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceSparseImageFormatProperties");
      return;
   }
   pdev->vk->GetPhysicalDeviceSparseImageFormatProperties(
      host_pdev(pdev), args->format, args->type, args->samples, args->usage, args->tiling,
      args->pPropertyCount, args->pProperties);
}

void
pv_handle_vkGetPhysicalDeviceSparseImageFormatProperties2(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceSparseImageFormatProperties2 *args)
{
   const struct pv_object *pdev = args->physicalDevice;
   if (!known(args->pFormatInfo->format)) {
      *args->pPropertyCount = 0;
      return;
   }
   if (!pdev->vk->GetPhysicalDeviceSparseImageFormatProperties2) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceSparseImageFormatProperties2");
      return;
   }
   pdev->vk->GetPhysicalDeviceSparseImageFormatProperties2(
      host_pdev(pdev), args->pFormatInfo, args->pPropertyCount, args->pProperties);
}
