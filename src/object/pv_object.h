/* SPDX-License-Identifier: MIT */
#ifndef PV_OBJECT_H
#define PV_OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <stdatomic.h>
#include <threads.h>

#include <vulkan/vulkan_core.h>

#include "util/pv_cpu.h"
#include "util/pv_list.h"

struct pv_vk_table;

/* A guest-visible Vulkan object.
 *
 * The guest names every object with a 64-bit id of its choosing; the context's
 * table maps that id to this struct.  Handler files embed it as the first
 * member of their own structs (pv_instance, pv_device, ...).
 *
 * Ownership: the table owns every object in it.  Each object is also linked
 * to the object it was created from (`parent`), so that destroying a device
 * or instance, or tearing down the context, destroys whatever the guest left
 * behind, children before parents, newest first.
 *
 * Lifetime across threads: a context's rings and its transport look objects
 * up concurrently, and a guest may destroy on one ring what another is
 * using.  A lookup takes a reference (`gets`/`puts`), dropped
 * when the command that decoded it is done; destroying an object takes it
 * out of the table at once, then waits until no other thread holds it
 * before the host object goes.  The wait is for the commands in hand, not
 * for later ones, and only for the objects being destroyed: a thread that
 * destroys what another is still using in a host call waits for that call,
 * which is the guest's own doing (Vulkan forbids it).
 */
struct pv_object {
   uint64_t id;
   VkObjectType type;
   uint64_t handle;               /* the host handle */
   const struct pv_vk_table *vk;  /* host entry points for commands on it */
   struct pv_object *parent;      /* borrowed; NULL for top-level objects */
   struct pv_list link;           /* in parent->children; guarded by the table */
   struct pv_list children;       /* guarded by the table */
   /* destroys the host object and frees this struct; NULL: free() only */
   void (*destroy)(struct pv_object *obj);
   /* optional: called on every object of a subtree before any of it is
    * destroyed (a device waits for its queues to go idle) */
   void (*quiesce)(struct pv_object *obj);
   /* optional: called, before any quiesce, on every object of a subtree
    * torn down with its parent (not on the object the guest destroyed
    * itself): what the host may still wait on for it that no guest will
    * ever provide is given (a timeline semaphore reaches a value every
    * pending wait accepts) */
   void (*release_waits)(struct pv_object *obj);
   /* references taken by lookups (counted under the table's lock, so no
    * atomic instruction of its own) and dropped (atomic: any thread, no
    * lock); held = gets - puts, modulo 2^32 */
   uint32_t gets;
   atomic_uint puts;
};

/* The references a thread holds for the command it is running (the
 * decoder's), released when the command is done. */
struct pv_object_holder {
   struct pv_object **objs; /* owned */
   uint32_t count;
   uint32_t cap;
   /* the holder that was current when this one became current (a command
    * stream run from inside a command) */
   struct pv_object_holder *outer;
};

/* Adds a reference taken by pv_object_table_get; false (and the reference
 * dropped) when out of memory. */
bool pv_object_holder_add(struct pv_object_holder *holder, struct pv_object *obj);
void pv_object_holder_release(struct pv_object_holder *holder);
void pv_object_holder_fini(struct pv_object_holder *holder);
/* The holder of the calling thread's command: destroying an object this
 * thread holds (in it or in the holders current before it) drops those
 * references instead of waiting for them.  Pairs with ..._leave. */
void pv_object_holder_enter(struct pv_object_holder *holder);
void pv_object_holder_leave(struct pv_object_holder *holder);

/* Drops a reference from pv_object_table_get. */
static inline void
pv_object_put(struct pv_object *obj)
{
   if (obj)
      atomic_fetch_add_explicit(&obj->puts, 1, memory_order_release);
}

/* Every object struct comes from pv_object_calloc and goes back through
 * pv_object_free, so that a process can check at its end that teardown
 * freed them all (pv_object_live_count), which leak checkers that scan for
 * stale pointers can miss. */
void *pv_object_calloc(size_t size);
void pv_object_free(void *obj);
int64_t pv_object_live_count(void);

/* The host handle of a decoded object (0 for NULL): what the generated
 * code puts in place of the object once decoding is done. */
static inline uint64_t
pv_obj_host(const void *obj)
{
   return obj ? ((const struct pv_object *)obj)->handle : 0;
}

static inline uint64_t
pv_handle_id(const void *handle)
{
   return (uint64_t)(uintptr_t)handle;
}

/* Guest id -> object, per context.  Open addressing, O(1) expected; safe to
 * use from the context's dispatch thread and all of its ring threads. */
struct pv_object_table {
   atomic_flag lock;           /* guards everything below and the lists above:
                                  a spin lock, as every hold is a few loads */
   struct pv_object **slots;   /* owned */
   uint32_t capacity;          /* power of two */
   uint32_t count;
   uint32_t used;              /* count + tombstones */
   uint32_t max_objects;       /* quota */
};

static inline void
pv_object_table_lock(struct pv_object_table *table)
{
   for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&table->lock, memory_order_acquire);
        spins++) {
      if (spins < 64)
         pv_cpu_relax();
      else
         sched_yield(); /* the holder may have been preempted */
   }
}

static inline void
pv_object_table_unlock(struct pv_object_table *table)
{
   atomic_flag_clear_explicit(&table->lock, memory_order_release);
}

enum pv_object_status {
   PV_OBJECT_OK,
   PV_OBJECT_ZERO_ID,
   PV_OBJECT_DUPLICATE,
   PV_OBJECT_QUOTA,
   PV_OBJECT_NO_MEMORY,
};

const char *pv_object_status_string(enum pv_object_status status);

bool pv_object_table_init(struct pv_object_table *table, uint32_t max_objects);
/* The table must be empty (pv_object_table_destroy_all). */
void pv_object_table_fini(struct pv_object_table *table);

/* Lookup with a type check, taking a reference (pv_object_put, or a
 * holder).  NULL when missing or of another type; *found (optional) tells
 * which: VK_OBJECT_TYPE_UNKNOWN when the id is unknown. */
struct pv_object *pv_object_table_get(struct pv_object_table *table, uint64_t id,
                                      VkObjectType type, VkObjectType *found);

/* Whether `id` could name a new object (nonzero, unused, within quota). */
enum pv_object_status pv_object_table_check_id(struct pv_object_table *table, uint64_t id);

/* Takes ownership of `obj` (id, type, handle and destroy already set) and
 * links it under `parent` (may be NULL).  On failure nothing changes and the
 * caller still owns obj. */
enum pv_object_status pv_object_table_adopt(struct pv_object_table *table,
                                            struct pv_object *obj, struct pv_object *parent);

/* Removes `obj` and everything created from it from the table, waits until
 * no other thread holds any of them, then destroys them: children before
 * parents, newest first. */
void pv_object_table_destroy(struct pv_object_table *table, struct pv_object *obj);

/* Removes `obj` from the table without destroying anything: for objects that
 * their parent destroys implicitly (command buffers of a pool, ...).  Its
 * children must already be gone. */
void pv_object_table_forget(struct pv_object_table *table, struct pv_object *obj);

/* Destroys every object in the table (context teardown). */
void pv_object_table_destroy_all(struct pv_object_table *table);

uint32_t pv_object_table_count(struct pv_object_table *table);

#endif /* PV_OBJECT_H */
