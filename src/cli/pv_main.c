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

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
   (void)sig;
   stop_requested = 1;
}

static void
usage(FILE *out)
{
   fprintf(out,
           "Usage:\n"
           "  pearvisor-gpu serve [OPTIONS]\n"
           "  pearvisor-gpu run [OPTIONS] [--venus-icd FILE] -- PROGRAM [ARGS...]\n"
           "  pearvisor-gpu replay [OPTIONS] CAPTURE...\n"
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
           "  PV_DEBUG=info|debug|vtest,ring,cs,object,vk   more logging\n",
           PV_VTEST_DEFAULT_SOCKET, PV_VTEST_DEFAULT_MAX_CLIENTS, PV_VTEST_MAX_CLIENTS,
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
         else
            opts->renderer.hang_timeout_ms = v > UINT32_MAX / 1000 ? UINT32_MAX : (uint32_t)v * 1000;
         break;
      }
      case 'V':
         opts->renderer.validate = true;
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

/* The server's environment: the chosen host driver, and never the Venus
 * driver's vtest mode (the server would connect to itself). */
static void
setup_server_env(const struct options *opts)
{
   unsetenv("VN_DEBUG");
   if (opts->icd) {
      setenv("VK_DRIVER_FILES", opts->icd, 1);
      setenv("VK_ICD_FILENAMES", opts->icd, 1);
   }
}

static void
install_signals(void)
{
   struct sigaction sa = { .sa_handler = on_signal };
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
}

static int
cmd_serve(const struct options *opts)
{
   if (opts->argc) {
      fprintf(stderr, "serve: unexpected argument '%s'\n", opts->argv[0]);
      return 2;
   }
   setup_server_env(opts);
   install_signals();
   const char *env = getenv("VTEST_SOCKET_NAME");
   struct pv_vtest_server_options server = {
      .socket_path = opts->socket_path ? opts->socket_path
                                       : (env ? env : PV_VTEST_DEFAULT_SOCKET),
      .listen_fd = -1,
      .fork_per_client = !opts->no_fork,
      .max_clients = opts->max_clients,
      .renderer = opts->renderer,
   };
   const int ret = pv_vtest_server_run(&server, &stop_requested);
   return ret ? 1 : 0;
}

static bool
file_exists(const char *path)
{
   struct stat st;
   return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Mesa's Venus ICD manifest as distributions install it. */
static const char *
find_venus_icd(const struct options *opts, char *buf, size_t size)
{
   if (opts->venus_icd)
      return opts->venus_icd;
   const char *env = getenv("PV_VENUS_ICD");
   if (env && env[0])
      return env;
   static const char *const dirs[] = {
      "/usr/share/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/etc/vulkan/icd.d",
   };
   static const char *const names[] = {
      "virtio_icd.json", "virtio_icd.x86_64.json", "virtio_icd.aarch64.json",
   };
   for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
      for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
         snprintf(buf, size, "%s/%s", dirs[d], names[n]);
         if (file_exists(buf))
            return buf;
      }
   }
   return NULL;
}

/* VN_DEBUG for the program: the caller's flags plus "vtest". */
static void
set_vn_debug(void)
{
   const char *old = getenv("VN_DEBUG");
   if (!old || !old[0]) {
      setenv("VN_DEBUG", "vtest", 1);
      return;
   }
   if (strstr(old, "vtest"))
      return;
   char buf[512];
   snprintf(buf, sizeof(buf), "vtest,%s", old);
   setenv("VN_DEBUG", buf, 1);
}

static int
cmd_run(const struct options *opts)
{
   if (!opts->argc) {
      fprintf(stderr, "run: no program given (pearvisor-gpu run -- PROGRAM [ARGS...])\n");
      return 2;
   }
   char icd_buf[512];
   const char *venus_icd = find_venus_icd(opts, icd_buf, sizeof(icd_buf));
   if (!venus_icd) {
      fprintf(stderr, "run: Mesa's Venus driver manifest (virtio_icd.json) not found; install "
                      "mesa-vulkan-drivers or pass --venus-icd\n");
      return 2;
   }

   char dir[] = "/tmp/pearvisor-XXXXXX";
   char sock_buf[512];
   const char *sock = opts->socket_path;
   bool own_dir = false;
   if (!sock) {
      if (!mkdtemp(dir)) {
         perror("run: mkdtemp");
         return 1;
      }
      own_dir = true;
      snprintf(sock_buf, sizeof(sock_buf), "%s/vtest.sock", dir);
      sock = sock_buf;
   }
   /* listen before starting anything, so the program can connect at once */
   const int listen_fd = pv_vtest_listen(sock);
   if (listen_fd < 0) {
      if (own_dir)
         rmdir(dir);
      return 1;
   }

   const pid_t server = fork();
   if (server < 0) {
      perror("run: fork");
      return 1;
   }
   if (server == 0) {
      setup_server_env(opts);
      install_signals();
      struct pv_vtest_server_options server_opts = {
         .socket_path = sock,
         .listen_fd = listen_fd,
         .fork_per_client = !opts->no_fork,
         .max_clients = opts->max_clients,
         .renderer = opts->renderer,
      };
      _exit(pv_vtest_server_run(&server_opts, &stop_requested) ? 1 : 0);
   }
   close(listen_fd);

   const pid_t program = fork();
   if (program < 0) {
      perror("run: fork");
      kill(server, SIGTERM);
      waitpid(server, NULL, 0);
      return 1;
   }
   if (program == 0) {
      setenv("VK_DRIVER_FILES", venus_icd, 1);
      setenv("VK_ICD_FILENAMES", venus_icd, 1);
      setenv("VTEST_SOCKET_NAME", sock, 1);
      set_vn_debug();
      execvp(opts->argv[0], opts->argv);
      fprintf(stderr, "run: cannot execute %s: %s\n", opts->argv[0], strerror(errno));
      _exit(127);
   }

   /* the program's terminal signals are its own; we just wait for it */
   signal(SIGINT, SIG_IGN);
   int status = 0;
   while (waitpid(program, &status, 0) < 0 && errno == EINTR)
      ;
   kill(server, SIGTERM);
   int server_status = 0;
   while (waitpid(server, &server_status, 0) < 0 && errno == EINTR)
      ;
   if (own_dir) {
      unlink(sock);
      rmdir(dir);
   }
   if (WIFSIGNALED(status)) {
      fprintf(stderr, "run: %s was killed by signal %d (%s)\n", opts->argv[0],
              WTERMSIG(status), strsignal(WTERMSIG(status)));
      return 128 + WTERMSIG(status);
   }
   return WEXITSTATUS(status);
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
   struct options opts = { 0 };
   if (parse_options(argc - 1, argv + 1, &opts) < 0)
      return 2;
   if (!strcmp(cmd, "serve"))
      return cmd_serve(&opts);
   if (!strcmp(cmd, "run"))
      return cmd_run(&opts);
   if (!strcmp(cmd, "replay"))
      return pv_cli_replay(&opts);
   fprintf(stderr, "unknown command '%s'\n\n", cmd);
   usage(stderr);
   return 2;
}
