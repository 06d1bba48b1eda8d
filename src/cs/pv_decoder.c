/* SPDX-License-Identifier: MIT */
#include "pv_decoder.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "object/pv_object.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the Venus wire format is little-endian; so must the host be");
_Static_assert(sizeof(void *) == 8, "handles are carried as 64-bit values");

/* largest single string or blob a guest may send in one item */
#define PV_DEC_MAX_ITEM (UINT64_C(1) << 31)

void
pv_decoder_init(struct pv_decoder *dec, struct pv_fatal *fatal,
                struct pv_object_table *objects, size_t arena_cap)
{
   dec->cur = NULL;
   dec->end = NULL;
   dec->fatal = fatal;
   dec->objects = objects;
   dec->command = NULL;
   dec->held = (struct pv_object_holder){ NULL, 0, 0, NULL };
   pv_arena_init(&dec->arena, arena_cap);
}

void
pv_decoder_fini(struct pv_decoder *dec)
{
   pv_object_holder_fini(&dec->held);
   pv_arena_fini(&dec->arena);
}

void
pv_decoder_end_command(struct pv_decoder *dec)
{
   pv_object_holder_release(&dec->held);
   pv_arena_reset(&dec->arena);
}

void
pv_dec_fail(struct pv_decoder *dec, const char *fmt, ...)
{
   char msg[200];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(msg, sizeof(msg), fmt, ap);
   va_end(ap);
   pv_fatal_set(dec->fatal, "%s: %s", dec->command ? dec->command : "stream", msg);
   dec->cur = dec->end;
}

void
pv_dec_short(struct pv_decoder *dec, size_t want)
{
   if (pv_fatal_is_set(dec->fatal) && dec->cur == dec->end)
      return; /* already failing: stay quiet and fast */
   pv_dec_fail(dec, "truncated: need %zu bytes, %zu left", want, pv_decoder_remaining(dec));
}

void *
pv_dec_alloc(struct pv_decoder *dec, uint64_t count, size_t size)
{
   if (size && count > SIZE_MAX / size) {
      pv_dec_fail(dec, "allocation of %" PRIu64 " x %zu bytes overflows", count, size);
      return NULL;
   }
   const size_t bytes = (size_t)count * size;
   void *ptr = pv_arena_alloc(&dec->arena, bytes ? bytes : 1);
   if (!ptr)
      pv_dec_fail(dec, "decode scratch quota (%zu bytes per context, %zu in use) exceeded by "
                  "%" PRIu64 " x %zu bytes", dec->arena.cap,
                  dec->arena.shared ? atomic_load(&dec->arena.shared->used) : dec->arena.total,
                  count, size);
   return ptr;
}

int32_t
pv_dec_enum(struct pv_decoder *dec, bool (*valid)(int32_t), const char *what)
{
   const int32_t v = pv_dec_i32(dec);
   if (!valid(v) && !pv_fatal_is_set(dec->fatal))
      pv_dec_fail(dec, "%s: invalid enum value %" PRId32, what, v);
   return v;
}

void
pv_dec_check_enums(struct pv_decoder *dec, const int32_t *values, uint64_t count,
                   bool (*valid)(int32_t), const char *what)
{
   for (uint64_t i = 0; i < count; i++) {
      if (!valid(values[i])) {
         pv_dec_fail(dec, "%s[%" PRIu64 "]: invalid enum value %" PRId32, what, i, values[i]);
         return;
      }
   }
}

VkStructureType
pv_dec_stype(struct pv_decoder *dec, VkStructureType expected, const char *what)
{
   const int32_t v = pv_dec_i32(dec);
   if (v != (int32_t)expected && !pv_fatal_is_set(dec->fatal))
      pv_dec_fail(dec, "%s: sType %" PRId32 ", expected %d", what, v, (int)expected);
   return expected;
}

bool
pv_dec_marker(struct pv_decoder *dec, bool nullable, const char *what)
{
   const uint64_t marker = pv_dec_u64(dec);
   if (marker > 1) {
      pv_dec_fail(dec, "%s: bad pointer marker %" PRIu64, what, marker);
      return false;
   }
   if (!marker && !nullable) {
      if (!pv_fatal_is_set(dec->fatal))
         pv_dec_fail(dec, "%s: required pointer is NULL", what);
      return false;
   }
   return marker == 1;
}

bool
pv_dec_dyn(struct pv_decoder *dec, uint64_t expected, bool nullable, size_t min_wire,
           uint64_t *count, const char *what)
{
   const uint64_t size = pv_dec_u64(dec);
   *count = 0;
   if (!size) {
      if (expected && !nullable && !pv_fatal_is_set(dec->fatal))
         pv_dec_fail(dec, "%s: NULL array but count is %" PRIu64, what, expected);
      return false;
   }
   if (size != expected) {
      pv_dec_fail(dec, "%s: array of %" PRIu64 " elements, count says %" PRIu64, what, size,
                  expected);
      return false;
   }
   if (min_wire && size > pv_decoder_remaining(dec) / min_wire) {
      pv_dec_fail(dec, "%s: %" PRIu64 " elements cannot fit in the %zu bytes left", what,
                  size, pv_decoder_remaining(dec));
      return false;
   }
   *count = size;
   return true;
}

