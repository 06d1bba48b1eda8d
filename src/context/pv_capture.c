/* SPDX-License-Identifier: MIT */
#include "pv_capture.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "context/pv_context.h"
#include "context/pv_resource.h"
#include "ring/pv_ring.h"
#include "util/pv_log.h"
#include "util/pv_time.h"

/* A capture stops growing here (a runaway guest must not fill the disk). */
#define PV_CAPTURE_MAX_BYTES ((uint64_t)1 << 30)

struct pv_capture {
   mtx_t mutex;
   FILE *file;
   uint64_t bytes;
   bool full;
   char path[PATH_MAX];
};

struct pv_capture *
pv_capture_open(const char *dir, const struct pv_context *ctx)
{
   struct pv_capture *cap = calloc(1, sizeof(*cap));
   if (!cap)
      return NULL;
   /* the guest's name is printable (the transport filtered it) but may hold
    * a '/' */
   char name[64];
   snprintf(name, sizeof(name), "%s", ctx->name);
   for (char *p = name; *p; p++) {
      if (*p == '/' || *p == ' ')
         *p = '_';
   }
   snprintf(cap->path, sizeof(cap->path), "%s/%s-%d-%u.pvcap", dir, name, (int)getpid(),
            ctx->id);
   cap->file = fopen(cap->path, "wbx");
   if (!cap->file || mtx_init(&cap->mutex, mtx_plain) != thrd_success) {
      pv_error("capture: cannot create %s: %s", cap->path, strerror(errno));
      if (cap->file)
         fclose(cap->file);
      free(cap);
      return NULL;
   }
   fwrite(PV_CAPTURE_MAGIC, 1, PV_CAPTURE_MAGIC_SIZE, cap->file);
   cap->bytes = PV_CAPTURE_MAGIC_SIZE;
   pv_info("capturing the guest's streams into %s", cap->path);
   return cap;
}

void
pv_capture_close(struct pv_capture *cap)
{
   if (!cap)
      return;
   if (fclose(cap->file))
      pv_error("capture: writing %s failed: %s", cap->path, strerror(errno));
   mtx_destroy(&cap->mutex);
   free(cap);
}

/* One record from a fixed head and a variable body. */
static void
write_record(struct pv_capture *cap, uint32_t tag, const void *head, size_t head_size,
             const void *body, size_t body_size)
{
   if (!cap)
      return;
   const uint64_t payload = (uint64_t)head_size + body_size;
   const uint64_t total = 8 + ((payload + 3) & ~(uint64_t)3);
   mtx_lock(&cap->mutex);
   if (cap->full || payload > UINT32_MAX || cap->bytes + total > PV_CAPTURE_MAX_BYTES) {
      if (!cap->full)
         pv_warn("capture: %s reached its limit; the rest of the session is not captured",
                 cap->path);
      cap->full = true;
      mtx_unlock(&cap->mutex);
      return;
   }
   const uint32_t header[2] = { tag, (uint32_t)payload };
   static const uint8_t zeros[4];
   fwrite(header, sizeof(header), 1, cap->file);
   if (head_size)
      fwrite(head, 1, head_size, cap->file);
   if (body_size)
      fwrite(body, 1, body_size, cap->file);
   fwrite(zeros, 1, (size_t)(total - 8 - payload), cap->file);
   cap->bytes += total;
   mtx_unlock(&cap->mutex);
}

void
pv_capture_blob(struct pv_capture *cap, uint32_t res_id, uint32_t blob_type,
                uint32_t blob_flags, uint64_t blob_id, uint64_t size)
{
   const struct {
      uint32_t res_id, blob_type, blob_flags, pad;
      uint64_t blob_id, size;
   } rec = { res_id, blob_type, blob_flags, 0, blob_id, size };
   write_record(cap, PV_CAPTURE_BLOB, &rec, sizeof(rec), NULL, 0);
}

void
pv_capture_unref(struct pv_capture *cap, uint32_t res_id)
{
   write_record(cap, PV_CAPTURE_UNREF, &res_id, sizeof(res_id), NULL, 0);
}

void
pv_capture_stream(struct pv_capture *cap, const void *data, size_t size)
{
   write_record(cap, PV_CAPTURE_STREAM, NULL, 0, data, size);
}

