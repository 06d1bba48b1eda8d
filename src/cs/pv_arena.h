/* SPDX-License-Identifier: MIT */
#ifndef PV_ARENA_H
#define PV_ARENA_H

#include <stddef.h>

/* Scratch memory for decoding one command.
 *
 * Allocations are zeroed and 8-byte aligned.  The arena never holds more than
 * `cap` bytes in all: a guest that asks for more gets NULL (and the decoder
 * marks its context fatal).  pv_arena_reset() after every command frees what
 * the command used but keeps the first chunk, so the common small command
 * allocates nothing.
 *
 * Arenas of one context (its transport's and every ring's decoders) may also
 * share a budget (`shared`): what their chunks hold together stays within
 * it, so that 64 rings cannot each hold `cap`.
 */
#include <stdatomic.h>

struct pv_arena_chunk;

struct pv_arena_budget {
   atomic_size_t used;
   size_t cap;
};

struct pv_arena {
   struct pv_arena_chunk *head; /* owned; the newest chunk first */
   size_t total;                /* bytes held in all chunks */
   size_t cap;
   struct pv_arena_budget *shared; /* borrowed; may be NULL */
};

void pv_arena_init(struct pv_arena *arena, size_t cap);
/* Charges this arena's chunks to `budget` as well (before any allocation). */
void pv_arena_share(struct pv_arena *arena, struct pv_arena_budget *budget);
void pv_arena_fini(struct pv_arena *arena);
void *pv_arena_alloc(struct pv_arena *arena, size_t size);
void pv_arena_reset(struct pv_arena *arena);

#endif /* PV_ARENA_H */
