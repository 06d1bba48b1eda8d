/* SPDX-License-Identifier: MIT */
#ifndef PV_VIRGL_REMOTE_H
#define PV_VIRGL_REMOTE_H

/* A guest context in a process of its own: the library starts
 * `pearvisor-gpu serve-fd` on one end of a socket pair and speaks vtest to it,
 * so that a host-driver crash a guest provokes ends that process, not the
 * VMM.  Blobs come back as file descriptors the VMM maps, as with vtest.
 *
 * Each context has a worker thread of its own that does all the talking to
 * its process: the VMM's calls only queue work for it (a blob, whose file
 * descriptor the VMM needs in the answer, is the one call that waits for
 * the process).  A process that hangs therefore holds up its own worker and
 * nothing else: not the VMM's thread, not the other contexts.
 *
 * Fences retire through the worker too: each timeline (ring_idx) has a
 * vtest sync the process raises to the fence's number when the fence
 * retires, and the worker keeps a SYNC_WAIT on the oldest fence of every
 * busy timeline, so it learns of retirement from the process without
 * asking again and again. */

#include <stdbool.h>
#include <stdint.h>

struct pv_remote;

/* Called from the context's worker thread, never with a lock of the remote
 * held; they must not block for long (the front end queues and returns). */
struct pv_remote_callbacks {
   void *data;
   /* A fence given to pv_remote_fence() retired, in the order given per
    * ring_idx.  Once the process is gone, every fence counts as retired
    * (nothing will ever raise it, and its guest must not wait for ever). */
   void (*retired)(void *data, uint32_t ring_idx, uint64_t fence_id);
   /* The process has run everything queued before pv_remote_sync(`seq`)
    * (or it is gone). */
   void (*synced)(void *data, uint64_t seq);
};

/* Starts `helper serve-fd` for context `ctx_id` named `name`, and its
 * worker; 0 or -errno.  The process is not waited for: the handshake is the
 * worker's first job, and a process that does not start is gone. */
int pv_remote_start(const char *helper, uint32_t ctx_id, const char *name,
                    const struct pv_remote_callbacks *cb, struct pv_remote **out);
/* Ends the context without waiting: no callback is made once the worker
 * sees it (the front end must still ignore one already under way), the
 * process is told to end, and the worker reaps it, killing it if it does
 * not end within a grace period (a hung host driver never reads again). */
void pv_remote_stop(struct pv_remote *r);
/* Whether the worker has finished after pv_remote_stop(). */
bool pv_remote_finished(struct pv_remote *r);
/* Waits for the worker (pv_remote_stop() first) and frees everything. */
void pv_remote_free(struct pv_remote *r);

/* A command stream, queued; -EPIPE once the process is known to be gone. */
int pv_remote_submit(struct pv_remote *r, const void *data, uint32_t dwords);
/* A fence on timeline `ring_idx` (< PV_MAX_TIMELINES), queued. */
int pv_remote_fence(struct pv_remote *r, uint32_t ring_idx, uint64_t fence_id);
/* Sync point `seq` (increasing), queued: callbacks.synced follows once the
 * process has run everything queued before it. */
int pv_remote_sync(struct pv_remote *r, uint64_t seq);
/* A blob under the VMM's resource id; its file descriptor is the caller's.
 * Waits for the process's answer (the caller's thread only).  A refusal
 * ends the process (vtest has no error answer for blobs). */
int pv_remote_create_blob(struct pv_remote *r, uint32_t res_id, uint32_t type, uint32_t flags,
                          uint64_t size, uint64_t blob_id, int *fd);
/* Queued. */
void pv_remote_unref(struct pv_remote *r, uint32_t res_id);

#endif /* PV_VIRGL_REMOTE_H */
