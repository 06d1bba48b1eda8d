/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu serve: a long-running vtest server, on --socket or on the
 * socket systemd passed; and serve-fd: one client on an inherited socket,
 * which is how the VMM library runs each guest context. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/pv_cli.h"
#include "transport/pv_vtest.h"
#include "transport/pv_vtest_proto.h"

int
pv_cli_serve(const struct options *opts)
{
   if (opts->argc) {
      fprintf(stderr, "pearvisor-gpu serve: unexpected argument '%s'\n", opts->argv[0]);
      return 2;
   }
   char activated_path[128];
   const int activated_fd = pv_cli_activated_socket(activated_path, sizeof(activated_path));
   if (activated_fd == PV_CLI_ACTIVATION_FAILED)
      return 1;
   if (activated_fd >= 0 && opts->socket_path) {
      fprintf(stderr, "pearvisor-gpu serve: --socket %s, but systemd passed a socket to serve "
                      "(%s); leave --socket out of the unit's ExecStart\n",
              opts->socket_path, activated_path);
      return 2;
   }
   pv_cli_server_env(opts);
   pv_cli_install_signals();
   const char *env = getenv("VTEST_SOCKET_NAME");
   const char *socket_path = opts->socket_path ? opts->socket_path
                                               : (env && env[0] ? env : PV_VTEST_DEFAULT_SOCKET);
   /* a server on systemd's socket leaves the socket file to systemd */
   return pv_cli_run_server(opts, activated_fd >= 0 ? activated_path : socket_path,
                            activated_fd >= 0 ? activated_fd : -1);
}

/* One client on an inherited socket: a guest context of the VMM library. */
int
pv_cli_serve_fd(const struct options *opts)
{
   char *end = NULL;
   const long fd = opts->argc == 2 ? strtol(opts->argv[0], &end, 10) : -1;
   const unsigned long id = opts->argc == 2 ? strtoul(opts->argv[1], NULL, 10) : 0;
   if (fd < 0 || fd > INT32_MAX || !end || *end || !id || id > UINT32_MAX) {
      fprintf(stderr, "pearvisor-gpu serve-fd: needs a socket FD and a CLIENT_ID\n");
      return 2;
   }
   pv_cli_server_env(opts);
   struct pv_renderer *renderer;
   if (pv_renderer_create(&opts->renderer, &renderer))
      return 1;
   const int ret = pv_vtest_serve_client(renderer, (int)fd, (uint32_t)id, true);
   pv_renderer_destroy(renderer);
   return ret ? 1 : 0;
}
