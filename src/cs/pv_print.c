/* SPDX-License-Identifier: MIT */
#include "pv_print.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cs/pv_decoder.h"

/* Structs nest only as deep as the registry's types do; this bounds a table
 * mistake, not a guest (a guest cannot make the nesting deeper). */
#define PV_PRINT_MAX_DEPTH 32
/* The most structs one pNext chain may hold, as the decoder allows
 * (pv_chain.c: twice the extenders, and some). */
#define PV_PRINT_CHAIN_SLACK 4
#define PV_PRINT_MAX_CHAIN 512

struct walk {
   struct pv_printer *p;
   struct pv_decoder dec;
   const uint8_t *start;
   unsigned quiet; /* > 0: read on, print nothing (a filtered command, the
                      elements past a shortened array's first) */
   unsigned depth;
   const uint8_t *at; /* where the item being read starts: a failure's offset */
};

static void __attribute__((format(printf, 2, 3)))
say(struct walk *w, const char *fmt, ...)
{
   if (w->quiet)
      return;
   va_list ap;
   va_start(ap, fmt);
   vfprintf(w->p->out, fmt, ap);
   va_end(ap);
}

static bool
readable(const struct walk *w)
{
   return !pv_fatal_is_set(w->dec.fatal);
}

/* The reads: each notes where its item starts, so that a failure names the
 * offset of the byte that broke the layout.  A u32 or u64, zero-extended. */
static uint64_t
read_word(struct walk *w, size_t bytes)
{
   if (readable(w))
      w->at = w->dec.cur;
   return bytes == 8 ? pv_dec_u64(&w->dec) : pv_dec_u32(&w->dec);
}

/* A pointer marker: true when 1; 0 is NULL, anything else a failure. */
static bool
read_marker(struct walk *w, const char *what)
{
   if (readable(w))
      w->at = w->dec.cur;
   return pv_dec_marker(&w->dec, true, what);
}

/* `bytes` bytes of the stream, which continues at the next 4-byte boundary;
 * NULL (and the walk failed) when they are not all there. */
static const uint8_t *
take(struct walk *w, uint64_t bytes)
{
   const size_t left = pv_decoder_remaining(&w->dec);
   w->at = w->dec.cur;
   if (bytes > left || ((bytes + 3) & ~UINT64_C(3)) > left) {
      pv_dec_fail(&w->dec, "%" PRIu64 " bytes do not fit in the %zu left", bytes, left);
      return NULL;
   }
   const uint8_t *at = w->dec.cur;
   w->at = at;
   w->dec.cur += (bytes + 3) & ~UINT64_C(3);
   return at;
}

/* -- names ------------------------------------------------------------------------ */

static int
compare_value(const void *key, const void *entry)
{
   const uint64_t v = *(const uint64_t *)key;
   const uint64_t e = ((const struct pv_pr_value *)entry)->value;
   return v < e ? -1 : v > e;
}

static const char *
value_name(const struct pv_pr_values *values, uint64_t value)
{
   if (!values || !values->count)
      return NULL;
   const struct pv_pr_value *found = bsearch(&value, values->values, values->count,
                                             sizeof(values->values[0]), compare_value);
   return found ? found->name : NULL;
}

static void
print_enum(struct walk *w, const struct pv_pr_values *values, int32_t value)
{
   const char *name = value_name(values, (uint32_t)value);
   if (name)
      say(w, "%s", name);
   else
      say(w, "%s(%" PRId32 ")", values ? values->name : "enum", value);
}

/* Bits by name, the ones the registry does not name as a hex remainder. */
static void
print_flags(struct walk *w, const struct pv_pr_values *bits, uint64_t value)
{
   if (!value) {
      say(w, "0");
      return;
   }
   const char *sep = "";
   uint64_t unnamed = 0;
   for (unsigned i = 0; i < 64; i++) {
      const uint64_t bit = UINT64_C(1) << i;
      if (!(value & bit))
         continue;
      const char *name = value_name(bits, bit);
      if (name) {
         say(w, "%s%s", sep, name);
         sep = " | ";
      } else {
         unnamed |= bit;
      }
   }
   if (unnamed)
      say(w, "%s0x%" PRIx64, sep, unnamed);
}

