/* SPDX-License-Identifier: MIT */
/* Client processes of the vtest server.
 *
 * Each client is served in a process of its own, so that a host-driver
 * crash one guest provokes ends only that guest.  Mesa's Venus makes a
 * connection per VkInstance, and a program that makes instance after
 * instance would pay for a new process (the host driver loaded again) each
 * time, where natively the driver stays loaded in the program.  So after a
 * clean end a process says so on its control socket and waits, for
 * --linger, to serve the same guest process's next connection: the same
 * program, told apart by the kernel's credentials of the connection and
 * the process's start time, and nobody else.  A process whose client ended
 * in an error, or left objects behind, serves no one after it.
 *
 * The process says when its guest has closed the connection (LEFT), before
 * its teardown, and when the teardown is done (FREE): Mesa connects its
 * next instance without waiting for the server, so a connection from the
 * same guest process may arrive in between and then waits for FREE (for
 * a bounded time).  Only the server ends a process's wait, by closing the
 * socket, so a connection it hands over is never lost to a process that
 * has just decided to exit. */
#include "pv_vtest_procs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "object/pv_object.h"
#include "transport/pv_vtest_handover.h"
#include "util/pv_log.h"
#include "util/pv_time.h"

/* Processes waiting for their guest's next connection, at most this many at
 * once (the one waiting longest goes). */
#define PV_PROCS_MAX_IDLE 4
/* How long a connection may wait for the teardown of the same guest
 * process's last one before it is served elsewhere. */
#define PV_PROCS_PENDING_MS 500
#define PV_PROCS_CAPACITY (PV_VTEST_MAX_CLIENTS + 2 * PV_PROCS_MAX_IDLE)

enum proc_state {
   PROC_BUSY,    /* serving a client */
   PROC_LEAVING, /* its client left; tearing down */
   PROC_IDLE,    /* free for its guest's next connection */
};

struct proc {
   pid_t pid;
   uint32_t client_id;
   int ctl;             /* the server's end of its control socket, or -1 */
   struct pv_peer peer; /* the guest process it serves or served */
   int conn;            /* the server's copy of the connection it serves, or -1:
                           tells whether the guest has closed it before the
                           process has said so (pv_procs_place) */
   enum proc_state state;
   uint64_t since_ms;   /* idle since */
   int pending_fd;      /* a connection waiting for its teardown, or -1 */
   uint32_t pending_id;
   uint64_t pending_since_ms;
};

struct pv_procs {
   const struct pv_vtest_server_options *options;
   int listen_fd;
   struct pv_spares *spares;
   struct proc list[PV_PROCS_CAPACITY];
   int count;
};

/* -- in a client's process ------------------------------------------------------ */

/* Serves its client and, while the server keeps the process for the same
 * guest process's next connections, those too; then ends the process. */
static void
serve_and_exit(struct pv_renderer *renderer, const struct pv_vtest_server_options *options,
               int fd, uint32_t id, int ctl)
{
   const bool linger = ctl >= 0 && options->linger_ms;
   int ret = renderer ? 0 : pv_renderer_create(&options->renderer, &renderer);
   int64_t live = 0;
   while (!ret) {
      ret = pv_vtest_serve(renderer, fd, id,
                           &(struct pv_vtest_client_options){ .own_process = true,
                                                              .left_fd = linger ? ctl : -1 });
      /* the server holds a copy of the connection: the guest must see its
       * end now, not when the server lets go of its copy */
      shutdown(fd, SHUT_RDWR);
      close(fd);
      fd = -1;
      live = pv_object_live_count();
      if (live)
         pv_error("client %u: %lld objects were not freed at teardown", id, (long long)live);
      const char free_again = PV_PROC_FREE;
      if (ret || live || !linger || send(ctl, &free_again, 1, MSG_NOSIGNAL) != 1 ||
          !pv_handover_receive(ctl, &fd, &id))
         break;
      pv_debug(PV_CAT_VTEST, "serving client %u, the same guest process's next connection", id);
   }
   if (fd >= 0)
      close(fd);
   if (ctl >= 0)
      close(ctl);
   pv_renderer_destroy(renderer);
   /* a normal exit, so that leak checkers see what the context left behind */
   exit(ret || live ? 1 : 0);
}

