/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu run: a private server, and PROGRAM pointed at it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/pv_cli.h"

static volatile sig_atomic_t running_program = -1;

/* Being asked to stop is passed on to the program, which ends as it would
 * natively; the server stops once it is gone.  Dying at once would leave
 * the program and the server behind. */
static void
forward_signal(int sig)
{
   if (running_program > 0)
      kill((pid_t)running_program, sig);
}

int
pv_cli_run(const struct options *opts)
{
   if (!opts->argc) {
      fprintf(stderr, "run: no program given (pearvisor-gpu run -- PROGRAM [ARGS...])\n");
      return 2;
   }
   char icd_buf[512];
   const char *venus_icd = pv_cli_find_venus_icd(opts, icd_buf, sizeof(icd_buf));
   if (!venus_icd) {
      fprintf(stderr, "run: Mesa's Venus driver manifest (virtio_icd.json) not found; install "
                      "mesa-vulkan-drivers or pass --venus-icd\n");
      return 2;
   }
   struct pv_private_server server;
   if (pv_cli_private_server_start(opts, &server))
      return 1;

   const pid_t program = fork();
   if (program < 0) {
      perror("run: fork");
      pv_cli_private_server_stop(&server);
      return 1;
   }
   if (program == 0) {
      pv_cli_guest_env(venus_icd, server.socket_path);
      execvp(opts->argv[0], opts->argv);
      fprintf(stderr, "run: cannot execute %s: %s\n", opts->argv[0], strerror(errno));
      _exit(127);
   }

   /* the program's terminal signals are its own; we just wait for it */
   signal(SIGINT, SIG_IGN);
   running_program = program;
   struct sigaction forward = { .sa_handler = forward_signal };
   sigemptyset(&forward.sa_mask);
   sigaction(SIGTERM, &forward, NULL);
   sigaction(SIGHUP, &forward, NULL);
   int status = 0;
   while (waitpid(program, &status, 0) < 0 && errno == EINTR)
      ;
   pv_cli_private_server_stop(&server);
   if (WIFSIGNALED(status)) {
      fprintf(stderr, "run: %s was killed by signal %d (%s)\n", opts->argv[0],
              WTERMSIG(status), strsignal(WTERMSIG(status)));
      return 128 + WTERMSIG(status);
   }
   return WEXITSTATUS(status);
}
