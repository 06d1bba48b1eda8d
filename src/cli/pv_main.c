/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu: the command-line front end.
 *
 *   pearvisor-gpu serve [options]            a long-running vtest server
 *   pearvisor-gpu run [options] -- PROGRAM   PROGRAM through a private server
 *   pearvisor-gpu replay [options] FILE...   captured guest sessions again
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pearvisor/pv_renderer.h"

#include "cli/pv_cli.h"
#include "context/pv_context.h"
#include "transport/pv_vtest.h"
#include "transport/pv_vtest_proto.h"
#include "util/pv_log.h"

#ifndef PV_VERSION
#define PV_VERSION "unknown"
#endif

static void
usage(FILE *out)
{
   fprintf(out,
           "Usage:\n"
           "  pearvisor-gpu serve [OPTIONS]\n"
           "  pearvisor-gpu run [OPTIONS] [--venus-icd FILE] -- PROGRAM [ARGS...]\n"
           "  pearvisor-gpu replay [OPTIONS] CAPTURE...\n"
           "  pearvisor-gpu bench [OPTIONS] [--rounds N] [--quick]\n"
           "  pearvisor-gpu serve-fd [OPTIONS] FD CLIENT_ID\n"
           "  pearvisor-gpu --help | --version\n"
           "\n"
           "PearVisor GPU is the host side of Mesa's Venus Vulkan driver: it serves\n"
           "Venus command streams over the vtest socket and runs them on the host's\n"
           "Vulkan driver.\n"
           "\n"
           "Commands:\n"
           "  serve   serve clients on the socket until interrupted\n"
           "  run     start a private server, run PROGRAM with Mesa's Venus driver\n"
           "          pointed at it, and exit with PROGRAM's status\n"
           "  replay  run guest sessions written by --capture again, without the\n"
           "          guest, on the host driver (to reproduce what a guest did)\n"
           "  bench   run a set of Vulkan workloads natively and through PearVisor,\n"
           "          alternately (--rounds N, default 5; --quick: small and short),\n"
           "          on the same host driver, and print the cost of each metric\n"
           "  serve-fd  serve one vtest client on the connected socket FD and exit when\n"
           "          it leaves (how the VMM library runs each guest context in a\n"
           "          process of its own)\n"
           "\n"
           "Options:\n"
           "  --socket PATH     vtest socket (serve: $VTEST_SOCKET_NAME or %s;\n"
           "                    run: a private one)\n"
           "  --icd FILE        host Vulkan driver manifest (default: the loader's choice,\n"
           "                    e.g. lavapipe's lvp_icd.json on a machine without a GPU)\n"
           "  --venus-icd FILE  Mesa's Venus driver manifest for PROGRAM (default: found\n"
           "                    in the standard Vulkan ICD directories; or $PV_VENUS_ICD)\n"
           "  --no-fork         serve every client in this process (for debugging)\n"
           "  --max-clients N   clients served at once; more are refused (default %u,\n"
           "                    at most %u)\n"
           "  --spares N        client processes kept started, with the host driver\n"
           "                    warmed up, for the next clients (default 1, at most 8)\n"
           "  --linger MS       how long a client's process, after its client left\n"
           "                    cleanly, waits to serve the same program's next\n"
           "                    connection (each Venus instance is one; default %u, 0: never)\n"
           "\n"
           "Limits, per guest context:\n"
           "  --max-objects N     Vulkan objects (default %u)\n"
           "  --max-memory MIB    device memory (default: no limit of ours)\n"
           "  --max-shm MIB       shared-memory blobs (default %u)\n"
           "  --max-rings N       rings (default %u)\n"
           "  --max-in-flight N   fences submitted and not yet retired (default %u)\n"
           "  --hang-timeout SEC  end a context whose host driver is stuck in one command\n"
           "                      this long (default %u; 0: never)\n"
           "\n"
           "Diagnostics:\n"
           "  --validate          run the host driver under the Khronos validation layer\n"
           "                      and log what it reports\n"
           "  --capture DIR       write every command stream the guests send into DIR\n"
           "\n"
           "Environment:\n"
           "  PV_DEBUG=info|debug|vtest,ring,cs,object,vk,time   more logging (time:\n"
           "                    commands that take 100 us or more)\n",
           PV_VTEST_DEFAULT_SOCKET, PV_VTEST_DEFAULT_MAX_CLIENTS, PV_VTEST_MAX_CLIENTS,
           PV_CLI_DEFAULT_LINGER_MS,
           PV_DEFAULT_MAX_OBJECTS,
           (unsigned)(PV_DEFAULT_MAX_BLOB_BYTES >> 20), PV_DEFAULT_MAX_RINGS,
           PV_DEFAULT_MAX_IN_FLIGHT, PV_DEFAULT_HANG_TIMEOUT_S);
}

