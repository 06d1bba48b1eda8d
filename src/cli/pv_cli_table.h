/* SPDX-License-Identifier: MIT */
/* The commands and options of pearvisor-gpu, as data.  The tables in
 * pv_cli_table.c are the one source of what the command line accepts, of
 * the ranges numbers are checked against, of the defaults, and of the text
 * `--help` prints (and the man page, which help2man makes from it). */
#ifndef PV_CLI_TABLE_H
#define PV_CLI_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct options;

/* One bit a command, so that an option can name the commands it is for. */
enum pv_cli_command_bit {
   PV_CMD_SERVE = 1u << 0,
   PV_CMD_RUN = 1u << 1,
   PV_CMD_REPLAY = 1u << 2,
   PV_CMD_BENCH = 1u << 3,
   PV_CMD_SERVE_FD = 1u << 4,
   PV_CMD_DECODE = 1u << 5,
   PV_CMD_STATS = 1u << 6,
};

struct pv_cli_command {
   const char *name;
   uint32_t bit;            /* enum pv_cli_command_bit */
   const char *arguments;   /* after [OPTIONS] in the usage line, or "" */
   const char *summary;     /* one line: what it does */
   const char *details;     /* more lines for its --help, or NULL */
   int (*run)(const struct options *opts);
};

/* What an option's value is, which says how it is parsed and checked. */
enum pv_cli_value {
   PV_CLI_FLAG,       /* no value */
   PV_CLI_NUMBER,     /* a whole number in [min, max], times `scale` */
   PV_CLI_FILE,       /* a file that must exist and be readable */
   PV_CLI_OUTPUT_DIR, /* a directory written to: created if missing */
   PV_CLI_OUTPUT_FILE, /* a file written to: its directory must exist and be writable */
   PV_CLI_SOCKET,     /* a UNIX socket's path: its directory must exist */
   PV_CLI_WORDS,      /* any text */
};

/* Where an option's value goes in struct options (at `offset`). */
enum pv_cli_store {
   PV_CLI_STORE_BOOL,
   PV_CLI_STORE_STRING,
   PV_CLI_STORE_U32,
   PV_CLI_STORE_U64,
};

/* Headings an option's --help line is listed under. */
enum pv_cli_group {
   PV_CLI_GROUP_GENERAL,
   PV_CLI_GROUP_LIMITS,
   PV_CLI_GROUP_DIAGNOSTICS,
   PV_CLI_GROUP_COUNT,
};

struct pv_cli_option {
   const char *name;          /* without the leading "--" */
   const char *metavar;       /* its value's name in --help; NULL for a flag */
   /* a value that may be left out (`--watch` or `--watch 5`): the value
    * stored then; the next word is taken as the value only when it starts
    * with a digit or '.' (or it is given as --watch=5) */
   const char *implied;
   uint32_t commands;         /* the commands that take it (PV_CMD_ bits) */
   enum pv_cli_group group;
   const char *help;          /* one line */
   enum pv_cli_value value;
   enum pv_cli_store store;
   size_t offset;             /* in struct options */
   /* numbers: the range accepted (in the unit the user writes), what one
    * unit is in the stored field, the default, and how --help says it */
   uint64_t min, max, scale, default_number;
   const char *default_text;  /* instead of default_number, if set */
   const char *zero_means;    /* what 0 does, if it is special */
};

extern const struct pv_cli_command pv_cli_commands[];
extern const size_t pv_cli_command_count;
extern const struct pv_cli_option pv_cli_options[];
extern const size_t pv_cli_option_count;
extern const char *const pv_cli_group_titles[PV_CLI_GROUP_COUNT];
/* what the program is, for the top-level --help (and the man page) */
extern const char pv_cli_description[];
/* the environment variables it reads, for the top-level --help */
extern const char pv_cli_environment[];

const struct pv_cli_command *pv_cli_find_command(const char *name);

/* -- pv_cli_args.c --------------------------------------------------------------- */

/* Parses argv (argv[0] the command's name) into opts, after setting every
 * option's default.  Prints what is wrong and returns 2 on a usage error,
 * prints the command's help and returns 0 for --help, or returns -1 when
 * the command is to run.  opts->argc/argv are then the operands. */
int pv_cli_parse(const struct pv_cli_command *cmd, int argc, char **argv, struct options *opts);

/* Start-up checks of the values given (files exist, directories can be
 * written, a socket's directory exists): 0, or prints why not and returns
 * nonzero.  Makes a missing --capture directory, like mkdir -p. */
int pv_cli_check_values(const struct pv_cli_command *cmd, const struct options *opts);

/* -- pv_cli_help.c --------------------------------------------------------------- */

void pv_cli_print_usage(FILE *out);                                   /* pearvisor-gpu --help */
void pv_cli_print_command_help(FILE *out, const struct pv_cli_command *cmd);
void pv_cli_print_all_help(FILE *out);                                /* --help-all */

#endif /* PV_CLI_TABLE_H */
