/* SPDX-License-Identifier: MIT */
#include "pv_capture_print.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "context/pv_capture.h"
#include "cs/pv_print.h"

/* The rings a capture ran, numbered 1, 2, ... as they first appear. */
struct rings {
   uint64_t *ids;
   uint32_t count;
   uint32_t capacity;
};

/* A context has a few rings (the renderer allows --max-rings); a hostile
 * capture naming millions must not make the listing quadratic: past this
 * many, rings go by their ids. */
#define PV_CAPTURE_PRINT_MAX_RINGS 1024u

/* The ring's number, a new one for a new id; 0 past the limit or when out of
 * memory. */
static uint32_t
ring_number(struct rings *rings, uint64_t id, bool *is_new)
{
   *is_new = false;
   for (uint32_t i = 0; i < rings->count; i++) {
      if (rings->ids[i] == id)
         return i + 1;
   }
   if (rings->count == PV_CAPTURE_PRINT_MAX_RINGS)
      return 0;
   if (rings->count == rings->capacity) {
      const uint32_t capacity = rings->capacity ? rings->capacity * 2 : 8;
      uint64_t *ids = realloc(rings->ids, capacity * sizeof(*ids));
      if (!ids)
         return 0;
      rings->ids = ids;
      rings->capacity = capacity;
   }
   rings->ids[rings->count++] = id;
   *is_new = true;
   return rings->count;
}

struct listing {
   const struct pv_capture_print_options *options;
   const uint8_t *data;
   FILE *out;
   struct pv_printer printer;
   bool filtered; /* by command or ring: list commands only */
   struct rings rings;
   struct pv_capture_print_result *result;
};

static bool
ring_wanted(const struct listing *d, uint32_t number, uint64_t id)
{
   const struct pv_capture_print_options *o = d->options;
   if (!o->ring_filter)
      return true;
   if (!id)
      return o->ring == 0; /* the context's own stream */
   return (number && o->ring == number) || o->ring == id;
}

/* Notes where and why the capture is malformed (after what is noted). */
static void
malformed(struct listing *d, size_t offset, const char *where, const char *message)
{
   char *error = d->result->error;
   const size_t used = strlen(error);
   snprintf(error + used, sizeof(d->result->error) - used, "%soffset 0x%zx (record %u%s%s): %s",
            used ? "; " : "", offset, d->result->records, where[0] ? ", " : "", where,
            message);
}

/* A stream of commands at `bytes` in the file. */
static bool
list_stream(struct listing *d, const uint8_t *bytes, size_t size, const char *source)
{
   struct pv_print_error error;
   const size_t base = (size_t)(bytes - d->data);
   if (pv_print_stream(&d->printer, bytes, size, base, source, &error))
      return true;
   malformed(d, base + (size_t)error.offset, source, error.message);
   return false;
}

/* The ring's name in the listing ("ring 2"), with a line for a new one. */
static uint32_t
name_ring(struct listing *d, const struct pv_capture_record *rec, uint64_t ring_id,
          char *name, size_t size)
{
   bool is_new;
   const uint32_t number = ring_number(&d->rings, ring_id, &is_new);
   if (number)
      snprintf(name, size, "ring %" PRIu32, number);
   else
      snprintf(name, size, "ring id 0x%" PRIx64, ring_id);
   if (is_new && !d->filtered)
      fprintf(d->out, "@0x%08zx %s is ring id 0x%" PRIx64 "\n", rec->offset, name, ring_id);
   return number;
}

