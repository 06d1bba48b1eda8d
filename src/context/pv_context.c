/* SPDX-License-Identifier: MIT */
#include "pv_context.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "context/pv_dispatch.h"
#include "context/pv_info.h"
#include "context/pv_resource.h"
#include "ring/pv_ring.h"
#include "stats/pv_stats.h"
#include "trace/pv_trace.h"
#include "util/pv_log.h"
#include "context/pv_capture.h"
#include "vk/pv_instance_keep.h"
#include "vk/pv_vk.h"

/* -- renderer ------------------------------------------------------------- */

int
pv_renderer_create(const struct pv_renderer_config *config, struct pv_renderer **out)
{
   struct pv_renderer *renderer = calloc(1, sizeof(*renderer));
   if (!renderer)
      return -ENOMEM;
   if (config)
      renderer->config = *config;
   if (!renderer->config.scratch_bytes)
      renderer->config.scratch_bytes = PV_DEFAULT_SCRATCH_BYTES;
   if (!renderer->config.max_objects)
      renderer->config.max_objects = PV_DEFAULT_MAX_OBJECTS;
   if (!renderer->config.max_blob_bytes)
      renderer->config.max_blob_bytes = PV_DEFAULT_MAX_BLOB_BYTES;
   if (!renderer->config.max_rings)
      renderer->config.max_rings = PV_DEFAULT_MAX_RINGS;
   if (!renderer->config.max_in_flight)
      renderer->config.max_in_flight = PV_DEFAULT_MAX_IN_FLIGHT;
   if (mtx_init(&renderer->mutex, mtx_plain) != thrd_success) {
      free(renderer);
      return -ENOMEM;
   }
   const char *fault = getenv("PV_FAULT");
#if PV_FAULT_HOOKS
   if (fault && (!strncmp(fault, "crash:", 6) || !strncmp(fault, "hang:", 5) ||
                 !strncmp(fault, "lost:", 5))) {
      renderer->fault_hang = fault[0] == 'h';
      renderer->fault_lost = fault[0] == 'l';
      renderer->fault_command = strdup(strchr(fault, ':') + 1);
      pv_warn("fault injection armed: %s", fault);
   } else if (fault && !strcmp(fault, "blob")) {
      renderer->fault_no_blob = true;
      pv_warn("fault injection armed: %s", fault);
   }
#else
   /* what ships has no way for the environment to make it misbehave */
   if (fault)
      pv_warn("PV_FAULT is ignored: this build has no fault hooks (meson -Dfault_hooks=true)");
#endif
   *out = renderer;
   return 0;
}

void
pv_renderer_destroy(struct pv_renderer *renderer)
{
   if (!renderer)
      return;
   pv_instance_drop_kept(renderer);
   if (renderer->warm_instance) {
      PFN_vkDestroyInstance destroy_instance = (PFN_vkDestroyInstance)vkGetInstanceProcAddr(
         renderer->warm_instance, "vkDestroyInstance");
      if (destroy_instance)
         destroy_instance(renderer->warm_instance, NULL);
   }
   mtx_destroy(&renderer->mutex);
   free((char *)renderer->fault_command);
   free(renderer);
}

bool
pv_renderer_load_vulkan(struct pv_renderer *renderer)
{
   mtx_lock(&renderer->mutex);
   if (!renderer->vk_loaded) {
      pv_vk_table_load_global(&renderer->vk, vkGetInstanceProcAddr);
      uint32_t version = VK_API_VERSION_1_0;
      if (renderer->vk.EnumerateInstanceVersion)
         renderer->vk.EnumerateInstanceVersion(&version);
      renderer->loader_version = version;
      renderer->vk_loaded = renderer->vk.CreateInstance != NULL;
      if (!renderer->vk_loaded)
         pv_error("the host Vulkan loader offers no vkCreateInstance");
   }
   const bool ok = renderer->vk_loaded;
   mtx_unlock(&renderer->mutex);
   return ok;
}

