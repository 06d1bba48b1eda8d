/* SPDX-License-Identifier: MIT */
/* The vtest client side of an isolated context (pv_virgl_remote.h): a queue
 * that the VMM's calls fill and a worker thread per context that empties it.
 * The worker alone reads and writes the context's socket, so one request and
 * its reply are never interleaved with another's, and its I/O waits only
 * for itself: a process whose host driver hangs stops its own worker, while
 * the VMM's thread and the other contexts' workers go on.  Its socket is
 * non-blocking and every wait also watches the worker's wake-up, so that a
 * context being destroyed gets a deadline even in the middle of a request
 * its process never answers. */
#include "pv_virgl_remote.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>

#include "pearvisor/pv_renderer.h"
#include "transport/pv_vtest_io.h"
#include "transport/pv_vtest_proto.h"
#include "util/pv_log.h"

/* What is queued for a process that does not read it (its host driver
 * hangs, say) is the VMM's memory: past this the context is ended rather
 * than letting a guest grow the VMM without bound. */
#define PV_REMOTE_MAX_QUEUED ((size_t)64 << 20)
/* How long a process may take, once its context is destroyed, to take what
 * was queued for it and end before it is killed: a healthy one does in far
 * less, a hung host driver never reads again. */
#define PV_REMOTE_GRACE_MS 2000

enum job_kind {
   JOB_SUBMIT,
   JOB_FENCE,
   JOB_SYNC,
   JOB_BLOB,
   JOB_UNREF,
};

/* On the stack of the caller of pv_remote_create_blob, which waits for it. */
struct blob_request {
   uint32_t res_id, type, flags;
   uint64_t size, blob_id;
   bool done; /* under the remote's lock */
   int ret, fd;
};

struct job {
   struct job *next;
   enum job_kind kind;
   size_t bytes;              /* counted against PV_REMOTE_MAX_QUEUED */
   uint32_t ring_idx;         /* FENCE */
   uint64_t value;            /* FENCE: the VMM's fence id; SYNC: the sync point */
   uint32_t res_id;           /* UNREF */
   struct blob_request *blob; /* BLOB */
   uint32_t dwords;           /* SUBMIT */
   uint32_t data[];
};

struct pending_fence {
   struct pending_fence *next;
   uint64_t fence_id;
   uint64_t value; /* what the timeline's sync is raised to when it retires */
};

/* One ring_idx, the worker's alone. */
struct timeline {
   uint32_t sync_id; /* 0 until its first fence */
   uint64_t last_value;
   struct pending_fence *head, *tail; /* oldest first */
   int wait_fd;                       /* SYNC_WAIT answer for head, or -1 */
};

struct pv_remote {
   uint32_t ctx_id;
   char name[64];
   int fd;
   pid_t pid;
   struct pv_remote_callbacks cb;
   thrd_t thread;
   int wake_fd; /* eventfd: work was queued, or stop */

   mtx_t lock; /* guards the queue, `stopping`, `killed` and blob answers */
   cnd_t answered;
   struct job *head, *tail;
   size_t queued_bytes;
   atomic_bool stopping; /* written under the lock */
   bool killed;

   atomic_bool gone;     /* the process ended or broke the protocol */
   atomic_bool finished; /* the worker returned */
   int64_t deadline_ms;  /* the worker's: once stopping, when to give up on the process */

   struct timeline timelines[PV_MAX_TIMELINES];
};

/* -- the worker's side --------------------------------------------------------- */

static int64_t
now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds the worker may still wait for the process: for ever while
 * the context lives (a slow process holds up only its own context), the
 * rest of the grace period once it is stopping. */
static int
patience(struct pv_remote *r)
{
   if (!atomic_load(&r->stopping))
      return -1;
   if (!r->deadline_ms)
      r->deadline_ms = now_ms() + PV_REMOTE_GRACE_MS;
   const int64_t left = r->deadline_ms - now_ms();
   return left > 0 ? (int)left : 0;
}

