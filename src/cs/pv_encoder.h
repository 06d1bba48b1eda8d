/* SPDX-License-Identifier: MIT */
#ifndef PV_ENCODER_H
#define PV_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cs/pv_fatal.h"

struct pv_chain;

/* The reply writer.
 *
 * It writes at the current position of the reply stream the guest selected
 * (vkSetReplyCommandStreamMESA), exactly as many bytes as the encoding takes:
 * the guest allocates the exact size it expects, so a byte more would
 * overwrite its next reply.  A write past the end of the stream marks the
 * context fatal and is dropped.
 */
struct pv_encoder {
   uint8_t *base; /* borrowed: the mapping of the reply resource, or NULL */
   size_t size;
   size_t pos;
   struct pv_fatal *fatal; /* borrowed from the context */
};

void pv_enc_fail(struct pv_encoder *enc, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

static inline void
pv_enc_write(struct pv_encoder *enc, const void *data, size_t size)
{
   if (__builtin_expect(!enc->base || size > enc->size - enc->pos, 0)) {
      pv_enc_fail(enc, "reply of %zu more bytes overflows the %zu-byte reply stream at %zu",
                  size, enc->size, enc->pos);
      return;
   }
   memcpy(enc->base + enc->pos, data, size);
   enc->pos += size;
}

static inline void
pv_enc_u32(struct pv_encoder *enc, uint32_t v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

static inline void
pv_enc_i32(struct pv_encoder *enc, int32_t v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

static inline void
pv_enc_f32(struct pv_encoder *enc, float v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

static inline void
pv_enc_u64(struct pv_encoder *enc, uint64_t v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

static inline void
pv_enc_i64(struct pv_encoder *enc, int64_t v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

static inline void
pv_enc_f64(struct pv_encoder *enc, double v)
{
   pv_enc_write(enc, &v, sizeof(v));
}

/* Pointer marker; returns whether the pointee follows. */
static inline bool
pv_enc_marker(struct pv_encoder *enc, const void *ptr)
{
   pv_enc_u64(enc, ptr ? 1 : 0);
   return ptr != NULL;
}

/* `count` packed scalars of `size` bytes, then padding to 4 bytes. */
void pv_enc_scalars(struct pv_encoder *enc, const void *src, uint64_t count, size_t size);

/* A fixed char array of `size` bytes (array size, then the bytes). */
void pv_enc_chars(struct pv_encoder *enc, const char *src, size_t size);

void pv_enc_string(struct pv_encoder *enc, const char *str);
void pv_enc_strings(struct pv_encoder *enc, const char *const *strs, uint64_t count);
void pv_enc_blob(struct pv_encoder *enc, const void *data, uint64_t size);

#endif /* PV_ENCODER_H */
