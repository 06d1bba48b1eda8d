/* SPDX-License-Identifier: MIT */
#include "pv_vtest_handover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/pv_vtest_io.h"

struct handover {
   uint32_t client_id;
};

bool
pv_handover_send(int ctl, int fd, uint32_t client_id)
{
   const struct handover h = { client_id };
   return pv_vtest_send_fd_with(ctl, fd, &h, sizeof(h));
}

bool
pv_handover_receive(int ctl, int *fd, uint32_t *client_id)
{
   struct handover h;
   const int received = pv_vtest_recv_fd_with(ctl, &h, sizeof(h));
   if (received < 0)
      return false;
   *fd = received;
   *client_id = h.client_id;
   return true;
}

/* Field 22 of /proc/PID/stat, in clock ticks since boot; 0 if unreadable.
 * The command name (field 2) may hold spaces and parentheses: fields are
 * counted from its last ')'. */
static uint64_t
start_time_of(pid_t pid)
{
   char path[32], buf[1024];
   snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
   const int fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return 0;
   const ssize_t n = read(fd, buf, sizeof(buf) - 1);
   close(fd);
   if (n <= 0)
      return 0;
   buf[n] = '\0';
   const char *p = strrchr(buf, ')');
   if (!p)
      return 0;
   /* after ')': field 3 (state) is the first; the start time is field 22 */
   for (int field = 2; field < 22 && p; field++)
      p = strchr(p + 1, ' ');
   return p ? strtoull(p + 1, NULL, 10) : 0;
}

struct pv_peer
pv_peer_of(int fd)
{
   struct ucred cred;
   socklen_t len = sizeof(cred);
   struct pv_peer peer = { 0, 0 };
   if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || len != sizeof(cred) ||
       cred.pid <= 0)
      return peer;
   peer.start_time = start_time_of(cred.pid);
   if (peer.start_time)
      peer.pid = cred.pid;
   return peer;
}