/* Waits until the socket is ready for `events`; false once out of patience. */
static bool
io_wait(struct pv_remote *r, short events)
{
   for (;;) {
      const int timeout = patience(r);
      if (!timeout)
         return false;
      struct pollfd pfd[2] = {
         { .fd = r->fd, .events = events },
         /* a stop arriving meanwhile sets the deadline */
         { .fd = r->wake_fd, .events = POLLIN },
      };
      const int n = poll(pfd, 2, timeout);
      if (n < 0 && errno != EINTR)
         return false;
      if (n > 0 && pfd[1].revents) {
         /* the main loop looks at the queue itself, not at this count */
         uint64_t count;
         ssize_t unused = read(r->wake_fd, &count, sizeof(count));
         (void)unused;
      }
      if (n > 0 && pfd[0].revents)
         return true; /* ready, or hung up: the call that follows says which */
   }
}

static bool
would_block(struct pv_remote *r, short events)
{
   return errno == EINTR || ((errno == EAGAIN || errno == EWOULDBLOCK) && io_wait(r, events));
}

static bool
write_all(struct pv_remote *r, const void *buf, size_t size)
{
   const uint8_t *p = buf;
   while (size) {
      const ssize_t n = send(r->fd, p, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
         p += n;
         size -= (size_t)n;
      } else if (n == 0 || !would_block(r, POLLOUT)) {
         return false;
      }
   }
   return true;
}

static bool
read_all(struct pv_remote *r, void *buf, size_t size)
{
   uint8_t *p = buf;
   while (size) {
      const ssize_t n = recv(r->fd, p, size, MSG_DONTWAIT);
      if (n > 0) {
         p += n;
         size -= (size_t)n;
      } else if (n == 0 || !would_block(r, POLLIN)) {
         return false; /* 0: the process hung up */
      }
   }
   return true;
}

/* A file descriptor sent with one byte (vtest's way), or -1. */
static int
recv_fd(struct pv_remote *r)
{
   for (;;) {
      char byte;
      const int fd = pv_vtest_recv_fd_flags(r->fd, &byte, 1, MSG_DONTWAIT);
      if (fd >= 0 || !would_block(r, POLLIN))
         return fd;
   }
}

static bool
send_cmd(struct pv_remote *r, uint32_t cmd, const uint32_t *payload, uint32_t dwords)
{
   const uint32_t header[2] = { dwords, cmd };
   return write_all(r, header, sizeof(header)) &&
          (!dwords || write_all(r, payload, (size_t)dwords * 4));
}

/* Reads a reply to `cmd` of exactly `dwords` dwords. */
static bool
recv_reply(struct pv_remote *r, uint32_t cmd, uint32_t *payload, uint32_t dwords)
{
   uint32_t header[2];
   return read_all(r, header, sizeof(header)) && header[1] == cmd && header[0] == dwords &&
          (!dwords || read_all(r, payload, (size_t)dwords * 4));
}

static void
retired(struct pv_remote *r, uint32_t ring_idx, uint64_t fence_id)
{
   /* a destroyed context's front end has forgotten it */
   if (!atomic_load(&r->stopping))
      r->cb.retired(r->cb.data, ring_idx, fence_id);
}

/* The process is gone (or answers nonsense): nothing more is sent, and its
 * fences retire now, in order, since nothing will ever raise them and its
 * guest must learn (from its rings, which say FATAL) rather than wait. */
static void
set_gone(struct pv_remote *r, const char *why)
{
   if (!atomic_exchange(&r->gone, true) && why && !atomic_load(&r->stopping))
      pv_warn("virgl: context %u (%s): its process is gone (%s); its fences count as retired",
              r->ctx_id, r->name, why);
   for (uint32_t i = 0; i < PV_MAX_TIMELINES; i++) {
      struct timeline *t = &r->timelines[i];
      if (t->wait_fd >= 0)
         close(t->wait_fd);
      t->wait_fd = -1;
      while (t->head) {
         struct pending_fence *p = t->head;
         t->head = p->next;
         retired(r, i, p->fence_id);
         free(p);
      }
      t->tail = NULL;
   }
}

