/* SPDX-License-Identifier: MIT */
/* Queues: binding guest ids and fence timelines, submissions, and the sync
 * thread that retires a timeline's fences and wakes rings whose work is
 * done. */
#include "pv_vk.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "ring/pv_ring.h"
#include "stats/pv_stats.h"
#include "trace/pv_trace.h"
#include "util/pv_log.h"

/* a host fence that, when it signals, retires timeline fence `fence_id` or
 * (wakes_ring) wakes ring `ring_id` */
struct pv_queue_fence {
   struct pv_list link;
   uint64_t fence_id;
   uint64_t ring_id;
   bool wakes_ring;
   VkFence fence;
};

static VkDevice
queue_device(const struct pv_queue *queue)
{
   return (VkDevice)(uintptr_t)queue->device->base.handle;
}

static VkQueue
queue_handle(const struct pv_queue *queue)
{
   return (VkQueue)(uintptr_t)queue->base.handle;
}

/* Returns how many timeline fences it freed. */
static uint32_t
free_fence_list(struct pv_queue *queue, struct pv_list *list)
{
   uint32_t count = 0;
   while (!pv_list_empty(list)) {
      struct pv_queue_fence *f = pv_container_of(list->next, struct pv_queue_fence, link);
      pv_list_del(&f->link);
      queue->device->vk.DestroyFence(queue_device(queue), f->fence, NULL);
      /* a ring waiting for this one may ask again (and looks at tail) */
      if (f->wakes_ring && list == &queue->pending)
         pv_context_wake_ring(queue->ctx, f->ring_id);
      count += !f->wakes_ring;
      free(f);
   }
   return count;
}

static void
queue_destroy(struct pv_object *obj)
{
   struct pv_queue *queue = (struct pv_queue *)obj;
   if (queue->ring_idx)
      pv_context_unbind_timeline(queue->ctx, queue->ring_idx, queue);
   if (queue->sync_running) {
      mtx_lock(&queue->sync_mutex);
      queue->sync_stop = true;
      cnd_broadcast(&queue->sync_cond);
      mtx_unlock(&queue->sync_mutex);
      thrd_join(queue->sync_thread, NULL);
   }
   /* the device waited idle before its queues go: fences left pending are
    * signalled but no longer retire anything */
   atomic_fetch_sub(&queue->ctx->in_flight, free_fence_list(queue, &queue->pending));
   free_fence_list(queue, &queue->spare);
   cnd_destroy(&queue->sync_cond);
   mtx_destroy(&queue->sync_mutex);
   mtx_destroy(&queue->submit_mutex);
   pv_object_free(queue);
}

/* Retires the timeline's fences in order as their host fences signal. */
static int
sync_thread(void *arg)
{
   struct pv_queue *queue = arg;
   struct pv_context *ctx = queue->ctx;
   pv_log_set_label(ctx->label);
   char name[16];
   snprintf(name, sizeof(name), "pv-sync-%u", queue->ring_idx);
   pthread_setname_np(pthread_self(), name);
   if (pv_trace_on()) {
      char trace_name[32];
      snprintf(trace_name, sizeof(trace_name), "fence timeline %u", queue->ring_idx);
      pv_trace_name_thread(trace_name);
   }
   const struct pv_vk_table *vk = &queue->device->vk;

   mtx_lock(&queue->sync_mutex);
   for (;;) {
      while (!queue->sync_stop && pv_list_empty(&queue->pending))
         cnd_wait(&queue->sync_cond, &queue->sync_mutex);
      if (queue->sync_stop)
         break;
      struct pv_queue_fence *f =
         pv_container_of(queue->pending.next, struct pv_queue_fence, link);
      mtx_unlock(&queue->sync_mutex);

      /* bounded waits, so that a stop request is seen */
      const VkResult result = vk->WaitForFences(queue_device(queue), 1, &f->fence, VK_TRUE,
                                                100ull * 1000 * 1000);
      mtx_lock(&queue->sync_mutex);
      if (result == VK_TIMEOUT)
         continue;
      if (result != VK_SUCCESS)
         pv_error("timeline %u: waiting for the host failed (%d); retiring anyway",
                  queue->ring_idx, result);
      pv_list_del(&f->link);
      mtx_unlock(&queue->sync_mutex);

      if (f->wakes_ring) {
         if (pv_trace_on()) {
            char args[64];
            snprintf(args, sizeof(args), "\"ring\":\"0x%" PRIx64 "\"", f->ring_id);
            pv_trace_instant("fence", "queue done: ring woken", args);
         }
         pv_context_wake_ring(ctx, f->ring_id);
      } else {
         atomic_fetch_sub(&ctx->in_flight, 1);
         if (pv_trace_on()) {
            char args[64];
            snprintf(args, sizeof(args), "\"timeline\":%u,\"fence\":%" PRIu64,
                     queue->ring_idx, f->fence_id);
            pv_trace_instant("fence", "fence signaled", args);
         }
         if (ctx->callbacks.retire_fence)
            ctx->callbacks.retire_fence(ctx->callbacks.data, queue->ring_idx, f->fence_id);
      }
      vk->ResetFences(queue_device(queue), 1, &f->fence);

      mtx_lock(&queue->sync_mutex);
      pv_list_add_tail(&queue->spare, &f->link);
   }
   mtx_unlock(&queue->sync_mutex);
   return 0;
}

