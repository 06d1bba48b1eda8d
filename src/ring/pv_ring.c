/* SPDX-License-Identifier: MIT */
#include "pv_ring.h"
#include "pv_ring_timeline.h"

#include "context/pv_capture.h"
#include "util/pv_cpu.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "context/pv_context.h"
#include "context/pv_resource.h"
#include "trace/pv_trace.h"
#include "util/pv_log.h"
#include "util/pv_time.h"
#include "vk/pv_vk.h"

struct region {
   uint64_t begin, size;
   const char *name;
};

static bool
region_in_window(const struct region *r, uint64_t window)
{
   return r->begin <= window && r->size <= window - r->begin;
}

bool
pv_ring_layout_init(struct pv_ring_layout *layout, struct pv_resource *res, uint64_t offset,
                    uint64_t size, uint64_t head, uint64_t tail, uint64_t status,
                    uint64_t buffer, uint64_t buffer_size, uint64_t extra,
                    uint64_t extra_size, char *why, size_t why_size)
{
   if (!pv_resource_contains(res, offset, size)) {
      snprintf(why, why_size, "window %" PRIu64 "+%" PRIu64 " outside resource of %zu bytes",
               offset, size, res->size);
      return false;
   }
   if (!buffer_size || buffer_size > PV_RING_MAX_BUFFER_SIZE ||
       (buffer_size & (buffer_size - 1))) {
      snprintf(why, why_size, "buffer size %" PRIu64 " is not a power of two <= %u",
               buffer_size, PV_RING_MAX_BUFFER_SIZE);
      return false;
   }
   const struct region regions[] = {
      { head, 4, "head" },
      { tail, 4, "tail" },
      { status, 4, "status" },
      { buffer, buffer_size, "buffer" },
      { extra, extra_size, "extra" },
   };
   const size_t count = sizeof(regions) / sizeof(regions[0]);
   for (size_t i = 0; i < count; i++) {
      const struct region *r = &regions[i];
      if (!region_in_window(r, size)) {
         snprintf(why, why_size, "%s %" PRIu64 "+%" PRIu64 " outside the %" PRIu64
                  "-byte window", r->name, r->begin, r->size, size);
         return false;
      }
      if ((offset + r->begin) % 4 || r->size % 4) {
         snprintf(why, why_size, "%s is not 4-byte aligned", r->name);
         return false;
      }
      for (size_t j = 0; j < i; j++) {
         const struct region *o = &regions[j];
         if (!r->size || !o->size)
            continue;
         if (r->begin < o->begin + o->size && o->begin < r->begin + r->size) {
            snprintf(why, why_size, "%s overlaps %s", r->name, o->name);
            return false;
         }
      }
   }
   layout->res = res;
   layout->head = offset + head;
   layout->tail = offset + tail;
   layout->status = offset + status;
   layout->buffer = offset + buffer;
   layout->buffer_size = buffer_size;
   layout->extra = offset + extra;
   layout->extra_size = extra_size;
   return true;
}

void
pv_ring_copy_out(const uint8_t *buffer, uint32_t buffer_size, uint32_t pos, uint8_t *dst,
                 uint32_t size)
{
   const uint32_t offset = pos & (buffer_size - 1);
   const uint32_t first = buffer_size - offset < size ? buffer_size - offset : size;
   memcpy(dst, buffer + offset, first);
   memcpy(dst + first, buffer, size - first);
}

struct pv_ring *
pv_ring_create(struct pv_context *ctx, const struct pv_ring_layout *layout,
               const struct pv_ring_params *params)
{
   struct pv_ring *ring = calloc(1, sizeof(*ring));
   if (!ring)
      return NULL;
   uint8_t *base = layout->res->map;
   ring->head = (atomic_uint *)(base + layout->head);
   ring->tail = (atomic_uint *)(base + layout->tail);
   ring->status = (atomic_uint *)(base + layout->status);
   ring->buffer = base + layout->buffer;
   ring->buffer_size = (uint32_t)layout->buffer_size;
   ring->extra = (atomic_uint *)(base + layout->extra);
   ring->extra_size = layout->extra_size;

   /* the renderer owns head and status: the guest must start them at 0 */
   if (atomic_load(ring->head) || atomic_load(ring->status)) {
      free(ring);
      return NULL;
   }

   ring->cmd = malloc(ring->buffer_size);
   if (!ring->cmd)
      goto fail;
   if (mtx_init(&ring->mutex, mtx_plain) != thrd_success)
      goto fail_cmd;
   if (cnd_init(&ring->cond) != thrd_success)
      goto fail_mutex;
   if (cnd_init(&ring->head_cond) != thrd_success)
      goto fail_cond;
   ring->ctx = ctx;
   ring->params = *params;
   ring->res = pv_resource_ref(layout->res);
   pv_list_init(&ring->link);
   pv_dispatch_init(&ring->dispatch, ctx, ring);
   return ring;

fail_cond:
   cnd_destroy(&ring->cond);
fail_mutex:
   mtx_destroy(&ring->mutex);
fail_cmd:
   free(ring->cmd);
fail:
   free(ring);
   return NULL;
}