size_t
pv_renderer_get_capset(const struct pv_renderer *renderer, uint32_t capset_id,
                       uint32_t version, void *data, size_t size)
{
   (void)renderer;
   if (capset_id != PV_CAPSET_VENUS || version != 0)
      return 0;
   struct pv_capset_venus capset;
   pv_capset_venus_fill(&capset);
   memcpy(data, &capset, size < sizeof(capset) ? size : sizeof(capset));
   return sizeof(capset);
}

/* -- context -------------------------------------------------------------- */

/* Since when `d` has been in the same command without a heartbeat, as far
 * as this watchdog has seen (0: it is not). */
static uint64_t
stuck_since(struct pv_dispatch *d, uint64_t now)
{
   const uint64_t busy = atomic_load_explicit(&d->busy, memory_order_acquire);
   const unsigned beats = atomic_load_explicit(&d->beats, memory_order_relaxed);
   if (!busy) {
      d->watched_busy = 0;
      return 0;
   }
   if (busy != d->watched_busy || beats != d->watched_beats) {
      d->watched_busy = busy;
      d->watched_beats = beats;
      d->watched_since_ns = now;
   }
   return d->watched_since_ns;
}

/* The context's counters into its statistics slot (under ring_mutex).
 * `objects` is counted by the caller before it takes ring_mutex: the
 * object table's spin lock is not waited for under the lock the ring
 * monitor needs. */
static void
publish_stats_locked(struct pv_context *ctx, uint32_t objects)
{
   struct pv_stats_slot *slot = ctx->stats;
   uint64_t commands = atomic_load(&ctx->gone_ring_commands) +
                       atomic_load_explicit(&ctx->dispatch->commands, memory_order_relaxed);
   uint64_t bytes = atomic_load(&ctx->gone_ring_bytes) +
                    atomic_load_explicit(&ctx->dispatch->bytes, memory_order_relaxed);
   for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next) {
      struct pv_ring *ring = pv_container_of(l, struct pv_ring, link);
      commands += atomic_load_explicit(&ring->dispatch.commands, memory_order_relaxed);
      bytes += atomic_load_explicit(&ring->dispatch.bytes, memory_order_relaxed);
   }
   pv_stats_set(&slot->commands, commands);
   pv_stats_set(&slot->bytes, bytes);
   pv_stats_set(&slot->rings, ctx->ring_count);
   pv_stats_set(&slot->in_flight, atomic_load(&ctx->in_flight));
   pv_stats_set(&slot->memory_bytes, atomic_load(&ctx->memory_bytes));
   pv_stats_set(&slot->blob_bytes, atomic_load(&ctx->blob_bytes));
   pv_stats_set(&slot->objects, objects);
}

/* How often the watchdog publishes statistics, when a slot is attached. */
#define PV_STATS_PERIOD_NS (250ull * 1000 * 1000)

/* Reports a command that runs longer than the hang timeout: the host driver
 * is stuck.  The front end decides what to do (end the process).  The
 * dispatches only number their commands (no clock read per command); the
 * watchdog, once a second, notes since when it has seen the same command
 * without progress, so a hang is reported up to a second late. */
