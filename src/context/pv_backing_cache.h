/* SPDX-License-Identifier: MIT */
/* Backings of freed host-visible memory, kept for the context's next
 * allocations of the same size (pv_backing_cache.c). */
#ifndef PV_BACKING_CACHE_H
#define PV_BACKING_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct pv_resource;

#define PV_BACKING_CACHE_ENTRIES 16
/* larger backings are not kept: a program that frees big allocations
 * rarely makes the same one again at once, and the pages would stay taken */
#define PV_BACKING_CACHE_MAX_SIZE ((size_t)4 << 20)
#define PV_BACKING_CACHE_MAX_BYTES ((size_t)16 << 20)

struct pv_backing_cache {
   atomic_flag lock; /* a few loads and stores under it: a spin lock */
   struct pv_resource *entries[PV_BACKING_CACHE_ENTRIES]; /* owned references */
   uint32_t count;
   size_t bytes;
};

/* A kept backing of exactly `size` bytes mapped at an address aligned to
 * `align`, or NULL. */
struct pv_resource *pv_backing_cache_take(struct pv_backing_cache *cache, size_t size,
                                          size_t align);

/* Lets go of a device memory's backing: kept if only the memory held it and
 * the guest never got its descriptor, else unreferenced. */
void pv_backing_cache_give_back(struct pv_backing_cache *cache, struct pv_resource *res);

/* At the context's end. */
void pv_backing_cache_drop_all(struct pv_backing_cache *cache);

#endif
