/* SPDX-License-Identifier: MIT */
#ifndef PV_RESOURCE_H
#define PV_RESOURCE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A blob resource: memory both the guest and the renderer map.
 *
 * Reference-counted: the context's resource map holds one reference, and so
 * does every ring, reply stream or device memory that uses it.  A guest that
 * unrefs a resource still in use only drops the map's reference; the memory
 * stays valid for the users until they let go.
 */
enum pv_resource_kind {
   PV_RESOURCE_SHM,           /* shared memory for rings, replies and streams */
   PV_RESOURCE_DEVICE_MEMORY, /* the backing of a host-visible VkDeviceMemory */
};

struct pv_resource {
   uint32_t id;
   enum pv_resource_kind kind;
   atomic_uint refcount;
   int fd;          /* owned: sealed memfd */
   uint8_t *map;    /* owned: the renderer's mapping */
   size_t size;
   /* a quota counter the size is charged to until the last reference goes
    * (a guest cannot escape its quota by unreferencing what is still in
    * use); NULL: none */
   _Atomic uint64_t *charged_to;
   /* its descriptor was sent to the guest (a blob of device memory) */
   atomic_bool shared;
};

/* Creates sealed shared memory of `size` bytes, mapped at an address aligned
 * to `align` (a power of two; 0 for the page size). */
struct pv_resource *pv_resource_create(enum pv_resource_kind kind, uint32_t id, size_t size,
                                       size_t align);

static inline struct pv_resource *
pv_resource_create_shm(uint32_t id, size_t size)
{
   return pv_resource_create(PV_RESOURCE_SHM, id, size, 0);
}

static inline struct pv_resource *
pv_resource_ref(struct pv_resource *res)
{
   atomic_fetch_add_explicit(&res->refcount, 1, memory_order_relaxed);
   return res;
}

void pv_resource_unref(struct pv_resource *res);

/* What a client gets for a blob the renderer refuses: an fd no writable
 * shared mapping can be made of, so that the guest's map fails with an
 * error instead of the guest waiting for an answer that never comes. */
int pv_resource_refused_fd(uint64_t size);

/* Whether [offset, offset + size) lies inside the resource. */
static inline bool
pv_resource_contains(const struct pv_resource *res, uint64_t offset, uint64_t size)
{
   return offset <= res->size && size <= res->size - offset;
}

#endif /* PV_RESOURCE_H */
