/* SPDX-License-Identifier: MIT */
/* A command's arguments, parsed and checked against the option table
 * (pv_cli_table.c): each command takes only the options whose rows name it,
 * numbers outside their range are refused, and paths that cannot work are
 * refused at start-up instead of failing quietly later (per client, or not
 * at all). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/pv_cli.h"
#include "cli/pv_cli_table.h"

/* getopt_long's value for row i of the table: above any character */
#define ROW_VALUE_BASE 256

static bool
takes(const struct pv_cli_command *cmd, const struct pv_cli_option *opt)
{
   return (opt->commands & cmd->bit) != 0;
}

static void *
field(struct options *opts, const struct pv_cli_option *opt)
{
   return (char *)opts + opt->offset;
}

static const void *
const_field(const struct options *opts, const struct pv_cli_option *opt)
{
   return (const char *)opts + opt->offset;
}

static void
store_number(struct options *opts, const struct pv_cli_option *opt, uint64_t value)
{
   /* the table's ranges keep value * scale within the field */
   const uint64_t stored = value * opt->scale;
   if (opt->store == PV_CLI_STORE_U32)
      *(uint32_t *)field(opts, opt) = (uint32_t)stored;
   else
      *(uint64_t *)field(opts, opt) = stored;
}

static void
hint_help(const struct pv_cli_command *cmd)
{
   fprintf(stderr, "Try 'pearvisor-gpu %s --help' for its options.\n", cmd->name);
}

/* The commands other than `cmd` that take an option called `name`, for
 * saying where an option given to the wrong command belongs. */
static void
print_other_commands(const struct pv_cli_command *cmd, const char *name, size_t name_len)
{
   bool any = false;
   for (size_t c = 0; c < pv_cli_command_count; c++) {
      const struct pv_cli_command *other = &pv_cli_commands[c];
      if (other == cmd)
         continue;
      for (size_t i = 0; i < pv_cli_option_count; i++) {
         const struct pv_cli_option *opt = &pv_cli_options[i];
         if (takes(other, opt) && strlen(opt->name) == name_len &&
             !strncmp(opt->name, name, name_len)) {
            fprintf(stderr, "%s%s", any ? ", " : " (an option of ", other->name);
            any = true;
            break;
         }
      }
   }
   if (any)
      fprintf(stderr, ")");
}

static int
unknown_option(const struct pv_cli_command *cmd, const char *arg)
{
   if (!strncmp(arg, "--", 2)) {
      const char *name = arg + 2;
      const size_t name_len = strcspn(name, "=");
      for (size_t i = 0; i < pv_cli_option_count; i++) {
         const struct pv_cli_option *opt = &pv_cli_options[i];
         if (takes(cmd, opt) && strlen(opt->name) == name_len &&
             !strncmp(opt->name, name, name_len)) {
            /* getopt's '?' for a flag given a value */
            fprintf(stderr, "pearvisor-gpu %s: --%s takes no value\n", cmd->name, opt->name);
            hint_help(cmd);
            return 2;
         }
      }
      fprintf(stderr, "pearvisor-gpu %s: unknown option '%s'", cmd->name, arg);
      print_other_commands(cmd, name, name_len);
   } else {
      fprintf(stderr, "pearvisor-gpu %s: unknown option '%s'", cmd->name, arg);
   }
   fprintf(stderr, "\n");
   hint_help(cmd);
   return 2;
}

static int
parse_number(const struct pv_cli_command *cmd, const struct pv_cli_option *opt,
             const char *text, struct options *opts)
{
   char *end = NULL;
   errno = 0;
   /* strtoull would take "-1" as a huge number */
   const unsigned long long value =
      text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
   if (!end || *end) {
      fprintf(stderr, "pearvisor-gpu %s: --%s takes a whole number, not '%s'\n", cmd->name,
              opt->name, text);
      hint_help(cmd);
      return 2;
   }
   if (errno == ERANGE || value < opt->min || value > opt->max) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s is out of range: %llu to %llu\n", cmd->name,
              opt->name, text, (unsigned long long)opt->min, (unsigned long long)opt->max);
      hint_help(cmd);
      return 2;
   }
   store_number(opts, opt, value);
   return 0;
}

