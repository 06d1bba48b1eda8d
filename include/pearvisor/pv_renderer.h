/* SPDX-License-Identifier: MIT */
#ifndef PEARVISOR_PV_RENDERER_H
#define PEARVISOR_PV_RENDERER_H

/* PearVisor GPU renderer core: the host side of Mesa's Venus protocol.
 *
 * A front end (the vtest server in this tree, or a VMM's virtio-gpu device)
 * creates one renderer per process and one context per guest context, feeds
 * each context the command streams its guest submits, creates the blob
 * resources its guest asks for, and is told through a callback when the
 * fences it submitted retire.
 *
 * Threading: every function may be called from any thread, but the calls
 * for one context must not overlap (a front end serves a context from one
 * thread).  Callbacks may come from the context's internal threads.
 *
 * Errors: functions return 0 or a negative errno.  A guest that sends a bad
 * stream does not make a call fail: its context becomes "fatal" (see
 * pv_context_is_fatal), logs why, and ignores further work; the front end
 * then drops that guest.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* virtio-gpu capset id of Venus */
#define PV_CAPSET_VENUS 4u

/* number of fence timelines (ring_idx values) a context offers */
#define PV_MAX_TIMELINES 64u

/* blob types and flags, as virtio-gpu and vtest define them */
#define PV_BLOB_TYPE_GUEST 1u
#define PV_BLOB_TYPE_HOST3D 2u
#define PV_BLOB_TYPE_HOST3D_GUEST 3u
#define PV_BLOB_FLAG_MAPPABLE 0x1u
#define PV_BLOB_FLAG_SHAREABLE 0x2u
#define PV_BLOB_FLAG_CROSS_DEVICE 0x4u

struct pv_renderer;
struct pv_context;

/* Limits applied to every context; zero fields take the defaults. */
struct pv_renderer_config {
   size_t scratch_bytes;     /* decode scratch per command stream */
   uint32_t max_objects;     /* Vulkan objects per context */
   uint64_t max_blob_bytes;  /* shared-memory blob bytes per context */
   uint32_t max_rings;       /* rings per context */
   uint64_t max_memory_bytes; /* device memory per context; 0: no limit of ours */
   uint32_t max_in_flight;   /* fences submitted and not yet retired per context */
   uint32_t hang_timeout_ms; /* a command running longer is reported through
                                callbacks.hung; 0: never */
   bool validate;            /* run the host instance with the Khronos validation
                                layer and log what it reports */
   const char *capture_dir;  /* write every command stream executed there */
};

struct pv_context_callbacks {
   void *data;
   /* A fence given to pv_context_submit_fence() retired.  Fences of one
    * ring_idx retire in the order they were submitted. */
   void (*retire_fence)(void *data, uint32_t ring_idx, uint64_t fence_id);
   /* A command of the context has been running for `seconds`, longer than
    * the hang timeout: the host driver hangs.  The front end decides (the
    * vtest server ends the context's process).  From the watchdog thread. */
   void (*hung)(void *data, const char *command, uint32_t seconds);
   /* Optional: whether the guest has gone away (its connection closed).
    * Waits on the guest's behalf poll it and give up, so that a guest that
    * leaves in the middle of an endless wait does not pin its context. */
   bool (*guest_gone)(void *data);
};

enum pv_blob_fd_type {
   PV_BLOB_FD_SHM,     /* memfd: map it at offset 0 */
   PV_BLOB_FD_DMABUF,
   PV_BLOB_FD_OPAQUE,
};

struct pv_blob {
   int fd;                   /* owned by the caller */
   enum pv_blob_fd_type fd_type;
   uint64_t size;
};

int pv_renderer_create(const struct pv_renderer_config *config, struct pv_renderer **out);
void pv_renderer_destroy(struct pv_renderer *renderer);

/* Optional: does once, on a throwaway instance and device, what the host
 * driver does once per process (loading, compiler and cache set-up), so
 * that the first guest context does not wait for it.  0 on success. */
int pv_renderer_warm(struct pv_renderer *renderer);

/* Copies the capset into `data` (up to `size` bytes); returns the capset's
 * full size, or 0 when the id or version is unknown. */
size_t pv_renderer_get_capset(const struct pv_renderer *renderer, uint32_t capset_id,
                              uint32_t version, void *data, size_t size);

/* `name` is the guest's process name, used in log lines. */
int pv_context_create(struct pv_renderer *renderer, uint32_t ctx_id, const char *name,
                      const struct pv_context_callbacks *callbacks, struct pv_context **out);
/* Stops the context's threads and frees every host object it still holds. */
void pv_context_destroy(struct pv_context *ctx);

/* Executes a command stream on the context's own dispatch (not a ring). */
int pv_context_submit_cmd(struct pv_context *ctx, const void *data, size_t size);

/* Retires `fence_id` on timeline `ring_idx` once all work submitted before
 * it on that timeline is done; ring_idx 0 retires at once. */
int pv_context_submit_fence(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id);

/* Creates blob resource `res_id`.  blob_id 0 is shared memory for rings and
 * replies; otherwise blob_id names a VkDeviceMemory of the guest. */
int pv_context_create_blob(struct pv_context *ctx, uint32_t res_id, uint32_t blob_type,
                           uint32_t blob_flags, uint64_t blob_id, uint64_t size,
                           struct pv_blob *out);
void pv_context_unref_resource(struct pv_context *ctx, uint32_t res_id);

/* The renderer's own mapping of a blob resource: the very memory the guest
 * maps (for a VMM to place in the guest's address space).  Valid until the
 * resource is unref'd. */
int pv_context_map_resource(struct pv_context *ctx, uint32_t res_id, void **ptr,
                            uint64_t *size);

bool pv_context_is_fatal(const struct pv_context *ctx);

/* Shows a fatal context's state to the guest: every ring's status gets
 * FATAL, which Mesa checks when it submits and while it waits. */
void pv_context_show_fatal(struct pv_context *ctx);
/* Why the context became fatal (the first reason), or NULL. */
const char *pv_context_fatal_reason(const struct pv_context *ctx);

#ifdef __cplusplus
}
#endif

#endif /* PEARVISOR_PV_RENDERER_H */