/* The vtest handshake Mesa makes: renderer name, protocol version, context. */
static bool
handshake(struct pv_remote *r)
{
   const uint32_t name_len = (uint32_t)strnlen(r->name, sizeof(r->name) - 1);
   const uint32_t header[2] = { name_len, PV_VCMD_CREATE_RENDERER };
   const uint32_t version = PV_VTEST_PROTOCOL_VERSION, capset = PV_CAPSET_VENUS;
   uint32_t agreed = 0;
   return write_all(r, header, sizeof(header)) &&
          (!name_len || write_all(r, r->name, name_len)) &&
          send_cmd(r, PV_VCMD_PROTOCOL_VERSION, &version, 1) &&
          recv_reply(r, PV_VCMD_PROTOCOL_VERSION, &agreed, 1) &&
          agreed == PV_VTEST_PROTOCOL_VERSION && send_cmd(r, PV_VCMD_CONTEXT_INIT, &capset, 1);
}

/* One SUBMIT_CMD2 batch: Mesa's 6-dword header, the stream, then syncs. */
static bool
submit_batch(struct pv_remote *r, const void *data, uint32_t dwords, uint32_t ring_idx,
             const uint32_t *sync, uint32_t sync_count)
{
   const uint32_t head = 1 + PV_BATCH_FIELDS;
   const uint32_t total = head + dwords + 3 * sync_count; /* bounded by the queue's limit */
   uint32_t batch[1 + PV_BATCH_FIELDS] = { 1 };
   batch[1 + PV_BATCH_FLAGS] = sync_count ? PV_VCMD_SUBMIT_CMD2_FLAG_RING_IDX : 0;
   batch[1 + PV_BATCH_CMD_OFFSET] = head;
   batch[1 + PV_BATCH_CMD_SIZE] = dwords;
   batch[1 + PV_BATCH_SYNC_OFFSET] = head + dwords;
   batch[1 + PV_BATCH_SYNC_COUNT] = sync_count;
   batch[1 + PV_BATCH_RING_IDX] = ring_idx;
   const uint32_t header[2] = { total, PV_VCMD_SUBMIT_CMD2 };
   return write_all(r, header, sizeof(header)) && write_all(r, batch, sizeof(batch)) &&
          (!dwords || write_all(r, data, (size_t)dwords * 4)) &&
          (!sync_count || write_all(r, sync, (size_t)sync_count * 12));
}

/* Asks for a pipe that becomes readable once the oldest fence of `t`
 * retired: the process tells the worker, which never asks again and again. */
static void
start_wait(struct pv_remote *r, struct timeline *t)
{
   const uint64_t value = t->head->value;
   const uint32_t wait[5] = { 0, UINT32_MAX /* no timeout */, t->sync_id, (uint32_t)value,
                              (uint32_t)(value >> 32) };
   if (!send_cmd(r, PV_VCMD_SYNC_WAIT, wait, 5) || !recv_reply(r, PV_VCMD_SYNC_WAIT, NULL, 0) ||
       (t->wait_fd = recv_fd(r)) < 0) {
      t->wait_fd = -1;
      set_gone(r, "no answer to a fence wait");
   }
}

/* The wait pipe of `ring_idx` became readable: a byte is its oldest fence
 * retired, a hang-up without one is the process ending. */
static void
wait_ready(struct pv_remote *r, uint32_t ring_idx)
{
   struct timeline *t = &r->timelines[ring_idx];
   if (t->wait_fd < 0)
      return;
   uint8_t byte;
   const ssize_t n = read(t->wait_fd, &byte, 1);
   if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
   close(t->wait_fd);
   t->wait_fd = -1;
   if (n != 1) {
      set_gone(r, "a fence wait hung up");
      return;
   }
   struct pending_fence *p = t->head;
   t->head = p->next;
   if (!t->head)
      t->tail = NULL;
   retired(r, ring_idx, p->fence_id);
   free(p);
   if (t->head)
      start_wait(r, t);
}

