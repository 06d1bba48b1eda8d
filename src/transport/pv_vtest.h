/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_H
#define PV_VTEST_H

/* The vtest front end: serves Mesa's Venus driver over a UNIX socket, one
 * context per connection, on top of the renderer's C API. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pv_renderer.h"

#define PV_VTEST_DEFAULT_MAX_CLIENTS 256u
#define PV_VTEST_MAX_CLIENTS 1024u

struct pv_vtest_server_options {
   const char *socket_path;
   int listen_fd;             /* already listening, or -1 to create one */
   bool fork_per_client;      /* each client in its own process (default) */
   uint32_t max_clients;      /* served at once; more are refused (0: default) */
   uint32_t spares;           /* client processes kept started and warmed up
                                 ahead of time (process-per-client mode) */
   uint32_t linger_ms;        /* how long a client's process, after a clean
                                 end, waits for the same guest process's
                                 next connection (0: it exits at once) */
   const char *trace_path;    /* --trace: Chrome trace events into this file */
   uint32_t trace_min_us;     /* --trace-min-us: shorter commands left out */
   bool no_stats;             /* no statistics and no control socket */
   struct pv_renderer_config renderer;
};

/* Serves clients until *stop becomes nonzero (set it from a signal handler).
 * Returns 0, or a negative errno when the socket cannot be set up. */
int pv_vtest_server_run(const struct pv_vtest_server_options *options,
                        volatile sig_atomic_t *stop);

/* Creates a listening socket at `path` (replacing a stale one). */
int pv_vtest_listen(const char *path);

/* Serves one connected client until it disconnects or misbehaves; frees
 * everything the client owned.  Returns 0 on a clean disconnect.  With
 * `own_process`, a context whose host driver hangs ends the process. */
int pv_vtest_serve_client(struct pv_renderer *renderer, int fd, uint32_t client_id,
                          bool own_process);

struct pv_vtest_client_options {
   bool own_process;
   /* -1, or a socket that gets one byte (PV_PROC_LEFT) once the guest has
    * closed its connection cleanly, before the teardown */
   int left_fd;
};

/* pv_vtest_serve_client with more options. */
int pv_vtest_serve(struct pv_renderer *renderer, int fd, uint32_t client_id,
                   const struct pv_vtest_client_options *options);

#endif /* PV_VTEST_H */
