/* SPDX-License-Identifier: MIT */
/* Spare client processes: forked ahead of time, each has already created
 * its renderer and warmed up the host driver (pv_renderer_warm) when a
 * client connects, so that the client does not wait for what a driver does
 * once per process.  The server hands the connection to a ready spare over
 * a socket pair (SCM_RIGHTS) and starts the next spare. */
#include "pv_vtest_spare.h"

#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/pv_vtest_handover.h"
#include "util/pv_log.h"

/* A spare that dies before it is ready this many times in a row stops the
 * server from making more (the driver cannot start; clients get forks). */
#define PV_SPARE_MAX_FAILURES 3

void
pv_spares_init(struct pv_spares *s, int wanted)
{
   memset(s, 0, sizeof(*s));
   s->wanted = wanted < 0 ? 0 : wanted > PV_VTEST_MAX_SPARES ? PV_VTEST_MAX_SPARES : wanted;
}

void
pv_spares_teach(const struct pv_spares *s, struct pv_renderer *renderer)
{
   if (renderer && s->known_count)
      pv_renderer_learn_import_probes(renderer, s->known, s->known_count);
}

/* A spare's "ready": one byte, then what its warm-up found out: the
 * host-pointer import answers (a count and the answers) and the driver
 * libraries its instance loaded (paths, each NUL-terminated).  The spare
 * sends it before it has served any guest, so the server can trust it. */
struct ready_message {
   uint8_t ready;
   uint8_t count;
   uint16_t libraries_len;
   struct pv_import_probe probes[PV_MAX_IMPORT_PROBES];
   char libraries[PV_DRIVER_LIBRARIES_MAX];
};
#define READY_LIBRARIES offsetof(struct ready_message, libraries)

void
pv_spares_close_in_child(const struct pv_spares *s)
{
   for (int i = 0; i < s->count; i++)
      close(s->spares[i].ctl);
}

/* The spare's life: warm up, say so, wait for a client, serve it. */
static void
spare_main(const struct pv_spares *s, const struct pv_vtest_server_options *options, int ctl,
           pv_vtest_serve_fn serve_and_exit)
{
   struct pv_renderer *renderer;
   if (pv_renderer_create(&options->renderer, &renderer))
      _exit(1);
   pv_spares_teach(s, renderer);
   if (pv_renderer_warm(renderer))
      pv_debug(PV_CAT_VTEST, "spare: the host driver did not warm up");
   struct ready_message ready = { .ready = 1 };
   ready.count = (uint8_t)pv_renderer_import_probes(renderer, ready.probes,
                                                    PV_MAX_IMPORT_PROBES);
   ready.libraries_len = (uint16_t)renderer->driver_libraries_len;
   memcpy(ready.libraries, renderer->driver_libraries, ready.libraries_len);
   /* without SIGPIPE: a server shutting down may have closed its end, which
    * the read below then finds */
   const size_t len = READY_LIBRARIES + ready.libraries_len;
   if (send(ctl, &ready, len, MSG_NOSIGNAL) != (ssize_t)len)
      pv_debug(PV_CAT_VTEST, "spare: the server is gone");

   int fd;
   uint32_t client_id;
   if (!pv_handover_receive(ctl, &fd, &client_id)) {
      /* the server is shutting down (or made no sense): nothing to serve */
      pv_renderer_destroy(renderer);
      _exit(0);
   }
   /* the control socket stays: through it the process later says it is
    * free for its guest's next connection */
   serve_and_exit(renderer, options, fd, client_id, ctl);
}

static void
start_spare(struct pv_spares *s, const struct pv_vtest_server_options *options, int listen_fd,
            pv_vtest_serve_fn serve_and_exit)
{
   int sv[2];
   if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
      s->failures++;
      return;
   }
   const pid_t pid = fork();
   if (pid == 0) {
      close(listen_fd);
      close(sv[0]);
      pv_spares_close_in_child(s);
      if (s->close_in_child)
         s->close_in_child(s->close_in_child_arg);
      signal(SIGTERM, SIG_DFL);
      signal(SIGINT, SIG_DFL);
      spare_main(s, options, sv[1], serve_and_exit);
   }
   close(sv[1]);
   if (pid < 0) {
      close(sv[0]);
      s->failures++;
      return;
   }
   s->spares[s->count++] = (struct pv_spare){ .pid = pid, .ctl = sv[0], .ready = false };
   pv_debug(PV_CAT_VTEST, "spare process %d started", (int)pid);
}

