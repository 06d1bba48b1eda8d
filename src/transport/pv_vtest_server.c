/* SPDX-License-Identifier: MIT */
/* The vtest server: accepts clients and serves each in its own process
 * (or thread), so that a host-driver crash one guest provokes takes down
 * only that guest. */
#include "pv_vtest.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "object/pv_object.h"
#include "transport/pv_vtest_spare.h"
#include "util/pv_log.h"


int
pv_vtest_listen(const char *path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   if (strlen(path) >= sizeof(addr.sun_path)) {
      pv_error("socket path too long: %s", path);
      return -ENAMETOOLONG;
   }
   strcpy(addr.sun_path, path);
   const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0)
      return -errno;
   unlink(path); /* a stale socket of an earlier server */
   if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0) {
      const int err = errno;
      pv_error("cannot listen on %s: %s", path, strerror(err));
      close(fd);
      return -err;
   }
   return fd;
}

/* Spare processes are started once no client has arrived for this long. */
#define PV_SPARE_QUIET_MS 100

static uint64_t
monotonic_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct child {
   pid_t pid;
   uint32_t client_id;
};

static void
reap_children(struct child *children, int *count, struct pv_spares *spares, bool block,
              bool stopping)
{
   for (;;) {
      int status;
      const pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
      if (pid <= 0) {
         if (block)
            *count = 0; /* nothing left to wait for */
         return;
      }
      if (pv_spares_reaped(spares, pid, status))
         continue;
      uint32_t client = 0;
      for (int i = 0; i < *count; i++) {
         if (children[i].pid == pid) {
            client = children[i].client_id;
            children[i] = children[--*count];
            break;
         }
      }
      if (!client) {
         /* a spare let go at shutdown, or one that died unused */
         pv_debug(PV_CAT_VTEST, "process %d ended (status 0x%x)", (int)pid, status);
         continue;
      }
      if (WIFSIGNALED(status) && stopping && WTERMSIG(status) == SIGTERM)
         pv_info("client %u (pid %d) ended by the server's shutdown", client, (int)pid);
      else if (WIFSIGNALED(status))
         pv_error("client %u (pid %d) was killed by signal %d (%s)", client, (int)pid,
                  WTERMSIG(status), strsignal(WTERMSIG(status)));
      else if (WEXITSTATUS(status))
         pv_warn("client %u (pid %d) exited with status %d", client, (int)pid,
                 WEXITSTATUS(status));
      else
         pv_info("client %u (pid %d) done", client, (int)pid);
   }
}

/* In-process mode: a thread per client, joined when it is done or when the
 * server stops (then its socket is shut down first). */
struct thread_client {
   struct pv_renderer *renderer;
   int fd;
   uint32_t id;
   pthread_t thread;
   atomic_bool done;
};

static void *
client_thread(void *arg)
{
   struct thread_client *tc = arg;
   pv_vtest_serve_client(tc->renderer, tc->fd, tc->id, false);
   atomic_store(&tc->done, true);
   return NULL;
}

static void
join_threads(struct thread_client **threads, int *count, bool all)
{
   for (int i = 0; i < *count;) {
      struct thread_client *tc = threads[i];
      if (all)
         shutdown(tc->fd, SHUT_RDWR);
      if (all || atomic_load(&tc->done)) {
         pthread_join(tc->thread, NULL);
         close(tc->fd);
         free(tc);
         threads[i] = threads[--*count];
      } else {
         i++;
      }
   }
}

/* In a client's own process: serves it, then ends the process. */
static void
serve_and_exit(struct pv_renderer *renderer, const struct pv_vtest_server_options *options,
               int fd, uint32_t id)
{
   int ret = renderer ? 0 : pv_renderer_create(&options->renderer, &renderer);
   if (!ret) {
      ret = pv_vtest_serve_client(renderer, fd, id, true);
      pv_renderer_destroy(renderer);
   }
   close(fd);
   const int64_t live = pv_object_live_count();
   if (live)
      pv_error("client %u: %lld objects were not freed at teardown", id, (long long)live);
   /* a normal exit, so that leak checkers see what the context left behind */
   exit(ret || live ? 1 : 0);
}