void
pv_ring_set_status(struct pv_ring *ring, uint32_t bits)
{
   atomic_fetch_or_explicit(ring->status, bits, memory_order_seq_cst);
}

static void
clear_status(struct pv_ring *ring, uint32_t bits)
{
   atomic_fetch_and_explicit(ring->status, ~bits, memory_order_seq_cst);
}

/* Waiting for the guest's next command, from the moment the last one ran
 * until the idle timeout (after which the ring sleeps until notified).  A
 * guest that waits for a reply writes its next command within microseconds,
 * so the ring first spins (no system call), then yields, then sleeps in
 * short fixed steps: the wake-up latency stays a few microseconds while the
 * guest is busy and under PV_RING_SLEEP_NS later, at the cost of a wake-up
 * per step for one idle timeout after each burst. */
/* Yielding lasts longer than Mesa's 160 us sleep between polls of a fence:
 * a ring already sleeping when the guest's next submission came made that
 * submission later, the guest's next fence wait missed Mesa's yields and
 * slept, and the ring slept again: on lavapipe an empty submit + wait
 * locked into 225 us per iteration (18 us with this window). */
#define PV_RING_SPIN_NS 10000u
#define PV_RING_YIELD_NS 300000u
#define PV_RING_SLEEP_NS 25000u

static void
relax(uint64_t since_work_ns)
{
   if (since_work_ns < PV_RING_SPIN_NS) {
      /* look at tail again soon: a pause is up to ~140 cycles (Intel since
       * Skylake), and 64 of them made a waiting guest wait ~1.5 us more */
      for (int i = 0; i < 4; i++)
         pv_cpu_relax();
   } else if (since_work_ns < PV_RING_YIELD_NS) {
      sched_yield();
   } else {
      const struct timespec ts = { .tv_nsec = PV_RING_SLEEP_NS };
      nanosleep(&ts, NULL);
   }
}

struct progress {
   struct pv_ring *ring;
   uint32_t start;
};

static void
store_head(void *data, size_t consumed)
{
   struct progress *p = data;
   struct pv_ring *ring = p->ring;
   /* release: replies written before this point are visible to a guest that
    * loads head with acquire */
   atomic_store_explicit(ring->head, p->start + (uint32_t)consumed, memory_order_release);
   if (__builtin_expect(atomic_load_explicit(&ring->head_waiters, memory_order_acquire), 0)) {
      mtx_lock(&ring->mutex);
      cnd_broadcast(&ring->head_cond);
      mtx_unlock(&ring->mutex);
   }
}

static bool run_copied(struct pv_ring *ring, uint32_t tail, uint32_t pending);

/* Runs what the guest wrote up to `tail`; false once the context is fatal. */
static bool
run_pending(struct pv_ring *ring, uint32_t tail)
{
   struct pv_context *ctx = ring->ctx;
   const uint32_t pending = tail - ring->cur;
   if (pending > ring->buffer_size) {
      pv_fatal_set(&ctx->fatal, "ring 0x%" PRIx64 ": tail %u is %u bytes past head, "
                   "beyond the %u-byte buffer", ring->params.id, tail, pending,
                   ring->buffer_size);
      return false;
   }
   pv_ring_copy_out(ring->buffer, ring->buffer_size, ring->cur, ring->cmd, pending);
   return run_copied(ring, tail, pending);
}

/* Runs the `pending` bytes already in ring->cmd, which end at `tail`. */
static bool
run_copied(struct pv_ring *ring, uint32_t tail, uint32_t pending)
{
   struct pv_context *ctx = ring->ctx;
   struct progress progress = { ring, ring->cur };
   ring->cur = tail;
   pv_capture_ring(ctx->capture, ring->params.id, ring->cmd, pending);
   if (!pv_dispatch_run(&ring->dispatch, ring->cmd, pending, store_head, &progress))
      return false;
   /* a stream that ends mid-command leaves head behind tail; make sure the
    * guest sees everything consumed */
   atomic_store_explicit(ring->head, tail, memory_order_release);
   return true;
}

