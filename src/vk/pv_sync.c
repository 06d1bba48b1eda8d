/* SPDX-License-Identifier: MIT */
/* Semaphores, the Venus commands for sync-fd payloads of fences and
 * semaphores, and host waits on the guest's behalf. */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "trace/pv_trace.h"
#include "util/pv_time.h"

static void
semaphore_destroy(struct pv_object *obj)
{
   obj->vk->DestroySemaphore((VkDevice)(uintptr_t)obj->parent->handle,
                             (VkSemaphore)(uintptr_t)obj->handle, NULL);
   pv_object_free(obj);
}

/* A timeline semaphore torn down with its device or context: the guest can
 * no longer signal it, so it is set as far as Vulkan allows from its value
 * (maxTimelineSemaphoreValueDifference), which every valid pending wait
 * accepts.  A queue waiting on it then finishes instead of holding the
 * device's teardown for ever. */
static void
semaphore_release_waits(struct pv_object *obj)
{
   const struct pv_semaphore *sem = (const struct pv_semaphore *)obj;
   const struct pv_device *dev = (const struct pv_device *)obj->parent;
   if (sem->type != VK_SEMAPHORE_TYPE_TIMELINE || !obj->handle || !dev ||
       !obj->vk->GetSemaphoreCounterValue || !obj->vk->SignalSemaphore)
      return;
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   const VkSemaphore handle = (VkSemaphore)(uintptr_t)obj->handle;
   uint64_t value = 0;
   if (obj->vk->GetSemaphoreCounterValue(device, handle, &value) != VK_SUCCESS)
      return;
   const struct pv_physical_device *pdev = dev->physical_device;
   VkPhysicalDeviceTimelineSemaphoreProperties timeline = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_PROPERTIES,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &timeline,
   };
   pdev->instance->vk.GetPhysicalDeviceProperties2(
      (VkPhysicalDevice)(uintptr_t)pdev->base.handle, &props);
   uint64_t target;
   if (__builtin_add_overflow(value, timeline.maxTimelineSemaphoreValueDifference, &target))
      target = UINT64_MAX;
   if (target <= value)
      return;
   const VkSemaphoreSignalInfo info = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO,
      .semaphore = handle,
      .value = target,
   };
   if (obj->vk->SignalSemaphore(device, &info) == VK_SUCCESS)
      pv_debug(PV_CAT_VK, "semaphore %" PRIu64 ": set from %" PRIu64 " to %" PRIu64
               " at teardown, for waits nobody will signal", obj->id, value, target);
}

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

/* -- sync-fd payloads of semaphores -------------------------------------------
 *
 * Venus (vn_queue.c) uses two commands on semaphores:
 * - vkImportSemaphoreResourceMESA with resourceId 0: the guest has itself
 *   waited on a sync file a program imported into the semaphore, so the
 *   host semaphore's payload is "signalled"; it comes before the submission
 *   that waits on the semaphore.
 * - vkWaitSemaphoreResourceMESA: the guest exported the semaphore's payload
 *   as a sync file (which has wait semantics), so the host semaphore is
 *   waited on (unsignalled).  Mesa sends it only where the renderer said
 *   sync-fd export works.
 * With the host's VK_KHR_external_semaphore_fd enabled on the device these
 * are host imports and exports.  Without it (lavapipe) the renderer offers
 * import only (pv_physical_device.c) and does it itself: see below. */

void
pv_handle_vkCreateSemaphore(struct pv_dispatch *d, struct pv_cmd_vkCreateSemaphore *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   struct pv_semaphore *sem = pv_vk_object_alloc(d, sizeof(*sem), VK_OBJECT_TYPE_SEMAPHORE,
                                                 pv_handle_id(*args->pSemaphore), &args->ret);
   if (!sem)
      return;
   sem->type = VK_SEMAPHORE_TYPE_BINARY;
   for (const VkBaseInStructure *s = args->pCreateInfo->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
         sem->type = ((const VkSemaphoreTypeCreateInfo *)s)->semaphoreType;
   }
   VkSemaphore handle = VK_NULL_HANDLE;
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   args->ret = dev->vk.CreateSemaphore(device, args->pCreateInfo, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_object_free(sem);
      return;
   }
   sem->base.handle = (uint64_t)(uintptr_t)handle;
   sem->base.vk = &dev->vk;
   sem->base.destroy = semaphore_destroy;
   sem->base.release_waits = semaphore_release_waits;
   if (!pv_vk_object_adopt(d, &sem->base, &dev->base)) {
      dev->vk.DestroySemaphore(device, handle, NULL);
      pv_object_free(sem);
   }
}