void
pv_capture_ring(struct pv_capture *cap, uint64_t ring_id, const void *data, size_t size)
{
   write_record(cap, PV_CAPTURE_RING, &ring_id, sizeof(ring_id), data, size);
}

void
pv_capture_blob_write(struct pv_capture *cap, uint32_t res_id, uint64_t ring_id,
                      uint64_t offset, const void *data, size_t size)
{
   const struct {
      uint32_t res_id, pad;
      uint64_t ring_id, offset;
   } rec = { res_id, 0, ring_id, offset };
   write_record(cap, PV_CAPTURE_BLOB_WRITE, &rec, sizeof(rec), data, size);
}

void
pv_capture_fence(struct pv_capture *cap, uint32_t ring_idx, uint64_t fence_id)
{
   const struct {
      uint32_t ring_idx, pad;
      uint64_t fence_id;
   } rec = { ring_idx, 0, fence_id };
   write_record(cap, PV_CAPTURE_FENCE, &rec, sizeof(rec), NULL, 0);
}

/* -- replay ------------------------------------------------------------------- */

struct record {
   uint32_t tag;
   const uint8_t *payload;
   uint32_t size;
};

struct reader {
   const uint8_t *data;
   size_t size;
   size_t pos;
   bool truncated;
};

static uint32_t
load_u32(const uint8_t *p)
{
   uint32_t v;
   memcpy(&v, p, sizeof(v));
   return v;
}

static uint64_t
load_u64(const uint8_t *p)
{
   uint64_t v;
   memcpy(&v, p, sizeof(v));
   return v;
}

static bool
next_record(struct reader *r, struct record *rec)
{
   const size_t left = r->size - r->pos;
   if (left < 8) {
      r->truncated = left != 0;
      return false;
   }
   rec->tag = load_u32(r->data + r->pos);
   rec->size = load_u32(r->data + r->pos + 4);
   if (rec->size > left - 8) {
      r->truncated = true;
      return false;
   }
   rec->payload = r->data + r->pos + 8;
   const size_t padded = ((size_t)rec->size + 3) & ~(size_t)3;
   r->pos += 8 + (padded < left - 8 ? padded : left - 8);
   return true;
}

struct blob_write {
   uint32_t res_id;
   uint64_t ring_id;
   uint64_t offset;
   const uint8_t *bytes;
   size_t size;
};

static bool
parse_blob_write(const struct record *rec, struct blob_write *w)
{
   if (rec->size < 24)
      return false;
   w->res_id = load_u32(rec->payload);
   w->ring_id = load_u64(rec->payload + 8);
   w->offset = load_u64(rec->payload + 16);
   w->bytes = rec->payload + 24;
   w->size = rec->size - 24;
   return true;
}

static void
apply_blob_write(struct pv_context *ctx, const struct blob_write *w)
{
   struct pv_resource *res = pv_context_get_resource(ctx, w->res_id);
   if (!res)
      return; /* as when the guest writes memory it no longer has */
   if (pv_resource_contains(res, w->offset, w->size))
      memcpy(res->map + w->offset, w->bytes, w->size);
   pv_resource_unref(res);
}

/* A ring's chunk may run an indirect stream the guest wrote beforehand, but
 * the capture could only see it being executed: apply that ring's
 * BLOB_WRITE records up to its next chunk before this chunk runs. */
static void
apply_ring_writes(struct pv_context *ctx, const struct reader *at, uint64_t ring_id)
{
   struct reader r = *at;
   struct record rec;
   while (next_record(&r, &rec)) {
      if (rec.tag == PV_CAPTURE_RING && rec.size >= 8 && load_u64(rec.payload) == ring_id)
         break;
      struct blob_write w;
      if (rec.tag == PV_CAPTURE_BLOB_WRITE && parse_blob_write(&rec, &w) &&
          w.ring_id == ring_id)
         apply_blob_write(ctx, &w);
   }
}

/* Streams are dword arrays; a record inside an unaligned buffer is copied. */
static void
run_stream(struct pv_context *ctx, const uint8_t *data, size_t size)
{
   if ((uintptr_t)data % 4 == 0) {
      pv_context_submit_cmd(ctx, data, size);
      return;
   }
   void *copy = malloc(size ? size : 1);
   if (!copy)
      return;
   memcpy(copy, data, size);
   pv_context_submit_cmd(ctx, copy, size);
   free(copy);
}

