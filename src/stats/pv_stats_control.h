/* SPDX-License-Identifier: MIT */
#ifndef PV_STATS_CONTROL_H
#define PV_STATS_CONTROL_H

/* The server's control socket, SOCKET.ctl beside the vtest socket: who
 * connects gets the statistics of every client (pv_stats.h) as text, and
 * the connection ends.  Nothing is read from the connection, so there is
 * nothing to parse.  It is a socket of its own, not a request on the vtest
 * socket, so that a guest, which only ever reaches the vtest socket, never
 * sees the other guests; it gets the vtest socket's permissions.
 *
 * The report:
 *    pearvisor-gpu stats 1 now_ns=N clients=N
 *    client id=.. pid=.. name=.. age_ns=.. commands=.. ...   (one a client)
 *    end
 */

#include <stddef.h>

#include "stats/pv_stats.h"

#define PV_STATS_CONTROL_SUFFIX ".ctl"

/* Listens on `socket_path` + ".ctl", with the vtest socket's mode; the
 * descriptor, or -1 (logged: the server runs without it). */
int pv_stats_control_listen(const char *socket_path);
void pv_stats_control_close(int fd, const char *socket_path);

/* Answers one connection waiting on `fd` (it polled readable). */
void pv_stats_control_answer(int fd, const struct pv_stats_table *table);

/* The report, as the server would send it; its length (truncated to size). */
size_t pv_stats_report(const struct pv_stats_table *table, char *out, size_t size);

#endif /* PV_STATS_CONTROL_H */
