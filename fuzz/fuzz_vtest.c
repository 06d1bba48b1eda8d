/* SPDX-License-Identifier: MIT */
/* vtest framing and every VCMD: an input is the byte stream a client sends
 * on the socket.  The server side runs as it does for a real client
 * (pv_vtest_serve_client) on one end of a socket pair; a helper thread
 * plays the client, writing the input, then reading (and dropping) every
 * reply and passed file descriptor until the server hangs up. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pv_fuzz.h"
#include "transport/pv_vtest.h"

struct client_side {
   int fd;
   const uint8_t *data;
   size_t size;
};

static void
drop_reply(int fd)
{
   uint8_t buf[4096];
   union {
      struct cmsghdr align;
      char buf[CMSG_SPACE(sizeof(int) * 4)];
   } control;
   struct iovec iov = { buf, sizeof(buf) };
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   const ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
   if (n <= 0)
      return;
   for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
         const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
         for (size_t i = 0; i < count; i++) {
            int passed;
            memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            close(passed);
         }
      }
   }
}

static void *
client_thread(void *arg)
{
   struct client_side *cs = arg;
   size_t sent = 0;
   bool writing = true;
   for (;;) {
      if (writing && sent == cs->size) {
         shutdown(cs->fd, SHUT_WR);
         writing = false;
      }
      struct pollfd pfd = { .fd = cs->fd, .events = POLLIN | (writing ? POLLOUT : 0) };
      if (poll(&pfd, 1, -1) < 0) {
         if (errno == EINTR)
            continue;
         break;
      }
      if (pfd.revents & POLLIN) {
         char peek;
         const ssize_t n = recv(cs->fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT);
         if (n == 0)
            break; /* the server hung up */
         drop_reply(cs->fd);
      } else if (pfd.revents & (POLLHUP | POLLERR)) {
         break;
      }
      if (writing && (pfd.revents & POLLOUT)) {
         const ssize_t n = send(cs->fd, cs->data + sent, cs->size - sent,
                                MSG_DONTWAIT | MSG_NOSIGNAL);
         if (n > 0)
            sent += (size_t)n;
         else if (n < 0 && errno != EAGAIN && errno != EINTR)
            writing = false; /* the server stopped reading */
      }
   }
   return NULL;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
   (void)argc;
   (void)argv;
   pv_fuzz_renderer();
   return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   int sv[2];
   if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
      abort();
   struct client_side cs = { sv[1], data, size };
   /* a small stack: under ASan, a thread's start and end cost in
    * proportion to its stack */
   pthread_attr_t attr;
   pthread_attr_init(&attr);
   pthread_attr_setstacksize(&attr, 128u << 10);
   pthread_t thread;
   if (pthread_create(&thread, &attr, client_thread, &cs))
      abort();
   pthread_attr_destroy(&attr);
   /* the transport drops a client it refuses (its reason is logged, and
    * logs are quiet here): an error where a clean hang-up gives 0 */
   const int ret = pv_vtest_serve_client(pv_fuzz_renderer(), sv[0], 1, false);
   if (ret)
      pv_fuzz_set_outcome("refused: the client was dropped (%s)", strerror(-ret));
   else
      pv_fuzz_set_outcome("accepted");
   close(sv[0]);
   pthread_join(thread, NULL);
   close(sv[1]);
   pv_fuzz_check_leaks();
   return 0;
}
