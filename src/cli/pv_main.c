/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu: the command-line front end.  `pearvisor-gpu --help` lists
 * the commands, `pearvisor-gpu COMMAND --help` a command's options; both
 * come from the tables in pv_cli_table.c. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/pv_cli.h"
#include "cli/pv_cli_table.h"
#include "util/pv_log.h"

#ifndef PV_VERSION
#define PV_VERSION "unknown"
#endif

static bool
is_help(const char *arg)
{
   return !strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "help");
}

/* pearvisor-gpu help [COMMAND] */
static int
help_command(int argc, char **argv)
{
   if (argc < 3) {
      pv_cli_print_usage(stdout);
      return 0;
   }
   const struct pv_cli_command *cmd = pv_cli_find_command(argv[2]);
   if (!cmd) {
      fprintf(stderr, "pearvisor-gpu: no command '%s'; 'pearvisor-gpu --help' lists them\n",
              argv[2]);
      return 2;
   }
   pv_cli_print_command_help(stdout, cmd);
   return 0;
}

int
main(int argc, char **argv)
{
   pv_log_init();
   if (argc < 2) {
      pv_cli_print_usage(stderr);
      return 2;
   }
   const char *name = argv[1];
   if (is_help(name))
      return help_command(argc, argv);
   if (!strcmp(name, "--help-all")) {
      pv_cli_print_all_help(stdout);
      return 0;
   }
   if (!strcmp(name, "--version")) {
      printf("pearvisor-gpu %s\n", PV_VERSION);
      return 0;
   }
   const struct pv_cli_command *cmd = pv_cli_find_command(name);
   if (!cmd && name[0] == '-') {
      fprintf(stderr, "pearvisor-gpu: unknown option '%s' (options come after the command); "
                      "'pearvisor-gpu --help' lists the commands\n", name);
      return 2;
   }
   if (!cmd) {
      fprintf(stderr, "pearvisor-gpu: no command '%s'; 'pearvisor-gpu --help' lists them\n",
              name);
      return 2;
   }
   struct options opts = { 0 };
   const int parsed = pv_cli_parse(cmd, argc - 1, argv + 1, &opts);
   if (parsed >= 0)
      return parsed;
   if (pv_cli_check_values(cmd, &opts))
      return 2;
   return cmd->run(&opts);
}
