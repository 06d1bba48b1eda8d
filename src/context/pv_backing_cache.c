/* SPDX-License-Identifier: MIT */
/* Keeping the backings of freed host-visible memory.
 *
 * Host-visible memory the guest may map is a sealed memfd the renderer
 * maps and imports into the host driver (pv_memory.c).  Making one costs a
 * memfd, a truncate, seals and up to three mmap calls, and freeing it the
 * unmapping and the file's teardown: on lavapipe a sustained allocate +
 * free of 64 KiB took 13.7 us through PearVisor against 4.9 us natively,
 * nearly all of it in those system calls.  Programs allocate and free the
 * same sizes over and over (staging buffers, per-frame uniforms), so a
 * context keeps a few freed backings and gives them to its next
 * allocations of the same size.
 *
 * Only a backing the guest never received is kept: one that was sent as a
 * blob may still be mapped by the guest process, and reusing it would let
 * writes through that old mapping reach a new allocation.  Kept backings
 * belong to one context and go with it: nothing passes between guests.
 * The contents are not cleared (Vulkan leaves new memory's contents
 * undefined; they are the same guest's). */
#include "pv_backing_cache.h"

#include <stdbool.h>

#include "pv_resource.h"

static void
lock(struct pv_backing_cache *cache)
{
   while (atomic_flag_test_and_set_explicit(&cache->lock, memory_order_acquire))
      ;
}

static void
unlock(struct pv_backing_cache *cache)
{
   atomic_flag_clear_explicit(&cache->lock, memory_order_release);
}

struct pv_resource *
pv_backing_cache_take(struct pv_backing_cache *cache, size_t size, size_t align)
{
   struct pv_resource *res = NULL;
   lock(cache);
   for (uint32_t i = 0; i < cache->count; i++) {
      struct pv_resource *e = cache->entries[i];
      if (e->size == size && (!align || (uintptr_t)e->map % align == 0)) {
         res = e;
         cache->entries[i] = cache->entries[--cache->count];
         cache->bytes -= size;
         break;
      }
   }
   unlock(cache);
   return res;
}

void
pv_backing_cache_give_back(struct pv_backing_cache *cache, struct pv_resource *res)
{
   if (!res)
      return;
   /* the last reference is the memory's (blobs hold their own), and the
    * guest never had the descriptor */
   const bool keepable = res->kind == PV_RESOURCE_DEVICE_MEMORY && !res->id && !res->charged_to &&
                         !atomic_load_explicit(&res->shared, memory_order_acquire) &&
                         atomic_load_explicit(&res->refcount, memory_order_acquire) == 1 &&
                         res->size <= PV_BACKING_CACHE_MAX_SIZE;
   if (keepable) {
      lock(cache);
      const bool room = cache->count < PV_BACKING_CACHE_ENTRIES &&
                        cache->bytes + res->size <= PV_BACKING_CACHE_MAX_BYTES;
      if (room) {
         cache->entries[cache->count++] = res;
         cache->bytes += res->size;
      }
      unlock(cache);
      if (room)
         return;
   }
   pv_resource_unref(res);
}

void
pv_backing_cache_drop_all(struct pv_backing_cache *cache)
{
   lock(cache);
   const uint32_t count = cache->count;
   struct pv_resource *entries[PV_BACKING_CACHE_ENTRIES];
   for (uint32_t i = 0; i < count; i++)
      entries[i] = cache->entries[i];
   cache->count = 0;
   cache->bytes = 0;
   unlock(cache);
   for (uint32_t i = 0; i < count; i++)
      pv_resource_unref(entries[i]);
}
