/* SPDX-License-Identifier: MIT */
#include "pv_vtest_handover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct handover {
   uint32_t client_id;
};

bool
pv_handover_send(int ctl, int fd, uint32_t client_id)
{
   const struct handover h = { client_id };
   union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(int))];
   } control;
   memset(&control, 0, sizeof(control));
   struct iovec iov = { (void *)&h, sizeof(h) };
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   c->cmsg_level = SOL_SOCKET;
   c->cmsg_type = SCM_RIGHTS;
   c->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(c), &fd, sizeof(fd));
   return sendmsg(ctl, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(h);
}

bool
pv_handover_receive(int ctl, int *fd, uint32_t *client_id)
{
   struct handover h;
   union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(int))];
   } control;
   struct iovec iov = { &h, sizeof(h) };
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   ssize_t n;
   while ((n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
      ;
   struct cmsghdr *c = n == (ssize_t)sizeof(h) ? CMSG_FIRSTHDR(&msg) : NULL;
   if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
       c->cmsg_len != CMSG_LEN(sizeof(int)))
      return false;
   memcpy(fd, CMSG_DATA(c), sizeof(*fd));
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
