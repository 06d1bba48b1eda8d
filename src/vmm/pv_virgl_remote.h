/* SPDX-License-Identifier: MIT */
#ifndef PV_VIRGL_REMOTE_H
#define PV_VIRGL_REMOTE_H

/* A guest context in a process of its own: the library starts
 * `pearvisor-gpu serve-fd` on one end of a socket pair and speaks vtest to it,
 * so that a host-driver crash a guest provokes ends that process, not the
 * VMM.  Blobs come back as file descriptors the VMM maps, as with vtest. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct pv_remote {
   int fd;
   pid_t pid;
   bool gone; /* the process ended or broke the protocol: nothing more is sent */
};

/* Starts `helper serve-fd` for context `ctx_id` named `name`; 0 or -errno. */
int pv_remote_start(struct pv_remote *r, const char *helper, uint32_t ctx_id, const char *name);
/* Closes the connection and reaps the process. */
void pv_remote_stop(struct pv_remote *r);

/* A command stream; 0, or -EPIPE once the process is gone. */
int pv_remote_submit(struct pv_remote *r, const void *data, uint32_t dwords);
/* A blob under the VMM's resource id; its file descriptor is the caller's.
 * A refusal ends the process (vtest has no error answer for blobs). */
int pv_remote_create_blob(struct pv_remote *r, uint32_t res_id, uint32_t type, uint32_t flags,
                          uint64_t size, uint64_t blob_id, int *fd);
void pv_remote_unref(struct pv_remote *r, uint32_t res_id);
/* Returns once the process has run everything sent before (a round trip). */
void pv_remote_sync(struct pv_remote *r);
/* A fence on timeline `ring_idx`: a sync set to 1 when it retires. */
int pv_remote_fence(struct pv_remote *r, uint32_t ring_idx, uint32_t *sync_id);
/* Whether that sync was set; frees it when it was.  A gone process counts
 * as retired (nothing will ever signal it). */
bool pv_remote_fence_retired(struct pv_remote *r, uint32_t sync_id);

#endif /* PV_VIRGL_REMOTE_H */
