/* SPDX-License-Identifier: MIT */
/* What pearvisor-gpu accepts, once: the commands, and each option with the
 * commands that take it, its range or kind of path, its default and its
 * line of help.  Parsing (pv_cli_args.c), the start-up checks and --help
 * (pv_cli_help.c) all read these tables, and the man page is made from
 * --help-all, so that the help cannot say something the parser does not do.
 *
 * A new command: a bit in enum pv_cli_command_bit, a row in
 * pv_cli_commands, and its bit in the rows of the options it takes (or a
 * row of its own for a new option). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/pv_cli.h"
#include "cli/pv_cli_table.h"
#include "context/pv_context.h"
#include "transport/pv_vtest.h"
#include "transport/pv_vtest_proto.h"
#include "transport/pv_vtest_spare.h"

#ifndef PV_HAVE_LIBSYSTEMD
#define PV_HAVE_LIBSYSTEMD 0
#endif

const char pv_cli_description[] =
   "PearVisor GPU is the host side of Mesa's Venus Vulkan driver: it serves Venus\n"
   "command streams over the vtest socket and runs them on the host's Vulkan driver.\n";

const char pv_cli_environment[] =
   "  PV_DEBUG=WHAT       more logging: info, debug, or categories vtest,ring,cs,object,vk,time\n"
   "                      (time: commands that take 100 us or more)\n"
   "  VTEST_SOCKET_NAME   serve, stats: the socket when there is no --socket\n"
   "  PV_VENUS_ICD        run, bench: Mesa's Venus driver manifest when there is no --venus-icd\n"
   "  PV_BENCH_WORKLOAD   bench: the workload (default: pv-bench-workload beside pearvisor-gpu)\n";

const struct pv_cli_command pv_cli_commands[] = {
   {
      .name = "serve",
      .bit = PV_CMD_SERVE,
      .arguments = "",
      .summary = "serve Venus clients on a vtest socket until interrupted",
      .details =
         "Each client is served in a process of its own, so that a host-driver crash one\n"
         "guest provokes ends only that guest.  SIGINT or SIGTERM stops the server.\n"
#if PV_HAVE_LIBSYSTEMD
         "Started by systemd with a listening socket (pearvisor-gpu.socket), it serves\n"
         "that socket instead of making one.\n",
#else
         "This build has no socket activation (it was built without libsystemd).\n",
#endif
      .run = pv_cli_serve,
   },
   {
      .name = "run",
      .bit = PV_CMD_RUN,
      .arguments = "-- PROGRAM [ARGS...]",
      .summary = "run PROGRAM with Mesa's Venus driver pointed at a private server",
      .details = "The server lives as long as PROGRAM; run exits with PROGRAM's status.\n",
      .run = pv_cli_run,
   },
   {
      .name = "replay",
      .bit = PV_CMD_REPLAY,
      .arguments = "CAPTURE...",
      .summary = "run guest sessions written by --capture again, without the guest",
      .details = "Each capture runs on a fresh context on the host driver, to reproduce what a\n"
                 "guest did; the exit status is 1 if any did not replay to its end.\n",
      .run = pv_cli_replay,
   },
   {
      .name = "decode",
      .bit = PV_CMD_DECODE,
      .arguments = "CAPTURE...",
      .summary = "list what guest sessions written by --capture sent, one line a command",
      .details = "Each command with where it came from (the context's stream or a ring) and its\n"
                 "arguments by their Vulkan names: what a bug reporter shows of what a guest\n"
                 "sent.  A malformed capture is listed up to the bad byte, which is named by its\n"
                 "offset; the exit status is then 1.\n",
      .run = pv_cli_decode,
   },
   {
      .name = "bench",
      .bit = PV_CMD_BENCH,
      .arguments = "",
      .summary = "measure Vulkan workloads natively and through PearVisor, side by side",
      .details = "Runs pv-bench-workload natively and through a private server, alternately,\n"
                 "on the same host driver, and prints the cost of each metric against the\n"
                 "project's targets.\n",
      .run = pv_cli_bench,
   },
   {
      .name = "stats",
      .bit = PV_CMD_STATS,
      .arguments = "",
      .summary = "show what a running server's clients are doing, once or like top",
      .details = "Per client: commands and bytes decoded (totals and per second), submissions,\n"
                 "fences in flight, objects, device memory, blob bytes, rings and time running\n"
                 "commands, from the server's control socket (its --socket with .ctl added).\n",
      .run = pv_cli_stats,
   },
   {
      .name = "serve-fd",
      .bit = PV_CMD_SERVE_FD,
      .arguments = "FD CLIENT_ID",
      .summary = "serve one client on a connected socket FD (the VMM library runs this)",
      .details = "How the VMM library (libvirglrenderer.so.1) runs each guest context in a\n"
                 "process of its own; it exits when the client leaves.\n",
      .run = pv_cli_serve_fd,
   },
};
const size_t pv_cli_command_count = sizeof(pv_cli_commands) / sizeof(pv_cli_commands[0]);

const char *const pv_cli_group_titles[PV_CLI_GROUP_COUNT] = {
   [PV_CLI_GROUP_GENERAL] = "options",
   [PV_CLI_GROUP_LIMITS] = "limits, per guest context",
   [PV_CLI_GROUP_DIAGNOSTICS] = "diagnostics",
};

/* the commands that make guest contexts, and those that run a vtest server */
#define CONTEXT_COMMANDS (PV_CMD_SERVE | PV_CMD_RUN | PV_CMD_REPLAY | PV_CMD_SERVE_FD)
#define SERVER_COMMANDS (PV_CMD_SERVE | PV_CMD_RUN | PV_CMD_BENCH)

