/* SPDX-License-Identifier: MIT */
#include "pv_vtest_io.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/pv_vtest_proto.h"

bool
pv_vtest_read(int fd, void *buf, size_t size)
{
   uint8_t *p = buf;
   while (size) {
      const ssize_t n = read(fd, p, size);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0) {
         if (n == 0)
            errno = 0;
         return false;
      }
      p += n;
      size -= (size_t)n;
   }
   return true;
}

bool
pv_vtest_skip(int fd, size_t size)
{
   uint8_t buf[4096];
   while (size) {
      const size_t chunk = size < sizeof(buf) ? size : sizeof(buf);
      if (!pv_vtest_read(fd, buf, chunk))
         return false;
      size -= chunk;
   }
   return true;
}

bool
pv_vtest_write(int fd, const void *buf, size_t size)
{
   const uint8_t *p = buf;
   while (size) {
      const ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return false;
      p += n;
      size -= (size_t)n;
   }
   return true;
}

bool
pv_vtest_reply(int fd, uint32_t cmd, const uint32_t *payload, uint32_t dwords)
{
   uint32_t msg[2 + 64];
   msg[PV_VTEST_CMD_LEN] = dwords;
   msg[PV_VTEST_CMD_ID] = cmd;
   if (dwords <= 64) {
      /* header and payload in one write */
      if (dwords)
         memcpy(msg + 2, payload, (size_t)dwords * 4);
      return pv_vtest_write(fd, msg, (size_t)(2 + dwords) * 4);
   }
   return pv_vtest_write(fd, msg, 8) && pv_vtest_write(fd, payload, (size_t)dwords * 4);
}

bool
pv_vtest_send_fd_with(int fd, int send_fd, const void *data, size_t size)
{
   struct iovec iov = { .iov_base = (void *)data, .iov_len = size };
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } control;
   memset(&control, 0, sizeof(control));
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
   cmsg->cmsg_level = SOL_SOCKET;
   cmsg->cmsg_type = SCM_RIGHTS;
   cmsg->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(cmsg), &send_fd, sizeof(int));
   for (;;) {
      const ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
         continue;
      return n == (ssize_t)size;
   }
}

bool
pv_vtest_send_fd(int fd, int send_fd)
{
   const char dummy = 0;
   return pv_vtest_send_fd_with(fd, send_fd, &dummy, 1);
}

/* Closes every descriptor a message carried: a message of the wrong shape
 * must not leave descriptors behind in this process. */
static void
close_received(struct msghdr *msg)
{
   for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
          c->cmsg_len < CMSG_LEN(0))
         continue;
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; i++) {
         int received;
         memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
         close(received);
      }
   }
}

int
pv_vtest_recv_fd_flags(int fd, void *data, size_t size, int flags)
{
   struct iovec iov = { .iov_base = data, .iov_len = size };
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } control;
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   ssize_t n;
   do {
      /* close-on-exec at once: other threads of this process may fork */
      n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | flags);
   } while (n < 0 && errno == EINTR && !(flags & MSG_DONTWAIT));
   if (n < 0)
      return -1; /* errno says why (EAGAIN or EINTR for a non-blocking call) */
   const struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
   if (n != (ssize_t)size || (msg.msg_flags & MSG_CTRUNC) || !cmsg ||
       cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
       cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
      close_received(&msg);
      errno = n == 0 ? EPIPE : EBADMSG;
      return -1;
   }
   int received;
   memcpy(&received, CMSG_DATA(cmsg), sizeof(int));
   return received;
}

int
pv_vtest_recv_fd_with(int fd, void *data, size_t size)
{
   return pv_vtest_recv_fd_flags(fd, data, size, 0);
}

int
pv_vtest_recv_fd(int fd)
{
   char dummy;
   return pv_vtest_recv_fd_with(fd, &dummy, 1);
}
