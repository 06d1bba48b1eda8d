/* SPDX-License-Identifier: MIT */
#ifndef PV_FUZZ_STREAM_H
#define PV_FUZZ_STREAM_H

/* Venus commands written by hand for the harnesses that wrap fuzzed bytes
 * in a fixed frame (a device to work on, a ring around the bytes). */

#include <stdint.h>
#include <string.h>

#include "pearvisor/pv_renderer.h"

#define PV_FUZZ_STREAM_WORDS 256

struct pv_fuzz_stream {
   uint32_t words[PV_FUZZ_STREAM_WORDS];
   uint32_t count;
};

static inline void
pv_fuzz_u32(struct pv_fuzz_stream *s, uint32_t v)
{
   if (s->count < PV_FUZZ_STREAM_WORDS)
      s->words[s->count++] = v;
}

static inline void
pv_fuzz_u64(struct pv_fuzz_stream *s, uint64_t v)
{
   pv_fuzz_u32(s, (uint32_t)v);
   pv_fuzz_u32(s, (uint32_t)(v >> 32));
}

/* A command header without the reply flag. */
static inline void
pv_fuzz_command(struct pv_fuzz_stream *s, uint32_t command_type)
{
   pv_fuzz_u32(s, command_type);
   pv_fuzz_u32(s, 0);
}

static inline void
pv_fuzz_submit(struct pv_context *ctx, struct pv_fuzz_stream *s)
{
   pv_context_submit_cmd(ctx, s->words, (size_t)s->count * 4);
   s->count = 0;
}

/* Instance 1, physical device 2, device 3 with one queue of family 0. */
void pv_fuzz_bring_up(struct pv_context *ctx);

#endif /* PV_FUZZ_STREAM_H */