static bool
should_stop(struct pv_ring *ring)
{
   return atomic_load_explicit(&ring->stopping, memory_order_acquire);
}

/* A sleeping ring looks at tail again after this, then after doubling
 * intervals up to the longest.  Mesa stores tail with release order and
 * then loads status: a load may pass an earlier store (x86 does this), so
 * the guest can read status from before our IDLE while we read tail from
 * before its store, and neither notifies.  The first look, a millisecond
 * later, finds such a submission; the later ones bound whatever else might
 * leave a guest waiting on a sleeping ring (a notify lost in a VMM, say)
 * to a second, where it would otherwise wait until Mesa's own watchdog
 * gives up after 15 minutes. */
#define PV_RING_IDLE_LOOK_FIRST_NS 1000000ull
#define PV_RING_IDLE_LOOK_MAX_NS 1000000000ull

/* Going to sleep with work submitted since the last sleep: asks the
 * queue's sync thread to wake the ring once that work is done (one
 * request at a time; the next sleep asks again). */
static void
arm_wake_on_work_done(struct pv_ring *ring)
{
   const uint64_t queue_id = ring->submitted_queue;
   if (!queue_id || pv_fatal_is_set(&ring->ctx->fatal))
      return;
   ring->submitted_queue = 0;
   if (atomic_exchange(&ring->wake_armed, true))
      return;
   if (!pv_queue_wake_ring_when_done(ring->ctx, queue_id, ring->params.id))
      atomic_store(&ring->wake_armed, false);
}

/* Sleeps until notified, woken because its work is done, stopped, or tail
 * moved on without a notify.  Returns false when stopping. */
static bool
idle_wait(struct pv_ring *ring)
{
   mtx_lock(&ring->mutex);
   pv_ring_set_status(ring, PV_RING_STATUS_IDLE);
   /* our half of the handshake: set IDLE, then load tail (both seq_cst) */
   if (atomic_load_explicit(ring->tail, memory_order_seq_cst) != ring->cur) {
      clear_status(ring, PV_RING_STATUS_IDLE);
      mtx_unlock(&ring->mutex);
      return true;
   }
   ring->idle = true;
   /* armed once idle: a wake-up for work that ends at once is not lost */
   mtx_unlock(&ring->mutex);
   arm_wake_on_work_done(ring);
   mtx_lock(&ring->mutex);
   const uint64_t slept = pv_trace_begin();
   uint64_t look_ns = PV_RING_IDLE_LOOK_FIRST_NS;
   while (!ring->stop && !ring->pending_notify) {
      const struct timespec until = pv_deadline_utc(look_ns);
      if (cnd_timedwait(&ring->cond, &ring->mutex, &until) != thrd_timedout)
         continue;
      if (atomic_load_explicit(ring->tail, memory_order_seq_cst) != ring->cur) {
         pv_debug(PV_CAT_RING, "ring 0x%" PRIx64 ": commands came without a notify",
                  ring->params.id);
         break;
      }
      if (look_ns < PV_RING_IDLE_LOOK_MAX_NS)
         look_ns *= 2;
   }
   pv_trace_end(slept, "ring", "sleep", NULL);
   if (slept)
      pv_trace_instant("ring", ring->stop ? "stop" : "wake-up", NULL);
   ring->idle = false;
   ring->pending_notify = false;
   clear_status(ring, PV_RING_STATUS_IDLE);
   const bool stop = ring->stop;
   mtx_unlock(&ring->mutex);
   return !stop;
}