/* For a newly forked process: the other processes' control sockets are not
 * its own (held open, they would keep those processes waiting), nor are
 * connections waiting for them. */
static void
close_in_child(void *arg)
{
   struct pv_procs *procs = arg;
   for (int i = 0; i < procs->count; i++) {
      if (procs->list[i].ctl >= 0)
         close(procs->list[i].ctl);
      if (procs->list[i].pending_fd >= 0)
         close(procs->list[i].pending_fd);
      if (procs->list[i].conn >= 0)
         close(procs->list[i].conn);
   }
}

/* -- in the server ------------------------------------------------------------- */

struct pv_procs *
pv_procs_create(const struct pv_vtest_server_options *options, int listen_fd,
                struct pv_spares *spares)
{
   struct pv_procs *procs = calloc(1, sizeof(*procs));
   if (!procs)
      return NULL;
   procs->options = options;
   procs->listen_fd = listen_fd;
   procs->spares = spares;
   spares->serve = serve_and_exit;
   spares->close_in_child = close_in_child;
   spares->close_in_child_arg = procs;
   return procs;
}

void
pv_procs_destroy(struct pv_procs *procs)
{
   if (!procs)
      return;
   pv_procs_let_go_all(procs);
   free(procs);
}

int
pv_procs_busy(const struct pv_procs *procs)
{
   int busy = 0;
   for (int i = 0; i < procs->count; i++)
      busy += procs->list[i].state != PROC_IDLE;
   return busy;
}

bool
pv_procs_full(const struct pv_procs *procs)
{
   return procs->count >= (int)PV_PROCS_CAPACITY;
}

int
pv_procs_count(const struct pv_procs *procs)
{
   return procs->count;
}

static void
forget_conn(struct proc *p)
{
   if (p->conn >= 0)
      close(p->conn);
   p->conn = -1;
}

/* The server's copy of a connection it hands to a lingering process (none
 * without --linger: then nothing asks). */
static int
copy_conn(const struct pv_procs *procs, int ctl, int fd)
{
   return procs->options->linger_ms && ctl >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
}

static void
add(struct pv_procs *procs, pid_t pid, uint32_t id, int ctl, int conn, struct pv_peer peer)
{
   procs->list[procs->count++] = (struct proc){
      .pid = pid, .client_id = id, .ctl = ctl, .conn = conn, .peer = peer,
      .state = PROC_BUSY, .pending_fd = -1,
   };
}

