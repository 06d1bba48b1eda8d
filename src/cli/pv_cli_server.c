/* SPDX-License-Identifier: MIT */
/* What the commands of pearvisor-gpu share: the server's environment and
 * signals, a private server on a socket of its own (run, bench), and the
 * environment that points a guest program at it. */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/pv_cli.h"
#include "transport/pv_vtest.h"

volatile sig_atomic_t pv_cli_stop_requested;

static void
on_signal(int sig)
{
   (void)sig;
   pv_cli_stop_requested = 1;
}

void
pv_cli_server_env(const struct options *opts)
{
   /* the host driver chosen, and never the Venus driver's vtest mode (the
    * server would connect to itself) */
   unsetenv("VN_DEBUG");
   if (opts->icd) {
      setenv("VK_DRIVER_FILES", opts->icd, 1);
      setenv("VK_ICD_FILENAMES", opts->icd, 1);
   }
}

void
pv_cli_install_signals(void)
{
   struct sigaction sa = { .sa_handler = on_signal };
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
}

static bool
file_exists(const char *path)
{
   struct stat st;
   return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *
pv_cli_find_venus_icd(const struct options *opts, char *buf, size_t size)
{
   if (opts->venus_icd)
      return opts->venus_icd;
   const char *env = getenv("PV_VENUS_ICD");
   if (env && env[0])
      return env;
   /* where distributions install it */
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

void
pv_cli_guest_env(const char *venus_icd, const char *socket_path)
{
   setenv("VK_DRIVER_FILES", venus_icd, 1);
   setenv("VK_ICD_FILENAMES", venus_icd, 1);
   setenv("VTEST_SOCKET_NAME", socket_path, 1);
   /* the caller's VN_DEBUG flags, plus "vtest" */
   const char *old = getenv("VN_DEBUG");
   if (!old || !old[0]) {
      setenv("VN_DEBUG", "vtest", 1);
   } else if (!strstr(old, "vtest")) {
      char buf[512];
      snprintf(buf, sizeof(buf), "vtest,%s", old);
      setenv("VN_DEBUG", buf, 1);
   }
}

int
pv_cli_private_server_start(const struct options *opts, struct pv_private_server *srv)
{
   memset(srv, 0, sizeof(*srv));
   srv->pid = -1;
   if (opts->socket_path) {
      snprintf(srv->socket_path, sizeof(srv->socket_path), "%s", opts->socket_path);
   } else {
      snprintf(srv->dir, sizeof(srv->dir), "/tmp/pearvisor-XXXXXX");
      if (!mkdtemp(srv->dir)) {
         perror("mkdtemp");
         return -1;
      }
      snprintf(srv->socket_path, sizeof(srv->socket_path), "%s/vtest.sock", srv->dir);
   }
   /* listen before starting anything, so that a program can connect at once */
   const int listen_fd = pv_vtest_listen(srv->socket_path);
   if (listen_fd < 0) {
      if (srv->dir[0])
         rmdir(srv->dir);
      return -1;
   }
   const pid_t parent = getpid();
   srv->pid = fork();
   if (srv->pid < 0) {
      perror("fork");
      close(listen_fd);
      return -1;
   }
   if (srv->pid == 0) {
      /* a private server lives no longer than the command that started it */
      prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
      if (getppid() != parent)
         _exit(0);
      pv_cli_server_env(opts);
      pv_cli_install_signals();
      _exit(pv_cli_run_server(opts, srv->socket_path, listen_fd));
   }
   close(listen_fd);
   return 0;
}

void
pv_cli_private_server_stop(struct pv_private_server *srv)
{
   if (srv->pid > 0) {
      kill(srv->pid, SIGTERM);
      while (waitpid(srv->pid, NULL, 0) < 0 && errno == EINTR)
         ;
      srv->pid = -1;
   }
   if (srv->dir[0]) {
      unlink(srv->socket_path);
      rmdir(srv->dir);
      srv->dir[0] = '\0';
   }
}

int
pv_cli_run_server(const struct options *opts, const char *socket_path, int listen_fd)
{
   const struct pv_vtest_server_options server = {
      .socket_path = socket_path,
      .listen_fd = listen_fd,
      .fork_per_client = !opts->no_fork,
      .max_clients = opts->max_clients,
      .spares = opts->spares,
      .linger_ms = opts->linger_ms,
      .trace_path = opts->trace_path,
      .trace_min_us = opts->trace_min_us,
      .renderer = opts->renderer,
   };
   return pv_vtest_server_run(&server, &pv_cli_stop_requested) ? 1 : 0;
}