static void
print_string(struct walk *w, const uint8_t *bytes, uint64_t size)
{
   const uint64_t shown =
      w->p->full || size <= PV_PRINT_SHORT_STRING ? size : PV_PRINT_SHORT_STRING;
   say(w, "\"");
   for (uint64_t i = 0; i < shown; i++) {
      const uint8_t ch = bytes[i];
      if (ch == '"' || ch == '\\')
         say(w, "\\%c", ch);
      else if (ch >= 0x20 && ch < 0x7f)
         say(w, "%c", ch);
      else
         say(w, "\\x%02x", ch);
   }
   say(w, "\"");
   if (shown < size)
      say(w, "... (%" PRIu64 " bytes)", size);
}

static void
print_bytes(struct walk *w, const uint8_t *bytes, uint64_t size)
{
   const uint64_t shown =
      w->p->full || size <= PV_PRINT_SHORT_BYTES ? size : PV_PRINT_SHORT_BYTES;
   say(w, "<%" PRIu64 " bytes:", size);
   for (uint64_t i = 0; i < shown; i++)
      say(w, " %02x", bytes[i]);
   say(w, "%s>", shown < size ? " ..." : "");
}

static void
print_uint(struct walk *w, uint64_t v)
{
   /* ids, addresses and masks read better in hex once they are large */
   if (v > UINT32_MAX)
      say(w, "0x%" PRIx64, v);
   else
      say(w, "%" PRIu64, v);
}

/* -- scalars ---------------------------------------------------------------------- */

/* A scalar of `it`'s element kind, `value` as read (sign-extended for SINT,
 * the bits of a float or double). */
static void
print_scalar(struct walk *w, const struct pv_pr_item *it, uint64_t value)
{
   switch (it->elem) {
   case PV_PR_UINT:
      print_uint(w, value);
      break;
   case PV_PR_SINT:
      say(w, "%" PRId64, (int64_t)value);
      break;
   case PV_PR_FLOAT:
      if (it->size == 8) {
         double d;
         memcpy(&d, &value, sizeof(d));
         say(w, "%g", d);
      } else {
         const uint32_t bits = (uint32_t)value;
         float f;
         memcpy(&f, &bits, sizeof(f));
         say(w, "%g", (double)f);
      }
      break;
   case PV_PR_BOOL:
      if (value <= 1)
         say(w, "%s", value ? "VK_TRUE" : "VK_FALSE");
      else
         print_uint(w, value);
      break;
   case PV_PR_ENUM:
      print_enum(w, it->type.values, (int32_t)(uint32_t)value);
      break;
   case PV_PR_FLAGS:
      print_flags(w, it->type.values, value);
      break;
   default:
      say(w, "?");
      break;
   }
}

static bool
is_scalar(const struct pv_pr_item *it)
{
   return it->elem <= PV_PR_FLAGS;
}

/* One scalar as the wire pads it: 8 bytes for 64-bit types, 4 for the rest. */
static void
read_scalar(struct walk *w, const struct pv_pr_item *it)
{
   uint64_t value;
   if (it->size == 8)
      value = read_word(w, 8);
   else if (it->elem == PV_PR_SINT)
      value = (uint64_t)(int64_t)(int32_t)(uint32_t)read_word(w, 4);
   else
      value = (uint32_t)read_word(w, 4);
   if (readable(w))
      print_scalar(w, it, value);
}

/* One scalar of an array, packed at its host size. */
static uint64_t
load_packed(const struct pv_pr_item *it, const uint8_t *at)
{
   switch (it->size) {
   case 1:
      return it->elem == PV_PR_SINT ? (uint64_t)(int64_t)(int8_t)at[0] : at[0];
   case 2: {
      uint16_t v;
      memcpy(&v, at, sizeof(v));
      return it->elem == PV_PR_SINT ? (uint64_t)(int64_t)(int16_t)v : v;
   }
   case 4: {
      uint32_t v;
      memcpy(&v, at, sizeof(v));
      return it->elem == PV_PR_SINT ? (uint64_t)(int64_t)(int32_t)v : v;
   }
   default: {
      uint64_t v;
      memcpy(&v, at, sizeof(v));
      return v;
   }
   }
}

