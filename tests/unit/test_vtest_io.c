/* SPDX-License-Identifier: MIT */
/* Receiving a descriptor: what a peer sends in another shape (two
 * descriptors, or none) is refused and leaves no descriptor behind. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pv_test.h"
#include "transport/pv_vtest_io.h"

static int
open_fds(void)
{
   DIR *d = opendir("/proc/self/fd");
   int n = 0;
   if (!d)
      return -1;
   while (readdir(d))
      n++;
   closedir(d);
   return n;
}

/* Sends one byte with `count` descriptors (copies of stdin's) attached. */
static void
send_with_fds(int sock, int count)
{
   char byte = 7;
   struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
   union {
      char buf[CMSG_SPACE(2 * sizeof(int))];
      struct cmsghdr align;
   } control;
   struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
   if (count) {
      const int fds[2] = { dup(0), dup(0) };
      msg.msg_control = control.buf;
      msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
      struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(count * sizeof(int));
      memcpy(CMSG_DATA(c), fds, count * sizeof(int));
      CHECK(sendmsg(sock, &msg, 0) == 1);
      close(fds[0]);
      close(fds[1]);
   } else {
      CHECK(sendmsg(sock, &msg, 0) == 1);
   }
}

PV_TEST(recv_fd_refuses_other_shapes)
{
   int sv[2];
   CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
   char byte;
   /* nothing sent yet: a non-blocking receive says so */
   errno = 0;
   CHECK_EQ(pv_vtest_recv_fd_flags(sv[1], &byte, 1, MSG_DONTWAIT), -1);
   CHECK(errno == EAGAIN || errno == EWOULDBLOCK);

   const int before = open_fds();
   send_with_fds(sv[0], 2);
   errno = 0;
   CHECK_EQ(pv_vtest_recv_fd_flags(sv[1], &byte, 1, 0), -1);
   CHECK_EQ(errno, EBADMSG);
   CHECK_EQ(open_fds(), before); /* both descriptors closed again */

   send_with_fds(sv[0], 0);
   CHECK_EQ(pv_vtest_recv_fd_with(sv[1], &byte, 1), -1);

   send_with_fds(sv[0], 1);
   const int fd = pv_vtest_recv_fd_with(sv[1], &byte, 1);
   CHECK(fd >= 0);
   CHECK_EQ(byte, 7);
   close(fd);
   close(sv[0]);
   close(sv[1]);
}
