/* SPDX-License-Identifier: MIT */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pv_renderer.h"

/* What the command line asked for (pv_main.c parses it). */
struct options {
   const char *socket_path;
   const char *icd;
   const char *venus_icd;
   bool no_fork;
   uint32_t max_clients;
   struct pv_renderer_config renderer;
   int argc;
   char **argv; /* run: PROGRAM and its arguments; replay: the captures */
};

/* pearvisor-gpu replay (pv_replay.c) */
int pv_cli_replay(const struct options *opts);

#endif /* PV_CLI_H */
