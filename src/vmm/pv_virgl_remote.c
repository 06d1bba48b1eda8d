/* SPDX-License-Identifier: MIT */
/* The vtest client side of an isolated context (pv_virgl_remote.h).  Every
 * call comes from the VMM's thread under the library's lock, so one request
 * and its reply are never interleaved with another's. */
#include "pv_virgl_remote.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport/pv_vtest_io.h"
#include "transport/pv_vtest_proto.h"
#include "util/pv_log.h"

static bool
send_cmd(struct pv_remote *r, uint32_t cmd, const uint32_t *payload, uint32_t dwords)
{
   const uint32_t header[2] = { dwords, cmd };
   if (r->gone || !pv_vtest_write(r->fd, header, sizeof(header)) ||
       (dwords && !pv_vtest_write(r->fd, payload, (size_t)dwords * 4))) {
      r->gone = true;
      return false;
   }
   return true;
}

/* Reads a reply to `cmd` of exactly `dwords` dwords. */
static bool
recv_reply(struct pv_remote *r, uint32_t cmd, uint32_t *payload, uint32_t dwords)
{
   uint32_t header[2];
   if (r->gone || !pv_vtest_read(r->fd, header, sizeof(header)) || header[1] != cmd ||
       header[0] != dwords || (dwords && !pv_vtest_read(r->fd, payload, (size_t)dwords * 4))) {
      r->gone = true;
      return false;
   }
   return true;
}

int
pv_remote_start(struct pv_remote *r, const char *helper, uint32_t ctx_id, const char *name)
{
   memset(r, 0, sizeof(*r));
   r->fd = -1;
   int fds[2];
   if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
      return -errno;
   char fd_arg[16], id_arg[16];
   snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
   snprintf(id_arg, sizeof(id_arg), "%u", ctx_id);
   const pid_t pid = fork();
   if (pid < 0) {
      const int err = errno;
      close(fds[0]);
      close(fds[1]);
      return -err;
   }
   if (pid == 0) {
      /* only async-signal-safe calls between fork and exec: the VMM has
       * threads that may hold locks */
      fcntl(fds[1], F_SETFD, 0);
      execl(helper, "pearvisor-gpu", "serve-fd", fd_arg, id_arg, (char *)NULL);
      _exit(127);
   }
   close(fds[1]);
   r->fd = fds[0];
   r->pid = pid;
   /* the vtest handshake Mesa makes: renderer name, protocol version, context */
   const uint32_t name_len = (uint32_t)strnlen(name, 63);
   const uint32_t header[2] = { name_len, PV_VCMD_CREATE_RENDERER };
   const uint32_t version = PV_VTEST_PROTOCOL_VERSION, capset = 4;
   uint32_t agreed = 0;
   if (!pv_vtest_write(r->fd, header, sizeof(header)) ||
       (name_len && !pv_vtest_write(r->fd, name, name_len)) ||
       !send_cmd(r, PV_VCMD_PROTOCOL_VERSION, &version, 1) ||
       !recv_reply(r, PV_VCMD_PROTOCOL_VERSION, &agreed, 1) ||
       agreed != PV_VTEST_PROTOCOL_VERSION ||
       !send_cmd(r, PV_VCMD_CONTEXT_INIT, &capset, 1)) {
      pv_error("virgl: context %u: its process (%s) did not start", ctx_id, helper);
      pv_remote_stop(r);
      return -ECHILD;
   }
   return 0;
}