static bool
replay_record(struct pv_context *ctx, const struct record *rec, const struct reader *after,
              const struct pv_replay_options *options, struct pv_replay_stats *stats)
{
   const uint8_t *p = rec->payload;
   switch (rec->tag) {
   case PV_CAPTURE_BLOB: {
      if (rec->size < 32)
         return false;
      uint64_t size = load_u64(p + 24);
      if (options->max_blob_bytes && size > options->max_blob_bytes)
         size = options->max_blob_bytes;
      struct pv_blob blob;
      if (!pv_context_create_blob(ctx, load_u32(p), load_u32(p + 4), load_u32(p + 8),
                                  load_u64(p + 16), size, &blob))
         close(blob.fd);
      return true;
   }
   case PV_CAPTURE_UNREF:
      if (rec->size < 4)
         return false;
      pv_context_unref_resource(ctx, load_u32(p));
      return true;
   case PV_CAPTURE_STREAM: {
      const uint64_t commands = ctx->dispatch->commands, bytes = ctx->dispatch->bytes;
      const uint64_t t0 = pv_now_ns();
      run_stream(ctx, p, rec->size);
      stats->stream_ns += pv_now_ns() - t0;
      stats->commands += ctx->dispatch->commands - commands;
      stats->stream_bytes += ctx->dispatch->bytes - bytes;
      stats->streams++;
      return true;
   }
   case PV_CAPTURE_RING: {
      if (rec->size < 8)
         return false;
      const uint64_t ring_id = load_u64(p);
      struct pv_ring *ring = pv_context_find_ring(ctx, ring_id);
      if (!ring)
         return true; /* its creation failed, as the context would have said */
      apply_ring_writes(ctx, after, ring_id);
      const uint64_t commands = ring->dispatch.commands, bytes = ring->dispatch.bytes;
      const uint64_t t0 = pv_now_ns();
      pv_ring_feed(ring, p + 8, rec->size - 8, options->ring_timeout_ms);
      stats->stream_ns += pv_now_ns() - t0;
      stats->commands += ring->dispatch.commands - commands;
      stats->stream_bytes += ring->dispatch.bytes - bytes;
      stats->streams++;
      return true;
   }
   case PV_CAPTURE_BLOB_WRITE: {
      struct blob_write w;
      if (!parse_blob_write(rec, &w))
         return false;
      if (!w.ring_id)
         apply_blob_write(ctx, &w); /* ring writes went in before their chunk */
      return true;
   }
   case PV_CAPTURE_FENCE:
      if (rec->size < 16)
         return false;
      pv_context_submit_fence(ctx, load_u32(p), load_u64(p + 8));
      return true;
   case PV_CAPTURE_FAILURES:
      if (rec->size < 8)
         return false;
      if (options->set_failures)
         options->set_failures(load_u64(p));
      return true;
   default:
      return false;
   }
}

bool
pv_capture_replay(struct pv_context *ctx, const void *data, size_t size,
                  const struct pv_replay_options *options, struct pv_replay_stats *stats)
{
   struct pv_replay_stats local;
   if (!stats)
      stats = &local;
   memset(stats, 0, sizeof(*stats));
   ctx->rings_inline = options->inline_rings;
   struct reader r = { data, size, 0, false };
   if (size >= PV_CAPTURE_MAGIC_SIZE && !memcmp(data, PV_CAPTURE_MAGIC, PV_CAPTURE_MAGIC_SIZE))
      r.pos = PV_CAPTURE_MAGIC_SIZE;
   bool well_formed = true;
   struct record rec;
   while (!pv_context_is_fatal(ctx) && next_record(&r, &rec)) {
      stats->records++;
      if (!replay_record(ctx, &rec, &r, options, stats)) {
         pv_error("replay: record %u (tag %u, %u bytes) is malformed", stats->records,
                  rec.tag, rec.size);
         well_formed = false;
         break;
      }
   }
   stats->truncated = r.truncated;
   return well_formed && !r.truncated && !pv_context_is_fatal(ctx);
}