/* A spare, else a new process. */
static void
start_elsewhere(struct pv_procs *procs, int fd, uint32_t id, struct pv_peer peer)
{
   if (pv_procs_full(procs)) {
      pv_warn("refusing client %u: no room for another process", id);
      close(fd);
      return;
   }
   int ctl = -1;
   pid_t pid = pv_spares_take(procs->spares, fd, id, &ctl);
   if (pid > 0) {
      const int conn = copy_conn(procs, ctl, fd);
      close(fd);
      add(procs, pid, id, ctl, conn, peer);
      pv_debug(PV_CAT_VTEST, "client %u served by spare process %d", id, (int)pid);
      return;
   }
   int sv[2] = { -1, -1 };
   if (procs->options->linger_ms &&
       socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
      sv[0] = sv[1] = -1; /* served without lingering */
   pid = fork();
   if (pid == 0) {
      close(procs->listen_fd);
      if (sv[0] >= 0)
         close(sv[0]);
      pv_spares_close_in_child(procs->spares);
      close_in_child(procs);
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      struct pv_renderer *renderer = NULL;
      if (!pv_renderer_create(&procs->options->renderer, &renderer))
         pv_spares_teach(procs->spares, renderer);
      serve_and_exit(renderer, procs->options, fd, id, sv[1]);
   }
   const int conn = pid > 0 ? copy_conn(procs, sv[0], fd) : -1;
   close(fd);
   if (sv[1] >= 0)
      close(sv[1]);
   if (pid < 0) {
      pv_error("fork for client %u: %s", id, strerror(errno));
      if (sv[0] >= 0)
         close(sv[0]);
      return;
   }
   add(procs, pid, id, sv[0], conn, peer);
   pv_debug(PV_CAT_VTEST, "client %u served by pid %d", id, (int)pid);
}

/* Ends the process's wait (it exits when it reads the end of its socket);
 * a connection waiting for it is served elsewhere, or closed at shutdown. */
static void
let_go(struct pv_procs *procs, struct proc *p, bool serve_pending)
{
   if (p->ctl >= 0)
      close(p->ctl);
   p->ctl = -1;
   forget_conn(p);
   if (p->state == PROC_IDLE)
      p->state = PROC_LEAVING; /* until reaped */
   const int fd = p->pending_fd;
   p->pending_fd = -1;
   if (fd < 0)
      return;
   if (serve_pending)
      start_elsewhere(procs, fd, p->pending_id, p->peer);
   else
      close(fd);
}

static bool
hand_over(const struct pv_procs *procs, struct proc *p, int fd, uint32_t id)
{
   if (!pv_handover_send(p->ctl, fd, id))
      return false;
   forget_conn(p);
   p->conn = copy_conn(procs, p->ctl, fd);
   pv_debug(PV_CAT_VTEST, "client %u served by process %d, which served client %u of the "
            "same guest process", id, (int)p->pid, p->client_id);
   p->client_id = id;
   p->state = PROC_BUSY;
   close(fd);
   return true;
}

/* Whether the guest has closed the connection the process serves.  Mesa
 * closes an instance's connection before the program can make its next
 * instance, so a new connection may arrive before the process has seen the
 * end of the old one and said LEFT; the server's copy of the connection
 * tells at once. */
static bool
guest_closed(const struct proc *p)
{
   if (p->conn < 0)
      return false;
   struct pollfd pfd = { .fd = p->conn, .events = POLLRDHUP };
   return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLRDHUP | POLLHUP));
}

static void
leaving(struct proc *p)
{
   p->state = PROC_LEAVING;
   forget_conn(p);
}

void
pv_procs_place(struct pv_procs *procs, int fd, uint32_t id)
{
   const struct pv_peer peer = pv_peer_of(fd);
   for (int i = 0; i < procs->count; i++) {
      struct proc *p = &procs->list[i];
      if (p->state != PROC_IDLE || p->ctl < 0 || !pv_peer_same(p->peer, peer))
         continue;
      if (hand_over(procs, p, fd, id))
         return;
      let_go(procs, p, true);
   }
   for (int i = 0; i < procs->count; i++) {
      struct proc *p = &procs->list[i];
      if (p->state == PROC_BUSY && p->ctl >= 0 && pv_peer_same(p->peer, peer) &&
          guest_closed(p))
         leaving(p);
      if (p->state != PROC_LEAVING || p->ctl < 0 || p->pending_fd >= 0 ||
          !pv_peer_same(p->peer, peer))
         continue;
      p->pending_fd = fd;
      p->pending_id = id;
      p->pending_since_ms = pv_now_ms();
      pv_debug(PV_CAT_VTEST, "client %u waits for process %d, whose client %u of the same "
               "guest process has left", id, (int)p->pid, p->client_id);
      return;
   }
   start_elsewhere(procs, fd, id, peer);
}

int
pv_procs_pollfds(const struct pv_procs *procs, struct pollfd *pfds, int max, int *timeout_ms)
{
   int n = 0;
   bool waiting = false;
   for (int i = 0; i < procs->count && n < max; i++) {
      const struct proc *p = &procs->list[i];
      if (p->ctl < 0)
         continue;
      pfds[n++] = (struct pollfd){ .fd = p->ctl, .events = POLLIN };
      waiting |= p->state == PROC_IDLE || p->pending_fd >= 0;
   }
   if (waiting && *timeout_ms > 50)
      *timeout_ms = 50; /* waits end on time */
   return n;
}