/* `count` packed scalars: bytes in hex, others as a list. */
static void
read_packed(struct walk *w, const struct pv_pr_item *it, uint64_t count)
{
   const size_t size = it->size ? it->size : 1;
   if (count > pv_decoder_remaining(&w->dec) / size) {
      pv_dec_fail(&w->dec, "%s: %" PRIu64 " elements of %zu bytes do not fit in the %zu left",
                  it->name, count, size, pv_decoder_remaining(&w->dec));
      return;
   }
   const uint8_t *at = take(w, count * size);
   if (!at)
      return;
   if (size == 1 && it->elem == PV_PR_UINT) {
      print_bytes(w, at, count);
      return;
   }
   const uint64_t shown =
      w->p->full || count <= PV_PRINT_SHORT_ARRAY ? count : PV_PRINT_SHORT_ARRAY;
   say(w, "[");
   for (uint64_t i = 0; i < shown; i++) {
      say(w, "%s", i ? ", " : "");
      print_scalar(w, it, load_packed(it, at + i * size));
   }
   if (shown < count)
      say(w, ", ... (%" PRIu64 " more)", count - shown);
   say(w, "]");
}

/* -- structs, items ------------------------------------------------------------------ */

static void print_item(struct walk *w, const struct pv_pr_item *it, enum pv_pr_validity v,
                       const char **sep);
static void print_record(struct walk *w, const struct pv_pr_record *r, bool partial);

/* One element of an item (not an array's packed scalars). */
static void
print_element(struct walk *w, const struct pv_pr_item *it, enum pv_pr_validity v)
{
   switch (it->elem) {
   case PV_PR_HANDLE: {
      const uint64_t id = read_word(w, 8);
      if (!readable(w))
         return;
      if (!id)
         say(w, "VK_NULL_HANDLE");
      else
         say(w, "%s#%" PRIu64 "%s", it->type.handle, id,
             v == PV_PR_PARTIAL ? " (created)" : "");
      return;
   }
   case PV_PR_STRUCT:
   case PV_PR_UNION:
      print_record(w, it->type.record, v == PV_PR_PARTIAL);
      return;
   default:
      if (is_scalar(it)) {
         read_scalar(w, it);
         return;
      }
      pv_dec_fail(&w->dec, "%s: no element of this kind is carried alone", it->name);
      return;
   }
}

/* `count` elements one after another, the first few shown. */
static void
print_elements(struct walk *w, const struct pv_pr_item *it, enum pv_pr_validity v,
               uint64_t count)
{
   const uint64_t shown =
      w->p->full || count <= PV_PRINT_SHORT_ARRAY ? count : PV_PRINT_SHORT_ARRAY;
   bool muted = false;
   uint64_t i = 0;
   say(w, "[");
   while (i < count && readable(w)) {
      if (i == shown) {
         say(w, ", ... (%" PRIu64 " more)", count - shown);
         w->quiet++;
         muted = true;
      }
      say(w, "%s", i ? ", " : "");
      const uint8_t *before = w->dec.cur;
      print_element(w, it, v);
      i++;
      if (w->dec.cur == before)
         break; /* an element with nothing on the wire: so are the rest */
   }
   if (muted)
      w->quiet--;
   else if (i < count && readable(w))
      say(w, ", ... (%" PRIu64 " alike)", count - i);
   say(w, "]");
}

/* A u64 size, then that many elements; 0 is a NULL array. */
static void
print_array(struct walk *w, const struct pv_pr_item *it, enum pv_pr_validity v)
{
   const uint64_t count = read_word(w, 8);
   if (!readable(w))
      return;
   if (it->kind == PV_PR_DYN && !count) {
      say(w, "NULL");
      return;
   }
   if (v == PV_PR_NONE) {
      say(w, "(out) [%" PRIu64 "]", count); /* the host fills it in */
      return;
   }
   if (it->elem == PV_PR_CHAR) {
      const uint8_t *chars = take(w, count);
      if (chars)
         print_string(w, chars, strnlen((const char *)chars, count));
      return;
   }
   if (is_scalar(it) && v == PV_PR_FULL) {
      read_packed(w, it, count);
      return;
   }
   print_elements(w, it, v, count);
}

/* The u64 size that leads a string, a list of strings or a blob: false when
 * it is 0 (shown as NULL) or not there. */
static bool
read_size(struct walk *w, uint64_t *size)
{
   *size = read_word(w, 8);
   if (readable(w) && !*size)
      say(w, "NULL");
   return readable(w) && *size;
}

/* A NUL-terminated string: u64 size with the NUL (0: NULL), the bytes. */
static void
read_string(struct walk *w)
{
   uint64_t size;
   if (!read_size(w, &size))
      return;
   const uint8_t *bytes = take(w, size);
   if (bytes)
      print_string(w, bytes, strnlen((const char *)bytes, size));
}