void
pv_dec_fixed(struct pv_decoder *dec, uint64_t count, const char *what)
{
   const uint64_t size = pv_dec_u64(dec);
   if (size != count && !pv_fatal_is_set(dec->fatal))
      pv_dec_fail(dec, "%s: fixed array of %" PRIu64 " elements sent as %" PRIu64, what,
                  count, size);
}

void
pv_dec_scalars(struct pv_decoder *dec, void *dst, uint64_t count, size_t size)
{
   const uint64_t bytes = count * size; /* callers bound count by the stream */
   if (size && bytes / size != count) {
      pv_dec_fail(dec, "scalar array size overflows");
      return;
   }
   const uint64_t padded = (bytes + 3) & ~UINT64_C(3);
   if (padded > pv_decoder_remaining(dec)) {
      pv_dec_short(dec, (size_t)padded);
      memset(dst, 0, (size_t)bytes);
      return;
   }
   memcpy(dst, dec->cur, (size_t)bytes);
   dec->cur += padded;
}

void
pv_dec_chars(struct pv_decoder *dec, char *dst, size_t size, const char *what)
{
   pv_dec_fixed(dec, size, what);
   pv_dec_scalars(dec, dst, size, 1);
   dst[size - 1] = '\0';
}

static char *
dec_string_body(struct pv_decoder *dec, uint64_t size, const char *what)
{
   if (size > PV_DEC_MAX_ITEM || size > pv_decoder_remaining(dec)) {
      pv_dec_fail(dec, "%s: string of %" PRIu64 " bytes does not fit", what, size);
      return NULL;
   }
   char *str = pv_dec_alloc(dec, size, 1);
   if (!str)
      return NULL;
   pv_dec_scalars(dec, str, size, 1);
   str[size - 1] = '\0';
   return str;
}

const char *
pv_dec_string(struct pv_decoder *dec, bool nullable, const char *what)
{
   const uint64_t size = pv_dec_u64(dec);
   if (!size) {
      if (!nullable && !pv_fatal_is_set(dec->fatal))
         pv_dec_fail(dec, "%s: required string is NULL", what);
      return NULL;
   }
   return dec_string_body(dec, size, what);
}

const char *const *
pv_dec_strings(struct pv_decoder *dec, uint64_t count, bool nullable, const char *what)
{
   uint64_t n;
   if (!pv_dec_dyn(dec, count, nullable, 8, &n, what))
      return NULL;
   const char **strs = pv_dec_alloc(dec, n, sizeof(*strs));
   if (!strs)
      return NULL;
   for (uint64_t i = 0; i < n; i++) {
      const uint64_t size = pv_dec_u64(dec);
      if (!size) {
         pv_dec_fail(dec, "%s[%" PRIu64 "]: string is NULL", what, i);
         return NULL;
      }
      strs[i] = dec_string_body(dec, size, what);
      if (!strs[i])
         return NULL;
   }
   return strs;
}

void *
pv_dec_blob(struct pv_decoder *dec, uint64_t expected, bool nullable, bool read,
            const char *what)
{
   uint64_t n;
   if (!pv_dec_dyn(dec, expected, nullable, read ? 1 : 0, &n, what))
      return NULL;
   if (n > PV_DEC_MAX_ITEM) {
      pv_dec_fail(dec, "%s: blob of %" PRIu64 " bytes is too large", what, n);
      return NULL;
   }
   void *data = pv_dec_alloc(dec, n, 1);
   if (data && read)
      pv_dec_scalars(dec, data, n, 1);
   return data;
}

void
pv_dec_null(struct pv_decoder *dec, const char *what)
{
   if (pv_dec_u64(dec) != 0)
      pv_dec_fail(dec, "%s: pointer the protocol cannot carry must be NULL", what);
}

struct pv_object *
pv_dec_object(struct pv_decoder *dec, VkObjectType type, bool required, const char *what)
{
   const uint64_t id = pv_dec_u64(dec);
   if (!id) {
      if (required && !pv_fatal_is_set(dec->fatal))
         pv_dec_fail(dec, "%s: required object is VK_NULL_HANDLE", what);
      return NULL;
   }
   VkObjectType found = VK_OBJECT_TYPE_UNKNOWN;
   struct pv_object *obj = pv_object_table_get(dec->objects, id, type, &found);
   if (obj && !pv_object_holder_add(&dec->held, obj)) {
      pv_dec_fail(dec, "%s: out of memory", what);
      return NULL;
   }
   if (!obj) {
      if (found == VK_OBJECT_TYPE_UNKNOWN)
         pv_dec_fail(dec, "%s: unknown object id %" PRIu64, what, id);
      else
         pv_dec_fail(dec, "%s: object id %" PRIu64 " is of type %d, not %d", what, id,
                     (int)found, (int)type);
   }
   return obj;
}
