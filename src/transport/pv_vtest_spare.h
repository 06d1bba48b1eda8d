/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_SPARE_H
#define PV_VTEST_SPARE_H

/* Spare client processes of the vtest server (pv_vtest_spare.c). */

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "context/pv_context.h"
#include "pv_vtest.h"

#define PV_VTEST_MAX_SPARES 8

/* Serves `fd` as client `client_id` with `renderer` and ends the process;
 * `ctl` is the process's control socket to the server. */
typedef void (*pv_vtest_serve_fn)(struct pv_renderer *renderer,
                                  const struct pv_vtest_server_options *options, int fd,
                                  uint32_t client_id, int ctl);

struct pv_spare {
   pid_t pid;
   int ctl;        /* the server's end of the spare's socket pair */
   bool ready;     /* warmed up and waiting */
};

struct pv_spares {
   struct pv_spare spares[PV_VTEST_MAX_SPARES];
   int count;
   int wanted;
   int failures;   /* spares that died before they were ready, in a row */
   /* in a newly forked spare: closes the server's other descriptors that
    * the spare must not hold (the control sockets of client processes,
    * whose end of file tells those processes to exit) */
   void (*close_in_child)(void *arg);
   void *close_in_child_arg;
   pv_vtest_serve_fn serve; /* what a spare does with its client */
   /* What the first ready spare's throwaway device found about host-pointer
    * imports: processes forked later start knowing it, and their warm-up
    * (or their first guest) creates no throwaway device of their own.  On
    * NVIDIA that matters beyond the time it takes: the driver serialises
    * device creation across processes, so a spare's throwaway device made
    * a guest's device creation in another process wait. */
   struct pv_import_probe known[PV_MAX_IMPORT_PROBES];
   uint32_t known_count;
   /* the first ready spare's driver libraries are loaded into the server
    * (pv_preload_driver_libraries), for every process it forks later */
   bool preloaded;
};

void pv_spares_init(struct pv_spares *s, int wanted);
/* In a newly forked process: what the server learned from spares. */
void pv_spares_teach(const struct pv_spares *s, struct pv_renderer *renderer);
/* Starts spares until `wanted` are alive (none after repeated failures). */
void pv_spares_fill(struct pv_spares *s, const struct pv_vtest_server_options *options,
                    int listen_fd);
/* The control sockets of spares still warming up, to poll for readiness. */
int pv_spares_pollfds(const struct pv_spares *s, struct pollfd *pfds, int max);
void pv_spares_poll_result(struct pv_spares *s, const struct pollfd *pfds, int n);
/* A child process ended: true (and logged) if it was a spare. */
bool pv_spares_reaped(struct pv_spares *s, pid_t pid, int status);
/* Hands connection `fd` to a ready spare; its pid (now the client's
 * process, whose control socket moves to *ctl), or -1 when none is ready.
 * The caller still closes fd. */
pid_t pv_spares_take(struct pv_spares *s, int fd, uint32_t client_id, int *ctl);
/* Lets every spare go (they exit) and starts no more. */
void pv_spares_stop(struct pv_spares *s);
/* In a newly forked child: the spares' control sockets are not its own. */
void pv_spares_close_in_child(const struct pv_spares *s);

#endif /* PV_VTEST_SPARE_H */