static int
watchdog_thread(void *arg)
{
   struct pv_context *ctx = arg;
   pv_log_set_label(ctx->label);
   pthread_setname_np(pthread_self(), "pv-watchdog");
   const uint64_t timeout_ns = (uint64_t)ctx->renderer->config.hang_timeout_ms * 1000000u;
   bool reported = false;
   mtx_lock(&ctx->ring_mutex);
   while (!ctx->watchdog_stop) {
      struct timespec ts;
      clock_gettime(CLOCK_MONOTONIC, &ts);
      const uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 1;
      /* the longest-running command is the culprit: others (a wait for a
       * ring's seqno, say) may only be waiting for it */
      struct pv_dispatch *stuck = NULL;
      uint64_t since = stuck_since(ctx->dispatch, now);
      if (timeout_ns && since && now - since > timeout_ns)
         stuck = ctx->dispatch;
      for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next) {
         struct pv_ring *ring = pv_container_of(l, struct pv_ring, link);
         const uint64_t ring_since = stuck_since(&ring->dispatch, now);
         if (timeout_ns && ring_since && now - ring_since > timeout_ns &&
             (!stuck || ring_since < since)) {
            stuck = &ring->dispatch;
            since = ring_since;
         }
      }
      if (stuck && !reported && ctx->callbacks.hung) {
         const char *command = atomic_load(&stuck->busy_command);
         const uint32_t seconds = (uint32_t)((now - since) / 1000000000u);
         reported = true;
         mtx_unlock(&ctx->ring_mutex);
         ctx->callbacks.hung(ctx->callbacks.data, command ? command : "?", seconds);
         mtx_lock(&ctx->ring_mutex);
      }
      /* after the last use of `stuck`: a ring may go while unlocked */
      if (ctx->stats) {
         mtx_unlock(&ctx->ring_mutex);
         const uint32_t objects = pv_object_table_count(&ctx->objects);
         mtx_lock(&ctx->ring_mutex);
         publish_stats_locked(ctx, objects);
      }
      const struct timespec until =
         pv_deadline_utc(ctx->stats ? PV_STATS_PERIOD_NS : 1000000000u);
      cnd_timedwait(&ctx->monitor_cond, &ctx->ring_mutex, &until);
   }
   mtx_unlock(&ctx->ring_mutex);
   return 0;
}

void
pv_context_attach_stats(struct pv_context *ctx, struct pv_stats_slot *slot)
{
   if (!slot)
      return;
   mtx_lock(&ctx->ring_mutex);
   ctx->stats = slot;
   mtx_unlock(&ctx->ring_mutex);
   /* the watchdog publishes, with or without a hang timeout */
   if (!ctx->watchdog_running)
      ctx->watchdog_running =
         thrd_create(&ctx->watchdog_thread, watchdog_thread, ctx) == thrd_success;
}

int
pv_context_create(struct pv_renderer *renderer, uint32_t ctx_id, const char *name,
                  const struct pv_context_callbacks *callbacks, struct pv_context **out)
{
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   if (!ctx)
      return -ENOMEM;
   ctx->renderer = renderer;
   ctx->id = ctx_id;
   snprintf(ctx->name, sizeof(ctx->name), "%s", name && name[0] ? name : "guest");
   snprintf(ctx->label, sizeof(ctx->label), "ctx %u %s", ctx_id, ctx->name);
   if (callbacks)
      ctx->callbacks = *callbacks;
   if (!pv_object_table_init(&ctx->objects, renderer->config.max_objects))
      goto fail;
   if (!pv_id_map_init(&ctx->resources))
      goto fail_objects;
   if (mtx_init(&ctx->resource_mutex, mtx_plain) != thrd_success)
      goto fail_resources;
   if (mtx_init(&ctx->ring_mutex, mtx_plain) != thrd_success)
      goto fail_resource_mutex;
   if (cnd_init(&ctx->monitor_cond) != thrd_success)
      goto fail_ring_mutex;
   if (mtx_init(&ctx->instance_mutex, mtx_plain) != thrd_success)
      goto fail_monitor_cond;
   if (mtx_init(&ctx->timeline_mutex, mtx_plain) != thrd_success)
      goto fail_instance_mutex;
   pv_list_init(&ctx->rings);
   atomic_flag_clear(&ctx->spare_backings.lock);
   atomic_init(&ctx->scratch.used, 0);
   ctx->scratch.cap = renderer->config.scratch_bytes;
   ctx->dispatch = calloc(1, sizeof(*ctx->dispatch));
   if (!ctx->dispatch)
      goto fail_timeline_mutex;
   pv_dispatch_init(ctx->dispatch, ctx, NULL);
   if (renderer->config.capture_dir)
      ctx->capture = pv_capture_open(renderer->config.capture_dir, ctx);
   if (renderer->config.hang_timeout_ms && ctx->callbacks.hung)
      ctx->watchdog_running =
         thrd_create(&ctx->watchdog_thread, watchdog_thread, ctx) == thrd_success;
   *out = ctx;
   return 0;

fail_timeline_mutex:
   mtx_destroy(&ctx->timeline_mutex);
fail_instance_mutex:
   mtx_destroy(&ctx->instance_mutex);
fail_monitor_cond:
   cnd_destroy(&ctx->monitor_cond);
fail_ring_mutex:
   mtx_destroy(&ctx->ring_mutex);
fail_resource_mutex:
   mtx_destroy(&ctx->resource_mutex);
fail_resources:
   pv_id_map_fini(&ctx->resources);
fail_objects:
   pv_object_table_fini(&ctx->objects);
fail:
   free(ctx);
   return -ENOMEM;
}