/* One message of a process; false when its socket ended or made no sense. */
static bool
read_message(struct pv_procs *procs, struct proc *p)
{
   char msg;
   const ssize_t n = recv(p->ctl, &msg, 1, MSG_DONTWAIT);
   if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return true;
   if (n != 1 || !procs->options->linger_ms)
      return false;
   if (msg == PV_PROC_LEFT && p->state == PROC_BUSY) {
      leaving(p);
      return true;
   }
   if (msg == PV_PROC_LEFT && p->state == PROC_LEAVING)
      return true; /* seen at its connection's end already (guest_closed) */
   if (msg != PV_PROC_FREE || p->state == PROC_IDLE)
      return false;
   if (p->pending_fd >= 0) {
      const int fd = p->pending_fd;
      p->pending_fd = -1;
      if (hand_over(procs, p, fd, p->pending_id))
         return true;
      p->pending_fd = fd; /* served elsewhere by let_go */
      return false;
   }
   p->state = PROC_IDLE;
   p->since_ms = pv_now_ms();
   pv_debug(PV_CAT_VTEST, "process %d (client %u) is free for its guest's next connection",
            (int)p->pid, p->client_id);
   return true;
}

void
pv_procs_poll_result(struct pv_procs *procs, const struct pollfd *pfds, int n)
{
   for (int k = 0; k < n; k++) {
      if (!pfds[k].revents)
         continue;
      for (int i = 0; i < procs->count; i++) {
         struct proc *p = &procs->list[i];
         if (p->ctl != pfds[k].fd)
            continue;
         if (!read_message(procs, p))
            let_go(procs, p, true);
         break;
      }
   }
   /* the one waiting longest goes beyond the limit */
   for (;;) {
      int idle = 0, oldest = -1;
      for (int i = 0; i < procs->count; i++) {
         const struct proc *p = &procs->list[i];
         if (p->state != PROC_IDLE)
            continue;
         idle++;
         if (oldest < 0 || p->since_ms < procs->list[oldest].since_ms)
            oldest = i;
      }
      if (idle <= PV_PROCS_MAX_IDLE)
         break;
      let_go(procs, &procs->list[oldest], true);
   }
}

void
pv_procs_expire(struct pv_procs *procs)
{
   const uint64_t now = pv_now_ms();
   for (int i = 0; i < procs->count; i++) {
      struct proc *p = &procs->list[i];
      if (p->state == PROC_IDLE && now - p->since_ms >= procs->options->linger_ms)
         let_go(procs, p, true);
      else if (p->pending_fd >= 0 && now - p->pending_since_ms >= PV_PROCS_PENDING_MS) {
         pv_debug(PV_CAT_VTEST, "process %d is slow to tear down: client %u is served "
                  "elsewhere", (int)p->pid, p->pending_id);
         const int fd = p->pending_fd;
         p->pending_fd = -1;
         start_elsewhere(procs, fd, p->pending_id, p->peer);
      }
   }
}

uint32_t
pv_procs_reaped(struct pv_procs *procs, pid_t pid)
{
   for (int i = 0; i < procs->count; i++) {
      struct proc *p = &procs->list[i];
      if (p->pid != pid)
         continue;
      const uint32_t client = p->client_id;
      let_go(procs, p, true); /* its copy of the connection too */
      procs->list[i] = procs->list[--procs->count];
      return client;
   }
   return 0;
}

void
pv_procs_let_go_all(struct pv_procs *procs)
{
   for (int i = 0; i < procs->count; i++)
      let_go(procs, &procs->list[i], false);
}

void
pv_procs_terminate(struct pv_procs *procs)
{
   for (int i = 0; i < procs->count; i++)
      kill(procs->list[i].pid, SIGTERM);
}

void
pv_procs_forget_all(struct pv_procs *procs)
{
   pv_procs_let_go_all(procs);
   procs->count = 0;
}