void
pv_remote_stop(struct pv_remote *r)
{
   if (r->fd >= 0)
      close(r->fd); /* the process sees the hang-up and tears the context down */
   r->fd = -1;
   if (r->pid > 0) {
      int status = 0;
      while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
         ;
      if (WIFSIGNALED(status))
         pv_warn("virgl: a context process was killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
   }
   r->pid = 0;
   r->gone = true;
}

/* One SUBMIT_CMD2 batch: Mesa's 6-dword header, the stream, then syncs. */
static int
submit_batch(struct pv_remote *r, const void *data, uint32_t dwords, uint32_t ring_idx,
             const uint32_t *sync, uint32_t sync_count)
{
   const uint32_t head = 1 + PV_BATCH_FIELDS;
   if (dwords > (UINT32_MAX - head - 3 * sync_count) / 4)
      return -E2BIG;
   const uint32_t total = head + dwords + 3 * sync_count;
   uint32_t batch[1 + PV_BATCH_FIELDS] = { 1 };
   batch[1 + PV_BATCH_FLAGS] = sync_count ? PV_VCMD_SUBMIT_CMD2_FLAG_RING_IDX : 0;
   batch[1 + PV_BATCH_CMD_OFFSET] = head;
   batch[1 + PV_BATCH_CMD_SIZE] = dwords;
   batch[1 + PV_BATCH_SYNC_OFFSET] = head + dwords;
   batch[1 + PV_BATCH_SYNC_COUNT] = sync_count;
   batch[1 + PV_BATCH_RING_IDX] = ring_idx;
   const uint32_t header[2] = { total, PV_VCMD_SUBMIT_CMD2 };
   if (r->gone || !pv_vtest_write(r->fd, header, sizeof(header)) ||
       !pv_vtest_write(r->fd, batch, sizeof(batch)) ||
       (dwords && !pv_vtest_write(r->fd, data, (size_t)dwords * 4)) ||
       (sync_count && !pv_vtest_write(r->fd, sync, (size_t)sync_count * 12))) {
      r->gone = true;
      return -EPIPE;
   }
   return 0;
}

int
pv_remote_submit(struct pv_remote *r, const void *data, uint32_t dwords)
{
   return submit_batch(r, data, dwords, 0, NULL, 0);
}

int
pv_remote_create_blob(struct pv_remote *r, uint32_t res_id, uint32_t type, uint32_t flags,
                      uint64_t size, uint64_t blob_id, int *fd)
{
   /* under the VMM's id: the guest's streams name the blob by it */
   const uint32_t p[7] = { res_id, type, flags, (uint32_t)size, (uint32_t)(size >> 32),
                           (uint32_t)blob_id, (uint32_t)(blob_id >> 32) };
   uint32_t created = 0;
   if (!send_cmd(r, PV_VCMD_RESOURCE_CREATE_BLOB_AT, p, 7) ||
       !recv_reply(r, PV_VCMD_RESOURCE_CREATE_BLOB, &created, 1) || created != res_id)
      return -EPIPE;
   *fd = pv_vtest_recv_fd(r->fd);
   if (*fd < 0) {
      r->gone = true;
      return -EPIPE;
   }
   return 0;
}

void
pv_remote_unref(struct pv_remote *r, uint32_t res_id)
{
   send_cmd(r, PV_VCMD_RESOURCE_UNREF, &res_id, 1);
}

void
pv_remote_sync(struct pv_remote *r)
{
   if (send_cmd(r, PV_VCMD_PING_PROTOCOL_VERSION, NULL, 0))
      recv_reply(r, PV_VCMD_PING_PROTOCOL_VERSION, NULL, 0);
}

int
pv_remote_fence(struct pv_remote *r, uint32_t ring_idx, uint32_t *sync_id)
{
   const uint32_t initial[2] = { 0, 0 };
   if (!send_cmd(r, PV_VCMD_SYNC_CREATE, initial, 2) ||
       !recv_reply(r, PV_VCMD_SYNC_CREATE, sync_id, 1))
      return -EPIPE;
   const uint32_t sync[3] = { *sync_id, 1, 0 };
   return submit_batch(r, NULL, 0, ring_idx, sync, 1);
}

bool
pv_remote_fence_retired(struct pv_remote *r, uint32_t sync_id)
{
   uint32_t value[2] = { 0, 0 };
   if (!send_cmd(r, PV_VCMD_SYNC_READ, &sync_id, 1) ||
       !recv_reply(r, PV_VCMD_SYNC_READ, value, 2))
      return true;
   if (!value[0] && !value[1])
      return false;
   send_cmd(r, PV_VCMD_SYNC_UNREF, &sync_id, 1);
   return true;
}