static void
stop_monitor(struct pv_context *ctx)
{
   mtx_lock(&ctx->ring_mutex);
   const bool running = ctx->monitor_running;
   ctx->monitor_stop = true;
   ctx->watchdog_stop = true;
   cnd_broadcast(&ctx->monitor_cond);
   mtx_unlock(&ctx->ring_mutex);
   if (running)
      thrd_join(ctx->monitor_thread, NULL);
   if (ctx->watchdog_running)
      thrd_join(ctx->watchdog_thread, NULL);
}

void
pv_context_destroy(struct pv_context *ctx)
{
   if (!ctx)
      return;
   /* rings first: they run guest commands against the objects */
   for (;;) {
      mtx_lock(&ctx->ring_mutex);
      struct pv_ring *ring = pv_list_empty(&ctx->rings)
                                ? NULL
                                : pv_container_of(ctx->rings.next, struct pv_ring, link);
      mtx_unlock(&ctx->ring_mutex);
      if (!ring)
         break;
      pv_context_destroy_ring(ctx, ring->params.id);
   }
   /* the watchdog keeps watching: a hung driver can hang teardown too */
   atomic_store(&ctx->dispatch->busy_command, "context teardown");
   atomic_store(&ctx->dispatch->busy, UINT64_MAX);
   pv_object_table_destroy_all(&ctx->objects);
   atomic_store(&ctx->dispatch->busy, 0);
   pv_backing_cache_drop_all(&ctx->spare_backings);
   stop_monitor(ctx);
   if (ctx->stats) {
      /* the totals of the client's whole life, for its summary */
      const uint32_t objects = pv_object_table_count(&ctx->objects);
      mtx_lock(&ctx->ring_mutex);
      publish_stats_locked(ctx, objects);
      mtx_unlock(&ctx->ring_mutex);
   }
   pv_dispatch_fini(ctx->dispatch);
   free(ctx->dispatch);

   uint64_t key;
   void *value;
   for (uint32_t it = 0; pv_id_map_next(&ctx->resources, &it, &key, &value);)
      pv_resource_unref(value);
   pv_id_map_fini(&ctx->resources);

   pv_object_table_fini(&ctx->objects);
   pv_capture_close(ctx->capture);
   mtx_destroy(&ctx->timeline_mutex);
   mtx_destroy(&ctx->instance_mutex);
   cnd_destroy(&ctx->monitor_cond);
   mtx_destroy(&ctx->ring_mutex);
   mtx_destroy(&ctx->resource_mutex);
   free(ctx);
}

bool
pv_context_is_fatal(const struct pv_context *ctx)
{
   return pv_fatal_is_set(&ctx->fatal);
}

const char *
pv_context_fatal_reason(const struct pv_context *ctx)
{
   if (!pv_fatal_is_set(&ctx->fatal))
      return NULL;
   return atomic_load_explicit(&ctx->fatal.has_reason, memory_order_acquire)
             ? ctx->fatal.reason
             : "(reason being recorded)";
}

