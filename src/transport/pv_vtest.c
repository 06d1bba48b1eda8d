/* SPDX-License-Identifier: MIT */
/* One vtest client: reads its commands, drives its renderer context. */
#include "pv_vtest.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "context/pv_context.h"
#include "context/pv_resource.h"
#include "stats/pv_stats.h"
#include "trace/pv_trace.h"
#include "transport/pv_vtest_io.h"
#include "transport/pv_vtest_proto.h"
#include "transport/pv_vtest_sync.h"
#include "transport/pv_vtest_procs.h"
#include "util/pv_log.h"

/* the largest message a client may send: command streams are mostly in
 * rings, so SUBMIT_CMD2 payloads are small; this bounds a hostile one */
#define PV_VTEST_MAX_PAYLOAD_DWORDS ((64u << 20) / 4)
#define PV_VTEST_READ_CHUNK ((size_t)64 << 10)
#define PV_VTEST_MAX_NAME 1024u

struct client {
   int fd;
   bool own_process;
   uint32_t id;
   char name[64];
   uint32_t protocol_version;
   struct pv_renderer *renderer;
   struct pv_context *ctx;
   struct pv_stats_slot *stats; /* its live statistics, or NULL */
   uint32_t next_res_id;
   struct pv_vtest_syncs syncs;
   uint32_t *payload; /* owned: the current message */
   size_t payload_cap;
};

