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

#include "stats/pv_stats.h"
#include "stats/pv_stats_control.h"
#include "trace/pv_trace.h"
#include "transport/pv_vtest_procs.h"
#include "transport/pv_vtest_spare.h"
#include "util/pv_log.h"
#include "util/pv_time.h"


/* Listens on `path`.  The socket is bound and listening under a
 * temporary name first and then renamed into place, so that whoever waits
 * for the path to appear (a VMM, a script, the tests) never finds a socket
 * that refuses connections: between bind() and listen() it would, and a
 * loaded machine made that window long enough for a client to fall in. */
int
pv_vtest_listen(const char *path)
{
   struct sockaddr_un addr = { .sun_family = AF_UNIX };
   const int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%ld", path, (long)getpid());
   const bool renamed = n > 0 && (size_t)n < sizeof(addr.sun_path);
   if (!renamed) {
      /* no room for the temporary name: bind where it is asked */
      if (strlen(path) >= sizeof(addr.sun_path)) {
         pv_error("socket path too long: %s", path);
         return -ENAMETOOLONG;
      }
      strcpy(addr.sun_path, path);
      unlink(path); /* a stale socket of an earlier server */
   }
   const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0)
      return -errno;
   unlink(addr.sun_path);
   if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 64) < 0 ||
       (renamed && rename(addr.sun_path, path) < 0)) {
      const int err = errno;
      pv_error("cannot listen on %s: %s", path, strerror(err));
      if (renamed)
         unlink(addr.sun_path);
      close(fd);
      return -err;
   }
   return fd;
}

/* Once every client process is reaped: the statistics go, the trace is
 * completed. */
static void
end_observers(int control_fd, const struct pv_vtest_server_options *options)
{
   pv_stats_control_close(control_fd, options->socket_path);
   pv_stats_table_destroy(pv_stats_shared);
   pv_stats_shared = NULL;
   pv_trace_finish();
}

/* Spare processes are started once no client has arrived for this long. */
#define PV_SPARE_QUIET_MS 100

