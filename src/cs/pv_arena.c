/* SPDX-License-Identifier: MIT */
#include "pv_arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PV_ARENA_FIRST_CHUNK (64u * 1024u)

struct pv_arena_chunk {
   struct pv_arena_chunk *next;
   size_t size;
   size_t used;
   _Alignas(16) unsigned char data[];
};

void
pv_arena_init(struct pv_arena *arena, size_t cap)
{
   arena->head = NULL;
   arena->total = 0;
   arena->cap = cap;
   arena->shared = NULL;
}

void
pv_arena_share(struct pv_arena *arena, struct pv_arena_budget *budget)
{
   arena->shared = budget;
}

static bool
charge(struct pv_arena *arena, size_t size)
{
   struct pv_arena_budget *b = arena->shared;
   if (!b)
      return true;
   size_t used = atomic_load_explicit(&b->used, memory_order_relaxed);
   do {
      if (size > b->cap || used > b->cap - size)
         return false;
   } while (!atomic_compare_exchange_weak_explicit(&b->used, &used, used + size,
                                                   memory_order_relaxed,
                                                   memory_order_relaxed));
   return true;
}

static void
uncharge(struct pv_arena *arena, size_t size)
{
   if (arena->shared)
      atomic_fetch_sub_explicit(&arena->shared->used, size, memory_order_relaxed);
}

void
pv_arena_fini(struct pv_arena *arena)
{
   for (struct pv_arena_chunk *chunk = arena->head; chunk;) {
      struct pv_arena_chunk *next = chunk->next;
      uncharge(arena, chunk->size);
      free(chunk);
      chunk = next;
   }
   arena->head = NULL;
   arena->total = 0;
}

void *
pv_arena_alloc(struct pv_arena *arena, size_t size)
{
   if (size > SIZE_MAX - 15)
      return NULL;
   size = (size + 7) & ~(size_t)7;

   struct pv_arena_chunk *chunk = arena->head;
   if (!chunk || chunk->size - chunk->used < size) {
      size_t chunk_size = size > PV_ARENA_FIRST_CHUNK ? size : PV_ARENA_FIRST_CHUNK;
      if (chunk_size > arena->cap || arena->total > arena->cap - chunk_size ||
          !charge(arena, chunk_size))
         return NULL;
      chunk = malloc(sizeof(*chunk) + chunk_size);
      if (!chunk) {
         uncharge(arena, chunk_size);
         return NULL;
      }
      chunk->size = chunk_size;
      chunk->used = 0;
      chunk->next = arena->head;
      arena->head = chunk;
      arena->total += chunk_size;
   }
   void *ptr = chunk->data + chunk->used;
   chunk->used += size;
   memset(ptr, 0, size);
   return ptr;
}

void
pv_arena_reset(struct pv_arena *arena)
{
   struct pv_arena_chunk *chunk = arena->head;
   if (!chunk)
      return;
   /* keep the oldest chunk (the small default one), free the rest */
   struct pv_arena_chunk *keep = chunk;
   while (keep->next)
      keep = keep->next;
   while (chunk != keep) {
      struct pv_arena_chunk *next = chunk->next;
      arena->total -= chunk->size;
      uncharge(arena, chunk->size);
      free(chunk);
      chunk = next;
   }
   if (keep->size > PV_ARENA_FIRST_CHUNK) {
      /* a one-off large command: do not hold its memory */
      arena->total -= keep->size;
      uncharge(arena, keep->size);
      free(keep);
      arena->head = NULL;
      return;
   }
   keep->used = 0;
   arena->head = keep;
}
