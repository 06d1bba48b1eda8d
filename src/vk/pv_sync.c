/* SPDX-License-Identifier: MIT */
/* The Venus commands for sync-fd payloads of fences and semaphores.  Mesa
 * uses them only when the transport has external synchronization (not over
 * vtest); they need the host's sync-fd support, which the guest enabled. */
#include "pv_vk.h"

#include <time.h>
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

/* Host waits run in slices, so that a ring being torn down (its guest gone)
 * is not held forever by a wait that cannot end: a guest may wait on a
 * fence it never submitted. */
#define PV_WAIT_SLICE_NS (50ull * 1000 * 1000)

static uint64_t
now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
deadline_of(uint64_t timeout)
{
   const uint64_t now = now_ns();
   return timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
}

void
pv_handle_vkWaitForFences(struct pv_dispatch *d, struct pv_cmd_vkWaitForFences *args)
{
   struct pv_object *dev = args->device;
   pv_rep_args_vkWaitForFences(args);
   const uint64_t deadline = deadline_of(args->timeout);
   for (;;) {
      const uint64_t now = now_ns();
      const uint64_t left = deadline > now ? deadline - now : 0;
      args->ret = dev->vk->WaitForFences((VkDevice)(uintptr_t)dev->handle, args->fenceCount,
                                         args->pFences, args->waitAll,
                                         left < PV_WAIT_SLICE_NS ? left : PV_WAIT_SLICE_NS);
      if (args->ret != VK_TIMEOUT || !left)
         return;
      pv_dispatch_heartbeat(d); /* waiting on the guest's behalf is no hang */
      if (pv_dispatch_stopping(d)) {
         args->ret = VK_ERROR_DEVICE_LOST;
         return;
      }
   }
}

void
pv_handle_vkWaitSemaphores(struct pv_dispatch *d, struct pv_cmd_vkWaitSemaphores *args)
{
   struct pv_object *dev = args->device;
   if (!dev->vk->WaitSemaphores) {
      pv_dispatch_missing(d, "vkWaitSemaphores");
      return;
   }
   pv_rep_args_vkWaitSemaphores(args);
   const uint64_t deadline = deadline_of(args->timeout);
   for (;;) {
      const uint64_t now = now_ns();
      const uint64_t left = deadline > now ? deadline - now : 0;
      args->ret = dev->vk->WaitSemaphores((VkDevice)(uintptr_t)dev->handle, args->pWaitInfo,
                                          left < PV_WAIT_SLICE_NS ? left : PV_WAIT_SLICE_NS);
      if (args->ret != VK_TIMEOUT || !left)
         return;
      pv_dispatch_heartbeat(d); /* waiting on the guest's behalf is no hang */
      if (pv_dispatch_stopping(d)) {
         args->ret = VK_ERROR_DEVICE_LOST;
         return;
      }
   }
}