static void
run_fence(struct pv_remote *r, uint32_t ring_idx, uint64_t fence_id)
{
   struct timeline *t = &r->timelines[ring_idx];
   struct pending_fence *p = calloc(1, sizeof(*p));
   if (!p && !atomic_load(&r->gone)) {
      pv_error("virgl: context %u (%s): out of memory for a fence; ending it", r->ctx_id,
               r->name);
      mtx_lock(&r->lock);
      r->killed = true;
      kill(r->pid, SIGKILL);
      mtx_unlock(&r->lock);
      set_gone(r, NULL);
   }
   if (atomic_load(&r->gone)) {
      free(p);
      retired(r, ring_idx, fence_id);
      return;
   }
   /* queued first, so that a process lost below retires it with the rest */
   p->fence_id = fence_id;
   if (t->tail)
      t->tail->next = p;
   else
      t->head = p;
   t->tail = p;
   if (!t->sync_id) {
      const uint32_t initial[2] = { 0, 0 };
      uint32_t id = 0;
      if (!send_cmd(r, PV_VCMD_SYNC_CREATE, initial, 2) ||
          !recv_reply(r, PV_VCMD_SYNC_CREATE, &id, 1) || !id) {
         set_gone(r, "no sync for a fence timeline");
         return;
      }
      t->sync_id = id;
   }
   /* the timeline's sync counts its fences: fences of one ring_idx retire
    * in order, so the sync only ever rises */
   p->value = ++t->last_value;
   const uint32_t sync[3] = { t->sync_id, (uint32_t)p->value, (uint32_t)(p->value >> 32) };
   if (!submit_batch(r, NULL, 0, ring_idx, sync, 1)) {
      set_gone(r, "a fence could not be sent");
      return;
   }
   if (t->wait_fd < 0)
      start_wait(r, t);
}

static void
run_blob(struct pv_remote *r, struct blob_request *b)
{
   int ret = -EPIPE, fd = -1;
   if (!atomic_load(&r->gone)) {
      /* under the VMM's id: the guest's streams name the blob by it */
      const uint32_t p[7] = { b->res_id,          b->type,
                              b->flags,           (uint32_t)b->size,
                              (uint32_t)(b->size >> 32), (uint32_t)b->blob_id,
                              (uint32_t)(b->blob_id >> 32) };
      uint32_t created = 0;
      if (send_cmd(r, PV_VCMD_RESOURCE_CREATE_BLOB_AT, p, 7) &&
          recv_reply(r, PV_VCMD_RESOURCE_CREATE_BLOB, &created, 1) && created == b->res_id &&
          (fd = recv_fd(r)) >= 0)
         ret = 0;
      else
         set_gone(r, "no answer to a blob");
   }
   mtx_lock(&r->lock);
   b->ret = ret;
   b->fd = fd;
   b->done = true;
   cnd_broadcast(&r->answered);
   mtx_unlock(&r->lock);
}

/* After the context's destroy: the streams and unrefs queued before it are
 * still sent (a guest's last stream is run and, if bad, logged), within
 * the grace period; nothing is reported any more. */
static void
run_job_stopping(struct pv_remote *r, struct job *job)
{
   const bool gone = atomic_load(&r->gone);
   if (job->kind == JOB_SUBMIT && !gone &&
       !submit_batch(r, job->data, job->dwords, 0, NULL, 0))
      set_gone(r, NULL);
   if (job->kind == JOB_UNREF && !gone && !send_cmd(r, PV_VCMD_RESOURCE_UNREF, &job->res_id, 1))
      set_gone(r, NULL);
   if (job->kind == JOB_BLOB) {
      mtx_lock(&r->lock);
      job->blob->ret = -EPIPE;
      job->blob->fd = -1;
      job->blob->done = true;
      cnd_broadcast(&r->answered);
      mtx_unlock(&r->lock);
   }
}

static void
run_job(struct pv_remote *r, struct job *job)
{
   if (atomic_load(&r->stopping)) {
      run_job_stopping(r, job);
      return;
   }
   const bool gone = atomic_load(&r->gone);
   switch (job->kind) {
   case JOB_SUBMIT:
      /* the process checks the stream and, if it is bad, logs why and ends;
       * the VMM and the other contexts go on */
      if (!gone && !submit_batch(r, job->data, job->dwords, 0, NULL, 0))
         set_gone(r, "a stream could not be sent");
      break;
   case JOB_FENCE:
      run_fence(r, job->ring_idx, job->value);
      break;
   case JOB_SYNC:
      if (!gone && (!send_cmd(r, PV_VCMD_PING_PROTOCOL_VERSION, NULL, 0) ||
                    !recv_reply(r, PV_VCMD_PING_PROTOCOL_VERSION, NULL, 0)))
         set_gone(r, "no answer to a ping");
      if (!atomic_load(&r->stopping))
         r->cb.synced(r->cb.data, job->value);
      break;
   case JOB_BLOB:
      run_blob(r, job->blob);
      break;
   case JOB_UNREF:
      if (!gone && !send_cmd(r, PV_VCMD_RESOURCE_UNREF, &job->res_id, 1))
         set_gone(r, "an unref could not be sent");
      break;
   }
}