/* A client error: logged with the client's name; the caller drops it. */
static int
client_error(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
client_error(struct client *c, const char *fmt, ...)
{
   char msg[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(msg, sizeof(msg), fmt, ap);
   va_end(ap);
   pv_error("vtest client %u (%s): %s; dropping it", c->id, c->name, msg);
   return -EPROTO;
}

static void
retire_fence(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct client *c = data;
   pv_vtest_fence_retire(&c->syncs, ring_idx, fence_id);
}

static void
context_hung(void *data, const char *command, uint32_t seconds)
{
   struct client *c = data;
   if (c->own_process) {
      pv_error("vtest client %u (%s): the host driver has been stuck in %s for %u s; "
               "ending the client's process", c->id, c->name, command, seconds);
      _exit(3);
   }
   /* in-process the thread cannot be taken back: drop the client at least */
   pv_error("vtest client %u (%s): the host driver has been stuck in %s for %u s; "
            "dropping the client", c->id, c->name, command, seconds);
   shutdown(c->fd, SHUT_RDWR);
}

/* The client hung up (a wait on its behalf can end). */
static bool
guest_gone(void *data)
{
   const struct client *c = data;
   struct pollfd pfd = { .fd = c->fd, .events = POLLRDHUP };
   return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static int
expect_size(struct client *c, uint32_t cmd, uint32_t len, uint32_t want)
{
   if (len != want)
      return client_error(c, "command %u with %u dwords, expected %u", cmd, len, want);
   return 0;
}

static int
do_create_renderer(struct client *c, uint32_t len)
{
   /* the only command whose length is in bytes */
   if (len > PV_VTEST_MAX_NAME)
      return client_error(c, "CREATE_RENDERER name of %u bytes", len);
   char name[PV_VTEST_MAX_NAME + 1];
   if (!pv_vtest_read(c->fd, name, len))
      return -EIO;
   name[len] = '\0';
   snprintf(c->name, sizeof(c->name), "%.63s", name[0] ? name : "guest");
   for (char *p = c->name; *p; p++) {
      if (*p < 0x20 || *p > 0x7e)
         *p = '?'; /* keep log lines printable */
   }
   char label[96];
   snprintf(label, sizeof(label), "client %u %s", c->id, c->name);
   pv_log_set_label(label);
   pv_info("connected");
   return 0;
}

static int
do_context_init(struct client *c, const uint32_t *p)
{
   if (p[0] != PV_CAPSET_VENUS)
      return client_error(c, "CONTEXT_INIT with capset %u (only Venus, %u)", p[0],
                          PV_CAPSET_VENUS);
   if (c->ctx)
      return client_error(c, "second CONTEXT_INIT");
   const struct pv_context_callbacks callbacks = {
      .data = c,
      .retire_fence = retire_fence,
      .hung = context_hung,
      .guest_gone = guest_gone,
   };
   const int ret = pv_context_create(c->renderer, c->id, c->name, &callbacks, &c->ctx);
   if (ret)
      return client_error(c, "cannot create a context: %s", strerror(-ret));
   char label[96];
   snprintf(label, sizeof(label), "ctx %u %s", c->id, c->name);
   pv_log_set_label(label);
   c->stats = pv_stats_claim(pv_stats_shared, c->id, c->name);
   pv_context_attach_stats(c->ctx, c->stats);
   if (pv_trace_on()) {
      snprintf(label, sizeof(label), "client %u %s", c->id, c->name);
      pv_trace_name_process(label);
      pv_trace_name_thread("transport");
   }
   return 0;
}

/* A blob under `res_id`, or under the next free id when it is 0. */
static int
do_create_blob(struct client *c, const uint32_t *p, uint32_t res_id)
{
   if (!c->ctx)
      return client_error(c, "RESOURCE_CREATE_BLOB before CONTEXT_INIT");
   const uint64_t size = p[2] | (uint64_t)p[3] << 32;
   const uint64_t blob_id = p[4] | (uint64_t)p[5] << 32;
   if (!res_id)
      res_id = c->next_res_id++;
   if (!res_id)
      res_id = c->next_res_id++;
   struct pv_blob blob;
   const int ret = pv_context_create_blob(c->ctx, res_id, p[0], p[1], blob_id, size, &blob);
   if (ret) {
      /* The answer has no error field and the client blocks reading it:
       * it gets a resource it cannot map (Mesa: VK_ERROR_MEMORY_MAP_FAILED
       * or a failed allocation), and is dropped only if its context is
       * fatal, after that answer, so that it never waits on a closed
       * socket. */
      const int refused = pv_resource_refused_fd(size);
      const bool sent = refused >= 0 &&
                        pv_vtest_reply(c->fd, PV_VCMD_RESOURCE_CREATE_BLOB, &res_id, 1) &&
                        pv_vtest_send_fd(c->fd, refused);
      if (refused >= 0)
         close(refused);
      if (pv_context_is_fatal(c->ctx) || !sent)
         return client_error(c, "cannot create blob (type %u, flags 0x%x, %" PRIu64
                             " bytes, blob id %" PRIu64 "): %s", p[0], p[1], size, blob_id,
                             strerror(-ret));
      pv_debug(PV_CAT_VTEST, "blob %u refused: %s", res_id, strerror(-ret));
      return 0;
   }
   const bool sent = pv_vtest_reply(c->fd, PV_VCMD_RESOURCE_CREATE_BLOB, &res_id, 1) &&
                     pv_vtest_send_fd(c->fd, blob.fd);
   close(blob.fd);
   return sent ? 0 : -EIO;
}

static int
do_submit_cmd2(struct client *c, const uint32_t *p, uint32_t len)
{
   if (!c->ctx)
      return client_error(c, "SUBMIT_CMD2 before CONTEXT_INIT");
   if (!len)
      return 0;
   const uint32_t batch_count = p[0];
   if (!batch_count)
      return 0;
   if (batch_count > (len - 1) / PV_BATCH_FIELDS)
      return client_error(c, "SUBMIT_CMD2: %u batches in %u dwords", batch_count, len);
   /* Mesa writes 6-dword batch headers; the header file of the protocol
    * says 8.  The streams start right after the headers, so the first
    * batch's cmd_offset tells which. */
   uint32_t stride = PV_BATCH_FIELDS;
   if (batch_count > 1) {
      const uint32_t first = p[1 + PV_BATCH_CMD_OFFSET];
      if (first == 1 + 8 * batch_count && 1 + 8 * batch_count <= len)
         stride = 8;
   }
   for (uint32_t b = 0; b < batch_count; b++) {
      const uint32_t *batch = p + 1 + (size_t)b * stride;
      const uint32_t flags = batch[PV_BATCH_FLAGS];
      const uint64_t cmd_offset = batch[PV_BATCH_CMD_OFFSET];
      const uint64_t cmd_size = batch[PV_BATCH_CMD_SIZE];
      const uint64_t sync_offset = batch[PV_BATCH_SYNC_OFFSET];
      const uint64_t sync_count = batch[PV_BATCH_SYNC_COUNT];
      const uint32_t ring_idx =
         (flags & PV_VCMD_SUBMIT_CMD2_FLAG_RING_IDX) ? batch[PV_BATCH_RING_IDX] : 0;
      if (cmd_offset > len || cmd_size > len - cmd_offset)
         return client_error(c, "SUBMIT_CMD2 batch %u: stream %" PRIu64 "+%" PRIu64
                             " outside %u dwords", b, cmd_offset, cmd_size, len);
      if (sync_offset > len || sync_count > (len - sync_offset) / 3)
         return client_error(c, "SUBMIT_CMD2 batch %u: %" PRIu64 " syncs at %" PRIu64
                             " outside %u dwords", b, sync_count, sync_offset, len);
      if (ring_idx >= PV_MAX_TIMELINES)
         return client_error(c, "SUBMIT_CMD2 batch %u: ring_idx %u", b, ring_idx);

      if (cmd_size)
         pv_context_submit_cmd(c->ctx, p + cmd_offset, (size_t)cmd_size * 4);
      if (pv_context_is_fatal(c->ctx))
         return client_error(c, "its command stream was rejected");
      if (!sync_count)
         continue;

      struct pv_vtest_sync_value entries[64];
      struct pv_vtest_sync_value *e = sync_count <= 64 ? entries
                                                       : malloc(sync_count * sizeof(*e));
      if (!e)
         return -ENOMEM;
      for (uint64_t i = 0; i < sync_count; i++) {
         const uint32_t *s = p + sync_offset + i * 3;
         e[i].id = s[0];
         e[i].value = s[1] | (uint64_t)s[2] << 32;
      }
      const uint64_t fence_id = pv_vtest_fence_add(&c->syncs, ring_idx, e, (uint32_t)sync_count);
      pv_debug(PV_CAT_VTEST, "fence %" PRIu64 " on timeline %u with %" PRIu64 " syncs",
               fence_id, ring_idx, sync_count);
      if (e != entries)
         free(e);
      if (!fence_id)
         return client_error(c, "too many pending fences");
      pv_context_submit_fence(c->ctx, ring_idx, fence_id);
      if (pv_context_is_fatal(c->ctx))
         return client_error(c, "its fence was rejected");
   }
   return 0;
}

static int
do_sync_wait(struct client *c, const uint32_t *p, uint32_t len)
{
   if (len < 2 || (len - 2) % 3)
      return client_error(c, "SYNC_WAIT of %u dwords", len);
   const uint32_t count = (len - 2) / 3;
   struct pv_vtest_sync_value *entries = malloc((count ? count : 1) * sizeof(*entries));
   if (!entries)
      return -ENOMEM;
   for (uint32_t i = 0; i < count; i++) {
      entries[i].id = p[2 + i * 3];
      entries[i].value = p[3 + i * 3] | (uint64_t)p[4 + i * 3] << 32;
   }
   const int efd = pv_vtest_sync_wait(&c->syncs, p[0] & PV_VCMD_SYNC_WAIT_FLAG_ANY, p[1],
                                      entries, count);
   free(entries);
   if (efd < 0) {
      /* answered before the client is dropped: it blocks reading the
       * answer, and its poll of a hung-up pipe is VK_ERROR_DEVICE_LOST */
      const int lost = pv_vtest_sync_lost_fd();
      if (lost >= 0 && pv_vtest_reply(c->fd, PV_VCMD_SYNC_WAIT, NULL, 0))
         pv_vtest_send_fd(c->fd, lost);
      if (lost >= 0)
         close(lost);
      return client_error(c, "SYNC_WAIT: %s", strerror(-efd));
   }
   const bool sent = pv_vtest_reply(c->fd, PV_VCMD_SYNC_WAIT, NULL, 0) &&
                     pv_vtest_send_fd(c->fd, efd);
   close(efd);
   return sent ? 0 : -EIO;
}

static int
dispatch(struct client *c, uint32_t cmd, const uint32_t *p, uint32_t len)
{
   int ret;
   switch (cmd) {
   case PV_VCMD_PING_PROTOCOL_VERSION:
      return pv_vtest_reply(c->fd, cmd, NULL, 0) ? 0 : -EIO;
   case PV_VCMD_RESOURCE_BUSY_WAIT: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_BUSY_WAIT_SIZE)))
         return ret;
      const uint32_t idle = 0;
      return pv_vtest_reply(c->fd, cmd, &idle, 1) ? 0 : -EIO;
   }
   case PV_VCMD_PROTOCOL_VERSION: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_PROTOCOL_VERSION_SIZE)))
         return ret;
      c->protocol_version = p[0] < PV_VTEST_PROTOCOL_VERSION ? p[0] : PV_VTEST_PROTOCOL_VERSION;
      return pv_vtest_reply(c->fd, cmd, &c->protocol_version, 1) ? 0 : -EIO;
   }
   case PV_VCMD_GET_PARAM: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_GET_PARAM_SIZE)))
         return ret;
      uint32_t answer[2] = { 0, 0 };
      if (p[0] == PV_VCMD_PARAM_MAX_TIMELINE_COUNT) {
         answer[0] = 1;
         answer[1] = PV_MAX_TIMELINES;
      }
      return pv_vtest_reply(c->fd, cmd, answer, 2) ? 0 : -EIO;
   }
   case PV_VCMD_GET_CAPSET: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_GET_CAPSET_SIZE)))
         return ret;
      uint32_t answer[1 + 64] = { 0 };
      const size_t size = pv_renderer_get_capset(c->renderer, p[0], p[1], answer + 1,
                                                 sizeof(answer) - 4);
      answer[0] = size != 0;
      return pv_vtest_reply(c->fd, cmd, answer, 1 + (uint32_t)(size / 4)) ? 0 : -EIO;
   }
   case PV_VCMD_CONTEXT_INIT:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_CONTEXT_INIT_SIZE)))
         return ret;
      return do_context_init(c, p);
   case PV_VCMD_RESOURCE_CREATE_BLOB:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_RES_CREATE_BLOB_SIZE)))
         return ret;
      return do_create_blob(c, p, 0);
   case PV_VCMD_RESOURCE_CREATE_BLOB_AT:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_RES_CREATE_BLOB_AT_SIZE)))
         return ret;
      /* ids the server hands out count up from 1; the chosen ones are
       * checked like any (in use or 0: the blob is refused) */
      if (!p[0])
         return client_error(c, "RESOURCE_CREATE_BLOB_AT with id 0");
      return do_create_blob(c, p + 1, p[0]);
   case PV_VCMD_RESOURCE_UNREF:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_RES_UNREF_SIZE)))
         return ret;
      if (c->ctx)
         pv_context_unref_resource(c->ctx, p[0]);
      return 0;
   case PV_VCMD_SUBMIT_CMD2:
      return do_submit_cmd2(c, p, len);
   case PV_VCMD_SYNC_CREATE: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_SYNC_CREATE_SIZE)))
         return ret;
      const uint32_t id = pv_vtest_sync_create(&c->syncs, p[0] | (uint64_t)p[1] << 32);
      if (!id) {
         pv_vtest_reply(c->fd, cmd, &id, 1); /* answered, then dropped */
         return client_error(c, "sync quota (%u) reached", PV_VTEST_MAX_SYNCS);
      }
      return pv_vtest_reply(c->fd, cmd, &id, 1) ? 0 : -EIO;
   }
   case PV_VCMD_SYNC_UNREF:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_SYNC_UNREF_SIZE)))
         return ret;
      if (!pv_vtest_sync_unref(&c->syncs, p[0]))
         pv_debug(PV_CAT_VTEST, "unref of unknown sync %u", p[0]);
      return 0;
   case PV_VCMD_SYNC_READ: {
      if ((ret = expect_size(c, cmd, len, PV_VCMD_SYNC_READ_SIZE)))
         return ret;
      uint64_t value;
      if (!pv_vtest_sync_read(&c->syncs, p[0], &value)) {
         /* answered (0) before the client is dropped, which it learns at
          * its next message */
         const uint32_t zero[2] = { 0, 0 };
         pv_vtest_reply(c->fd, cmd, zero, 2);
         return client_error(c, "SYNC_READ of unknown sync %u", p[0]);
      }
      return pv_vtest_reply(c->fd, cmd, (const uint32_t *)&value, 2) ? 0 : -EIO;
   }
   case PV_VCMD_SYNC_WRITE:
      if ((ret = expect_size(c, cmd, len, PV_VCMD_SYNC_WRITE_SIZE)))
         return ret;
      if (!pv_vtest_sync_write(&c->syncs, p[0], p[1] | (uint64_t)p[2] << 32))
         return client_error(c, "SYNC_WRITE of unknown sync %u", p[0]);
      return 0;
   case PV_VCMD_SYNC_WAIT:
      return do_sync_wait(c, p, len);
   default:
      return client_error(c, "unknown command %u", cmd);
   }
}