static int
parse_options(int argc, char **argv, struct options *opts)
{
   static const struct option longopts[] = {
      { "socket", required_argument, NULL, 's' },
      { "icd", required_argument, NULL, 'i' },
      { "venus-icd", required_argument, NULL, 'v' },
      { "no-fork", no_argument, NULL, 'n' },
      { "max-objects", required_argument, NULL, 'O' },
      { "max-memory", required_argument, NULL, 'M' },
      { "max-shm", required_argument, NULL, 'S' },
      { "max-rings", required_argument, NULL, 'R' },
      { "max-in-flight", required_argument, NULL, 'F' },
      { "max-clients", required_argument, NULL, 'K' },
      { "spares", required_argument, NULL, 'P' },
      { "linger", required_argument, NULL, 'L' },
      { "rounds", required_argument, NULL, 'r' },
      { "quick", no_argument, NULL, 'q' },
      { "hang-timeout", required_argument, NULL, 'H' },
      { "validate", no_argument, NULL, 'V' },
      { "capture", required_argument, NULL, 'C' },
      { "help", no_argument, NULL, 'h' },
      { NULL, 0, NULL, 0 },
   };
   optind = 1;
   opts->renderer.hang_timeout_ms = PV_DEFAULT_HANG_TIMEOUT_S * 1000;
   int c;
   while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
      switch (c) {
      case 's':
         opts->socket_path = optarg;
         break;
      case 'i':
         opts->icd = optarg;
         break;
      case 'v':
         opts->venus_icd = optarg;
         break;
      case 'n':
         opts->no_fork = true;
         break;
      case 'O':
      case 'M':
      case 'S':
      case 'R':
      case 'F':
      case 'K':
      case 'P':
      case 'L':
      case 'H': {
         char *end;
         errno = 0;
         const unsigned long long v = strtoull(optarg, &end, 10);
         if (errno || *end || end == optarg) {
            fprintf(stderr, "bad number '%s'\n", optarg);
            return -1;
         }
         const uint32_t v32 = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
         const uint64_t mib = v > UINT64_MAX >> 20 ? UINT64_MAX : v << 20;
         if (c == 'O')
            opts->renderer.max_objects = v32;
         else if (c == 'M')
            opts->renderer.max_memory_bytes = mib;
         else if (c == 'S')
            opts->renderer.max_blob_bytes = mib;
         else if (c == 'R')
            opts->renderer.max_rings = v32;
         else if (c == 'F')
            opts->renderer.max_in_flight = v32;
         else if (c == 'K')
            opts->max_clients = v32;
         else if (c == 'P')
            opts->spares = v32 > 8 ? 8 : (int)v32;
         else if (c == 'L')
            opts->linger_ms = v32 > 60000 ? 60000 : (int)v32;
         else
            opts->renderer.hang_timeout_ms = v > UINT32_MAX / 1000 ? UINT32_MAX : (uint32_t)v * 1000;
         break;
      }
      case 'V':
         opts->renderer.validate = true;
         break;
      case 'r':
         opts->bench_rounds = atoi(optarg);
         break;
      case 'q':
         opts->bench_quick = true;
         break;
      case 'C':
         opts->renderer.capture_dir = optarg;
         break;
      case 'h':
         usage(stdout);
         exit(0);
      default:
         usage(stderr);
         return -1;
      }
   }
   opts->argc = argc - optind;
   opts->argv = argv + optind;
   return 0;
}

static int
cmd_serve(const struct options *opts)
{
   if (opts->argc) {
      fprintf(stderr, "serve: unexpected argument '%s'\n", opts->argv[0]);
      return 2;
   }
   pv_cli_server_env(opts);
   pv_cli_install_signals();
   const char *env = getenv("VTEST_SOCKET_NAME");
   struct pv_vtest_server_options server = {
      .socket_path = opts->socket_path ? opts->socket_path
                                       : (env ? env : PV_VTEST_DEFAULT_SOCKET),
      .listen_fd = -1,
      .fork_per_client = !opts->no_fork,
      .max_clients = opts->max_clients,
      .spares = pv_cli_spares(opts),
      .linger_ms = pv_cli_linger_ms(opts),
      .renderer = opts->renderer,
   };
   const int ret = pv_vtest_server_run(&server, &pv_cli_stop_requested);
   return ret ? 1 : 0;
}

/* One client on an inherited socket: a guest context of the VMM library. */
static int
cmd_serve_fd(const struct options *opts)
{
   char *end = NULL;
   const long fd = opts->argc == 2 ? strtol(opts->argv[0], &end, 10) : -1;
   const unsigned long id = opts->argc == 2 ? strtoul(opts->argv[1], NULL, 10) : 0;
   if (fd < 0 || fd > INT32_MAX || !end || *end || !id || id > UINT32_MAX) {
      fprintf(stderr, "serve-fd: needs a socket FD and a CLIENT_ID\n");
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

int
main(int argc, char **argv)
{
   pv_log_init();
   if (argc < 2) {
      usage(stderr);
      return 2;
   }
   const char *cmd = argv[1];
   if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
      usage(stdout);
      return 0;
   }
   if (!strcmp(cmd, "--version")) {
      printf("pearvisor-gpu %s\n", PV_VERSION);
      return 0;
   }
   struct options opts = { .spares = -1, .linger_ms = -1 };
   if (parse_options(argc - 1, argv + 1, &opts) < 0)
      return 2;
   if (!strcmp(cmd, "serve"))
      return cmd_serve(&opts);
   if (!strcmp(cmd, "run"))
      return pv_cli_run(&opts);
   if (!strcmp(cmd, "replay"))
      return pv_cli_replay(&opts);
   if (!strcmp(cmd, "bench"))
      return pv_cli_bench(&opts);
   if (!strcmp(cmd, "serve-fd"))
      return cmd_serve_fd(&opts);
   fprintf(stderr, "unknown command '%s'\n\n", cmd);
   usage(stderr);
   return 2;
}
