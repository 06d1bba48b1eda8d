/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu decode: the readable listing of captured guest sessions
 * (--capture), one line per command with its arguments as Vulkan names them
 * (src/cs/pv_print.h), and a line for each blob, fence and ring the session
 * made.  What a bug reporter shows of what the guest sent. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/pv_cli.h"
#include "context/pv_capture.h"
#include "cs/pv_print.h"
#include "util/pv_log.h"

/* The rings a capture ran, numbered 1, 2, ... as they first appear. */
struct rings {
   uint64_t *ids;
   uint32_t count;
   uint32_t capacity;
};

/* The ring's number, a new one for a new id; 0 when out of memory. */
static uint32_t
ring_number(struct rings *rings, uint64_t id, bool *is_new)
{
   *is_new = false;
   for (uint32_t i = 0; i < rings->count; i++) {
      if (rings->ids[i] == id)
         return i + 1;
   }
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

struct decode {
   const char *path;
   const uint8_t *data;
   struct pv_printer printer;
   bool filtered;       /* --command or --ring: list commands only */
   bool ring_filter;    /* --ring */
   uint64_t ring_wanted;
   struct rings rings;
   uint32_t records;
};

/* --ring N: N as the listing numbers rings, or a ring's id; 0 is the
 * context's own stream. */
static bool
ring_wanted(const struct decode *d, uint32_t number, uint64_t id)
{
   return !d->ring_filter || d->ring_wanted == number || (id && d->ring_wanted == id);
}

static void
malformed(const struct decode *d, size_t offset, const char *where, const char *message)
{
   fflush(stdout);
   fprintf(stderr, "decode: %s: offset 0x%zx (record %u%s%s): %s\n", d->path, offset,
           d->records, where[0] ? ", " : "", where, message);
}

/* A stream of commands at `bytes` in the file. */
static bool
list_stream(struct decode *d, const uint8_t *bytes, size_t size, const char *source)
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
name_ring(struct decode *d, const struct pv_capture_record *rec, uint64_t ring_id,
          char *name, size_t size)
{
   bool is_new;
   const uint32_t number = ring_number(&d->rings, ring_id, &is_new);
   snprintf(name, size, "ring %" PRIu32, number);
   if (is_new && !d->filtered)
      printf("@0x%08zx %s is ring id 0x%" PRIx64 "\n", rec->offset, name, ring_id);
   return number;
}

static bool
list_record(struct decode *d, const struct pv_capture_record *rec)
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
         printf("@0x%08zx blob res %" PRIu32 ": type %" PRIu32 ", flags 0x%" PRIx32
                ", blob id %" PRIu64 ", %" PRIu64 " bytes\n", rec->offset, f.res_id,
                f.blob_type, f.blob_flags, f.blob_id, f.size);
      return true;
   case PV_CAPTURE_UNREF:
      if (listed)
         printf("@0x%08zx unref res %" PRIu32 "\n", rec->offset, f.res_id);
      return true;
   case PV_CAPTURE_FENCE:
      if (listed)
         printf("@0x%08zx fence ring_idx %" PRIu32 ", fence id %" PRIu64 "\n", rec->offset,
                f.ring_idx, f.fence_id);
      return true;
   case PV_CAPTURE_FAILURES:
      if (listed)
         printf("@0x%08zx failures 0x%016" PRIx64 " (fuzzing)\n", rec->offset, f.mask);
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

static int
decode_file(struct decode *d)
{
   size_t size;
   void *data = pv_cli_map_capture("decode", d->path, &size);
   if (!data && size)
      return 1;
   d->data = data;
   printf("# %s\n", d->path);
   struct pv_capture_reader r;
   pv_capture_reader_init(&r, data, size);
   struct pv_capture_record rec;
   bool ok = true;
   while (ok && pv_capture_next(&r, &rec)) {
      d->records++;
      ok = list_record(d, &rec);
   }
   if (ok && r.truncated) {
      char message[96];
      snprintf(message, sizeof(message), "the file ends inside a record (%zu bytes left)",
               r.size - r.pos);
      d->records++;
      malformed(d, r.pos, "", message);
      ok = false;
   }
   printf("# %u records, %" PRIu64 " commands, %" PRIu64 " listed%s\n", d->records,
          d->printer.walked, d->printer.listed, ok ? "" : "; malformed, see above");
   pv_cli_unmap_capture(data, size);
   return ok ? 0 : 1;
}

/* --command vkA,vkB: which command ids to list. */
static bool *
parse_commands(const char *list)
{
   bool *wanted = calloc(pv_pr_command_count, sizeof(*wanted));
   char *copy = strdup(list);
   if (!wanted || !copy) {
      free(wanted);
      free(copy);
      return NULL;
   }
   bool ok = true;
   char *save = NULL;
   for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
      const int64_t id = pv_print_command_id(name);
      if (id < 0) {
         fprintf(stderr, "decode: '%s' is no command the protocol carries\n", name);
         ok = false;
      } else {
         wanted[id] = true;
      }
   }
   free(copy);
   if (!ok) {
      free(wanted);
      return NULL;
   }
   return wanted;
}

int
pv_cli_decode(const struct options *opts)
{
   if (!opts->argc) {
      fprintf(stderr, "decode: no capture given (pearvisor-gpu decode CAPTURE...)\n");
      return 2;
   }
   pv_log_silence(true); /* the listing reports what is malformed itself */
   bool *wanted = NULL;
   if (opts->decode_commands) {
      wanted = parse_commands(opts->decode_commands);
      if (!wanted)
         return 2;
   }
   uint64_t ring = 0;
   if (opts->decode_ring) {
      char *end;
      errno = 0;
      ring = strtoull(opts->decode_ring, &end, 0);
      if (errno || *end || end == opts->decode_ring) {
         fprintf(stderr, "decode: bad ring '%s'\n", opts->decode_ring);
         free(wanted);
         return 2;
      }
   }
   int failed = 0;
   for (int i = 0; i < opts->argc; i++) {
      struct decode d = {
         .path = opts->argv[i],
         .printer = { .out = stdout, .full = opts->decode_full, .wanted = wanted },
         .filtered = wanted || opts->decode_ring,
         .ring_filter = opts->decode_ring != NULL,
         .ring_wanted = ring,
      };
      failed |= decode_file(&d);
      free(d.rings.ids);
   }
   free(wanted);
   return failed;
}
