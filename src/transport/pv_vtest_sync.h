/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_SYNC_H
#define PV_VTEST_SYNC_H

/* vtest sync objects: 64-bit counters the server owns for its client.
 *
 * The client creates, reads and writes them, waits on them (SYNC_WAIT gives
 * it an eventfd that becomes readable when the wait is satisfied), and
 * attaches them to submissions: a batch with syncs on timeline ring_idx sets
 * each sync to its value once the renderer retires the batch's fence.
 * Everything is guarded by one mutex, since fences may retire on renderer
 * threads.
 */

#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

#include "pearvisor/pv_renderer.h"
#include "util/pv_id_map.h"
#include "util/pv_list.h"

#define PV_VTEST_MAX_SYNCS 65536u
#define PV_VTEST_MAX_WAITS 4096u
#define PV_VTEST_MAX_PENDING_FENCES 65536u

struct pv_vtest_sync_value {
   uint32_t id;
   uint64_t value;
};

struct pv_vtest_syncs {
   mtx_t mutex;                 /* guards everything below */
   struct pv_id_map syncs;      /* id -> struct pv_vtest_sync, owned */
   uint32_t next_id;
   struct pv_list waits;        /* struct pv_vtest_wait, owned */
   uint32_t wait_count;
   struct pv_list timelines[PV_MAX_TIMELINES]; /* pending fences, oldest first */
   uint32_t pending_fences;
   uint64_t next_fence_id;
};

bool pv_vtest_syncs_init(struct pv_vtest_syncs *s);
void pv_vtest_syncs_fini(struct pv_vtest_syncs *s);

/* 0 when the quota is reached. */
uint32_t pv_vtest_sync_create(struct pv_vtest_syncs *s, uint64_t value);
bool pv_vtest_sync_unref(struct pv_vtest_syncs *s, uint32_t id);
bool pv_vtest_sync_read(struct pv_vtest_syncs *s, uint32_t id, uint64_t *value);
bool pv_vtest_sync_write(struct pv_vtest_syncs *s, uint32_t id, uint64_t value);

/* The read end of a pipe that becomes readable once all (or, with `any`,
 * one) of the syncs reach their values, and hangs up if the wait is
 * dropped unsatisfied (the client is gone, this process ends); -errno when
 * a sync is unknown or over quota.  The wait is dropped a grace period
 * after `timeout_ms` (UINT32_MAX: never). */
int pv_vtest_sync_wait(struct pv_vtest_syncs *s, bool any, uint32_t timeout_ms,
                       const struct pv_vtest_sync_value *entries, uint32_t count);
#define PV_VTEST_WAIT_GRACE_MS 2000

/* A wait answer that hangs up at once: Mesa's poll of it returns
 * VK_ERROR_DEVICE_LOST to the application. */
int pv_vtest_sync_lost_fd(void);

/* Queues the syncs of a batch on timeline `ring_idx`; returns the fence id
 * to submit to the renderer, 0 when over quota. */
uint64_t pv_vtest_fence_add(struct pv_vtest_syncs *s, uint32_t ring_idx,
                            const struct pv_vtest_sync_value *entries, uint32_t count);
/* Signals the syncs of every fence up to `fence_id` on `ring_idx`. */
void pv_vtest_fence_retire(struct pv_vtest_syncs *s, uint32_t ring_idx, uint64_t fence_id);

/* Milliseconds until the next wait expires (-1: none); drops expired waits. */
int pv_vtest_syncs_expire(struct pv_vtest_syncs *s);

#endif /* PV_VTEST_SYNC_H */
