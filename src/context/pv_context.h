/* SPDX-License-Identifier: MIT */
#ifndef PV_CONTEXT_H
#define PV_CONTEXT_H

/* A guest context: one Vulkan instance, its objects, blob resources, rings.
 *
 * Threads (see docs/architecture.md):
 *  - the front end's thread calls pv_context_submit_cmd & co and runs the
 *    context's own dispatch (`dispatch`);
 *  - each ring has a thread that runs the commands the guest writes into it;
 *  - a monitor thread sets the ALIVE bit of monitored rings.
 * Lock order: ring_mutex, then resource_mutex, then the object table's.
 * No lock is held across a call into the host Vulkan driver.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

#include "pearvisor/pv_renderer.h"

#include "context/pv_backing_cache.h"
#include "cs/pv_arena.h"
#include "cs/pv_fatal.h"
#include "object/pv_object.h"
#include "util/pv_id_map.h"
#include "util/pv_list.h"
#include "vk/pv_vk_table.h"

struct pv_capture;
struct pv_dispatch;
struct pv_instance;
struct pv_queue;
struct pv_resource;
struct pv_ring;
struct pv_stats_slot;

#define PV_DEFAULT_SCRATCH_BYTES ((size_t)256 << 20)
#define PV_DEFAULT_MAX_OBJECTS (1u << 20)
#define PV_DEFAULT_MAX_BLOB_BYTES ((uint64_t)4 << 30)
#define PV_DEFAULT_MAX_RINGS 64u
#define PV_DEFAULT_MAX_IN_FLIGHT 4096u
#define PV_DEFAULT_HANG_TIMEOUT_S 120u

/* Quotas that answer the guest with an error (logged once per context). */
#define PV_QUOTA_OBJECTS 0x1u
#define PV_QUOTA_MEMORY 0x2u
#define PV_QUOTA_BLOB 0x4u
#define PV_QUOTA_UNSHARED 0x8u /* not a quota: memory refused as a blob, logged once */

/* True the first time `quota` is hit in the context: log it then. */
#define pv_context_quota_first_hit(ctx, quota)                                                 \
   (!(atomic_fetch_or(&(ctx)->quotas_logged, (quota)) & (quota)))

struct pv_kept_instance;

/* What a throwaway device said of host-pointer imports (pv_memory_probe.c). */
struct pv_import_probe {
   uint32_t vendor_id, device_id, driver_version;
   uint8_t cache_uuid[VK_UUID_SIZE];
   uint32_t types; /* memory types that accept the renderer's shared memory */
};
#define PV_MAX_IMPORT_PROBES 8
#define PV_DRIVER_LIBRARIES_MAX 2048

struct pv_renderer {
   struct pv_renderer_config config; /* defaults filled in */
   mtx_t mutex;                      /* guards the global table's loading, import_probes,
                                        kept_instance */
   bool vk_loaded;
   struct pv_vk_table vk;            /* global entry points */
   uint32_t loader_version;          /* vkEnumerateInstanceVersion of the host */
   struct pv_import_probe import_probes[PV_MAX_IMPORT_PROBES];
   VkInstance warm_instance;         /* the warm-up's, kept loaded (pv_warm.c) */
   /* a guest's host instance, for its next one (pv_instance_keep.c) */
   struct pv_kept_instance *kept_instance;
   uint32_t import_probe_count;
   /* the host driver's libraries the warm-up's instance loaded (ICDs and
    * layers): NUL-terminated absolute paths one after another */
   char driver_libraries[PV_DRIVER_LIBRARIES_MAX];
   uint32_t driver_libraries_len;
   /* test-only fault injection from PV_FAULT (pv_renderer_create) */
   const char *fault_command;        /* owned; NULL: none */
   bool fault_hang;                  /* hang:<command> (else crash:<command>) */
   bool fault_lost;                  /* lost:<command>: the host device is lost there */
   bool fault_no_blob;               /* blob: no device memory can back a blob */
};

/* The host-pointer import answers this process has, to hand to processes
 * started later (at most `max`; returns how many). */
uint32_t pv_renderer_import_probes(struct pv_renderer *renderer, struct pv_import_probe *out,
                                   uint32_t max);
/* Answers another process of the same server found with the same host
 * driver: devices they describe need no throwaway device here. */
void pv_renderer_learn_import_probes(struct pv_renderer *renderer,
                                     const struct pv_import_probe *probes, uint32_t count);