static void
set_defaults(const struct pv_cli_command *cmd, struct options *opts)
{
   for (size_t i = 0; i < pv_cli_option_count; i++) {
      const struct pv_cli_option *opt = &pv_cli_options[i];
      if (takes(cmd, opt) && opt->value == PV_CLI_NUMBER)
         store_number(opts, opt, opt->default_number);
   }
}

static int
parse_with(const struct pv_cli_command *cmd, const struct option *longopts, int argc,
           char **argv, struct options *opts)
{
   /* "+": options stop at the first operand (run's PROGRAM has its own);
    * ":": a missing value is told apart from an unknown option; the
    * messages are ours, naming the command */
   optind = 1;
   opterr = 0;
   int c;
   while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
      if (c == 'h') {
         pv_cli_print_command_help(stdout, cmd);
         return 0;
      }
      if (c == '?')
         return unknown_option(cmd, argv[optind - 1]);
      if (c == ':') {
         if (optopt >= ROW_VALUE_BASE) {
            const struct pv_cli_option *opt = &pv_cli_options[optopt - ROW_VALUE_BASE];
            fprintf(stderr, "pearvisor-gpu %s: --%s needs a value (%s)\n", cmd->name, opt->name,
                    opt->metavar);
         } else {
            fprintf(stderr, "pearvisor-gpu %s: '%s' needs a value\n", cmd->name,
                    argv[optind - 1]);
         }
         hint_help(cmd);
         return 2;
      }
      const struct pv_cli_option *opt = &pv_cli_options[c - ROW_VALUE_BASE];
      switch (opt->store) {
      case PV_CLI_STORE_BOOL:
         *(bool *)field(opts, opt) = true;
         break;
      case PV_CLI_STORE_STRING:
         if (opt->implied && !optarg) {
            /* `--watch 5` as well as `--watch=5`; `--watch` alone is `implied` */
            const char *next = optind < argc ? argv[optind] : NULL;
            if (next && ((next[0] >= '0' && next[0] <= '9') || next[0] == '.'))
               optarg = argv[optind++];
            else
               optarg = (char *)opt->implied;
         }
         if (!optarg[0]) {
            fprintf(stderr, "pearvisor-gpu %s: --%s needs a value (%s), not ''\n", cmd->name,
                    opt->name, opt->metavar);
            return 2;
         }
         *(const char **)field(opts, opt) = optarg;
         break;
      case PV_CLI_STORE_U32:
      case PV_CLI_STORE_U64:
         if (parse_number(cmd, opt, optarg, opts))
            return 2;
         break;
      }
   }
   opts->argc = argc - optind;
   opts->argv = argv + optind;
   return -1;
}

int
pv_cli_parse(const struct pv_cli_command *cmd, int argc, char **argv, struct options *opts)
{
   set_defaults(cmd, opts);
   struct option *longopts = calloc(pv_cli_option_count + 2, sizeof(*longopts));
   if (!longopts) {
      perror("pearvisor-gpu");
      return 1;
   }
   size_t n = 0;
   for (size_t i = 0; i < pv_cli_option_count; i++) {
      const struct pv_cli_option *opt = &pv_cli_options[i];
      if (takes(cmd, opt)) {
         const int has_arg = opt->implied   ? optional_argument
                             : opt->metavar ? required_argument
                                            : no_argument;
         longopts[n++] = (struct option){ opt->name, has_arg, NULL, ROW_VALUE_BASE + (int)i };
      }
   }
   longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
   const int ret = parse_with(cmd, longopts, argc, argv, opts);
   free(longopts);
   return ret;
}

/* -- start-up checks ---------------------------------------------------------- */

static int
check_readable_file(const char *cmd, const char *option, const char *path)
{
   struct stat st;
   if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: %s\n", cmd, option, path, strerror(errno));
      return 1;
   }
   if (!S_ISREG(st.st_mode)) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: not a file\n", cmd, option, path);
      return 1;
   }
   return 0;
}