/* Waits for the process to end (it was told to by the hang-up), killing it
 * at the end of the grace period, and reaps it. */
static void
reap(struct pv_remote *r)
{
   int status = 0;
   pid_t got = 0;
   mtx_lock(&r->lock);
   const bool killed_by_us = r->killed; /* logged when it was */
   mtx_unlock(&r->lock);
#ifdef SYS_pidfd_open
   const int pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
#else
   const int pidfd = -1;
#endif
   if (pidfd >= 0) {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      while (poll(&p, 1, patience(r)) < 0 && errno == EINTR)
         ;
      close(pidfd);
      got = waitpid(r->pid, &status, WNOHANG);
   } else {
      /* no pidfd (kernels before 5.3, or the VMM reaped it already) */
      const struct timespec tick = { .tv_nsec = 10 * 1000000 };
      while ((got = waitpid(r->pid, &status, WNOHANG)) == 0 && patience(r))
         nanosleep(&tick, NULL);
   }
   if (got == 0) {
      pv_warn("virgl: context %u (%s): its process did not end within %d ms of the context's "
              "end (a hung host driver?); killing it", r->ctx_id, r->name, PV_REMOTE_GRACE_MS);
      kill(r->pid, SIGKILL);
      while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
         ;
   } else if (got == r->pid && WIFSIGNALED(status) && !killed_by_us) {
      pv_warn("virgl: a context process was killed by signal %d (%s)", WTERMSIG(status),
              strsignal(WTERMSIG(status)));
   }
}

static int
worker(void *arg)
{
   struct pv_remote *r = arg;
   pthread_setname_np(pthread_self(), "pv-virgl-ctx");
   if (!handshake(r))
      set_gone(r, "it did not start");
   for (;;) {
      struct pollfd pfd[2 + PV_MAX_TIMELINES];
      uint32_t ring_of[2 + PV_MAX_TIMELINES];
      nfds_t n = 0;
      pfd[n++] = (struct pollfd){ .fd = r->wake_fd, .events = POLLIN };
      /* replies are read as they are due, so the socket readable between
       * jobs is the process hanging up */
      const bool watch_socket = !atomic_load(&r->gone);
      if (watch_socket)
         pfd[n++] = (struct pollfd){ .fd = r->fd, .events = POLLIN };
      const nfds_t first_wait = n;
      for (uint32_t i = 0; i < PV_MAX_TIMELINES && !atomic_load(&r->stopping); i++) {
         if (r->timelines[i].wait_fd >= 0) {
            ring_of[n] = i;
            pfd[n++] = (struct pollfd){ .fd = r->timelines[i].wait_fd, .events = POLLIN };
         }
      }
      mtx_lock(&r->lock);
      const bool busy = r->head || atomic_load(&r->stopping);
      mtx_unlock(&r->lock);
      if (poll(pfd, n, busy ? 0 : -1) < 0) {
         if (errno == EINTR)
            continue;
         pv_error("virgl: context %u (%s): poll: %s", r->ctx_id, r->name, strerror(errno));
         set_gone(r, NULL);
         /* not a spin if it persists (ENOMEM): the queue is still served */
         const struct timespec pause = { .tv_nsec = 10 * 1000000 };
         nanosleep(&pause, NULL);
         continue;
      }
      if (pfd[0].revents & POLLIN) {
         uint64_t count;
         ssize_t unused = read(r->wake_fd, &count, sizeof(count));
         (void)unused;
      }
      if (watch_socket && pfd[1].revents)
         set_gone(r, "it hung up");
      for (nfds_t i = first_wait; i < n; i++) {
         if (pfd[i].revents)
            wait_ready(r, ring_of[i]);
      }
      mtx_lock(&r->lock);
      struct job *job = r->head;
      if (!job && atomic_load(&r->stopping)) {
         /* nothing can be queued any more */
         mtx_unlock(&r->lock);
         break;
      }
      if (job) {
         r->head = job->next;
         if (!r->head)
            r->tail = NULL;
         r->queued_bytes -= job->bytes;
      }
      mtx_unlock(&r->lock);
      if (job) {
         run_job(r, job);
         free(job);
      }
   }
   /* the process reads what it was sent, then the hang-up, and ends */
   if (!atomic_load(&r->gone))
      shutdown(r->fd, SHUT_WR);
   set_gone(r, NULL);
   reap(r);
   atomic_store(&r->finished, true);
   return 0;
}