/* Reads a message's payload.  The buffer grows only as bytes arrive, so a
 * header that promises the maximum costs nothing until they are sent. */
static bool
read_payload(struct client *c, size_t size)
{
   size_t got = 0;
   while (got < size) {
      const size_t chunk = size - got < PV_VTEST_READ_CHUNK ? size - got : PV_VTEST_READ_CHUNK;
      if (got + chunk > c->payload_cap) {
         size_t cap = c->payload_cap ? c->payload_cap : PV_VTEST_READ_CHUNK;
         while (cap < got + chunk)
            cap *= 2;
         if (cap > size)
            cap = size;
         uint32_t *grown = realloc(c->payload, cap);
         if (!grown) {
            errno = ENOMEM;
            return false;
         }
         c->payload = grown;
         c->payload_cap = cap;
      }
      if (!pv_vtest_read(c->fd, (uint8_t *)c->payload + got, chunk)) {
         errno = 0;
         return false;
      }
      got += chunk;
   }
   return true;
}

/* A context that became fatal between messages (on a ring, say) is noticed
 * within this, and its rings show the guest FATAL. */
#define PV_FATAL_CHECK_MS 100

/* Waits for the next message while expiring sync waits on time; false on a
 * poll error or when the context became fatal. */
static bool
wait_readable(struct client *c)
{
   for (;;) {
      struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
      int timeout = pv_vtest_syncs_expire(&c->syncs);
      if (c->ctx && (timeout < 0 || timeout > PV_FATAL_CHECK_MS))
         timeout = PV_FATAL_CHECK_MS;
      const int n = poll(&pfd, 1, timeout);
      if (n > 0)
         return true;
      if (n < 0 && errno != EINTR)
         return false;
      if (c->ctx && pv_context_is_fatal(c->ctx))
         return false;
   }
}