void
pv_spares_fill(struct pv_spares *s, const struct pv_vtest_server_options *options, int listen_fd)
{
   while (s->count < s->wanted && s->failures < PV_SPARE_MAX_FAILURES) {
      const int before = s->count;
      start_spare(s, options, listen_fd, s->serve);
      if (s->count == before)
         break;
   }
}

int
pv_spares_pollfds(const struct pv_spares *s, struct pollfd *pfds, int max)
{
   int n = 0;
   for (int i = 0; i < s->count && n < max; i++) {
      if (!s->spares[i].ready)
         pfds[n++] = (struct pollfd){ .fd = s->spares[i].ctl, .events = POLLIN };
   }
   return n;
}

void
pv_spares_poll_result(struct pv_spares *s, const struct pollfd *pfds, int n)
{
   for (int k = 0; k < n; k++) {
      if (!(pfds[k].revents & POLLIN))
         continue;
      for (int i = 0; i < s->count; i++) {
         if (s->spares[i].ctl != pfds[k].fd)
            continue;
         struct ready_message ready;
         const ssize_t got = recv(s->spares[i].ctl, &ready, sizeof(ready), MSG_DONTWAIT);
         if (got < 1 || ready.ready != 1)
            continue;
         s->spares[i].ready = true;
         s->failures = 0;
         const bool whole = (size_t)got >= READY_LIBRARIES &&
                            ready.libraries_len <= sizeof(ready.libraries) &&
                            (size_t)got == READY_LIBRARIES + ready.libraries_len;
         if (whole && !s->preloaded && ready.libraries_len) {
            /* later processes, spares and forks alike, start with the
             * driver loaded */
            s->preloaded = true;
            const int loaded =
               pv_preload_driver_libraries(ready.libraries, ready.libraries_len);
            pv_debug(PV_CAT_VTEST, "spare process %d: %d host driver librar%s loaded for "
                     "later processes", (int)s->spares[i].pid, loaded,
                     loaded == 1 ? "y" : "ies");
         }
         if (whole && !s->known_count && ready.count && ready.count <= PV_MAX_IMPORT_PROBES) {
            memcpy(s->known, ready.probes, ready.count * sizeof(ready.probes[0]));
            s->known_count = ready.count;
            pv_debug(PV_CAT_VTEST, "spare process %d: host-pointer import answers for %u "
                     "device(s), passed on to later processes", (int)s->spares[i].pid,
                     ready.count);
         }
      }
   }
}

static void
forget(struct pv_spares *s, int i)
{
   close(s->spares[i].ctl);
   s->spares[i] = s->spares[--s->count];
}

bool
pv_spares_reaped(struct pv_spares *s, pid_t pid, int status)
{
   for (int i = 0; i < s->count; i++) {
      if (s->spares[i].pid != pid)
         continue;
      if (!s->spares[i].ready) {
         s->failures++;
         pv_warn("spare process %d ended before it was ready (status 0x%x)", (int)pid, status);
      } else if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
         pv_warn("spare process %d ended while waiting (status 0x%x)", (int)pid, status);
      }
      forget(s, i);
      return true;
   }
   return false;
}

pid_t
pv_spares_take(struct pv_spares *s, int fd, uint32_t client_id, int *ctl)
{
   /* only a ready spare: one still warming up is worse than a new process
    * on NVIDIA (it finishes its own throwaway device first; instance +
    * device again went from 273 to 367 ms on an H200) */
   for (int i = 0; i < s->count; i++) {
      if (!s->spares[i].ready)
         continue;
      const pid_t pid = s->spares[i].pid;
      if (pv_handover_send(s->spares[i].ctl, fd, client_id)) {
         /* a client's process now: its control socket goes with it */
         *ctl = s->spares[i].ctl;
         s->spares[i] = s->spares[--s->count];
         return pid;
      }
      forget(s, i); /* a dead spare */
      i--;          /* the slot holds another spare now */
   }
   return -1;
}

void
pv_spares_stop(struct pv_spares *s)
{
   /* a waiting spare reads EOF and exits */
   while (s->count)
      forget(s, 0);
   s->wanted = 0;
}