static int
ring_thread(void *arg)
{
   struct pv_ring *ring = arg;
   struct pv_context *ctx = ring->ctx;
   pv_log_set_label(ctx->label);
   char name[16];
   snprintf(name, sizeof(name), "pv-ring-%u", ctx->id);
   pthread_setname_np(pthread_self(), name);
   if (pv_trace_on()) {
      char trace_name[48];
      snprintf(trace_name, sizeof(trace_name), "ring 0x%" PRIx64, ring->params.id);
      pv_trace_name_thread(trace_name);
   }
   if (ring->params.priority && setpriority(PRIO_PROCESS, 0, ring->params.priority) < 0)
      pv_debug(PV_CAT_RING, "ring priority %d not applied: %m", ring->params.priority);

   /* sleeps as short as asked: the default slack (50 us) would be most of
    * the sleep */
   prctl(PR_SET_TIMERSLACK, 1000ul, 0, 0, 0);
   uint64_t last_work = pv_now_ns();
   struct pv_ring_timeline timeline = { 0 };
   while (!should_stop(ring)) {
      const uint32_t tail = atomic_load_explicit(ring->tail, memory_order_acquire);
      if (tail != ring->cur) {
         if (pv_log_debug_enabled(PV_CAT_TIME)) {
            /* where the time goes between guest and ring */
            const uint64_t t0 = pv_now_ns();
            const uint32_t pending = tail - ring->cur;
            const bool ok = run_pending(ring, tail);
            pv_ring_timeline_add(&timeline, pending, t0 - last_work, pv_now_ns() - t0);
            if (!ok)
               break;
         } else if (!run_pending(ring, tail)) {
            break;
         }
         last_work = pv_now_ns();
         continue;
      }
      const uint64_t since_work = pv_now_ns() - last_work;
      if (since_work >= ring->params.idle_timeout_ns) {
         if (!idle_wait(ring))
            break;
         last_work = pv_now_ns();
         continue;
      }
      relax(since_work);
   }

   if (timeline.count)
      pv_ring_timeline_report(&timeline, ring->params.id);
   if (pv_fatal_is_set(&ctx->fatal))
      pv_ring_set_status(ring, PV_RING_STATUS_FATAL);
   mtx_lock(&ring->mutex);
   ring->stopped = true;
   cnd_broadcast(&ring->head_cond);
   mtx_unlock(&ring->mutex);
   return 0;
}

bool
pv_ring_start(struct pv_ring *ring)
{
   ring->started = thrd_create(&ring->thread, ring_thread, ring) == thrd_success;
   return ring->started;
}

void
pv_ring_destroy(struct pv_ring *ring)
{
   if (!ring)
      return;
   if (ring->started) {
      mtx_lock(&ring->mutex);
      ring->stop = true;
      atomic_store(&ring->stopping, true);
      cnd_broadcast(&ring->cond);
      mtx_unlock(&ring->mutex);
      thrd_join(ring->thread, NULL);
   }
   /* what it ran stays in its context's totals */
   atomic_fetch_add(&ring->ctx->gone_ring_commands, atomic_load(&ring->dispatch.commands));
   atomic_fetch_add(&ring->ctx->gone_ring_bytes, atomic_load(&ring->dispatch.bytes));
   pv_dispatch_fini(&ring->dispatch);
   pv_resource_unref(ring->res);
   cnd_destroy(&ring->head_cond);
   cnd_destroy(&ring->cond);
   mtx_destroy(&ring->mutex);
   free(ring->cmd);
   free(ring);
}

void
pv_ring_wake_if_idle(struct pv_ring *ring)
{
   mtx_lock(&ring->mutex);
   if (ring->idle) {
      ring->pending_notify = true;
      cnd_broadcast(&ring->cond);
   }
   mtx_unlock(&ring->mutex);
}

void
pv_ring_notify(struct pv_ring *ring)
{
   mtx_lock(&ring->mutex);
   ring->pending_notify = true;
   cnd_broadcast(&ring->cond);
   mtx_unlock(&ring->mutex);
}

bool
pv_ring_write_extra(struct pv_ring *ring, uint64_t offset, uint32_t value)
{
   if (offset % 4 || offset > ring->extra_size || ring->extra_size - offset < 4)
      return false;
   atomic_store_explicit(&ring->extra[offset / 4], value, memory_order_release);
   return true;
}

void
pv_ring_submit_virtqueue_seqno(struct pv_ring *ring, uint64_t seqno)
{
   mtx_lock(&ring->mutex);
   ring->virtqueue_seqno = seqno;
   cnd_broadcast(&ring->cond);
   mtx_unlock(&ring->mutex);
}

bool
pv_ring_wait_virtqueue_seqno(struct pv_ring *ring, uint64_t seqno)
{
   /* an inline replay has no one else to submit it: go on */
   if (!ring->started)
      return true;
   mtx_lock(&ring->mutex);
   while (!ring->stop && ring->virtqueue_seqno < seqno) {
      /* the guest decides when the seqno comes: no hang of the host's */
      pv_dispatch_heartbeat(&ring->dispatch);
      const struct timespec until = pv_deadline_utc(1000000000u);
      cnd_timedwait(&ring->cond, &ring->mutex, &until);
   }
   const bool ok = !ring->stop;
   mtx_unlock(&ring->mutex);
   return ok;
}

