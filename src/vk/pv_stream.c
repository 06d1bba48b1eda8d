/* SPDX-License-Identifier: MIT */
/* The Venus transport commands: reply streams, indirect streams, rings. */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>

#include "context/pv_resource.h"
#include "ring/pv_ring.h"
#include "util/pv_log.h"

static bool
context_only(struct pv_dispatch *d)
{
   if (d->ring) {
      pv_dispatch_fail(d, "only allowed outside rings");
      return false;
   }
   return true;
}

static struct pv_resource *
get_shm(struct pv_dispatch *d, uint32_t res_id)
{
   struct pv_resource *res = pv_context_get_resource(d->ctx, res_id);
   if (!res) {
      pv_dispatch_fail(d, "unknown resource %u", res_id);
      return NULL;
   }
   if (res->kind != PV_RESOURCE_SHM) {
      pv_dispatch_fail(d, "resource %u is not shared memory", res_id);
      pv_resource_unref(res);
      return NULL;
   }
   return res;
}

static struct pv_ring *
get_ring(struct pv_dispatch *d, uint64_t ring_id)
{
   struct pv_ring *ring = pv_context_find_ring(d->ctx, ring_id);
   if (!ring)
      pv_dispatch_fail(d, "unknown ring 0x%" PRIx64, ring_id);
   return ring;
}

void
pv_handle_vkSetReplyCommandStreamMESA(struct pv_dispatch *d,
                                      struct pv_cmd_vkSetReplyCommandStreamMESA *args)
{
   const VkCommandStreamDescriptionMESA *stream = args->pStream;
   /* Mesa names the reply stream before every call it waits for, mostly in
    * the same resource: while no resource id came or went, that id is the
    * resource the dispatch already holds, and the lookup (a mutex and a
    * reference) is skipped */
   const unsigned generation =
      atomic_load_explicit(&d->ctx->resources_generation, memory_order_acquire);
   if (d->reply && d->reply->id == stream->resourceId && d->reply_generation == generation) {
      pv_dispatch_move_reply(d, stream->offset, stream->size);
      return;
   }
   struct pv_resource *res = get_shm(d, stream->resourceId);
   if (!res)
      return;
   if (pv_dispatch_set_reply(d, res, stream->offset, stream->size))
      d->reply_generation = generation;
   pv_resource_unref(res);
}

void
pv_handle_vkSeekReplyCommandStreamMESA(struct pv_dispatch *d,
                                       struct pv_cmd_vkSeekReplyCommandStreamMESA *args)
{
   if (!d->enc.base || args->position > d->enc.size) {
      pv_dispatch_fail(d, "seek to %zu outside the %zu-byte reply stream", args->position,
                       d->enc.size);
      return;
   }
   d->enc.pos = args->position;
}

void
pv_handle_vkExecuteCommandStreamsMESA(struct pv_dispatch *d,
                                      struct pv_cmd_vkExecuteCommandStreamsMESA *args)
{
   if (!args->streamCount) {
      pv_dispatch_fail(d, "no streams");
      return;
   }
   /* the descriptions live in the outer decoder's scratch memory, which the
    * nested streams do not touch */
   for (uint32_t i = 0; i < args->streamCount && pv_dispatch_ok(d); i++) {
      const VkCommandStreamDescriptionMESA *stream = &args->pStreams[i];
      struct pv_resource *res = get_shm(d, stream->resourceId);
      if (!res)
         return;
      if (args->pReplyPositions) {
         const size_t pos = args->pReplyPositions[i];
         if (!d->enc.base || pos > d->enc.size) {
            pv_dispatch_fail(d, "reply position %zu outside the reply stream", pos);
            pv_resource_unref(res);
            return;
         }
         d->enc.pos = pos;
      }
      pv_dispatch_run_indirect(d, res, stream->offset, stream->size);
      pv_resource_unref(res);
   }
}