static void
print_strings(struct walk *w)
{
   uint64_t count;
   if (!read_size(w, &count))
      return;
   say(w, "[");
   for (uint64_t i = 0; i < count && readable(w); i++) {
      say(w, "%s", i ? ", " : "");
      read_string(w); /* each takes at least its 8-byte size */
   }
   say(w, "]");
}

static void
print_blob(struct walk *w, enum pv_pr_validity v)
{
   uint64_t size;
   if (!read_size(w, &size))
      return;
   if (v != PV_PR_FULL) {
      say(w, "(out) [%" PRIu64 " bytes]", size);
      return;
   }
   const uint8_t *bytes = take(w, size);
   if (bytes)
      print_bytes(w, bytes, size);
}

/* One member or parameter as "name = value", after *sep.  An item of which
 * nothing is on the wire (an output's value) is left out. */
static void
print_item(struct walk *w, const struct pv_pr_item *it, enum pv_pr_validity v,
           const char **sep)
{
   if (v == PV_PR_NONE && (it->kind == PV_PR_VALUE || it->kind == PV_PR_FIXED))
      return;
   say(w, "%s%s = ", *sep, it->name);
   *sep = ", ";
   switch (it->kind) {
   case PV_PR_VALUE:
      print_element(w, it, v);
      break;
   case PV_PR_FIXED:
   case PV_PR_DYN:
      print_array(w, it, v);
      break;
   case PV_PR_PTR:
      if (!read_marker(w, it->name)) {
         if (readable(w))
            say(w, "NULL");
      } else if (v == PV_PR_NONE) {
         say(w, "(out)");
      } else {
         say(w, "&");
         print_element(w, it, v);
      }
      break;
   case PV_PR_STRING:
      read_string(w);
      break;
   case PV_PR_STRINGS:
      print_strings(w);
      break;
   case PV_PR_BLOB:
      print_blob(w, v);
      break;
   case PV_PR_NULL:
      if (read_word(w, 8))
         pv_dec_fail(&w->dec, "%s: a pointer the protocol cannot carry is not NULL",
                     it->name);
      else
         say(w, "NULL");
      break;
   default:
      pv_dec_fail(&w->dec, "%s: unknown item kind %u", it->name, it->kind);
      break;
   }
}

static void
print_members(struct walk *w, const struct pv_pr_record *r, bool partial, const char *sep)
{
   for (uint32_t i = 0; i < r->count && readable(w); i++)
      print_item(w, &r->items[i], partial ? r->items[i].out : PV_PR_FULL, &sep);
}

static int
compare_stype(const void *key, const void *entry)
{
   const int32_t s = *(const int32_t *)key;
   const int32_t e = (*(const struct pv_pr_record *const *)entry)->stype;
   return s < e ? -1 : s > e;
}

/* A pNext chain: a marker and an sType per struct, a 0 marker, then the
 * structs' members innermost first.  Printed nested as C writes it, which is
 * that order: every head first, then each struct's members and its brace
 * from the innermost out. */
static void
print_chain(struct walk *w, const struct pv_pr_record *base, bool partial)
{
   const struct pv_pr_record *nodes[PV_PRINT_MAX_CHAIN];
   uint64_t max = (uint64_t)base->chain_count * 2 + PV_PRINT_CHAIN_SLACK;
   if (max > PV_PRINT_MAX_CHAIN)
      max = PV_PRINT_MAX_CHAIN;
   uint32_t count = 0;
   while (read_marker(w, "pNext")) {
      const int32_t stype = (int32_t)(uint32_t)read_word(w, 4);
      if (!readable(w))
         return;
      const struct pv_pr_record *const *found =
         base->chain_count ? bsearch(&stype, base->chain, base->chain_count,
                                     sizeof(base->chain[0]), compare_stype)
                           : NULL;
      if (!found) {
         const char *name = value_name(pv_pr_stypes, (uint32_t)stype);
         pv_dec_fail(&w->dec, "%s chain: sType %s (%" PRId32 ") cannot extend it",
                     base->name, name ? name : "unknown", stype);
         return;
      }
      if (count == max) {
         pv_dec_fail(&w->dec, "%s chain: more than %" PRIu64 " structs", base->name, max);
         return;
      }
      nodes[count++] = *found;
      say(w, "&{sType = ");
      print_enum(w, pv_pr_stypes, stype);
      say(w, ", pNext = ");
   }
   if (!readable(w))
      return;
   say(w, "NULL");
   for (uint32_t i = count; i-- > 0 && readable(w);) {
      print_members(w, nodes[i], partial, ", ");
      say(w, "}");
   }
}

