/* SPDX-License-Identifier: MIT */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pearvisor/pv_renderer.h"

/* What the command line asked for: filled from the option table
 * (pv_cli_table.c), defaults included. */
struct options {
   const char *socket_path;
   const char *icd;
   const char *venus_icd;
   bool no_fork;
   uint32_t max_clients;
   uint32_t spares;       /* --spares */
   uint32_t linger_ms;    /* --linger */
   uint32_t bench_rounds; /* bench: --rounds (0: 5, or 2 with --quick) */
   bool bench_quick;      /* bench: --quick */
   const char *decode_commands; /* decode: --command vkA,vkB */
   const char *decode_ring;     /* decode: --ring N */
   bool decode_full;            /* decode: --full */
   const char *trace_path; /* --trace FILE */
   uint32_t trace_min_us;  /* --trace-min-us N */
   const char *stats_watch; /* stats: --watch [SECONDS]: the seconds, or NULL */
   bool stats_raw;          /* stats: --raw, the server's report as it is */
   struct pv_renderer_config renderer;
   int argc;
   char **argv; /* run: PROGRAM and its arguments; replay, decode: the captures */
};

/* The commands (pv_cli_table.c lists them). */
int pv_cli_serve(const struct options *opts);    /* pv_serve.c */
int pv_cli_serve_fd(const struct options *opts); /* pv_serve.c */
int pv_cli_run(const struct options *opts);      /* pv_run.c */
int pv_cli_replay(const struct options *opts);   /* pv_replay.c */
int pv_cli_bench(const struct options *opts);    /* pv_bench.c */
int pv_cli_decode(const struct options *opts);   /* pv_decode_cmd.c */
int pv_cli_stats(const struct options *opts);    /* pv_stats_cli.c */

/* -- pv_replay.c ------------------------------------------------------------------ */

/* A capture file mapped for reading; NULL with *size 0 for an empty one,
 * NULL with *size nonzero (and a message naming `command`) on failure. */
void *pv_cli_map_capture(const char *command, const char *path, size_t *size);
void pv_cli_unmap_capture(void *data, size_t size);

/* -- pv_cli_server.c ----------------------------------------------------------- */

/* Set by SIGINT/SIGTERM once pv_cli_install_signals() ran. */
extern volatile sig_atomic_t pv_cli_stop_requested;
void pv_cli_install_signals(void);

/* The environment a server runs in (the chosen host driver). */
void pv_cli_server_env(const struct options *opts);
/* Runs the vtest server with the command line's server options on
 * `socket_path`, listening on `listen_fd` (or -1: the server makes the
 * socket) until stopped; the exit status for the command. */
int pv_cli_run_server(const struct options *opts, const char *socket_path, int listen_fd);

/* Mesa's Venus driver manifest: --venus-icd, $PV_VENUS_ICD, or where
 * distributions install it; NULL if none. */
const char *pv_cli_find_venus_icd(const struct options *opts, char *buf, size_t size);

/* In a guest program's process: Venus over vtest to `socket_path`. */
void pv_cli_guest_env(const char *venus_icd, const char *socket_path);

/* A server of our own in a child process, on --socket or a private one. */
struct pv_private_server {
   pid_t pid;
   char dir[64];            /* the private directory, if we made one */
   char socket_path[512];
};
int pv_cli_private_server_start(const struct options *opts, struct pv_private_server *server);
void pv_cli_private_server_stop(struct pv_private_server *server);

/* -- pv_cli_activation.c ------------------------------------------------------- */

/* The listening socket systemd passed (socket activation), its path in
 * `path`; or one of these, having said why. */
#define PV_CLI_NOT_ACTIVATED (-1)
#define PV_CLI_ACTIVATION_FAILED (-2)
int pv_cli_activated_socket(char *path, size_t path_size);

#endif /* PV_CLI_H */