bool
pv_ring_wait_seqno(struct pv_ring *ring, uint32_t seqno, struct pv_dispatch *waiter)
{
   const uint32_t tail = atomic_load_explicit(ring->tail, memory_order_acquire);
   if (!pv_ring_seqno_ge(tail, seqno)) {
      pv_fatal_set(&ring->ctx->fatal, "waits for seqno %u of ring 0x%" PRIx64
                   " whose tail is only %u", seqno, ring->params.id, tail);
      return false;
   }
   if (!ring->started) /* inline replay: the ring has run all it was given */
      return pv_ring_seqno_ge(atomic_load_explicit(ring->head, memory_order_acquire), seqno);
   bool ok = true;
   const uint64_t waited = pv_trace_begin();
   mtx_lock(&ring->mutex);
   atomic_fetch_add(&ring->head_waiters, 1);
   for (;;) {
      const uint32_t head = atomic_load_explicit(ring->head, memory_order_acquire);
      if (pv_ring_seqno_ge(head, seqno))
         break;
      if (ring->stopped || pv_fatal_is_set(&ring->ctx->fatal) || pv_dispatch_stopping(waiter)) {
         ok = false;
         break;
      }
      pv_dispatch_heartbeat(waiter);
      if (ring->idle) {
         ring->pending_notify = true;
         cnd_broadcast(&ring->cond);
      }
      const struct timespec until = pv_deadline_utc(5 * 1000 * 1000);
      cnd_timedwait(&ring->head_cond, &ring->mutex, &until);
   }
   atomic_fetch_sub(&ring->head_waiters, 1);
   mtx_unlock(&ring->mutex);
   pv_trace_end(waited, "wait", "ring seqno", NULL);
   return ok;
}

/* -- replays: the guest's side ---------------------------------------------- */

static bool
feed_wait(struct pv_ring *ring, uint64_t deadline_ns, uint32_t want_free, uint32_t want_head)
{
   for (;;) {
      const uint32_t head = atomic_load_explicit(ring->head, memory_order_acquire);
      const uint32_t tail = atomic_load_explicit(ring->tail, memory_order_relaxed);
      if (want_free ? tail - head <= ring->buffer_size - want_free
                    : pv_ring_seqno_ge(head, want_head))
         return true;
      mtx_lock(&ring->mutex);
      const bool stopped = ring->stopped;
      mtx_unlock(&ring->mutex);
      if (stopped || pv_fatal_is_set(&ring->ctx->fatal) || pv_now_ns() >= deadline_ns)
         return false;
      pv_ring_notify(ring);
      const struct timespec ts = { .tv_nsec = 100 * 1000 };
      nanosleep(&ts, NULL);
   }
}

bool
pv_ring_feed(struct pv_ring *ring, const void *data, size_t size, uint32_t timeout_ms)
{
   if (!size || size > ring->buffer_size)
      return false;
   if (!ring->started) {
      /* inline: as if the guest had written it and the ring thread had
       * copied it out (one copy, as in service; the shared buffer is left
       * alone, so that a replay measures the renderer and not itself) */
      const uint32_t tail = ring->cur + (uint32_t)size;
      atomic_store_explicit(ring->tail, tail, memory_order_relaxed);
      memcpy(ring->cmd, data, size);
      return run_copied(ring, tail, (uint32_t)size);
   }
   const uint64_t deadline = pv_now_ns() + (uint64_t)timeout_ms * 1000000u;
   if (!feed_wait(ring, deadline, (uint32_t)size, 0))
      return false;
   /* the replay is the ring's only writer: the shared buffer is its to fill */
   uint8_t *buffer = (uint8_t *)ring->buffer;
   const uint32_t tail = atomic_load_explicit(ring->tail, memory_order_relaxed);
   const uint32_t offset = tail & (ring->buffer_size - 1);
   const uint32_t first = ring->buffer_size - offset < size ? ring->buffer_size - offset
                                                             : (uint32_t)size;
   memcpy(buffer + offset, data, first);
   memcpy(buffer, (const uint8_t *)data + first, size - first);
   const uint32_t new_tail = tail + (uint32_t)size;
   atomic_store_explicit(ring->tail, new_tail, memory_order_seq_cst);
   pv_ring_notify(ring);
   return feed_wait(ring, deadline, 0, new_tail);
}