static void
print_record(struct walk *w, const struct pv_pr_record *r, bool partial)
{
   if (w->depth == PV_PRINT_MAX_DEPTH) {
      pv_dec_fail(&w->dec, "%s: structs nested too deeply", r->name);
      return;
   }
   w->depth++;
   if (r->flags & PV_PR_IS_UNION) {
      const uint32_t tag = (uint32_t)read_word(w, 4);
      if (readable(w) && tag >= r->count)
         pv_dec_fail(&w->dec, "%s: union member %" PRIu32 " of %" PRIu32, r->name, tag,
                     r->count);
      if (readable(w)) {
         const char *sep = "";
         say(w, "{");
         print_item(w, &r->items[tag], PV_PR_FULL, &sep);
         say(w, "}");
      }
      w->depth--;
      return;
   }
   const char *sep = "";
   say(w, "{");
   if (r->flags & PV_PR_HAS_STYPE) {
      const int32_t stype = (int32_t)(uint32_t)read_word(w, 4);
      if (readable(w)) {
         say(w, "sType = ");
         print_enum(w, pv_pr_stypes, stype);
         sep = ", ";
      }
   }
   if ((r->flags & PV_PR_HAS_PNEXT) && readable(w)) {
      say(w, "%spNext = ", sep);
      sep = ", ";
      print_chain(w, r, partial);
   }
   print_members(w, r, partial, sep);
   if (readable(w))
      say(w, "}");
   w->depth--;
}

/* -- streams ---------------------------------------------------------------------- */

/* The header of a command: u32 type, u32 flags. */
#define PV_PRINT_REPLY_FLAG 0x1u

static void
print_command(struct walk *w, const char *source, uint64_t offset)
{
   const uint32_t type = (uint32_t)read_word(w, 4);
   const uint8_t *type_at = w->at;
   const uint32_t flags = (uint32_t)read_word(w, 4);
   if (!readable(w))
      return;
   if (type >= pv_pr_command_count || !pv_pr_commands[type].name) {
      w->at = type_at;
      pv_dec_fail(&w->dec, "unknown command type %" PRIu32, type);
      return;
   }
   const struct pv_pr_command *cmd = &pv_pr_commands[type];
   w->dec.command = cmd->name;
   if (!cmd->decodable) {
      w->at = type_at;
      pv_dec_fail(&w->dec, "command type %" PRIu32 " is not one this registry can lay out",
                  type);
      return;
   }
   struct pv_printer *p = w->p;
   w->quiet = p->wanted && !p->wanted[type];
   say(w, "@0x%08" PRIx64 " %s %s(", offset, source, cmd->name);
   const char *sep = "";
   for (uint32_t i = 0; i < cmd->count && readable(w); i++)
      print_item(w, &cmd->params[i], cmd->params[i].out, &sep);
   if (readable(w)) {
      say(w, ")");
      if (flags & PV_PRINT_REPLY_FLAG)
         say(w, " -> reply");
      if (flags & ~PV_PRINT_REPLY_FLAG)
         say(w, " (unknown flags 0x%" PRIx32 ")", flags & ~PV_PRINT_REPLY_FLAG);
   }
   say(w, "\n");
   p->walked++;
   if (!w->quiet)
      p->listed++;
   w->quiet = 0;
}

bool
pv_print_stream(struct pv_printer *p, const void *data, size_t size, uint64_t base,
                const char *source, struct pv_print_error *error)
{
   struct pv_fatal fatal;
   memset(&fatal, 0, sizeof(fatal));
   struct walk w = { .p = p, .start = data, .at = data };
   pv_decoder_init(&w.dec, &fatal, NULL, 0);
   pv_decoder_set_stream(&w.dec, data, size);
   while (pv_decoder_remaining(&w.dec) && readable(&w)) {
      w.dec.command = NULL;
      print_command(&w, source, base + (uint64_t)(w.dec.cur - w.start));
   }
   const bool ok = readable(&w);
   if (!ok && error) {
      error->offset = (uint64_t)(w.at - w.start);
      snprintf(error->message, sizeof(error->message), "%s", fatal.reason);
   }
   pv_decoder_fini(&w.dec);
   return ok;
}

int64_t
pv_print_command_id(const char *name)
{
   for (uint32_t i = 0; i < pv_pr_command_count; i++) {
      if (pv_pr_commands[i].name && pv_pr_commands[i].decodable &&
          !strcmp(pv_pr_commands[i].name, name))
         return i;
   }
   return -1;
}
