/* SPDX-License-Identifier: MIT */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>

#include "util/pv_log.h"

static const struct pv_queue_family_request *
find_request(const struct pv_device *dev, uint32_t family, VkDeviceQueueCreateFlags flags)
{
   for (uint32_t i = 0; i < dev->request_count; i++) {
      if (dev->requests[i].family == family && dev->requests[i].flags == flags)
         return &dev->requests[i];
   }
   return NULL;
}

/* Finds the queue object already bound to (family, index, flags). */
static struct pv_queue *
find_queue(struct pv_context *ctx, struct pv_device *dev, uint32_t family, uint32_t index,
           VkDeviceQueueCreateFlags flags)
{
   struct pv_queue *found = NULL;
   mtx_lock(&ctx->objects.mutex);
   for (struct pv_list *l = dev->base.children.next; l != &dev->base.children; l = l->next) {
      struct pv_object *obj = pv_container_of(l, struct pv_object, link);
      if (obj->type != VK_OBJECT_TYPE_QUEUE)
         continue;
      struct pv_queue *q = (struct pv_queue *)obj;
      if (q->family == family && q->index == index && q->flags == flags) {
         found = q;
         break;
      }
   }
   mtx_unlock(&ctx->objects.mutex);
   return found;
}

static void
queue_destroy(struct pv_object *obj)
{
   struct pv_queue *queue = (struct pv_queue *)obj;
   if (queue->ring_idx)
      pv_context_unbind_timeline(queue->ctx,
                                 queue->ring_idx, queue);
   free(queue);
}

static struct pv_queue *
get_queue(struct pv_dispatch *d, struct pv_device *dev, const VkDeviceQueueInfo2 *info,
          uint64_t id)
{
   const struct pv_queue_family_request *req =
      find_request(dev, info->queueFamilyIndex, info->flags);
   if (!req || info->queueIndex >= req->count) {
      pv_dispatch_fail(d, "queue %u of family %u (flags 0x%x) was not requested",
                       info->queueIndex, info->queueFamilyIndex, info->flags);
      return NULL;
   }
   struct pv_queue *queue =
      find_queue(d->ctx, dev, info->queueFamilyIndex, info->queueIndex, info->flags);
   if (queue) {
      if (queue->base.id != id) {
         pv_dispatch_fail(d, "queue already has id %" PRIu64 ", not %" PRIu64,
                          queue->base.id, id);
         return NULL;
      }
      return queue;
   }

   queue = pv_vk_object_alloc(d, sizeof(*queue), VK_OBJECT_TYPE_QUEUE, id);
   if (!queue)
      return NULL;
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   VkQueue handle = VK_NULL_HANDLE;
   if (info->flags) {
      if (!dev->vk.GetDeviceQueue2) {
         free(queue);
         pv_dispatch_missing(d, "vkGetDeviceQueue2");
         return NULL;
      }
      VkDeviceQueueInfo2 host_info = *info;
      host_info.pNext = NULL;
      dev->vk.GetDeviceQueue2(device, &host_info, &handle);
   } else {
      dev->vk.GetDeviceQueue(device, info->queueFamilyIndex, info->queueIndex, &handle);
   }
   if (!handle) {
      free(queue);
      pv_dispatch_fail(d, "the host returned no queue");
      return NULL;
   }
   queue->device = dev;
   queue->ctx = d->ctx;
   queue->base.destroy = queue_destroy;
   queue->family = info->queueFamilyIndex;
   queue->index = info->queueIndex;
   queue->flags = info->flags;
   queue->base.handle = (uint64_t)(uintptr_t)handle;
   queue->base.vk = &dev->vk;
   if (!pv_vk_object_adopt(d, &queue->base, &dev->base))
      return NULL;
   return queue;
}

void
pv_handle_vkGetDeviceQueue(struct pv_dispatch *d, struct pv_cmd_vkGetDeviceQueue *args)
{
   const VkDeviceQueueInfo2 info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2,
      .queueFamilyIndex = args->queueFamilyIndex,
      .queueIndex = args->queueIndex,
   };
   get_queue(d, (struct pv_device *)args->device, &info, pv_handle_id(*args->pQueue));
}

void
pv_handle_vkGetDeviceQueue2(struct pv_dispatch *d, struct pv_cmd_vkGetDeviceQueue2 *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   uint32_t ring_idx = 0;
   for (const VkBaseInStructure *s = args->pQueueInfo->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA)
         ring_idx = ((const VkDeviceQueueTimelineInfoMESA *)s)->ringIdx;
   }
   struct pv_queue *queue = get_queue(d, dev, args->pQueueInfo, pv_handle_id(*args->pQueue));
   if (!queue || !ring_idx)
      return;
   if (!pv_context_bind_timeline(d->ctx, ring_idx, queue))
      pv_dispatch_fail(d, "cannot bind fence timeline %u to queue %" PRIu64, ring_idx,
                       queue->base.id);
   else
      queue->ring_idx = ring_idx;
}