int
pv_vtest_server_run(const struct pv_vtest_server_options *options, volatile sig_atomic_t *stop)
{
   int listen_fd = options->listen_fd;
   if (listen_fd < 0) {
      listen_fd = pv_vtest_listen(options->socket_path);
      if (listen_fd < 0)
         return listen_fd;
   }
   struct pv_renderer *shared = NULL; /* in-process mode: one for all */
   if (!options->fork_per_client) {
      const int ret = pv_renderer_create(&options->renderer, &shared);
      if (ret)
         return ret;
   }
   pv_info("serving vtest on %s (%s)", options->socket_path,
           options->fork_per_client ? "a process per client" : "in-process");

   struct child children[PV_VTEST_MAX_CLIENTS];
   int child_count = 0;
   struct pv_spares spares;
   uint64_t last_accept_ms = 0;
   const long online = sysconf(_SC_NPROCESSORS_ONLN);
   const int cores = online > 0 ? (int)online : 1;
   pv_spares_init(&spares, options->fork_per_client ? (int)options->spares : 0);
   struct thread_client *threads[PV_VTEST_MAX_CLIENTS];
   int thread_count = 0;
   uint32_t next_id = 1;
   int max_clients = (int)(options->max_clients ? options->max_clients
                                                : PV_VTEST_DEFAULT_MAX_CLIENTS);
   if (max_clients > (int)PV_VTEST_MAX_CLIENTS)
      max_clients = (int)PV_VTEST_MAX_CLIENTS;
   while (!*stop) {
      reap_children(children, &child_count, &spares, false, false);
      join_threads(threads, &thread_count, false);
      /* A spare warming up takes a core for a while.  On a machine with
       * cores to spare, while clients hold few processes (one that has just
       * left may not be reaped yet), the next spare starts at once, so that
       * clients arriving one after another (a test suite; a program making
       * instance after instance, each a Venus client) each find one ready.
       * On fewer than 4 cores that warm-up would compete with the client
       * that just arrived (on 2, a round trip during it took 15 us instead
       * of 1), and a crowd of clients would compete with it anywhere: then
       * spares start once clients stop arriving. */
      const bool room = cores >= 4 && child_count < 2 * cores;
      if (room || monotonic_ms() - last_accept_ms >= PV_SPARE_QUIET_MS)
         pv_spares_fill(&spares, options, listen_fd, serve_and_exit);
      struct pollfd pfds[1 + PV_VTEST_MAX_SPARES] = { { .fd = listen_fd, .events = POLLIN } };
      const int spare_fds = pv_spares_pollfds(&spares, pfds + 1, PV_VTEST_MAX_SPARES);
      const int n = poll(pfds, 1 + (nfds_t)spare_fds,
                         spares.count < spares.wanted ? PV_SPARE_QUIET_MS : 200);
      if (n <= 0)
         continue;
      pv_spares_poll_result(&spares, pfds + 1, spare_fds);
      if (!(pfds[0].revents & POLLIN))
         continue;
      const int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
      last_accept_ms = monotonic_ms();
      if (fd < 0) {
         if (errno != EINTR && errno != EAGAIN)
            pv_warn("accept: %s", strerror(errno));
         continue;
      }
      const uint32_t id = next_id++;
      /* each client costs a process (or thread) and a host Vulkan instance:
       * a flood of connections must not exhaust the host */
      if (child_count >= max_clients || thread_count >= max_clients) {
         pv_warn("refusing client %u: %d clients already (--max-clients)", id,
                 child_count > thread_count ? child_count : thread_count);
         close(fd);
         continue;
      }
      if (!options->fork_per_client) {
         struct thread_client *tc = calloc(1, sizeof(*tc));
         if (!tc) {
            close(fd);
            continue;
         }
         tc->renderer = shared;
         tc->fd = fd;
         tc->id = id;
         atomic_init(&tc->done, false);
         if (pthread_create(&tc->thread, NULL, client_thread, tc)) {
            pv_error("cannot start a thread for client %u", id);
            close(fd);
            free(tc);
            continue;
         }
         threads[thread_count++] = tc;
         continue;
      }
      pid_t pid = pv_spares_take(&spares, fd, id);
      if (pid > 0) {
         close(fd);
         children[child_count++] = (struct child){ pid, id };
         pv_debug(PV_CAT_VTEST, "client %u served by spare process %d", id, (int)pid);
         continue;
      }
      pid = fork();
      if (pid == 0) {
         close(listen_fd);
         pv_spares_close_in_child(&spares);
         signal(SIGTERM, SIG_DFL);
         signal(SIGINT, SIG_DFL);
         serve_and_exit(NULL, options, fd, id);
      }
      close(fd);
      if (pid < 0) {
         pv_error("fork for client %u: %s", id, strerror(errno));
         continue;
      }
      children[child_count++] = (struct child){ pid, id };
      pv_debug(PV_CAT_VTEST, "client %u served by pid %d", id, (int)pid);
   }

   pv_spares_stop(&spares);
   /* clients whose guests are gone finish on their own; give them a moment
    * to tear down, then end the rest */
   for (int waited = 0; child_count && waited < 100; waited++) {
      reap_children(children, &child_count, &spares, false, true);
      if (child_count) {
         const struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
         nanosleep(&ts, NULL);
      }
   }
   for (int i = 0; i < child_count; i++)
      kill(children[i].pid, SIGTERM);
   while (child_count)
      reap_children(children, &child_count, &spares, true, true);
   if (options->listen_fd < 0) {
      close(listen_fd);
      unlink(options->socket_path);
   }
   join_threads(threads, &thread_count, true);
   pv_renderer_destroy(shared);
   return 0;
}