#define STORE(kind, field) .store = PV_CLI_STORE_##kind, .offset = offsetof(struct options, field)
#define RANGE(lo, hi, unit) .value = PV_CLI_NUMBER, .min = (lo), .max = (hi), .scale = (unit)

const struct pv_cli_option pv_cli_options[] = {
   /* --socket and --icd have other defaults for the commands that make a
    * server of their own, so they have a row for those */
   { .name = "socket", .metavar = "PATH", .commands = PV_CMD_SERVE,
     .help = "the vtest socket to listen on",
     .default_text = "$VTEST_SOCKET_NAME, else " PV_VTEST_DEFAULT_SOCKET,
     .value = PV_CLI_SOCKET, STORE(STRING, socket_path) },
   { .name = "socket", .metavar = "PATH", .commands = PV_CMD_RUN | PV_CMD_BENCH,
     .help = "the private server's vtest socket",
     .default_text = "one in a new private directory",
     .value = PV_CLI_SOCKET, STORE(STRING, socket_path) },
   { .name = "icd", .metavar = "FILE", .commands = CONTEXT_COMMANDS,
     .help = "the host Vulkan driver's ICD manifest",
     .default_text = "the Vulkan loader's choice",
     .value = PV_CLI_FILE, STORE(STRING, icd) },
   { .name = "icd", .metavar = "FILE", .commands = PV_CMD_BENCH,
     .help = "the host Vulkan driver's ICD manifest, for both sides",
     .default_text = "lavapipe's lvp_icd.json",
     .value = PV_CLI_FILE, STORE(STRING, icd) },
   { .name = "venus-icd", .metavar = "FILE", .commands = PV_CMD_RUN | PV_CMD_BENCH,
     .help = "Mesa's Venus driver manifest, for the guest program",
     .default_text = "$PV_VENUS_ICD, else virtio_icd.json in the ICD directories",
     .value = PV_CLI_FILE, STORE(STRING, venus_icd) },
   { .name = "no-fork", .commands = SERVER_COMMANDS,
     .help = "serve every client in this process, not one process each (debugging)",
     .value = PV_CLI_FLAG, STORE(BOOL, no_fork) },
   { .name = "max-clients", .metavar = "N", .commands = PV_CMD_SERVE | PV_CMD_RUN,
     .help = "clients served at once; more are refused",
     RANGE(1, PV_VTEST_MAX_CLIENTS, 1), .default_number = PV_VTEST_DEFAULT_MAX_CLIENTS,
     STORE(U32, max_clients) },
   /* one: on an H200, three spares did not make instance + device again
    * faster (359-394 ms against 318-387 with one), and each holds a driver */
   { .name = "spares", .metavar = "N", .commands = SERVER_COMMANDS,
     .help = "client processes kept started, host driver warmed up, for the next clients",
     RANGE(0, PV_VTEST_MAX_SPARES, 1), .default_number = 1, STORE(U32, spares) },
   { .name = "linger", .metavar = "MS", .commands = SERVER_COMMANDS,
     .help = "how long a client's process waits to serve its program's next connection",
     RANGE(0, 60000, 1), .default_number = 1000, .zero_means = "never",
     STORE(U32, linger_ms) },

   { .name = "max-objects", .metavar = "N", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS, .help = "Vulkan objects",
     RANGE(1, 1u << 28, 1), .default_number = PV_DEFAULT_MAX_OBJECTS,
     STORE(U32, renderer.max_objects) },
   { .name = "max-memory", .metavar = "MIB", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS, .help = "device memory, in MiB",
     RANGE(0, 1u << 24, 1u << 20), .zero_means = "no limit of ours",
     STORE(U64, renderer.max_memory_bytes) },
   { .name = "max-shm", .metavar = "MIB", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS, .help = "shared-memory blobs, in MiB",
     RANGE(1, 1u << 20, 1u << 20), .default_number = PV_DEFAULT_MAX_BLOB_BYTES >> 20,
     STORE(U64, renderer.max_blob_bytes) },
   { .name = "max-rings", .metavar = "N", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS, .help = "rings, each with a thread",
     RANGE(1, 1024, 1), .default_number = PV_DEFAULT_MAX_RINGS, STORE(U32, renderer.max_rings) },
   { .name = "max-in-flight", .metavar = "N", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS, .help = "fences submitted and not yet retired",
     RANGE(1, 1u << 20, 1), .default_number = PV_DEFAULT_MAX_IN_FLIGHT,
     STORE(U32, renderer.max_in_flight) },
   { .name = "hang-timeout", .metavar = "SEC", .commands = CONTEXT_COMMANDS,
     .group = PV_CLI_GROUP_LIMITS,
     .help = "end a context whose host driver is stuck in one command this long",
     RANGE(0, 86400, 1000), .default_number = PV_DEFAULT_HANG_TIMEOUT_S,
     .zero_means = "never", STORE(U32, renderer.hang_timeout_ms) },

   { .name = "validate", .commands = CONTEXT_COMMANDS, .group = PV_CLI_GROUP_DIAGNOSTICS,
     .help = "run the host driver under the Khronos validation layer and log what it says",
     .value = PV_CLI_FLAG, STORE(BOOL, renderer.validate) },
   { .name = "capture", .metavar = "DIR",
     .commands = PV_CMD_SERVE | PV_CMD_RUN | PV_CMD_SERVE_FD, .group = PV_CLI_GROUP_DIAGNOSTICS,
     .help = "write every guest session into DIR, for replay (DIR is made if missing)",
     .value = PV_CLI_OUTPUT_DIR, STORE(STRING, renderer.capture_dir) },

   { .name = "command", .metavar = "NAMES", .commands = PV_CMD_DECODE,
     .help = "only these commands, comma-separated (vkCmdDispatch,vkCreateImage)",
     .value = PV_CLI_WORDS, STORE(STRING, decode_commands) },
   /* not a PV_CLI_NUMBER: N may be a ring's id (0x...), and with no --ring
    * every ring is listed, which no number says */
   { .name = "ring", .metavar = "N", .commands = PV_CMD_DECODE,
     .help = "only ring N as listed, or the ring of id N; 0: the context's own stream",
     .value = PV_CLI_WORDS, STORE(STRING, decode_ring) },
   { .name = "full", .commands = PV_CMD_DECODE,
     .help = "long arrays and strings whole, not shortened",
     .value = PV_CLI_FLAG, STORE(BOOL, decode_full) },

   { .name = "trace", .metavar = "FILE", .commands = SERVER_COMMANDS,
     .group = PV_CLI_GROUP_DIAGNOSTICS,
     .help = "write a Chrome trace of what the renderer does (ui.perfetto.dev opens it)",
     .value = PV_CLI_OUTPUT_FILE, STORE(STRING, trace_path) },
   { .name = "trace-min-us", .metavar = "N", .commands = SERVER_COMMANDS,
     .group = PV_CLI_GROUP_DIAGNOSTICS,
     .help = "leave commands shorter than N microseconds out of the trace",
     RANGE(0, 60000000, 1), .default_number = 0, .zero_means = "every command",
     STORE(U32, trace_min_us) },

   /* stats connects to a server's socket: it reads, it makes nothing there */
   { .name = "socket", .metavar = "PATH", .commands = PV_CMD_STATS,
     .help = "the server's vtest socket",
     .default_text = "$VTEST_SOCKET_NAME, else " PV_VTEST_DEFAULT_SOCKET,
     .value = PV_CLI_WORDS, STORE(STRING, socket_path) },
   { .name = "watch", .metavar = "SECONDS", .implied = "2", .commands = PV_CMD_STATS,
     .help = "show the table again every SECONDS, like top (0.1 to 3600; 2 if left out)",
     .value = PV_CLI_WORDS, STORE(STRING, stats_watch) },
   { .name = "raw", .commands = PV_CMD_STATS,
     .help = "print the server's report as it is",
     .value = PV_CLI_FLAG, STORE(BOOL, stats_raw) },

   /* pv_bench.c holds at most 64 rounds */
   { .name = "rounds", .metavar = "N", .commands = PV_CMD_BENCH,
     .help = "rounds of a native and a PearVisor run each",
     RANGE(1, 64, 1), .default_text = "5, or 2 with --quick", STORE(U32, bench_rounds) },
   { .name = "quick", .commands = PV_CMD_BENCH,
     .help = "small workloads and fewer rounds, for a first look",
     .value = PV_CLI_FLAG, STORE(BOOL, bench_quick) },
};
const size_t pv_cli_option_count = sizeof(pv_cli_options) / sizeof(pv_cli_options[0]);

const struct pv_cli_command *
pv_cli_find_command(const char *name)
{
   for (size_t i = 0; i < pv_cli_command_count; i++) {
      if (!strcmp(pv_cli_commands[i].name, name))
         return &pv_cli_commands[i];
   }
   return NULL;
}