/* mkdir -p: each missing directory of `path`, then `path` itself */
static int
make_directories(const char *path)
{
   char partial[PATH_MAX];
   if (snprintf(partial, sizeof(partial), "%s", path) >= (int)sizeof(partial)) {
      errno = ENAMETOOLONG;
      return -1;
   }
   for (char *slash = strchr(partial + 1, '/');; slash = strchr(slash + 1, '/')) {
      if (slash)
         *slash = '\0';
      if (mkdir(partial, 0777) < 0 && errno != EEXIST)
         return -1;
      if (!slash)
         return 0;
      *slash = '/';
   }
}

static int
check_output_dir(const char *cmd, const char *option, const char *path)
{
   struct stat st;
   if (make_directories(path) < 0 || stat(path, &st) < 0) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: cannot create it: %s\n", cmd, option, path,
              strerror(errno));
      return 1;
   }
   if (!S_ISDIR(st.st_mode)) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: not a directory\n", cmd, option, path);
      return 1;
   }
   if (access(path, W_OK | X_OK) < 0) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: cannot write there: %s\n", cmd, option, path,
              strerror(errno));
      return 1;
   }
   return 0;
}

/* The directory `path` is in must exist and be writable (`unwritable`
 * says what then cannot be done there). */
static int
check_directory_of(const char *cmd, const char *option, const char *path,
                   const char *unwritable)
{
   char dir[PATH_MAX];
   if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: %s\n", cmd, option, path,
              strerror(ENAMETOOLONG));
      return 1;
   }
   char *slash = strrchr(dir, '/');
   if (!slash)
      snprintf(dir, sizeof(dir), ".");
   else if (slash == dir)
      dir[1] = '\0';
   else
      *slash = '\0';
   struct stat st;
   const char *problem = NULL;
   if (stat(dir, &st) < 0)
      problem = strerror(errno);
   else if (!S_ISDIR(st.st_mode))
      problem = "not a directory";
   else if (access(dir, W_OK | X_OK) < 0)
      problem = unwritable;
   if (problem) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: its directory %s: %s\n", cmd, option, path,
              dir, problem);
      return 1;
   }
   return 0;
}

/* A file written to (or made): a missing one is made by the command, so
 * its directory must exist and be writable; one that exists must be a file
 * that can be written. */
static int
check_output_file(const char *cmd, const char *option, const char *path)
{
   struct stat st;
   if (stat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode)) {
         fprintf(stderr, "pearvisor-gpu %s: --%s %s: is a directory\n", cmd, option, path);
         return 1;
      }
      if (access(path, W_OK) < 0) {
         fprintf(stderr, "pearvisor-gpu %s: --%s %s: %s\n", cmd, option, path, strerror(errno));
         return 1;
      }
   }
   return check_directory_of(cmd, option, path, "cannot write there");
}

static int
check_socket_path(const char *cmd, const char *option, const char *path)
{
   if (strlen(path) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: too long for a UNIX socket (at most %zu)\n",
              cmd, option, path, sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
      return 1;
   }
   /* the server replaces a stale socket at the path: never anything else */
   struct stat st;
   if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
      fprintf(stderr, "pearvisor-gpu %s: --%s %s: exists and is not a socket\n", cmd, option,
              path);
      return 1;
   }
   return check_directory_of(cmd, option, path, "cannot make a socket there");
}

int
pv_cli_check_values(const struct pv_cli_command *cmd, const struct options *opts)
{
   for (size_t i = 0; i < pv_cli_option_count; i++) {
      const struct pv_cli_option *opt = &pv_cli_options[i];
      if (!takes(cmd, opt) || opt->store != PV_CLI_STORE_STRING)
         continue;
      const char *value = *(const char *const *)const_field(opts, opt);
      if (!value)
         continue;
      int failed = 0;
      if (opt->value == PV_CLI_FILE)
         failed = check_readable_file(cmd->name, opt->name, value);
      else if (opt->value == PV_CLI_OUTPUT_DIR)
         failed = check_output_dir(cmd->name, opt->name, value);
      else if (opt->value == PV_CLI_OUTPUT_FILE)
         failed = check_output_file(cmd->name, opt->name, value);
      else if (opt->value == PV_CLI_SOCKET)
         failed = check_socket_path(cmd->name, opt->name, value);
      if (failed)
         return 1;
   }
   return 0;
}