void
pv_handle_vkCreateRingMESA(struct pv_dispatch *d, struct pv_cmd_vkCreateRingMESA *args)
{
   if (!context_only(d))
      return;
   const VkRingCreateInfoMESA *info = args->pCreateInfo;
   if (!args->ring) {
      pv_dispatch_fail(d, "ring id 0");
      return;
   }
   if (pv_context_find_ring(d->ctx, args->ring)) {
      pv_dispatch_fail(d, "ring 0x%" PRIx64 " already exists", args->ring);
      return;
   }
   struct pv_ring_params params = {
      .id = args->ring,
      .idle_timeout_ns = info->idleTimeout,
   };
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_RING_MONITOR_INFO_MESA)
         params.monitor_period_us =
            ((const VkRingMonitorInfoMESA *)s)->maxReportingPeriodMicroseconds;
      else if (s->sType == VK_STRUCTURE_TYPE_RING_PRIORITY_INFO_MESA)
         params.priority = ((const VkRingPriorityInfoMESA *)s)->priority;
   }
   /* a thread may raise its nice value, never lower it below ours */
   if (params.priority < 0)
      params.priority = 0;
   if (params.priority > 19)
      params.priority = 19;

   struct pv_resource *res = get_shm(d, info->resourceId);
   if (!res)
      return;
   struct pv_ring_layout layout;
   char why[160];
   if (!pv_ring_layout_init(&layout, res, info->offset, info->size, info->headOffset,
                            info->tailOffset, info->statusOffset, info->bufferOffset,
                            info->bufferSize, info->extraOffset, info->extraSize, why,
                            sizeof(why))) {
      pv_dispatch_fail(d, "bad ring layout: %s", why);
      pv_resource_unref(res);
      return;
   }
   struct pv_ring *ring = pv_ring_create(d->ctx, &layout, &params);
   pv_resource_unref(res);
   if (!ring) {
      pv_dispatch_fail(d, "cannot create ring (head or status not zero, or no memory)");
      return;
   }
   if (!pv_context_add_ring(d->ctx, ring)) {
      pv_ring_destroy(ring);
      pv_dispatch_fail(d, "ring quota reached");
      return;
   }
   if (!d->ctx->rings_inline && !pv_ring_start(ring)) {
      pv_context_destroy_ring(d->ctx, args->ring);
      pv_dispatch_fail(d, "cannot start the ring thread");
      return;
   }
   pv_context_update_monitor(d->ctx);
   pv_debug(PV_CAT_RING, "ring 0x%" PRIx64 ": %u-byte buffer, idle after %" PRIu64
            " ns, alive every %u us", args->ring, ring->buffer_size,
            params.idle_timeout_ns, params.monitor_period_us);
}

void
pv_handle_vkDestroyRingMESA(struct pv_dispatch *d, struct pv_cmd_vkDestroyRingMESA *args)
{
   if (!context_only(d))
      return;
   if (!pv_context_destroy_ring(d->ctx, args->ring))
      pv_dispatch_fail(d, "unknown ring 0x%" PRIx64, args->ring);
   pv_context_update_monitor(d->ctx);
}

void
pv_handle_vkNotifyRingMESA(struct pv_dispatch *d, struct pv_cmd_vkNotifyRingMESA *args)
{
   if (!context_only(d))
      return;
   struct pv_ring *ring = get_ring(d, args->ring);
   if (ring)
      pv_ring_notify(ring);
}

void
pv_handle_vkWriteRingExtraMESA(struct pv_dispatch *d, struct pv_cmd_vkWriteRingExtraMESA *args)
{
   if (!context_only(d))
      return;
   struct pv_ring *ring = get_ring(d, args->ring);
   if (ring && !pv_ring_write_extra(ring, args->offset, args->value))
      pv_dispatch_fail(d, "extra offset %zu outside the %zu-byte extra region", args->offset,
                       ring->extra_size);
}

void
pv_handle_vkSubmitVirtqueueSeqnoMESA(struct pv_dispatch *d,
                                     struct pv_cmd_vkSubmitVirtqueueSeqnoMESA *args)
{
   if (!context_only(d))
      return;
   struct pv_ring *ring = get_ring(d, args->ring);
   if (ring)
      pv_ring_submit_virtqueue_seqno(ring, args->seqno);
}

void
pv_handle_vkWaitVirtqueueSeqnoMESA(struct pv_dispatch *d,
                                   struct pv_cmd_vkWaitVirtqueueSeqnoMESA *args)
{
   if (!d->ring) {
      pv_dispatch_fail(d, "only allowed in rings");
      return;
   }
   pv_ring_wait_virtqueue_seqno(d->ring, args->seqno);
}

void
pv_handle_vkWaitRingSeqnoMESA(struct pv_dispatch *d, struct pv_cmd_vkWaitRingSeqnoMESA *args)
{
   if (!context_only(d))
      return;
   struct pv_ring *ring = get_ring(d, args->ring);
   /* a guest that hung up mid-wait is leaving, not misbehaving */
   if (ring && !pv_ring_wait_seqno(ring, (uint32_t)args->seqno, d) && pv_dispatch_ok(d) &&
       !pv_dispatch_stopping(d))
      pv_dispatch_fail(d, "ring 0x%" PRIx64 " stopped before seqno %" PRIu64, args->ring,
                       args->seqno);
}