static bool
list_record(struct listing *d, const struct pv_capture_record *rec)
{
   struct pv_capture_fields f;
   if (!pv_capture_parse(rec, &f)) {
      char message[96];
      snprintf(message, sizeof(message), "a record of kind %" PRIu32 " and %" PRIu32
               " bytes is unknown or too short", rec->tag, rec->size);
      malformed(d, rec->offset, "", message);
      return false;
   }
   const bool listed = !d->filtered;
   char source[96];
   switch (rec->tag) {
   case PV_CAPTURE_BLOB:
      if (listed)
         fprintf(d->out, "@0x%08zx blob res %" PRIu32 ": type %" PRIu32 ", flags 0x%" PRIx32
                ", blob id %" PRIu64 ", %" PRIu64 " bytes\n", rec->offset, f.res_id,
                f.blob_type, f.blob_flags, f.blob_id, f.size);
      return true;
   case PV_CAPTURE_UNREF:
      if (listed)
         fprintf(d->out, "@0x%08zx unref res %" PRIu32 "\n", rec->offset, f.res_id);
      return true;
   case PV_CAPTURE_FENCE:
      if (listed)
         fprintf(d->out, "@0x%08zx fence ring_idx %" PRIu32 ", fence id %" PRIu64 "\n", rec->offset,
                f.ring_idx, f.fence_id);
      return true;
   case PV_CAPTURE_FAILURES:
      if (listed)
         fprintf(d->out, "@0x%08zx failures 0x%016" PRIx64 " (fuzzing)\n", rec->offset, f.mask);
      return true;
   case PV_CAPTURE_STREAM:
      if (!ring_wanted(d, 0, 0))
         return true;
      return list_stream(d, f.bytes, f.bytes_size, "stream");
   case PV_CAPTURE_RING: {
      const uint32_t number = name_ring(d, rec, f.ring_id, source, sizeof(source));
      if (!ring_wanted(d, number, f.ring_id))
         return true;
      return list_stream(d, f.bytes, f.bytes_size, source);
   }
   case PV_CAPTURE_BLOB_WRITE: {
      /* an indirect stream (vkExecuteCommandStreamsMESA), recorded after the
       * ring chunk or before the stream that ran it */
      uint32_t number = 0;
      if (f.ring_id)
         number = name_ring(d, rec, f.ring_id, source, sizeof(source));
      else
         snprintf(source, sizeof(source), "stream");
      if (!ring_wanted(d, number, f.ring_id))
         return true;
      const size_t len = strlen(source);
      snprintf(source + len, sizeof(source) - len, " indirect res %" PRIu32 "+0x%" PRIx64,
               f.res_id, f.offset);
      return list_stream(d, f.bytes, f.bytes_size, source);
   }
   default:
      return false; /* pv_capture_parse knows no other */
   }
}

/* The record the file ends inside: the commands that are there are listed
 * up to the cut, which is then named. */
static void
list_cut_record(struct listing *d, const struct pv_capture_reader *r)
{
   const size_t left = r->size - r->pos;
   char message[128];
   if (left < 8) {
      snprintf(message, sizeof(message), "the file ends inside a record header (%zu bytes)",
               left);
      malformed(d, r->pos, "", message);
      return;
   }
   struct pv_capture_record cut = {
      .size = (uint32_t)(left - 8),
      .payload = r->data + r->pos + 8,
      .offset = r->pos,
   };
   uint32_t size;
   memcpy(&cut.tag, r->data + r->pos, sizeof(cut.tag));
   memcpy(&size, r->data + r->pos + 4, sizeof(size));
   if (cut.tag == PV_CAPTURE_STREAM || cut.tag == PV_CAPTURE_RING ||
       cut.tag == PV_CAPTURE_BLOB_WRITE)
      (void)list_record(d, &cut); /* fails at the cut, or lists whole commands */
   snprintf(message, sizeof(message), "the file ends inside a record of %" PRIu32
            " bytes, %zu of them there", size, left - 8);
   malformed(d, r->size, "", message);
}

bool
pv_capture_print(const void *data, size_t size, const struct pv_capture_print_options *options,
                 struct pv_capture_print_result *result)
{
   memset(result, 0, sizeof(*result));
   struct listing d = {
      .options = options,
      .data = data,
      .out = options->out,
      .printer = { .out = options->out, .full = options->full, .wanted = options->wanted },
      .filtered = options->wanted || options->ring_filter,
      .result = result,
   };
   struct pv_capture_reader r;
   pv_capture_reader_init(&r, data, size);
   struct pv_capture_record rec;
   bool ok = true;
   while (ok && pv_capture_next(&r, &rec)) {
      result->records++;
      ok = list_record(&d, &rec);
   }
   if (ok && r.truncated) {
      result->records++;
      list_cut_record(&d, &r);
      ok = false;
   }
   result->commands = d.printer.walked;
   result->listed = d.printer.listed;
   free(d.rings.ids);
   return ok;
}