/* A signalled-and-reset host fence of the queue's pool, or a new one. */
static struct pv_queue_fence *
take_spare_fence(struct pv_queue *queue)
{
   struct pv_queue_fence *f = NULL;
   mtx_lock(&queue->sync_mutex);
   if (!pv_list_empty(&queue->spare)) {
      f = pv_container_of(queue->spare.next, struct pv_queue_fence, link);
      pv_list_del(&f->link);
   }
   mtx_unlock(&queue->sync_mutex);
   if (f)
      return f;
   f = calloc(1, sizeof(*f));
   const VkFenceCreateInfo info = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
   if (!f || queue->device->vk.CreateFence(queue_device(queue), &info, NULL, &f->fence) !=
                VK_SUCCESS) {
      free(f);
      return NULL;
   }
   return f;
}

/* Submits an empty batch that signals a pool fence after all earlier work
 * on the queue, and hands the fence to the sync thread (started on first
 * use), which acts on it once it signals. */
static bool
submit_marker(struct pv_queue *queue, uint64_t fence_id, bool wakes_ring, uint64_t ring_id)
{
   const struct pv_vk_table *vk = &queue->device->vk;
   mtx_lock(&queue->sync_mutex);
   if (!queue->sync_running) {
      queue->sync_running = thrd_create(&queue->sync_thread, sync_thread, queue) ==
                            thrd_success;
      if (!queue->sync_running) {
         mtx_unlock(&queue->sync_mutex);
         return false;
      }
   }
   mtx_unlock(&queue->sync_mutex);
   struct pv_queue_fence *f = take_spare_fence(queue);
   if (!f)
      return false;
   f->fence_id = fence_id;
   f->wakes_ring = wakes_ring;
   f->ring_id = ring_id;

   mtx_lock(&queue->submit_mutex);
   const VkResult result = vk->QueueSubmit(queue_handle(queue), 0, NULL, f->fence);
   mtx_unlock(&queue->submit_mutex);
   if (result != VK_SUCCESS) {
      vk->DestroyFence(queue_device(queue), f->fence, NULL);
      free(f);
      return false;
   }
   mtx_lock(&queue->sync_mutex);
   pv_list_add_tail(&queue->pending, &f->link);
   cnd_broadcast(&queue->sync_cond);
   mtx_unlock(&queue->sync_mutex);
   return true;
}

bool
pv_queue_submit_fence(struct pv_queue *queue, uint64_t fence_id)
{
   if (pv_trace_on()) {
      char args[64];
      snprintf(args, sizeof(args), "\"timeline\":%u,\"fence\":%" PRIu64, queue->ring_idx,
               fence_id);
      pv_trace_instant("queue", "fence submit", args);
   }
   return submit_marker(queue, fence_id, false, 0);
}

bool
pv_queue_wake_ring_when_done(struct pv_context *ctx, uint64_t queue_id, uint64_t ring_id)
{
   struct pv_object *obj = pv_object_table_get(&ctx->objects, queue_id, VK_OBJECT_TYPE_QUEUE,
                                               NULL);
   if (!obj)
      return false; /* destroyed with its device since */
   const bool ok = submit_marker((struct pv_queue *)obj, 0, true, ring_id);
   pv_object_put(obj);
   return ok;
}

/* -- binding guest ids ------------------------------------------------------- */

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
   pv_object_table_lock(&ctx->objects);
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
   pv_object_table_unlock(&ctx->objects);
   return found;
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

   queue = pv_vk_object_alloc(d, sizeof(*queue), VK_OBJECT_TYPE_QUEUE, id, NULL);
   if (!queue)
      return NULL;
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   VkQueue handle = VK_NULL_HANDLE;
   if (info->flags) {
      if (!dev->vk.GetDeviceQueue2) {
         pv_object_free(queue);
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
      pv_object_free(queue);
      pv_dispatch_fail(d, "the host returned no queue");
      return NULL;
   }
   if (mtx_init(&queue->submit_mutex, mtx_plain) != thrd_success ||
       mtx_init(&queue->sync_mutex, mtx_plain) != thrd_success ||
       cnd_init(&queue->sync_cond) != thrd_success) {
      pv_object_free(queue);
      pv_dispatch_fail(d, "out of host resources");
      return NULL;
   }
   pv_list_init(&queue->pending);
   pv_list_init(&queue->spare);
   queue->device = dev;
   queue->ctx = d->ctx;
   queue->base.destroy = queue_destroy;
   queue->family = info->queueFamilyIndex;
   queue->index = info->queueIndex;
   queue->flags = info->flags;
   queue->base.handle = (uint64_t)(uintptr_t)handle;
   queue->base.vk = &dev->vk;
   if (!pv_vk_object_adopt(d, &queue->base, &dev->base)) {
      queue_destroy(&queue->base);
      return NULL;
   }
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
   if (!queue || !ring_idx || queue->ring_idx == ring_idx)
      return;
   if (queue->ring_idx || !pv_context_bind_timeline(d->ctx, ring_idx, queue))
      pv_dispatch_fail(d, "cannot bind fence timeline %u to queue %" PRIu64, ring_idx,
                       queue->base.id);
   else
      queue->ring_idx = ring_idx;
}

