/* SPDX-License-Identifier: MIT */
#include "pv_dispatch.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "context/pv_capture.h"
#include "context/pv_resource.h"
#include "ring/pv_ring.h"
#include "stats/pv_stats.h"
#include "trace/pv_trace.h"
#include "util/pv_log.h"
#include "util/pv_time.h"

void
pv_dispatch_init(struct pv_dispatch *d, struct pv_context *ctx, struct pv_ring *ring)
{
   d->ctx = ctx;
   d->ring = ring;
   pv_decoder_init(&d->main, &ctx->fatal, &ctx->objects, ctx->renderer->config.scratch_bytes);
   pv_arena_share(&d->main.arena, &ctx->scratch);
   d->dec = &d->main;
   d->nested_ready = false;
   d->enc.base = NULL;
   d->enc.size = 0;
   d->enc.pos = 0;
   d->enc.fatal = &ctx->fatal;
   d->reply = NULL;
   d->stream_copy = NULL;
   d->stream_copy_size = 0;
   d->command = NULL;
   atomic_init(&d->busy, 0);
   atomic_init(&d->beats, 0);
   atomic_init(&d->busy_command, NULL);
   atomic_init(&d->commands, 0);
   atomic_init(&d->bytes, 0);
}

void
pv_dispatch_fini(struct pv_dispatch *d)
{
   pv_dispatch_clear_reply(d);
   pv_decoder_fini(&d->main);
   if (d->nested_ready)
      pv_decoder_fini(&d->nested);
   free(d->stream_copy);
   d->stream_copy = NULL;
}

void
pv_dispatch_fail(struct pv_dispatch *d, const char *fmt, ...)
{
   char msg[200];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(msg, sizeof(msg), fmt, ap);
   va_end(ap);
   pv_fatal_set(&d->ctx->fatal, "%s: %s", d->command ? d->command : "dispatch", msg);
}

void
pv_dispatch_heartbeat(struct pv_dispatch *d)
{
   atomic_fetch_add_explicit(&d->beats, 1, memory_order_relaxed);
}

#if PV_FAULT_HOOKS
/* Test builds only (meson -Dfault_hooks=true): fault injection (PV_FAULT,
 * see pv_renderer_create), the host driver crashing, hanging or losing its
 * device in one command. */
static void
inject_fault(struct pv_dispatch *d, const struct pv_renderer *renderer, const char *command)
{
   d->inject_lost = false;
   if (strcmp(command, renderer->fault_command))
      return;
   if (renderer->fault_lost) {
      pv_error("fault injection: the host device is lost in %s", command);
      d->inject_lost = true;
      return;
   }
   if (renderer->fault_hang) {
      pv_error("fault injection: hanging in %s", command);
      for (;;)
         pause();
   }
   pv_error("fault injection: crashing in %s", command);
   raise(SIGSEGV);
}
#endif

/* A command, with its time: logged when long (PV_DEBUG=time), recorded
 * in the trace (decode and host calls together, from the command's
 * arguments to its reply). */
static void
run_timed(struct pv_dispatch *d, const struct pv_command_desc *desc, uint32_t flags)
{
   const uint64_t t0 = pv_now_ns();
   desc->run(d, flags);
   const uint64_t ns = pv_now_ns() - t0;
   if (ns >= 100000)
      pv_debug(PV_CAT_TIME, "%s took %" PRIu64 " us", desc->name, ns / 1000);
   if (pv_trace_on() && pv_trace_command_wanted(ns))
      pv_trace_span("command", desc->name, t0, ns, NULL);
}

bool
pv_dispatch_run(struct pv_dispatch *d, const void *data, size_t size,
                pv_dispatch_progress_fn progress, void *progress_data)
{
   atomic_store_explicit(&d->bytes,
                         atomic_load_explicit(&d->bytes, memory_order_relaxed) + size,
                         memory_order_relaxed);
   struct pv_decoder *dec = d->dec;
   if (!pv_dispatch_ok(d)) {
      pv_debug(PV_CAT_CS, "stream of %zu bytes ignored: context is fatal", size);
      return false;
   }
   /* the time its commands take, for live statistics: two clock reads per
    * stream, not per command (nested streams count in the outer one) */
   struct pv_stats_slot *stats = dec == &d->main ? d->ctx->stats : NULL;
   const uint64_t stream_start = stats ? pv_now_ns() : 0;
   pv_decoder_set_stream(dec, data, size);
   /* this thread's commands hold the objects they decode (pv_object.h) */
   pv_object_holder_enter(&dec->held);
   while (pv_decoder_remaining(dec) && pv_dispatch_ok(d)) {
      dec->command = NULL;
      const uint32_t type = pv_dec_u32(dec);
      const uint32_t flags = pv_dec_u32(dec);
      if (!pv_dispatch_ok(d))
         break;
      const struct pv_command_desc *desc =
         type < PV_COMMAND_TYPE_COUNT ? &pv_commands[type] : NULL;
      if (!desc || !desc->run) {
         pv_dispatch_fail(d, "unsupported command type %" PRIu32 " (%s)", type,
                          desc && desc->name ? desc->name : "unknown");
         break;
      }
      if (flags & ~PV_COMMAND_GENERATE_REPLY) {
         pv_dispatch_fail(d, "%s: unknown command flags 0x%" PRIx32, desc->name, flags);
         break;
      }
      d->command = desc->name;
      d->replying = flags & PV_COMMAND_GENERATE_REPLY;
      dec->command = desc->name;
      pv_debug(PV_CAT_CS, "%s%s", desc->name, flags ? " (reply)" : "");
      atomic_store_explicit(&d->busy_command, desc->name, memory_order_relaxed);
      atomic_store_explicit(&d->busy, atomic_load_explicit(&d->commands, memory_order_relaxed) + 1,
                            memory_order_release);
#if PV_FAULT_HOOKS
      if (__builtin_expect(d->ctx->renderer->fault_command != NULL, 0))
         inject_fault(d, d->ctx->renderer, desc->name);
#endif
      /* one test for PV_DEBUG=time and --trace together: untimed, the
       * command path reads no clock */
      if (pv_log_debug_enabled(PV_CAT_TIMED))
         run_timed(d, desc, flags);
      else
         desc->run(d, flags);
      atomic_store_explicit(&d->commands,
                            atomic_load_explicit(&d->commands, memory_order_relaxed) + 1,
                            memory_order_relaxed);
      atomic_store_explicit(&d->busy, 0, memory_order_release);
      pv_decoder_end_command(dec);
      if (!pv_dispatch_ok(d))
         break;
      if (progress)
         progress(progress_data, size - pv_decoder_remaining(dec));
      if (__builtin_expect(d->device_lost, 0)) {
         /* Venus guests cannot recover from a lost device (their fences
          * wait on feedback the host will never write): end the context,
          * after the guest could read this command's reply */
         pv_fatal_set(&d->ctx->fatal, "the host device was lost in %s", desc->name);
         break;
      }
   }
   /* a command that failed half-way still let go of what it decoded */
   pv_decoder_end_command(dec);
   pv_object_holder_leave(&dec->held);
   d->command = NULL;
   if (stats)
      pv_stats_add(&stats->busy_ns, pv_now_ns() - stream_start);
   return pv_dispatch_ok(d);
}

