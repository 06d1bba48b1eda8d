/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_PROCS_H
#define PV_VTEST_PROCS_H

/* The vtest server's client processes (pv_vtest_procs.c): each client is
 * served in a process of its own, taken from the spares or forked; after a
 * clean end that process may serve the same guest process's next
 * connection. */

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pv_vtest.h"
#include "pv_vtest_spare.h"

/* Messages of a client's process on its control socket. */
#define PV_PROC_LEFT 'L' /* its guest closed the connection; tearing down */
#define PV_PROC_FREE 'F' /* torn down: free for the guest's next connection */

struct pv_procs;

struct pv_procs *pv_procs_create(const struct pv_vtest_server_options *options, int listen_fd,
                                 struct pv_spares *spares);
void pv_procs_destroy(struct pv_procs *procs);

/* Clients being served (processes waiting for their guest's next
 * connection are not counted). */
int pv_procs_busy(const struct pv_procs *procs);
/* No room for another process. */
bool pv_procs_full(const struct pv_procs *procs);
/* All processes, for the spare policy. */
int pv_procs_count(const struct pv_procs *procs);

/* Serves connection `fd` (now owned by procs) as client `id`: in the
 * process of the same guest process's last connection when it is free or
 * about to be, else a spare, else a new process. */
void pv_procs_place(struct pv_procs *procs, int fd, uint32_t id);

/* The control sockets to poll; may shorten *timeout_ms for lingering
 * processes that must end on time. */
int pv_procs_pollfds(const struct pv_procs *procs, struct pollfd *pfds, int max,
                     int *timeout_ms);
void pv_procs_poll_result(struct pv_procs *procs, const struct pollfd *pfds, int n);
/* Ends the wait of processes whose --linger has passed. */
void pv_procs_expire(struct pv_procs *procs);

/* A child process ended: its last client (0 if it was not a client's). */
uint32_t pv_procs_reaped(struct pv_procs *procs, pid_t pid);
/* Shutdown: every waiting process exits; the rest get SIGTERM from
 * pv_procs_terminate. */
void pv_procs_let_go_all(struct pv_procs *procs);
void pv_procs_terminate(struct pv_procs *procs);
/* Forgets every process (after a blocking wait found none left). */
void pv_procs_forget_all(struct pv_procs *procs);

#endif /* PV_VTEST_PROCS_H */
