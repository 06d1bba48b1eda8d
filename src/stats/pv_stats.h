/* SPDX-License-Identifier: MIT */
#ifndef PV_STATS_H
#define PV_STATS_H

/* Live statistics of the server's clients (pearvisor-gpu stats).
 *
 * The server maps a table of slots, shared and anonymous, before it forks
 * any client process, so every process it forks sees the same memory.  A
 * client's process claims a free slot when its context starts, fills it
 * with relaxed atomic stores as it works (what the context counts anyway,
 * published by the context's watchdog a few times a second, plus the time
 * spent running commands and the submissions), and frees it when the
 * context ends; the server frees the slots of a process that died holding
 * one.  Only the server reads the table, to answer its control socket.
 *
 * Every field is an atomic: the reader never sees a torn number, though a
 * name being rewritten may read as a mix of two (the reader makes it
 * printable). */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PV_STATS_NAME_WORDS 8 /* 64 bytes */

struct pv_stats_slot {
   _Atomic int32_t pid; /* the process serving the client; 0: free */
   _Atomic uint32_t client_id;
   _Atomic uint64_t started_ns;
   _Atomic uint64_t name[PV_STATS_NAME_WORDS]; /* NUL-padded */
   /* totals */
   _Atomic uint64_t commands, bytes, submissions, busy_ns;
   /* now */
   _Atomic uint64_t in_flight, objects, memory_bytes, blob_bytes, rings;
};

struct pv_stats_table {
   uint32_t capacity;
   struct pv_stats_slot slots[];
};

/* The server's table, inherited by the processes it forks; NULL when no
 * one collects statistics (a VMM's serve-fd, the benches). */
extern struct pv_stats_table *pv_stats_shared;

struct pv_stats_table *pv_stats_table_create(uint32_t capacity);
void pv_stats_table_destroy(struct pv_stats_table *table);

/* In a client's process (or thread): a slot for client `client_id`, or
 * NULL when the table is full or absent. */
struct pv_stats_slot *pv_stats_claim(struct pv_stats_table *table, uint32_t client_id,
                                     const char *name);
void pv_stats_release(struct pv_stats_slot *slot);
/* In the server: process `pid` ended; its slots are free. */
void pv_stats_release_pid(struct pv_stats_table *table, pid_t pid);

void pv_stats_set_name(struct pv_stats_slot *slot, const char *name);
/* The name, printable, NUL-terminated (out has 65 bytes or more). */
void pv_stats_get_name(const struct pv_stats_slot *slot, char *out, size_t size);

static inline void
pv_stats_add(_Atomic uint64_t *counter, uint64_t n)
{
   atomic_fetch_add_explicit(counter, n, memory_order_relaxed);
}

static inline void
pv_stats_set(_Atomic uint64_t *gauge, uint64_t v)
{
   atomic_store_explicit(gauge, v, memory_order_relaxed);
}

/* One client's line of the report: "client id=.. pid=.. name=.. key=value...". */
size_t pv_stats_format(const struct pv_stats_slot *slot, uint64_t now_ns, char *out,
                       size_t size);
/* Logs the slot's totals at PV_DEBUG=info (a client leaving). */
void pv_stats_log_summary(const struct pv_stats_slot *slot);

#endif /* PV_STATS_H */