int
pv_vtest_serve_client(struct pv_renderer *renderer, int fd, uint32_t client_id,
                      bool own_process)
{
   return pv_vtest_serve(renderer, fd, client_id,
                         &(struct pv_vtest_client_options){ own_process, -1 });
}

int
pv_vtest_serve(struct pv_renderer *renderer, int fd, uint32_t client_id,
               const struct pv_vtest_client_options *options)
{
   struct client c = {
      .fd = fd,
      .own_process = options->own_process,
      .id = client_id,
      .renderer = renderer,
      .next_res_id = 1,
   };
   snprintf(c.name, sizeof(c.name), "unnamed");
   if (!pv_vtest_syncs_init(&c.syncs))
      return -ENOMEM;

   int ret = 0;
   for (;;) {
      if (!wait_readable(&c)) {
         ret = c.ctx && pv_context_is_fatal(c.ctx) ? client_error(&c, "its context is fatal")
                                                   : -EIO;
         break;
      }
      uint32_t hdr[PV_VTEST_HDR_SIZE];
      if (!pv_vtest_read(fd, hdr, sizeof(hdr))) {
         if (errno)
            ret = client_error(&c, "read failed: %s", strerror(errno));
         break; /* EOF: the client went away */
      }
      const uint32_t len = hdr[PV_VTEST_CMD_LEN];
      const uint32_t cmd = hdr[PV_VTEST_CMD_ID];
      if (cmd == PV_VCMD_CREATE_RENDERER) {
         if ((ret = do_create_renderer(&c, len)))
            break;
         continue;
      }
      if (len > PV_VTEST_MAX_PAYLOAD_DWORDS) {
         ret = client_error(&c, "command %u with %u dwords (limit %u)", cmd, len,
                            PV_VTEST_MAX_PAYLOAD_DWORDS);
         break;
      }
      if (len && !read_payload(&c, (size_t)len * 4)) {
         ret = errno == ENOMEM ? -ENOMEM : client_error(&c, "truncated command %u", cmd);
         break;
      }
      pv_debug(PV_CAT_VTEST, "vcmd %u, %u dwords", cmd, len);
      if ((ret = dispatch(&c, cmd, c.payload ? c.payload : hdr, len)))
         break;
      if (c.ctx && pv_context_is_fatal(c.ctx)) {
         ret = client_error(&c, "its context is fatal");
         break;
      }
   }

   if (!ret && options->left_fd >= 0) {
      /* the server may give the guest's next connection to this process */
      const char left = PV_PROC_LEFT;
      if (send(options->left_fd, &left, 1, MSG_NOSIGNAL) != 1)
         pv_debug(PV_CAT_VTEST, "the server is gone");
   }
   if (c.ctx) {
      /* rings the guest waits on say FATAL before they stop: Mesa aborts
       * on it instead of waiting for a head that no longer moves */
      pv_context_show_fatal(c.ctx);
      pv_context_destroy(c.ctx);
   }
   pv_stats_log_summary(c.stats);
   pv_stats_release(c.stats);
   /* waits still pending hang up: the guest's poll returns an error */
   pv_vtest_syncs_fini(&c.syncs);
   free(c.payload);
   pv_info("disconnected%s", ret ? " after an error" : "");
   return ret;
}