int
pv_context_submit_cmd(struct pv_context *ctx, const void *data, size_t size)
{
   if (size % 4) {
      pv_fatal_set(&ctx->fatal, "command stream of %zu bytes is not dword-aligned", size);
      return 0;
   }
   pv_dispatch_run(ctx->dispatch, data, size, NULL, NULL);
   /* after it ran: whatever it waited for on rings is captured before it */
   pv_capture_stream(ctx->capture, data, size);
   return 0;
}

int
pv_context_submit_fence(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id)
{
   pv_capture_fence(ctx->capture, ring_idx, fence_id);
   if (ring_idx >= PV_MAX_TIMELINES) {
      pv_fatal_set(&ctx->fatal, "fence on timeline %u (of %u)", ring_idx, PV_MAX_TIMELINES);
      return -EINVAL;
   }
   if (ring_idx) {
      /* each pending fence holds a host fence and a list entry until the
       * host driver gets through the work before it */
      const uint32_t max = ctx->renderer->config.max_in_flight;
      if (atomic_fetch_add(&ctx->in_flight, 1) >= max) {
         atomic_fetch_sub(&ctx->in_flight, 1);
         pv_fatal_set(&ctx->fatal, "in-flight quota: %u fences not yet retired", max);
         return -ENOSPC;
      }
      /* The queue retires it from its sync thread.  A reference (taken
       * only while the queue is still in the object table; the timeline
       * lock keeps its memory until unbound) keeps it from going away
       * while the fence is submitted, without holding the timeline lock
       * over host calls: those may wait behind another ring's work on the
       * queue, and every timeline's fences go through this lock. */
      mtx_lock(&ctx->timeline_mutex);
      struct pv_queue *queue = ctx->timelines[ring_idx];
      if (queue && !pv_object_table_get(&ctx->objects, queue->base.id, VK_OBJECT_TYPE_QUEUE,
                                        NULL))
         queue = NULL; /* being destroyed */
      mtx_unlock(&ctx->timeline_mutex);
      const bool ok = queue && pv_queue_submit_fence(queue, fence_id);
      if (queue)
         pv_object_put(&queue->base);
      if (!ok) {
         atomic_fetch_sub(&ctx->in_flight, 1);
         pv_fatal_set(&ctx->fatal, "fence on timeline %u, %s", ring_idx,
                      queue ? "which its queue could not take" : "which no queue is bound to");
         return -EINVAL;
      }
      return 0;
   }
   if (ctx->callbacks.retire_fence)
      ctx->callbacks.retire_fence(ctx->callbacks.data, ring_idx, fence_id);
   return 0;
}

bool
pv_context_bind_timeline(struct pv_context *ctx, uint32_t ring_idx, struct pv_queue *queue)
{
   if (!ring_idx || ring_idx >= PV_MAX_TIMELINES)
      return false;
   mtx_lock(&ctx->timeline_mutex);
   const bool ok = !ctx->timelines[ring_idx];
   if (ok)
      ctx->timelines[ring_idx] = queue;
   mtx_unlock(&ctx->timeline_mutex);
   return ok;
}

void
pv_context_unbind_timeline(struct pv_context *ctx, uint32_t ring_idx, struct pv_queue *queue)
{
   if (!ring_idx || ring_idx >= PV_MAX_TIMELINES)
      return;
   mtx_lock(&ctx->timeline_mutex);
   if (ctx->timelines[ring_idx] == queue)
      ctx->timelines[ring_idx] = NULL;
   mtx_unlock(&ctx->timeline_mutex);
}

/* -- resources ------------------------------------------------------------ */

/* Charges a new blob to the context's quota; the resource gives it back
 * when its last reference goes. */