/* The queue the renderer's own sync-fd import signals on: the device's
 * first queue (lowest family, then index).  Any queue of the device gives
 * the same result, as a binary semaphore signalled on one queue may be
 * waited on by another, and the signal submission comes before the
 * submission that waits (Venus sends the import first, on the ring it
 * submits on).  The signal also waits for work submitted earlier to that
 * queue; Mesa binds every queue at device creation, in family order, so
 * this is the universal queue where WSI-style waits are, and on lavapipe
 * (the host this is for) the only one. */
static struct pv_queue *
signal_queue(struct pv_dispatch *d, struct pv_device *dev)
{
   struct pv_queue *found = NULL;
   pv_object_table_lock(&d->ctx->objects);
   for (struct pv_list *l = dev->base.children.next; l != &dev->base.children; l = l->next) {
      struct pv_object *obj = pv_container_of(l, struct pv_object, link);
      if (obj->type != VK_OBJECT_TYPE_QUEUE)
         continue;
      struct pv_queue *q = (struct pv_queue *)obj;
      if (!found || q->family < found->family ||
          (q->family == found->family && q->index < found->index))
         found = q;
   }
   pv_object_table_unlock(&d->ctx->objects);
   /* queues live as long as their device, which this command holds */
   return found;
}

void
pv_handle_vkWaitSemaphoreResourceMESA(struct pv_dispatch *d,
                                      struct pv_cmd_vkWaitSemaphoreResourceMESA *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   if (!dev->host_semaphore_fd) {
      /* the renderer answered "not exportable" (Mesa asserts exportable
       * before it sends this); waiting on a semaphore whose signal may
       * never have been submitted could hang the host queue */
      pv_dispatch_fail(d, "vkWaitSemaphoreResourceMESA: sync-fd export was not offered");
      return;
   }
   const VkSemaphoreGetFdInfoKHR info = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR,
      .semaphore = PV_HOST(VkSemaphore, args->semaphore),
      .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
   };
   int fd = -1;
   if (dev->vk.GetSemaphoreFdKHR((VkDevice)(uintptr_t)dev->base.handle, &info, &fd) !=
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
   struct pv_device *dev = (struct pv_device *)args->device;
   const VkImportSemaphoreResourceInfoMESA *res = args->pImportSemaphoreResourceInfo;
   struct pv_semaphore *sem = (struct pv_semaphore *)(void *)res->semaphore;
   if (res->resourceId) {
      /* only the "already signalled" payload (resource 0) exists in Venus */
      pv_dispatch_fail(d, "semaphore payload from resource %u", res->resourceId);
      return;
   }
   if (sem->base.parent != &dev->base) {
      pv_dispatch_fail(d, "semaphore %" PRIu64 " is not of device %" PRIu64, sem->base.id,
                       dev->base.id);
      return;
   }
   if (sem->type != VK_SEMAPHORE_TYPE_BINARY) {
      pv_dispatch_fail(d, "sync-fd payload imported into timeline semaphore %" PRIu64,
                       sem->base.id);
      return;
   }
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   const VkSemaphore handle = (VkSemaphore)(uintptr_t)sem->base.handle;
   if (dev->host_semaphore_fd) {
      /* a temporary import of fd -1: a signalled payload */
      const VkImportSemaphoreFdInfoKHR info = {
         .sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,
         .semaphore = handle,
         .flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
         .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
         .fd = -1,
      };
      if (dev->vk.ImportSemaphoreFdKHR(device, &info) != VK_SUCCESS)
         pv_dispatch_fail(d, "the host cannot import a signalled payload");
      return;
   }
   /* The renderer's own: a submission with no work that signals the
    * semaphore, the only way to signal a binary semaphore on a host that
    * cannot import.  Unlike a temporary import it sets the permanent
    * payload, which the waiting submission then consumes, so the semaphore
    * is unsignalled afterwards as it would be after the import.  It assumes
    * what Venus's use guarantees: the semaphore has no signal pending (its
    * guest payload was a sync file, not a host signal). */
   struct pv_queue *queue = signal_queue(d, dev);
   if (!queue) {
      pv_dispatch_fail(d, "sync-fd import into semaphore %" PRIu64 " before any queue of "
                          "device %" PRIu64 " was bound", sem->base.id, dev->base.id);
      return;
   }
   const VkSubmitInfo submit = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .signalSemaphoreCount = 1,
      .pSignalSemaphores = &handle,
   };
   mtx_lock(&queue->submit_mutex);
   const VkResult result =
      dev->vk.QueueSubmit((VkQueue)(uintptr_t)queue->base.handle, 1, &submit, VK_NULL_HANDLE);
   mtx_unlock(&queue->submit_mutex);
   if (result == VK_ERROR_DEVICE_LOST)
      d->device_lost = true;
   else if (result != VK_SUCCESS)
      pv_dispatch_fail(d, "the host cannot signal semaphore %" PRIu64 " (%d)", sem->base.id,
                       result);
}

