/* SPDX-License-Identifier: MIT */
#ifndef PV_RING_H
#define PV_RING_H

/* A Venus ring: a guest-written command buffer in shared memory, consumed by
 * a renderer thread.
 *
 * Shared control words (each u32, 4-byte aligned, in the ring's resource):
 *   tail    written by the guest (release), read here (acquire): bytes the
 *           guest has written so far, free-running
 *   head    written here (release) after every command: bytes consumed so
 *           far; the guest's only signal that replies are ready
 *   status  bits set here with atomic OR: IDLE, FATAL, ALIVE (the guest
 *           clears ALIVE)
 * The ring thread copies new commands out of shared memory before decoding
 * them, so the guest cannot change bytes between check and use.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <threads.h>

#include "context/pv_dispatch.h"
#include "util/pv_list.h"

struct pv_context;
struct pv_resource;

#define PV_RING_STATUS_IDLE 0x1u
#define PV_RING_STATUS_FATAL 0x2u
#define PV_RING_STATUS_ALIVE 0x4u

#define PV_RING_MAX_BUFFER_SIZE (16u << 20)

/* Where the parts of a ring lie in its resource (absolute offsets). */
struct pv_ring_layout {
   struct pv_resource *res; /* borrowed until pv_ring_create takes a ref */
   size_t head, tail, status;
   size_t buffer, buffer_size;
   size_t extra, extra_size;
};

struct pv_ring_params {
   uint64_t id;
   uint64_t idle_timeout_ns;
   uint32_t monitor_period_us; /* 0: not monitored */
   int32_t priority;           /* nice value of the ring thread */
};

/* Validates a guest-described layout: every region inside the resource's
 * window [offset, offset + size), 4-byte aligned, pairwise disjoint; the
 * buffer a power of two no larger than PV_RING_MAX_BUFFER_SIZE.  On failure
 * writes the reason to `why`. */
bool pv_ring_layout_init(struct pv_ring_layout *layout, struct pv_resource *res,
                         uint64_t offset, uint64_t size, uint64_t head, uint64_t tail,
                         uint64_t status, uint64_t buffer, uint64_t buffer_size,
                         uint64_t extra, uint64_t extra_size, char *why, size_t why_size);

struct pv_ring {
   struct pv_list link;        /* in ctx->rings */
   struct pv_context *ctx;     /* borrowed */
   struct pv_ring_params params;
   struct pv_resource *res;    /* a reference */
   atomic_uint *head;          /* shared; see above */
   atomic_uint *tail;
   atomic_uint *status;
   const uint8_t *buffer;      /* shared */
   uint32_t buffer_size;       /* power of two */
   atomic_uint *extra;         /* shared */
   size_t extra_size;
   uint32_t cur;               /* bytes consumed; ring thread only */
   /* The queue (a guest id) the ring's commands last submitted work to
    * since it last went to sleep; 0: none.  Ring thread only.  A ring
    * going to sleep with work in flight is woken when that work is done:
    * the guest, which learns of it from its own fence feedback, then finds
    * the ring awake and its next submission needs no notify (a sleeping
    * ring's wake-up by notify took 40-300 us, more than the guest's own
    * polling). */
   uint64_t submitted_queue;
   atomic_bool wake_armed;     /* such a wake-up is pending */
   uint8_t *cmd;               /* owned: private copy of pending commands */
   struct pv_dispatch dispatch;

   thrd_t thread;
   mtx_t mutex;                /* guards the fields below */
   cnd_t cond;                 /* notify, virtqueue seqno, stop */
   cnd_t head_cond;            /* head moved (for vkWaitRingSeqnoMESA) */
   bool started;
   bool stop;
   atomic_bool stopping;       /* `stop`, readable without the mutex */
   bool pending_notify;
   bool idle;
   bool stopped;               /* the thread has exited */
   uint64_t virtqueue_seqno;
   atomic_uint head_waiters;   /* threads in pv_ring_wait_seqno */
};

struct pv_ring *pv_ring_create(struct pv_context *ctx, const struct pv_ring_layout *layout,
                               const struct pv_ring_params *params);
bool pv_ring_start(struct pv_ring *ring);
/* Stops and joins the thread (a blocked wait is interrupted), then frees. */
void pv_ring_destroy(struct pv_ring *ring);

void pv_ring_notify(struct pv_ring *ring);
/* Ends the ring's sleep, if it sleeps (a wake-up while awake is dropped:
 * as a notify it would skip the ring's next sleep). */
void pv_ring_wake_if_idle(struct pv_ring *ring);
bool pv_ring_write_extra(struct pv_ring *ring, uint64_t offset, uint32_t value);
void pv_ring_submit_virtqueue_seqno(struct pv_ring *ring, uint64_t seqno);
/* On the ring's own thread: waits until the virtqueue seqno reaches `seqno`. */
bool pv_ring_wait_virtqueue_seqno(struct pv_ring *ring, uint64_t seqno);
/* On the context's thread (its dispatch `waiter`): waits until the ring's
 * head reaches `seqno`.  The ring's own dispatch is what the hang watchdog
 * watches; the waiter only waits for it. */
struct pv_dispatch;
bool pv_ring_wait_seqno(struct pv_ring *ring, uint32_t seqno, struct pv_dispatch *waiter);
void pv_ring_set_status(struct pv_ring *ring, uint32_t bits);

/* Replays only (pv_capture.c): writes a chunk of commands into the ring as a
 * guest would (waiting for room, then publishing tail and notifying) and
 * waits until the ring has consumed it, for at most `timeout_ms` in all.
 * False on timeout, or once the ring stopped or the context is fatal. */
bool pv_ring_feed(struct pv_ring *ring, const void *data, size_t size, uint32_t timeout_ms);

/* Index arithmetic, exposed for unit tests. */
static inline bool
pv_ring_seqno_ge(uint32_t a, uint32_t b)
{
   /* seqnos are free-running byte counters; compare across wrap-around */
   return (int32_t)(a - b) >= 0;
}

/* Copies `size` bytes starting at free-running position `pos` out of a ring
 * buffer of power-of-two size `buffer_size`, wrapping at its end. */
void pv_ring_copy_out(const uint8_t *buffer, uint32_t buffer_size, uint32_t pos,
                      uint8_t *dst, uint32_t size);

#endif /* PV_RING_H */
