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

/* -- reading ------------------------------------------------------------------ */

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

void
pv_capture_reader_init(struct pv_capture_reader *r, const void *data, size_t size)
{
   *r = (struct pv_capture_reader){ data, size, 0, false };
   if (size >= PV_CAPTURE_MAGIC_SIZE && !memcmp(data, PV_CAPTURE_MAGIC, PV_CAPTURE_MAGIC_SIZE))
      r->pos = PV_CAPTURE_MAGIC_SIZE;
}

bool
pv_capture_next(struct pv_capture_reader *r, struct pv_capture_record *rec)
{
   const size_t left = r->size - r->pos;
   if (left < 8) {
      r->truncated = left != 0;
      return false;
   }
   rec->offset = r->pos;
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

bool
pv_capture_parse(const struct pv_capture_record *rec, struct pv_capture_fields *f)
{
   const uint8_t *p = rec->payload;
   memset(f, 0, sizeof(*f));
   switch (rec->tag) {
   case PV_CAPTURE_BLOB:
      if (rec->size < 32)
         return false;
      f->res_id = load_u32(p);
      f->blob_type = load_u32(p + 4);
      f->blob_flags = load_u32(p + 8);
      f->blob_id = load_u64(p + 16);
      f->size = load_u64(p + 24);
      return true;
   case PV_CAPTURE_UNREF:
      if (rec->size < 4)
         return false;
      f->res_id = load_u32(p);
      return true;
   case PV_CAPTURE_STREAM:
      f->bytes = p;
      f->bytes_size = rec->size;
      return true;
   case PV_CAPTURE_RING:
      if (rec->size < 8)
         return false;
      f->ring_id = load_u64(p);
      f->bytes = p + 8;
      f->bytes_size = rec->size - 8;
      return true;
   case PV_CAPTURE_BLOB_WRITE:
      if (rec->size < 24)
         return false;
      f->res_id = load_u32(p);
      f->ring_id = load_u64(p + 8);
      f->offset = load_u64(p + 16);
      f->bytes = p + 24;
      f->bytes_size = rec->size - 24;
      return true;
   case PV_CAPTURE_FENCE:
      if (rec->size < 16)
         return false;
      f->ring_idx = load_u32(p);
      f->fence_id = load_u64(p + 8);
      return true;
   case PV_CAPTURE_FAILURES:
      if (rec->size < 8)
         return false;
      f->mask = load_u64(p);
      return true;
   default:
      return false;
   }
}

/* -- replay ------------------------------------------------------------------- */

static void
apply_blob_write(struct pv_context *ctx, const struct pv_capture_fields *w)
{
   struct pv_resource *res = pv_context_get_resource(ctx, w->res_id);
   if (!res)
      return; /* as when the guest writes memory it no longer has */
   if (pv_resource_contains(res, w->offset, w->bytes_size))
      memcpy(res->map + w->offset, w->bytes, w->bytes_size);
   pv_resource_unref(res);
}

/* A ring's chunk may run an indirect stream the guest wrote beforehand, but
 * the capture could only see it being executed: apply that ring's
 * BLOB_WRITE records up to its next chunk before this chunk runs. */
static void
apply_ring_writes(struct pv_context *ctx, const struct pv_capture_reader *at, uint64_t ring_id)
{
   struct pv_capture_reader r = *at;
   struct pv_capture_record rec;
   struct pv_capture_fields f;
   while (pv_capture_next(&r, &rec)) {
      if (rec.tag == PV_CAPTURE_RING && pv_capture_parse(&rec, &f) && f.ring_id == ring_id)
         break;
      if (rec.tag == PV_CAPTURE_BLOB_WRITE && pv_capture_parse(&rec, &f) &&
          f.ring_id == ring_id)
         apply_blob_write(ctx, &f);
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
replay_record(struct pv_context *ctx, const struct pv_capture_record *rec,
              const struct pv_capture_reader *after, const struct pv_replay_options *options,
              struct pv_replay_stats *stats)
{
   struct pv_capture_fields f;
   if (!pv_capture_parse(rec, &f))
      return false;
   switch (rec->tag) {
   case PV_CAPTURE_BLOB: {
      uint64_t size = f.size;
      if (options->max_blob_bytes && size > options->max_blob_bytes)
         size = options->max_blob_bytes;
      struct pv_blob blob;
      if (!pv_context_create_blob(ctx, f.res_id, f.blob_type, f.blob_flags, f.blob_id, size,
                                  &blob))
         close(blob.fd);
      return true;
   }
   case PV_CAPTURE_UNREF:
      pv_context_unref_resource(ctx, f.res_id);
      return true;
   case PV_CAPTURE_STREAM: {
      const uint64_t commands = ctx->dispatch->commands, bytes = ctx->dispatch->bytes;
      const uint64_t t0 = pv_now_ns();
      run_stream(ctx, f.bytes, f.bytes_size);
      stats->stream_ns += pv_now_ns() - t0;
      stats->commands += ctx->dispatch->commands - commands;
      stats->stream_bytes += ctx->dispatch->bytes - bytes;
      stats->streams++;
      return true;
   }
   case PV_CAPTURE_RING: {
      struct pv_ring *ring = pv_context_find_ring(ctx, f.ring_id);
      if (!ring)
         return true; /* its creation failed, as the context would have said */
      apply_ring_writes(ctx, after, f.ring_id);
      const uint64_t commands = ring->dispatch.commands, bytes = ring->dispatch.bytes;
      const uint64_t t0 = pv_now_ns();
      pv_ring_feed(ring, f.bytes, f.bytes_size, options->ring_timeout_ms);
      stats->stream_ns += pv_now_ns() - t0;
      stats->commands += ring->dispatch.commands - commands;
      stats->stream_bytes += ring->dispatch.bytes - bytes;
      stats->streams++;
      return true;
   }
   case PV_CAPTURE_BLOB_WRITE:
      if (!f.ring_id)
         apply_blob_write(ctx, &f); /* ring writes went in before their chunk */
      return true;
   case PV_CAPTURE_FENCE:
      pv_context_submit_fence(ctx, f.ring_idx, f.fence_id);
      return true;
   case PV_CAPTURE_FAILURES:
      if (options->set_failures)
         options->set_failures(f.mask);
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
   struct pv_capture_reader r;
   pv_capture_reader_init(&r, data, size);
   bool well_formed = true;
   struct pv_capture_record rec;
   while (!pv_context_is_fatal(ctx) && pv_capture_next(&r, &rec)) {
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
