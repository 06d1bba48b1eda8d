/* SPDX-License-Identifier: MIT */
/* Socket activation: systemd (pearvisor-gpu.socket) listens on the socket
 * and starts `serve` with it as fd 3 once a client connects, so that the
 * server costs nothing until it is used and no client finds the socket
 * missing while it starts.  libsystemd's sd_listen_fds() reads what
 * systemd passed; a build without libsystemd has no socket activation and
 * says so instead of ignoring the socket it was given. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cli/pv_cli.h"

#ifndef PV_HAVE_LIBSYSTEMD
#define PV_HAVE_LIBSYSTEMD 0
#endif

#if PV_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

int
pv_cli_activated_socket(char *path, size_t path_size)
{
   /* 1: the variables go, so that no process started later takes them */
   const int count = sd_listen_fds(1);
   if (count < 0) {
      fprintf(stderr, "pearvisor-gpu serve: cannot take the sockets systemd passed: %s\n",
              strerror(-count));
      return PV_CLI_ACTIVATION_FAILED;
   }
   if (count == 0)
      return PV_CLI_NOT_ACTIVATED;
   if (count > 1) {
      fprintf(stderr, "pearvisor-gpu serve: systemd passed %d sockets; serve takes one "
                      "(one ListenStream= in the .socket unit)\n", count);
      return PV_CLI_ACTIVATION_FAILED;
   }
   const int fd = SD_LISTEN_FDS_START;
   if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
      fprintf(stderr, "pearvisor-gpu serve: the socket systemd passed (fd %d) is not a "
                      "listening UNIX stream socket (ListenStream=PATH in the .socket unit)\n",
              fd);
      return PV_CLI_ACTIVATION_FAILED;
   }
   /* the programs the server's processes may start must not hold it */
   fcntl(fd, F_SETFD, FD_CLOEXEC);
   /* its path, for the log */
   struct sockaddr_un addr = { 0 };
   socklen_t len = sizeof(addr);
   if (getsockname(fd, (struct sockaddr *)&addr, &len) == 0 && addr.sun_path[0])
      snprintf(path, path_size, "%.*s", (int)sizeof(addr.sun_path), addr.sun_path);
   else
      snprintf(path, path_size, "the socket systemd passed");
   return fd;
}

#else

int
pv_cli_activated_socket(char *path, size_t path_size)
{
   (void)path;
   (void)path_size;
   if (getenv("LISTEN_FDS")) {
      fprintf(stderr, "pearvisor-gpu serve: started with a socket from systemd (LISTEN_FDS), but "
                      "this build has no socket activation (built without libsystemd)\n");
      return PV_CLI_ACTIVATION_FAILED;
   }
   return PV_CLI_NOT_ACTIVATED;
}

#endif