bool
pv_dispatch_stopping(const struct pv_dispatch *d)
{
   if (d->ring && atomic_load(&d->ring->stopping))
      return true;
   const struct pv_context_callbacks *cb = &d->ctx->callbacks;
   return cb->guest_gone && cb->guest_gone(cb->data);
}

bool
pv_dispatch_begin_reply(struct pv_dispatch *d)
{
   if (!d->enc.base) {
      pv_dispatch_fail(d, "reply requested but no reply stream is set");
      return false;
   }
   return true;
}

void
pv_dispatch_clear_reply(struct pv_dispatch *d)
{
   pv_resource_unref(d->reply);
   d->reply = NULL;
   d->enc.base = NULL;
   d->enc.size = 0;
   d->enc.pos = 0;
}

static bool
reply_range_ok(struct pv_dispatch *d, const struct pv_resource *res, uint64_t offset,
               uint64_t size)
{
   if (pv_resource_contains(res, offset, size))
      return true;
   pv_dispatch_fail(d, "reply stream %" PRIu64 "+%" PRIu64 " outside resource %u of %zu bytes",
                    offset, size, res->id, res->size);
   return false;
}

static void
point_reply(struct pv_dispatch *d, const struct pv_resource *res, uint64_t offset,
            uint64_t size)
{
   d->enc.base = res->map + offset;
   d->enc.size = (size_t)size;
   d->enc.pos = 0;
}

bool
pv_dispatch_set_reply(struct pv_dispatch *d, struct pv_resource *res, uint64_t offset,
                      uint64_t size)
{
   if (!reply_range_ok(d, res, offset, size))
      return false;
   pv_dispatch_clear_reply(d);
   d->reply = pv_resource_ref(res);
   point_reply(d, res, offset, size);
   return true;
}

bool
pv_dispatch_move_reply(struct pv_dispatch *d, uint64_t offset, uint64_t size)
{
   if (!reply_range_ok(d, d->reply, offset, size))
      return false;
   point_reply(d, d->reply, offset, size);
   return true;
}

bool
pv_dispatch_run_indirect(struct pv_dispatch *d, struct pv_resource *res, uint64_t offset,
                         uint64_t size)
{
   if (d->dec == &d->nested) {
      pv_dispatch_fail(d, "nested vkExecuteCommandStreamsMESA");
      return false;
   }
   if (!pv_resource_contains(res, offset, size) || size % 4) {
      pv_dispatch_fail(d, "stream %" PRIu64 "+%" PRIu64 " outside resource %u of %zu bytes",
                       offset, size, res->id, res->size);
      return false;
   }
   if (!size)
      return true; /* nothing to run (and no copy buffer yet, perhaps) */
   if (!d->nested_ready) {
      pv_decoder_init(&d->nested, &d->ctx->fatal, &d->ctx->objects,
                      d->ctx->renderer->config.scratch_bytes);
      pv_arena_share(&d->nested.arena, &d->ctx->scratch);
      d->nested_ready = true;
   }
   /* copy first: the guest can write to shared memory while we decode */
   if (size > d->stream_copy_size) {
      uint8_t *copy = realloc(d->stream_copy, (size_t)size);
      if (!copy) {
         pv_dispatch_fail(d, "out of memory copying a %" PRIu64 "-byte stream", size);
         return false;
      }
      d->stream_copy = copy;
      d->stream_copy_size = (size_t)size;
   }
   memcpy(d->stream_copy, res->map + offset, (size_t)size);
   pv_capture_blob_write(d->ctx->capture, res->id, d->ring ? d->ring->params.id : 0, offset,
                         d->stream_copy, (size_t)size);

   const char *outer = d->command;
   d->dec = &d->nested;
   const bool ok = pv_dispatch_run(d, d->stream_copy, (size_t)size, NULL, NULL);
   d->dec = &d->main;
   d->command = outer;
   return ok;
}

void
pv_dispatch_missing(struct pv_dispatch *d, const char *command)
{
   pv_dispatch_fail(d, "%s is not enabled on the host object", command);
}

void
pv_dispatch_unimplemented(struct pv_dispatch *d, const char *command, const char *why)
{
   pv_dispatch_fail(d, "%s is not implemented by this renderer yet (%s)", command, why);
}
