/* SPDX-License-Identifier: MIT */
/* --help, made from the tables in pv_cli_table.c: the commands, and for a
 * command the options it takes, each on one line with its default and
 * range.  --help-all is all of it at once, which is what the man page is
 * made from (help2man, at build time). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/pv_cli_table.h"

/* "--hang-timeout SEC" is the longest; descriptions start after it */
#define OPTION_COLUMN 22

static void
print_option(FILE *out, const char *name, const char *metavar, const struct pv_cli_option *opt,
             const char *help)
{
   char left[64];
   if (opt && opt->implied) /* a value that may be left out */
      snprintf(left, sizeof(left), "--%s [%s]", name, metavar);
   else
      snprintf(left, sizeof(left), "--%s%s%s", name, metavar ? " " : "", metavar ? metavar : "");
   fprintf(out, "  %-*s%s", OPTION_COLUMN - 2, left, help);
   if (opt && opt->value == PV_CLI_NUMBER) {
      if (opt->default_text)
         fprintf(out, " (default %s; %llu to %llu", opt->default_text,
                 (unsigned long long)opt->min, (unsigned long long)opt->max);
      else
         fprintf(out, " (default %llu; %llu to %llu", (unsigned long long)opt->default_number,
                 (unsigned long long)opt->min, (unsigned long long)opt->max);
      if (opt->zero_means)
         fprintf(out, "; 0: %s", opt->zero_means);
      fprintf(out, ")");
   } else if (opt && opt->default_text) {
      fprintf(out, " (default: %s)", opt->default_text);
   }
   fprintf(out, "\n");
}

static void
print_usage_line(FILE *out, const char *lead, const struct pv_cli_command *cmd)
{
   fprintf(out, "%spearvisor-gpu %s [OPTIONS]%s%s\n", lead, cmd->name,
           cmd->arguments[0] ? " " : "", cmd->arguments);
}

static void
print_heading(FILE *out, const char *prefix, const char *title)
{
   if (prefix[0])
      fprintf(out, "\n%s %s:\n", prefix, title);
   else
      fprintf(out, "\n%c%s:\n", toupper((unsigned char)title[0]), title + 1);
}

/* `heading_prefix`: "" for one command's --help; in --help-all, the
 * command's name, which keeps help2man from merging the commands' lists */
static void
print_options(FILE *out, const struct pv_cli_command *cmd, const char *heading_prefix)
{
   for (int group = 0; group < PV_CLI_GROUP_COUNT; group++) {
      /* every command takes --help, so the first group is never empty */
      bool heading = false;
      if (group == PV_CLI_GROUP_GENERAL) {
         print_heading(out, heading_prefix, pv_cli_group_titles[group]);
         heading = true;
      }
      for (size_t i = 0; i < pv_cli_option_count; i++) {
         const struct pv_cli_option *opt = &pv_cli_options[i];
         if (!(opt->commands & cmd->bit) || (int)opt->group != group)
            continue;
         if (!heading) {
            print_heading(out, heading_prefix, pv_cli_group_titles[group]);
            heading = true;
         }
         print_option(out, opt->name, opt->metavar, opt, opt->help);
      }
      if (group == PV_CLI_GROUP_GENERAL)
         print_option(out, "help", NULL, NULL, "show this help and exit");
   }
}

void
pv_cli_print_command_help(FILE *out, const struct pv_cli_command *cmd)
{
   print_usage_line(out, "Usage: ", cmd);
   fprintf(out, "%s: %s.\n", cmd->name, cmd->summary);
   if (cmd->details)
      fprintf(out, "\n%s", cmd->details);
   print_options(out, cmd, "");
}

static void
print_commands(FILE *out)
{
   fprintf(out, "\nCommands:\n");
   for (size_t i = 0; i < pv_cli_command_count; i++)
      fprintf(out, "  %-10s%s\n", pv_cli_commands[i].name, pv_cli_commands[i].summary);
}

static void
print_exit_status(FILE *out)
{
   fprintf(out, "\nExit status:\n"
                "  0   success, and --help\n"
                "  1   failure (a server that could not start, a replay that did not end,\n"
                "      a capture decode could not list to its end)\n"
                "  2   a usage error: an unknown option, a bad number, a missing argument\n"
                "\nrun exits with PROGRAM's status instead.\n");
}

void
pv_cli_print_usage(FILE *out)
{
   fprintf(out, "Usage: pearvisor-gpu COMMAND [OPTIONS] [ARGUMENTS]\n"
                "  or:  pearvisor-gpu COMMAND --help\n"
                "  or:  pearvisor-gpu --help | --help-all | --version\n"
                "%s",
           pv_cli_description);
   print_commands(out);
   fprintf(out, "\nRun 'pearvisor-gpu COMMAND --help' for the options of a command.\n");
   fprintf(out, "\nEnvironment:\n%s", pv_cli_environment);
   print_exit_status(out);
}

void
pv_cli_print_all_help(FILE *out)
{
   fprintf(out, "Usage: pearvisor-gpu COMMAND [OPTIONS] [ARGUMENTS]\n");
   for (size_t i = 0; i < pv_cli_command_count; i++)
      print_usage_line(out, "  or:  ", &pv_cli_commands[i]);
   fprintf(out, "%s", pv_cli_description);
   print_commands(out);
   for (size_t i = 0; i < pv_cli_command_count; i++) {
      const struct pv_cli_command *cmd = &pv_cli_commands[i];
      /* the usage line indented: help2man then takes the line before it
       * for a heading */
      fprintf(out, "\nThe %s command:\n", cmd->name);
      print_usage_line(out, "  ", cmd);
      fprintf(out, "\n%s.\n", cmd->summary);
      if (cmd->details)
         fprintf(out, "%s", cmd->details);
      print_options(out, cmd, cmd->name);
   }
   fprintf(out, "\nEnvironment:\n%s", pv_cli_environment);
   print_exit_status(out);
}
