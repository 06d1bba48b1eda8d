/* SPDX-License-Identifier: MIT */
#ifndef PV_DISPATCH_H
#define PV_DISPATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context/pv_context.h"
#include "cs/pv_decoder.h"
#include "cs/pv_encoder.h"

struct pv_ring;
struct pv_resource;

/* One stream of commands being executed: the context's own (commands the
 * transport submits) or a ring's.  Each has its own decoder and its own reply
 * stream; both run on one thread at a time.
 */
struct pv_dispatch {
   struct pv_context *ctx;     /* borrowed */
   struct pv_ring *ring;       /* borrowed; NULL for the context's dispatch */
   struct pv_decoder *dec;     /* the decoder in use: &main, or &nested */
   struct pv_decoder main;
   struct pv_decoder nested;   /* for vkExecuteCommandStreamsMESA streams */
   bool nested_ready;
   struct pv_encoder enc;      /* writes into `reply` */
   struct pv_resource *reply;  /* a reference, while a reply stream is set */
   unsigned reply_generation;  /* ctx->resources_generation when it was set */
   uint8_t *stream_copy;       /* owned: private copy of an indirect stream */
   size_t stream_copy_size;
   const char *command;        /* name of the command being executed */
   /* the host returned VK_ERROR_DEVICE_LOST to the current command: the
    * context ends once its reply is visible */
   bool device_lost;
   bool inject_lost;           /* test-only (PV_FAULT=lost:<command>) */
   bool replying;              /* the guest reads the current command's reply */
   /* statistics, written only by the dispatch's thread: commands executed
    * and stream bytes run (indirect streams included) so far */
   _Atomic uint64_t commands;
   _Atomic uint64_t bytes;
   /* what the watchdog reads, without a clock read per command: the
    * number of the command running (0: idle), and a count of heartbeats
    * (waits on the guest's behalf making progress) */
   _Atomic uint64_t busy;
   atomic_uint beats;
   const char *_Atomic busy_command;
   /* the watchdog's own, per dispatch: what it saw last and since when */
   uint64_t watched_busy;
   unsigned watched_beats;
   uint64_t watched_since_ns;
};

/* A command of the generated table. */
struct pv_command_desc {
   const char *name;
   void (*run)(struct pv_dispatch *d, uint32_t flags); /* NULL: not supported */
};

extern const struct pv_command_desc pv_commands[PV_COMMAND_TYPE_COUNT];

void pv_dispatch_init(struct pv_dispatch *d, struct pv_context *ctx, struct pv_ring *ring);
void pv_dispatch_fini(struct pv_dispatch *d);

/* Called after each command with the number of bytes consumed so far. */
typedef void (*pv_dispatch_progress_fn)(void *data, size_t consumed);

/* Decodes and executes every command in `data`.  Returns false once the
 * context is fatal. */
bool pv_dispatch_run(struct pv_dispatch *d, const void *data, size_t size,
                     pv_dispatch_progress_fn progress, void *progress_data);

static inline bool
pv_dispatch_ok(const struct pv_dispatch *d)
{
   return !pv_fatal_is_set(&d->ctx->fatal);
}

/* A long wait that still makes progress tells the watchdog so. */
void pv_dispatch_heartbeat(struct pv_dispatch *d);

/* Whether the dispatch should give up long waits: its ring is being
 * destroyed, or the guest went away (callbacks.guest_gone). */
bool pv_dispatch_stopping(const struct pv_dispatch *d);

/* Before a reply: a reply stream must be set. */
bool pv_dispatch_begin_reply(struct pv_dispatch *d);

/* Reply stream selection (vkSetReplyCommandStreamMESA / Seek). */
bool pv_dispatch_set_reply(struct pv_dispatch *d, struct pv_resource *res, uint64_t offset,
                           uint64_t size);
/* Another range of the reply stream's resource (which must be set). */
bool pv_dispatch_move_reply(struct pv_dispatch *d, uint64_t offset, uint64_t size);
void pv_dispatch_clear_reply(struct pv_dispatch *d);

/* Runs `size` bytes at `offset` of shared-memory resource `res` as an
 * indirect stream (vkExecuteCommandStreamsMESA). */
bool pv_dispatch_run_indirect(struct pv_dispatch *d, struct pv_resource *res,
                              uint64_t offset, uint64_t size);

/* The host entry point of a pass-through command is missing: the guest used
 * a command its device or instance did not enable. */
void pv_dispatch_missing(struct pv_dispatch *d, const char *command);
void pv_dispatch_unimplemented(struct pv_dispatch *d, const char *command, const char *why);

/* Marks the context fatal, naming the command being executed. */
void pv_dispatch_fail(struct pv_dispatch *d, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

#endif /* PV_DISPATCH_H */
