/* SPDX-License-Identifier: MIT */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pearvisor/pv_renderer.h"

/* What the command line asked for (pv_main.c parses it). */
struct options {
   const char *socket_path;
   const char *icd;
   const char *venus_icd;
   bool no_fork;
   uint32_t max_clients;
   int spares;        /* --spares (-1: default) */
   int linger_ms;     /* --linger (-1: default) */
   int bench_rounds;  /* bench: --rounds (0: default) */
   bool bench_quick;  /* bench: --quick */
   struct pv_renderer_config renderer;
   int argc;
   char **argv; /* run: PROGRAM and its arguments; replay: the captures */
};

/* The commands. */
int pv_cli_run(const struct options *opts);    /* pv_run.c */
int pv_cli_replay(const struct options *opts); /* pv_replay.c */
int pv_cli_bench(const struct options *opts);  /* pv_bench.c */

/* -- pv_cli_server.c ----------------------------------------------------------- */

/* Set by SIGINT/SIGTERM once pv_cli_install_signals() ran. */
extern volatile sig_atomic_t pv_cli_stop_requested;
void pv_cli_install_signals(void);

/* Warm spare client processes the server keeps (--spares, default 1). */
uint32_t pv_cli_spares(const struct options *opts);

/* How long a client's process waits for its program's next connection. */
#define PV_CLI_DEFAULT_LINGER_MS 1000u
uint32_t pv_cli_linger_ms(const struct options *opts);

/* The environment a server runs in (the chosen host driver). */
void pv_cli_server_env(const struct options *opts);

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

#endif /* PV_CLI_H */