static bool
reserve_blob_bytes(struct pv_context *ctx, uint64_t size)
{
   const uint64_t limit = ctx->renderer->config.max_blob_bytes;
   uint64_t used = atomic_load(&ctx->blob_bytes);
   do {
      if (size > limit || used > limit - size) {
         /* refused, not fatal: the guest's map of it fails */
         if (pv_context_quota_first_hit(ctx, PV_QUOTA_BLOB))
            pv_warn("blob of %" PRIu64 " bytes exceeds the context's quota of %" PRIu64
                    " bytes (%" PRIu64 " in use): refused, the guest's map fails", size,
                    limit, used);
         return false;
      }
   } while (!atomic_compare_exchange_weak(&ctx->blob_bytes, &used, used + size));
   return true;
}

static int
create_blob(struct pv_context *ctx, uint32_t res_id, uint32_t blob_type, uint32_t blob_flags,
            uint64_t blob_id, uint64_t size, struct pv_blob *out)
{
   if (blob_type != PV_BLOB_TYPE_HOST3D) {
      pv_fatal_set(&ctx->fatal, "blob type %u is not supported (HOST3D only)", blob_type);
      return -EINVAL;
   }
   if (blob_id) {
      /* the guest maps host-visible device memory: hand out its backing */
      int err = 0;
      struct pv_resource *res = pv_memory_get_blob_backing(ctx, blob_id, size, &err);
      if (!res)
         return err;
      const int fd = dup(res->fd);
      mtx_lock(&ctx->resource_mutex);
      const bool ok = fd >= 0 && !pv_id_map_get(&ctx->resources, res_id) &&
                      pv_id_map_put(&ctx->resources, res_id, res);
      atomic_fetch_add_explicit(&ctx->resources_generation, 1, memory_order_release);
      mtx_unlock(&ctx->resource_mutex);
      if (!ok) {
         if (fd >= 0)
            close(fd);
         pv_resource_unref(res);
         pv_fatal_set(&ctx->fatal, "cannot add resource %u", res_id);
         return -ENOMEM;
      }
      out->fd = fd;
      out->fd_type = PV_BLOB_FD_SHM;
      out->size = size;
      return 0;
   }
   if (!(blob_flags & PV_BLOB_FLAG_MAPPABLE)) {
      pv_fatal_set(&ctx->fatal, "shared memory blob without the MAPPABLE flag");
      return -EINVAL;
   }
   if (!size || size > SIZE_MAX / 2) {
      pv_fatal_set(&ctx->fatal, "blob of %" PRIu64 " bytes", size);
      return -EINVAL;
   }

   mtx_lock(&ctx->resource_mutex);
   const bool exists = pv_id_map_get(&ctx->resources, res_id) != NULL;
   mtx_unlock(&ctx->resource_mutex);
   if (exists) {
      pv_fatal_set(&ctx->fatal, "resource %u already exists", res_id);
      return -EEXIST;
   }
   if (!reserve_blob_bytes(ctx, size))
      return -ENOSPC;

   struct pv_resource *res = pv_resource_create_shm(res_id, (size_t)size);
   if (!res) {
      atomic_fetch_sub(&ctx->blob_bytes, size);
      return -ENOMEM;
   }
   res->charged_to = &ctx->blob_bytes; /* released with the last reference */
   int fd = dup(res->fd);
   mtx_lock(&ctx->resource_mutex);
   atomic_fetch_add_explicit(&ctx->resources_generation, 1, memory_order_release);
   if (fd < 0 || pv_id_map_get(&ctx->resources, res_id) ||
       !pv_id_map_put(&ctx->resources, res_id, res)) {
      mtx_unlock(&ctx->resource_mutex);
      if (fd >= 0)
         close(fd);
      pv_resource_unref(res);
      pv_fatal_set(&ctx->fatal, "cannot add resource %u", res_id);
      return -ENOMEM;
   }
   mtx_unlock(&ctx->resource_mutex);
   out->fd = fd;
   out->fd_type = PV_BLOB_FD_SHM;
   out->size = size;
   return 0;
}