/* -- the VMM's side -------------------------------------------------------------- */

/* Whether `bytes` more may be queued; if not, the context is ended (its
 * worker then finds the process gone and retires its fences).  Under the
 * lock: the worker reaps only after `stopping`, set under it, so the pid is
 * still this context's process. */
static bool
room_locked(struct pv_remote *r, size_t bytes)
{
   if (r->killed || atomic_load(&r->stopping))
      return false;
   if (bytes <= PV_REMOTE_MAX_QUEUED - r->queued_bytes)
      return true;
   pv_error("virgl: context %u (%s): %zu MiB of work wait for its process, which does not "
            "take them (a hung host driver?); ending it", r->ctx_id, r->name,
            (r->queued_bytes + bytes) >> 20);
   r->killed = true;
   kill(r->pid, SIGKILL);
   return false;
}

static int
enqueue(struct pv_remote *r, struct job *job)
{
   mtx_lock(&r->lock);
   if (!room_locked(r, job->bytes)) {
      mtx_unlock(&r->lock);
      free(job);
      return -EPIPE;
   }
   if (r->tail)
      r->tail->next = job;
   else
      r->head = job;
   r->tail = job;
   r->queued_bytes += job->bytes;
   mtx_unlock(&r->lock);
   const uint64_t one = 1;
   ssize_t unused = write(r->wake_fd, &one, sizeof(one));
   (void)unused;
   return 0;
}

static struct job *
new_job(enum job_kind kind, size_t payload)
{
   struct job *job = calloc(1, sizeof(*job) + payload);
   if (job) {
      job->kind = kind;
      job->bytes = sizeof(*job) + payload;
   }
   return job;
}

int
pv_remote_start(const char *helper, uint32_t ctx_id, const char *name,
                const struct pv_remote_callbacks *cb, struct pv_remote **out)
{
   struct pv_remote *r = calloc(1, sizeof(*r));
   if (!r)
      return -ENOMEM;
   r->ctx_id = ctx_id;
   snprintf(r->name, sizeof(r->name), "%s", name);
   r->cb = *cb;
   r->fd = -1;
   for (uint32_t i = 0; i < PV_MAX_TIMELINES; i++)
      r->timelines[i].wait_fd = -1;
   r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
   if (r->wake_fd < 0) {
      const int err = errno;
      free(r);
      return -err;
   }
   if (mtx_init(&r->lock, mtx_plain) != thrd_success) {
      close(r->wake_fd);
      free(r);
      return -ENOMEM;
   }
   if (cnd_init(&r->answered) != thrd_success) {
      mtx_destroy(&r->lock);
      close(r->wake_fd);
      free(r);
      return -ENOMEM;
   }
   int fds[2];
   int ret = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) ? -errno : 0;
   /* the worker's end only: the process reads its own end blocking */
   if (!ret && fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
      ret = -errno;
      close(fds[0]);
      close(fds[1]);
   }
   pid_t pid = -1;
   if (!ret) {
      char fd_arg[16], id_arg[16];
      snprintf(fd_arg, sizeof(fd_arg), "%d", fds[1]);
      snprintf(id_arg, sizeof(id_arg), "%u", ctx_id);
      pid = fork();
      if (pid == 0) {
         /* only async-signal-safe calls between fork and exec: the VMM has
          * threads that may hold locks */
         fcntl(fds[1], F_SETFD, 0);
         execl(helper, "pearvisor-gpu", "serve-fd", fd_arg, id_arg, (char *)NULL);
         _exit(127);
      }
      if (pid < 0)
         ret = -errno;
      close(fds[1]);
      if (ret)
         close(fds[0]);
   }
   if (!ret) {
      r->fd = fds[0];
      r->pid = pid;
      if (thrd_create(&r->thread, worker, r) != thrd_success) {
         close(r->fd);
         kill(pid, SIGKILL);
         while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
         ret = -EAGAIN;
      }
   }
   if (ret) {
      pv_error("virgl: context %u: its process (%s) did not start: %s", ctx_id, helper,
               strerror(-ret));
      cnd_destroy(&r->answered);
      mtx_destroy(&r->lock);
      close(r->wake_fd);
      free(r);
      return ret;
   }
   *out = r;
   return 0;
}