/* Loads the libraries a warm-up found (driver_libraries' format) into this
 * process, so that processes forked from it later start
 * with the host driver's code loaded and relocated; how many were loaded. */
int pv_preload_driver_libraries(const char *paths, size_t len);

/* Loads the host loader's global entry points once; false if unusable. */
bool pv_renderer_load_vulkan(struct pv_renderer *renderer);

struct pv_context {
   struct pv_renderer *renderer; /* borrowed */
   uint32_t id;
   char name[64];                /* the guest process's name */
   char label[96];               /* "ctx <id> <name>", for log lines */
   struct pv_context_callbacks callbacks;
   struct pv_fatal fatal;
   struct pv_object_table objects;
   struct pv_dispatch *dispatch; /* owned: the context's own dispatch */
   struct pv_capture *capture;   /* owned; NULL unless config.capture_dir */
   bool rings_inline;            /* replays: rings get no thread; their chunks run on
                                    the replaying thread (pv_ring_feed) */
   atomic_uint quotas_logged;    /* PV_QUOTA_* bits: hit, logged once each */
   atomic_uint_least64_t memory_bytes; /* device memory allocated */
   atomic_uint in_flight;        /* fences submitted to queues, not yet retired */
   /* decode scratch of all its decoders together (transport, rings, nested
    * streams), within config.scratch_bytes */
   struct pv_arena_budget scratch;

   /* freed host-visible memory's backings, for the next allocations */
   struct pv_backing_cache spare_backings;
   mtx_t resource_mutex;         /* guards resources */
   struct pv_id_map resources;   /* res_id -> struct pv_resource (a reference) */
   /* changes whenever an id is added or removed (under resource_mutex):
    * while it stays, an id names the same resource as before */
   atomic_uint resources_generation;
   _Atomic uint64_t blob_bytes;  /* shared-memory blobs alive, referenced or not */

   mtx_t ring_mutex;             /* guards rings, monitor_* */
   struct pv_list rings;         /* struct pv_ring, owned */
   uint32_t ring_count;
   cnd_t monitor_cond;
   thrd_t monitor_thread;
   bool monitor_running;
   bool monitor_stop;

   mtx_t instance_mutex;         /* guards instance */
   struct pv_instance *instance; /* the one instance; owned by `objects` */

   /* the hang watchdog (renderer->config.hang_timeout_ms) */
   thrd_t watchdog_thread;
   bool watchdog_running;
   bool watchdog_stop;           /* guarded by ring_mutex */

   /* live statistics (src/stats): NULL unless the front end attached a
    * slot; the counts of rings gone, kept for the totals */
   struct pv_stats_slot *stats;
   _Atomic uint64_t gone_ring_commands, gone_ring_bytes;

   mtx_t timeline_mutex;         /* guards timelines */
   struct pv_queue *timelines[PV_MAX_TIMELINES]; /* ring_idx -> bound queue */
};

/* A reference to resource `res_id`, or NULL. */
struct pv_resource *pv_context_get_resource(struct pv_context *ctx, uint32_t res_id);

/* Fence timelines: ring_idx 1..63 can each be bound to one queue. */
bool pv_context_bind_timeline(struct pv_context *ctx, uint32_t ring_idx,
                              struct pv_queue *queue);
void pv_context_unbind_timeline(struct pv_context *ctx, uint32_t ring_idx,
                                struct pv_queue *queue);

/* Publishes the context's counters into `slot` from now on, a few times a
 * second and at its end (pearvisor-gpu stats).  Call before the context
 * runs commands; the slot outlives the context. */
void pv_context_attach_stats(struct pv_context *ctx, struct pv_stats_slot *slot);

/* Ring bookkeeping (src/ring). */
struct pv_ring *pv_context_find_ring(struct pv_context *ctx, uint64_t ring_id);
bool pv_context_add_ring(struct pv_context *ctx, struct pv_ring *ring);
/* Wakes ring `ring_id` if it is still there and asleep (from any thread:
 * the lookup and the wake-up hold the ring list's lock, so the ring cannot
 * be destroyed in between). */
void pv_context_wake_ring(struct pv_context *ctx, uint64_t ring_id);
/* Removes, stops and destroys a ring; false if unknown. */
bool pv_context_destroy_ring(struct pv_context *ctx, uint64_t ring_id);
/* (Re)computes the monitor period and starts or wakes the monitor thread. */
void pv_context_update_monitor(struct pv_context *ctx);

#endif /* PV_CONTEXT_H */
