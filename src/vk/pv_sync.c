/* SPDX-License-Identifier: MIT */
/* The Venus commands for sync-fd payloads of fences and semaphores.  Mesa
 * uses them only when the transport has external synchronization (not over
 * vtest); they need the host's sync-fd support, which the guest enabled. */
#include "pv_vk.h"

#include <unistd.h>

void
pv_handle_vkResetFenceResourceMESA(struct pv_dispatch *d,
                                   struct pv_cmd_vkResetFenceResourceMESA *args)
{
   struct pv_object *dev = args->device;
   if (!dev->vk->GetFenceFdKHR) {
      pv_dispatch_missing(d, "vkGetFenceFdKHR");
      return;
   }
   /* exporting a sync fd resets the fence's payload */
   const VkFenceGetFdInfoKHR info = {
      .sType = VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR,
      .fence = PV_HOST(VkFence, args->fence),
      .handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
   };
   int fd = -1;
   if (dev->vk->GetFenceFdKHR((VkDevice)(uintptr_t)dev->handle, &info, &fd) != VK_SUCCESS) {
      pv_dispatch_fail(d, "the host cannot reset the fence's payload");
      return;
   }
   if (fd >= 0)
      close(fd);
}

void
pv_handle_vkWaitSemaphoreResourceMESA(struct pv_dispatch *d,
                                      struct pv_cmd_vkWaitSemaphoreResourceMESA *args)
{
   struct pv_object *dev = args->device;
   if (!dev->vk->GetSemaphoreFdKHR) {
      pv_dispatch_missing(d, "vkGetSemaphoreFdKHR");
      return;
   }
   const VkSemaphoreGetFdInfoKHR info = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR,
      .semaphore = PV_HOST(VkSemaphore, args->semaphore),
      .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
   };
   int fd = -1;
   if (dev->vk->GetSemaphoreFdKHR((VkDevice)(uintptr_t)dev->handle, &info, &fd) !=
       VK_SUCCESS) {
      pv_dispatch_fail(d, "the host cannot take the semaphore's payload");
      return;
   }
   if (fd >= 0)
      close(fd);
}

void
pv_handle_vkImportSemaphoreResourceMESA(struct pv_dispatch *d,
                                        struct pv_cmd_vkImportSemaphoreResourceMESA *args)
{
   struct pv_object *dev = args->device;
   const VkImportSemaphoreResourceInfoMESA *res = args->pImportSemaphoreResourceInfo;
   if (!dev->vk->ImportSemaphoreFdKHR) {
      pv_dispatch_missing(d, "vkImportSemaphoreFdKHR");
      return;
   }
   if (res->resourceId) {
      /* only the "already signalled" payload (resource 0) exists in Venus */
      pv_dispatch_fail(d, "semaphore payload from resource %u", res->resourceId);
      return;
   }
   const VkImportSemaphoreFdInfoKHR info = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,
      .semaphore = PV_HOST(VkSemaphore, (void *)res->semaphore),
      .flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
      .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
      .fd = -1,
   };
   if (dev->vk->ImportSemaphoreFdKHR((VkDevice)(uintptr_t)dev->handle, &info) != VK_SUCCESS)
      pv_dispatch_fail(d, "the host cannot import a signalled payload");
}