void
pv_remote_stop(struct pv_remote *r)
{
   mtx_lock(&r->lock);
   atomic_store(&r->stopping, true);
   mtx_unlock(&r->lock);
   /* wakes the worker, idle or waiting for the process: from now on it
    * waits no longer than the grace period */
   const uint64_t one = 1;
   ssize_t unused = write(r->wake_fd, &one, sizeof(one));
   (void)unused;
}

bool
pv_remote_finished(struct pv_remote *r)
{
   return atomic_load(&r->finished);
}

void
pv_remote_free(struct pv_remote *r)
{
   thrd_join(r->thread, NULL);
   close(r->fd);
   close(r->wake_fd);
   cnd_destroy(&r->answered);
   mtx_destroy(&r->lock);
   free(r);
}

int
pv_remote_submit(struct pv_remote *r, const void *data, uint32_t dwords)
{
   if (atomic_load(&r->gone))
      return -EPIPE;
   if (dwords > PV_REMOTE_MAX_QUEUED / 4) {
      /* more than the queue may ever hold */
      mtx_lock(&r->lock);
      room_locked(r, (size_t)dwords * 4);
      mtx_unlock(&r->lock);
      return -EPIPE;
   }
   struct job *job = new_job(JOB_SUBMIT, (size_t)dwords * 4);
   if (!job)
      return -ENOMEM;
   job->dwords = dwords;
   if (dwords)
      memcpy(job->data, data, (size_t)dwords * 4);
   return enqueue(r, job);
}

int
pv_remote_fence(struct pv_remote *r, uint32_t ring_idx, uint64_t fence_id)
{
   if (ring_idx >= PV_MAX_TIMELINES)
      return -EINVAL;
   struct job *job = new_job(JOB_FENCE, 0);
   if (!job)
      return -ENOMEM;
   job->ring_idx = ring_idx;
   job->value = fence_id;
   return enqueue(r, job);
}

int
pv_remote_sync(struct pv_remote *r, uint64_t seq)
{
   struct job *job = new_job(JOB_SYNC, 0);
   if (!job)
      return -ENOMEM;
   job->value = seq;
   return enqueue(r, job);
}

int
pv_remote_create_blob(struct pv_remote *r, uint32_t res_id, uint32_t type, uint32_t flags,
                      uint64_t size, uint64_t blob_id, int *fd)
{
   if (atomic_load(&r->gone))
      return -EPIPE;
   struct blob_request b = {
      .res_id = res_id, .type = type, .flags = flags, .size = size, .blob_id = blob_id,
      .fd = -1,
   };
   struct job *job = new_job(JOB_BLOB, 0);
   if (!job)
      return -ENOMEM;
   job->blob = &b;
   const int ret = enqueue(r, job);
   if (ret)
      return ret;
   /* the one call that waits for the process: the VMM needs the blob's file
    * descriptor in its answer.  Only this caller waits; the worker answers
    * it even when the context is stopped meanwhile. */
   mtx_lock(&r->lock);
   while (!b.done)
      cnd_wait(&r->answered, &r->lock);
   mtx_unlock(&r->lock);
   *fd = b.fd;
   return b.ret;
}

void
pv_remote_unref(struct pv_remote *r, uint32_t res_id)
{
   if (atomic_load(&r->gone))
      return;
   struct job *job = new_job(JOB_UNREF, 0);
   if (!job)
      return;
   job->res_id = res_id;
   enqueue(r, job);
}