/* -- submissions ------------------------------------------------------------- */

/* A guest's submission, for the trace and the live statistics. */
static void
note_submission(struct pv_dispatch *d, const char *what, uint32_t batches)
{
   if (d->ctx->stats)
      pv_stats_add(&d->ctx->stats->submissions, 1);
   if (pv_trace_on()) {
      char args[32];
      snprintf(args, sizeof(args), "\"batches\":%" PRIu32, batches);
      pv_trace_instant("queue", what, args);
   }
}

/* Work a ring submitted: the ring is woken when it is done (see
 * pv_ring.h). */
static void
note_ring_work(struct pv_dispatch *d, const struct pv_queue *queue, VkResult result)
{
   if (d->ring && result == VK_SUCCESS)
      d->ring->submitted_queue = queue->base.id;
}

void
pv_handle_vkQueueSubmit(struct pv_dispatch *d, struct pv_cmd_vkQueueSubmit *args)
{
   struct pv_queue *queue = (struct pv_queue *)args->queue;
   note_submission(d, "vkQueueSubmit", args->submitCount);
   pv_rep_args_vkQueueSubmit(args);
   mtx_lock(&queue->submit_mutex);
   args->ret = queue->device->vk.QueueSubmit(queue_handle(queue), args->submitCount,
                                             args->pSubmits, PV_HOST(VkFence, args->fence));
   mtx_unlock(&queue->submit_mutex);
   note_ring_work(d, queue, args->ret);
}

void
pv_handle_vkQueueSubmit2(struct pv_dispatch *d, struct pv_cmd_vkQueueSubmit2 *args)
{
   struct pv_queue *queue = (struct pv_queue *)args->queue;
   if (!queue->device->vk.QueueSubmit2) {
      pv_dispatch_missing(d, "vkQueueSubmit2");
      return;
   }
   note_submission(d, "vkQueueSubmit2", args->submitCount);
   pv_rep_args_vkQueueSubmit2(args);
   mtx_lock(&queue->submit_mutex);
   args->ret = queue->device->vk.QueueSubmit2(queue_handle(queue), args->submitCount,
                                              args->pSubmits, PV_HOST(VkFence, args->fence));
   mtx_unlock(&queue->submit_mutex);
   note_ring_work(d, queue, args->ret);
}

void
pv_handle_vkQueueBindSparse(struct pv_dispatch *d, struct pv_cmd_vkQueueBindSparse *args)
{
   struct pv_queue *queue = (struct pv_queue *)args->queue;
   note_submission(d, "vkQueueBindSparse", args->bindInfoCount);
   pv_rep_args_vkQueueBindSparse(args);
   mtx_lock(&queue->submit_mutex);
   args->ret = queue->device->vk.QueueBindSparse(queue_handle(queue), args->bindInfoCount,
                                                 args->pBindInfo,
                                                 PV_HOST(VkFence, args->fence));
   mtx_unlock(&queue->submit_mutex);
   note_ring_work(d, queue, args->ret);
}

/* The queue's host calls must not overlap, but waiting for it to go idle
 * must not hold them up: the transport submits fences on this queue, and
 * the work may wait for what another ring sends.  So an empty submission
 * with a fence of the queue's pool marks the end of everything before it
 * (as vkQueueWaitIdle would wait for), and the wait is on that fence, with
 * no lock held. */
void
pv_handle_vkQueueWaitIdle(struct pv_dispatch *d, struct pv_cmd_vkQueueWaitIdle *args)
{
   (void)d;
   struct pv_queue *queue = (struct pv_queue *)args->queue;
   const struct pv_vk_table *vk = &queue->device->vk;
   struct pv_queue_fence *f = take_spare_fence(queue);
   if (!f) {
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   mtx_lock(&queue->submit_mutex);
   args->ret = vk->QueueSubmit(queue_handle(queue), 0, NULL, f->fence);
   mtx_unlock(&queue->submit_mutex);
   if (args->ret == VK_SUCCESS) {
      const uint64_t waited = pv_trace_begin();
      args->ret = vk->WaitForFences(queue_device(queue), 1, &f->fence, VK_TRUE, UINT64_MAX);
      pv_trace_end(waited, "wait", "vkQueueWaitIdle", NULL);
   }
   if (args->ret == VK_SUCCESS && vk->ResetFences(queue_device(queue), 1, &f->fence) ==
                                     VK_SUCCESS) {
      mtx_lock(&queue->sync_mutex);
      pv_list_add_tail(&queue->spare, &f->link);
      mtx_unlock(&queue->sync_mutex);
   } else {
      /* a fence in an unknown state is not reused */
      vk->DestroyFence(queue_device(queue), f->fence, NULL);
      free(f);
   }
}