static void
reap_children(struct pv_procs *procs, struct pv_spares *spares, bool block, bool stopping)
{
   for (;;) {
      int status;
      const pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
      if (pid <= 0) {
         if (block)
            pv_procs_forget_all(procs); /* nothing left to wait for */
         return;
      }
      /* what the process recorded: its statistics go, its trace stays */
      pv_stats_release_pid(pv_stats_shared, pid);
      pv_trace_child_ended(pid);
      if (pv_spares_reaped(spares, pid, status))
         continue;
      const uint32_t client = pv_procs_reaped(procs, pid);
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

int
pv_vtest_server_run(const struct pv_vtest_server_options *options, volatile sig_atomic_t *stop)
{
   int listen_fd = options->listen_fd;
   if (listen_fd < 0) {
      listen_fd = pv_vtest_listen(options->socket_path);
      if (listen_fd < 0)
         return listen_fd;
   }
   if (options->trace_path && !pv_trace_start(options->trace_path, options->trace_min_us)) {
      if (options->listen_fd < 0)
         close(listen_fd);
      return -EIO;
   }
   /* before any fork: every client process writes into the same table */
   if (!options->no_stats)
      pv_stats_shared = pv_stats_table_create(PV_VTEST_MAX_CLIENTS + PV_VTEST_MAX_SPARES + 16);
   const int control_fd = pv_stats_shared ? pv_stats_control_listen(options->socket_path) : -1;
   struct pv_renderer *shared = NULL; /* in-process mode: one for all */
   if (!options->fork_per_client) {
      const int ret = pv_renderer_create(&options->renderer, &shared);
      if (ret) {
         end_observers(control_fd, options);
         return ret;
      }
   }
   pv_info("serving vtest on %s (%s)", options->socket_path,
           options->fork_per_client ? "a process per client" : "in-process");

   struct pv_spares spares;
   pv_spares_init(&spares, options->fork_per_client ? (int)options->spares : 0);
   struct pv_procs *procs = pv_procs_create(options, listen_fd, &spares);
   const int max_pfds = 2 + PV_VTEST_MAX_SPARES + PV_VTEST_MAX_CLIENTS + 16;
   struct pollfd *pfds = calloc((size_t)max_pfds, sizeof(*pfds));
   if (!procs || !pfds) {
      pv_procs_destroy(procs);
      free(pfds);
      pv_renderer_destroy(shared);
      end_observers(control_fd, options);
      if (options->listen_fd < 0)
         close(listen_fd);
      return -ENOMEM;
   }
   uint64_t last_accept_ms = 0;
   const long online = sysconf(_SC_NPROCESSORS_ONLN);
   const int cores = online > 0 ? (int)online : 1;
   struct thread_client *threads[PV_VTEST_MAX_CLIENTS];
   int thread_count = 0;
   uint32_t next_id = 1;
   int max_clients = (int)(options->max_clients ? options->max_clients
                                                : PV_VTEST_DEFAULT_MAX_CLIENTS);
   if (max_clients > (int)PV_VTEST_MAX_CLIENTS)
      max_clients = (int)PV_VTEST_MAX_CLIENTS;
   while (!*stop) {
      reap_children(procs, &spares, false, false);
      join_threads(threads, &thread_count, false);
      pv_procs_expire(procs);
      /* A spare warming up takes a core for a while.  On a machine with
       * cores to spare, while clients hold few processes (one that has just
       * left may not be reaped yet), the next spare starts at once, so that
       * clients arriving one after another (a test suite; programs started
       * one after another) each find one ready.  On fewer than 4 cores
       * that warm-up would compete with the client that just arrived (on 2,
       * a round trip during it took 15 us instead of 1), and a crowd of
       * clients would compete with it anywhere: then spares start once
       * clients stop arriving. */
      const bool room = cores >= 4 && pv_procs_count(procs) < 2 * cores;
      if (room || pv_now_ms() - last_accept_ms >= PV_SPARE_QUIET_MS)
         pv_spares_fill(&spares, options, listen_fd);
      int timeout = spares.count < spares.wanted ? PV_SPARE_QUIET_MS : 200;
      pfds[0] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
      /* a negative fd is skipped by poll */
      pfds[1] = (struct pollfd){ .fd = control_fd, .events = POLLIN };
      const int spare_fds = pv_spares_pollfds(&spares, pfds + 2, PV_VTEST_MAX_SPARES);
      const int proc_fds = pv_procs_pollfds(procs, pfds + 2 + spare_fds,
                                            max_pfds - 2 - spare_fds, &timeout);
      const int n = poll(pfds, 2 + (nfds_t)spare_fds + (nfds_t)proc_fds, timeout);
      if (n <= 0)
         continue;
      if (pfds[1].revents & POLLIN)
         pv_stats_control_answer(control_fd, pv_stats_shared);
      pv_spares_poll_result(&spares, pfds + 2, spare_fds);
      pv_procs_poll_result(procs, pfds + 2 + spare_fds, proc_fds);
      if (!(pfds[0].revents & POLLIN))
         continue;
      const int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
      last_accept_ms = pv_now_ms();
      if (fd < 0) {
         if (errno != EINTR && errno != EAGAIN)
            pv_warn("accept: %s", strerror(errno));
         continue;
      }
      const uint32_t id = next_id++;
      /* each client costs a process (or thread) and a host Vulkan instance:
       * a flood of connections must not exhaust the host */
      const int busy = pv_procs_busy(procs);
      if (busy >= max_clients || thread_count >= max_clients || pv_procs_full(procs)) {
         pv_warn("refusing client %u: %d clients already (--max-clients)", id,
                 busy > thread_count ? busy : thread_count);
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
      pv_procs_place(procs, fd, id);
   }

   pv_spares_stop(&spares);
   /* processes waiting for a guest's next connection exit; clients whose
    * guests are gone finish on their own; give them a moment to tear down,
    * then end the rest */
   pv_procs_let_go_all(procs);
   for (int waited = 0; pv_procs_count(procs) && waited < 100; waited++) {
      reap_children(procs, &spares, false, true);
      if (pv_procs_count(procs)) {
         const struct timespec ts = { .tv_nsec = 50 * 1000 * 1000 };
         nanosleep(&ts, NULL);
      }
   }
   pv_procs_terminate(procs);
   while (pv_procs_count(procs))
      reap_children(procs, &spares, true, true);
   pv_procs_destroy(procs);
   free(pfds);
   if (options->listen_fd < 0) {
      close(listen_fd);
      unlink(options->socket_path);
   }
   join_threads(threads, &thread_count, true);
   pv_renderer_destroy(shared);
   end_observers(control_fd, options);
   return 0;
}