int
pv_context_create_blob(struct pv_context *ctx, uint32_t res_id, uint32_t blob_type,
                       uint32_t blob_flags, uint64_t blob_id, uint64_t size, struct pv_blob *out)
{
   const uint64_t start = pv_trace_begin();
   const int ret = create_blob(ctx, res_id, blob_type, blob_flags, blob_id, size, out);
   if (!ret)
      pv_capture_blob(ctx->capture, res_id, blob_type, blob_flags, blob_id, size);
   if (start) {
      char args[128];
      snprintf(args, sizeof(args), "\"resource\":%" PRIu32 ",\"size\":%" PRIu64
               ",\"blob_id\":%" PRIu64 ",\"ok\":%s", res_id, size, blob_id,
               ret ? "false" : "true");
      pv_trace_end(start, "blob", blob_id ? "device memory blob" : "shared memory blob", args);
   }
   return ret;
}

void
pv_context_unref_resource(struct pv_context *ctx, uint32_t res_id)
{
   mtx_lock(&ctx->resource_mutex);
   struct pv_resource *res = pv_id_map_remove(&ctx->resources, res_id);
   atomic_fetch_add_explicit(&ctx->resources_generation, 1, memory_order_release);
   mtx_unlock(&ctx->resource_mutex);
   pv_capture_unref(ctx->capture, res_id);
   if (!res) {
      pv_debug(PV_CAT_VTEST, "unref of unknown resource %u ignored", res_id);
      return;
   }
   /* rings and reply streams hold their own references; the memory stays
    * valid for them */
   pv_resource_unref(res);
}

int
pv_context_map_resource(struct pv_context *ctx, uint32_t res_id, void **ptr, uint64_t *size)
{
   struct pv_resource *res = pv_context_get_resource(ctx, res_id);
   if (!res)
      return -ENOENT;
   *ptr = res->map;
   *size = res->size;
   /* the map's reference keeps it valid until the resource is unref'd */
   pv_resource_unref(res);
   return 0;
}

struct pv_resource *
pv_context_get_resource(struct pv_context *ctx, uint32_t res_id)
{
   mtx_lock(&ctx->resource_mutex);
   struct pv_resource *res = pv_id_map_get(&ctx->resources, res_id);
   if (res)
      pv_resource_ref(res);
   mtx_unlock(&ctx->resource_mutex);
   return res;
}

/* -- rings ---------------------------------------------------------------- */

void
pv_context_show_fatal(struct pv_context *ctx)
{
   if (!pv_fatal_is_set(&ctx->fatal))
      return;
   mtx_lock(&ctx->ring_mutex);
   for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next)
      pv_ring_set_status(pv_container_of(l, struct pv_ring, link), PV_RING_STATUS_FATAL);
   mtx_unlock(&ctx->ring_mutex);
}

/* With ring_mutex held. */
static struct pv_ring *
find_ring_locked(struct pv_context *ctx, uint64_t ring_id)
{
   for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next) {
      struct pv_ring *ring = pv_container_of(l, struct pv_ring, link);
      if (ring->params.id == ring_id)
         return ring;
   }
   return NULL;
}

struct pv_ring *
pv_context_find_ring(struct pv_context *ctx, uint64_t ring_id)
{
   mtx_lock(&ctx->ring_mutex);
   struct pv_ring *found = find_ring_locked(ctx, ring_id);
   mtx_unlock(&ctx->ring_mutex);
   return found;
}

void
pv_context_wake_ring(struct pv_context *ctx, uint64_t ring_id)
{
   mtx_lock(&ctx->ring_mutex);
   struct pv_ring *ring = find_ring_locked(ctx, ring_id);
   if (ring) {
      atomic_store(&ring->wake_armed, false);
      pv_ring_wake_if_idle(ring);
   }
   mtx_unlock(&ctx->ring_mutex);
}

