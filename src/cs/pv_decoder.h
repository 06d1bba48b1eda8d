/* SPDX-License-Identifier: MIT */
#ifndef PV_DECODER_H
#define PV_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vulkan/vulkan_core.h>

#include "cs/pv_arena.h"
#include "cs/pv_fatal.h"
#include "object/pv_object.h"

struct pv_object;
struct pv_object_table;
struct pv_chain;

/* The checked reader of guest command streams.
 *
 * Every byte a guest sends is read through pv_dec_read().  A read past the
 * end, a count that does not match, an unknown object id and every other
 * protocol error mark the context fatal (pv_fatal_set), move the read
 * position to the end, and make later reads return zeros: code built on
 * these primitives returns early only where it allocates.  Values come out
 * little-endian as the wire is; the host must be little-endian too.
 *
 * A decoder is used by one thread at a time (its ring or the context's
 * dispatch thread).
 */
struct pv_decoder {
   const uint8_t *cur;
   const uint8_t *end;
   struct pv_fatal *fatal;          /* borrowed from the context */
   struct pv_object_table *objects; /* borrowed from the context */
   struct pv_arena arena;           /* owned; reset after every command */
   const char *command;             /* name of the command being decoded */
   /* the objects this command decoded, referenced until it is done
    * (pv_decoder_end_command) */
   struct pv_object_holder held;
};

/* After each command: frees its scratch memory and lets go of its objects. */
void pv_decoder_end_command(struct pv_decoder *dec);

void pv_decoder_init(struct pv_decoder *dec, struct pv_fatal *fatal,
                     struct pv_object_table *objects, size_t arena_cap);
void pv_decoder_fini(struct pv_decoder *dec);

static inline void
pv_decoder_set_stream(struct pv_decoder *dec, const void *data, size_t size)
{
   dec->cur = data;
   dec->end = (const uint8_t *)data + size;
}

static inline size_t
pv_decoder_remaining(const struct pv_decoder *dec)
{
   return (size_t)(dec->end - dec->cur);
}

void pv_dec_fail(struct pv_decoder *dec, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));
void pv_dec_short(struct pv_decoder *dec, size_t want);

static inline bool
pv_dec_read(struct pv_decoder *dec, void *out, size_t size)
{
   if (__builtin_expect(size > (size_t)(dec->end - dec->cur), 0)) {
      pv_dec_short(dec, size);
      memset(out, 0, size);
      return false;
   }
   memcpy(out, dec->cur, size);
   dec->cur += size;
   return true;
}

static inline uint32_t
pv_dec_u32(struct pv_decoder *dec)
{
   uint32_t v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

static inline int32_t
pv_dec_i32(struct pv_decoder *dec)
{
   int32_t v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

static inline float
pv_dec_f32(struct pv_decoder *dec)
{
   float v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

static inline uint64_t
pv_dec_u64(struct pv_decoder *dec)
{
   uint64_t v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

static inline int64_t
pv_dec_i64(struct pv_decoder *dec)
{
   int64_t v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

static inline double
pv_dec_f64(struct pv_decoder *dec)
{
   double v;
   pv_dec_read(dec, &v, sizeof(v));
   return v;
}

/* Zeroed scratch memory for `count` elements of `size` bytes; NULL (and the
 * context fatal) when the product overflows or the arena cap is reached. */
void *pv_dec_alloc(struct pv_decoder *dec, uint64_t count, size_t size);

/* An enum value, checked against the values the registry defines. */
int32_t pv_dec_enum(struct pv_decoder *dec, bool (*valid)(int32_t), const char *what);
void pv_dec_check_enums(struct pv_decoder *dec, const int32_t *values, uint64_t count,
                        bool (*valid)(int32_t), const char *what);

/* sType of a struct: must be `expected`. */
VkStructureType pv_dec_stype(struct pv_decoder *dec, VkStructureType expected,
                             const char *what);

/* Pointer marker: 0 (NULL) or 1.  A NULL for a non-nullable item is fatal. */
bool pv_dec_marker(struct pv_decoder *dec, bool nullable, const char *what);

/* Size of a pointer-with-count array.  Returns true with *count set when the
 * array is present; a present array must have exactly `expected` elements,
 * and at least `min_wire` bytes per element must remain in the stream.  An
 * absent array is fine when nullable or when `expected` is 0. */
bool pv_dec_dyn(struct pv_decoder *dec, uint64_t expected, bool nullable, size_t min_wire,
                uint64_t *count, const char *what);

/* Size of a fixed-size array: must be exactly `count`. */
void pv_dec_fixed(struct pv_decoder *dec, uint64_t count, const char *what);

/* `count` packed scalars of `size` bytes, then padding to 4 bytes. */
void pv_dec_scalars(struct pv_decoder *dec, void *dst, uint64_t count, size_t size);

/* A fixed char array: size must be `size`; the last byte is forced to NUL. */
void pv_dec_chars(struct pv_decoder *dec, char *dst, size_t size, const char *what);

/* A NUL-terminated string (size includes the NUL).  NULL when absent. */
const char *pv_dec_string(struct pv_decoder *dec, bool nullable, const char *what);

/* `count` strings. */
const char *const *pv_dec_strings(struct pv_decoder *dec, uint64_t count, bool nullable,
                                  const char *what);

/* `expected` bytes of opaque data; with read=false (an output buffer) only the
 * size is on the wire and zeroed memory is returned. */
void *pv_dec_blob(struct pv_decoder *dec, uint64_t expected, bool nullable, bool read,
                  const char *what);

/* A pointer the protocol cannot carry: its marker must be 0. */
void pv_dec_null(struct pv_decoder *dec, const char *what);

/* An object id: 0 gives NULL (fatal when required); an unknown id or one of
 * another type is fatal. */
struct pv_object *pv_dec_object(struct pv_decoder *dec, VkObjectType type, bool required,
                                const char *what);

#endif /* PV_DECODER_H */
