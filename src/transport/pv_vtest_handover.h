/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_HANDOVER_H
#define PV_VTEST_HANDOVER_H

/* Handing a client's connection to a server process over its control
 * socket (a spare that is ready, or a process free for its guest's next
 * connection), and telling guest processes apart. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Sends connection `fd` as client `client_id`; the caller still closes fd. */
bool pv_handover_send(int ctl, int fd, uint32_t client_id);

/* In the receiving process: blocks for the next connection.  False when the
 * server let go of this process (EOF) or sent something else. */
bool pv_handover_receive(int ctl, int *fd, uint32_t *client_id);

/* The process at the other end of a connection, as the kernel saw it at
 * connect time: its pid and start time (so that a reused pid is not taken
 * for the same process).  pid 0 where it cannot be told (another pid
 * namespace, /proc not readable). */
struct pv_peer {
   pid_t pid;
   uint64_t start_time;
};

struct pv_peer pv_peer_of(int fd);

static inline bool
pv_peer_same(struct pv_peer a, struct pv_peer b)
{
   return a.pid && a.pid == b.pid && a.start_time == b.start_time;
}

#endif /* PV_VTEST_HANDOVER_H */