bool
pv_context_add_ring(struct pv_context *ctx, struct pv_ring *ring)
{
   mtx_lock(&ctx->ring_mutex);
   const bool ok = ctx->ring_count < ctx->renderer->config.max_rings;
   if (ok) {
      pv_list_add_tail(&ctx->rings, &ring->link);
      ctx->ring_count++;
   }
   mtx_unlock(&ctx->ring_mutex);
   return ok;
}

bool
pv_context_destroy_ring(struct pv_context *ctx, uint64_t ring_id)
{
   struct pv_ring *ring = pv_context_find_ring(ctx, ring_id);
   if (!ring)
      return false;
   mtx_lock(&ctx->ring_mutex);
   pv_list_del(&ring->link);
   ctx->ring_count--;
   mtx_unlock(&ctx->ring_mutex);
   pv_ring_destroy(ring);
   return true;
}

/* Shortest reporting period any ring asked for; 0 when none is monitored. */
static uint32_t
monitor_period_locked(struct pv_context *ctx)
{
   uint32_t period = 0;
   for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next) {
      const struct pv_ring *ring = pv_container_of(l, struct pv_ring, link);
      const uint32_t p = ring->params.monitor_period_us;
      if (p && (!period || p < period))
         period = p;
   }
   return period;
}

/* Sets ALIVE on every monitored ring three times per period the guest
 * asked for.  The guest clears ALIVE when a wait begins and checks it after
 * sleeping for a little longer than the period (Mesa: 3.5 s of sleeps for a
 * 3 s period), so reporting once per period leaves half a second for this
 * thread to be scheduled; on a loaded host (a 2-core CI machine running
 * sanitized servers) that was not always enough, and the guest aborted. */
#define PV_MONITOR_REPORTS_PER_PERIOD 3u

static int
monitor_thread(void *arg)
{
   struct pv_context *ctx = arg;
   pv_log_set_label(ctx->label);
   pthread_setname_np(pthread_self(), "pv-monitor");
   mtx_lock(&ctx->ring_mutex);
   uint64_t last_report = 0;
   while (!ctx->monitor_stop) {
      const uint32_t period_us = monitor_period_locked(ctx);
      const uint64_t now = pv_now_ns();
      if (last_report && period_us && now - last_report > (uint64_t)period_us * 1000u / 2)
         pv_warn("the ring monitor ran %" PRIu64 " ms after its last report (the guest "
                 "expects one every %u ms): the host is overloaded",
                 (now - last_report) / 1000000u, period_us / 1000u);
      last_report = now;
      for (struct pv_list *l = ctx->rings.next; l != &ctx->rings; l = l->next) {
         struct pv_ring *ring = pv_container_of(l, struct pv_ring, link);
         if (ring->params.monitor_period_us)
            pv_ring_set_status(ring, PV_RING_STATUS_ALIVE);
      }
      const uint64_t ns = (uint64_t)(period_us ? period_us : 1000000u) * 1000u /
                          PV_MONITOR_REPORTS_PER_PERIOD;
      const struct timespec until = pv_deadline_utc(ns);
      cnd_timedwait(&ctx->monitor_cond, &ctx->ring_mutex, &until);
   }
   mtx_unlock(&ctx->ring_mutex);
   return 0;
}

void
pv_context_update_monitor(struct pv_context *ctx)
{
   mtx_lock(&ctx->ring_mutex);
   const uint32_t period = monitor_period_locked(ctx);
   if (period && !ctx->monitor_running && !ctx->monitor_stop) {
      ctx->monitor_running =
         thrd_create(&ctx->monitor_thread, monitor_thread, ctx) == thrd_success;
      if (!ctx->monitor_running)
         pv_error("cannot start the ring monitor thread");
   }
   /* a new, shorter period takes effect at once */
   cnd_broadcast(&ctx->monitor_cond);
   mtx_unlock(&ctx->ring_mutex);
}