/* Host waits run in slices, so that a ring being torn down (its guest gone)
 * is not held forever by a wait that cannot end: a guest may wait on a
 * fence it never submitted. */
#define PV_WAIT_SLICE_NS (50ull * 1000 * 1000)

/* One slice of a host wait: the result of waiting at most `slice_ns`. */
typedef VkResult (*wait_slice_fn)(struct pv_object *dev, void *args, uint64_t slice_ns);

/* Waits on the guest's behalf, slice after slice, until the host's wait
 * ends or `timeout` passes (a span in the trace). */
static VkResult
wait_in_slices(struct pv_dispatch *d, struct pv_object *dev, uint64_t timeout,
               wait_slice_fn wait, void *args)
{
   const uint64_t start = pv_now_ns();
   const uint64_t deadline = timeout > UINT64_MAX - start ? UINT64_MAX : start + timeout;
   const uint64_t waited = pv_trace_begin();
   VkResult result;
   for (;;) {
      const uint64_t now = pv_now_ns();
      const uint64_t left = deadline > now ? deadline - now : 0;
      result = wait(dev, args, left < PV_WAIT_SLICE_NS ? left : PV_WAIT_SLICE_NS);
      if (result != VK_TIMEOUT || !left)
         break;
      pv_dispatch_heartbeat(d); /* waiting on the guest's behalf is no hang */
      if (pv_dispatch_stopping(d)) {
         result = VK_ERROR_DEVICE_LOST;
         break;
      }
   }
   pv_trace_end(waited, "wait", d->command, NULL);
   return result;
}

static VkResult
wait_fences_slice(struct pv_object *dev, void *data, uint64_t slice_ns)
{
   const struct pv_cmd_vkWaitForFences *args = data;
   return dev->vk->WaitForFences((VkDevice)(uintptr_t)dev->handle, args->fenceCount,
                                 args->pFences, args->waitAll, slice_ns);
}

void
pv_handle_vkWaitForFences(struct pv_dispatch *d, struct pv_cmd_vkWaitForFences *args)
{
   pv_rep_args_vkWaitForFences(args);
   args->ret = wait_in_slices(d, args->device, args->timeout, wait_fences_slice, args);
   if (args->ret == VK_SUCCESS && pv_trace_on()) {
      char what[48];
      snprintf(what, sizeof(what), "\"fences\":%" PRIu32 ",\"all\":%s", args->fenceCount,
               args->waitAll ? "true" : "false");
      pv_trace_instant("fence", "fences signaled", what);
   }
}

static VkResult
wait_semaphores_slice(struct pv_object *dev, void *data, uint64_t slice_ns)
{
   const struct pv_cmd_vkWaitSemaphores *args = data;
   return dev->vk->WaitSemaphores((VkDevice)(uintptr_t)dev->handle, args->pWaitInfo, slice_ns);
}

void
pv_handle_vkWaitSemaphores(struct pv_dispatch *d, struct pv_cmd_vkWaitSemaphores *args)
{
   if (!args->device->vk->WaitSemaphores) {
      pv_dispatch_missing(d, "vkWaitSemaphores");
      return;
   }
   pv_rep_args_vkWaitSemaphores(args);
   args->ret = wait_in_slices(d, args->device, args->timeout, wait_semaphores_slice, args);
}
