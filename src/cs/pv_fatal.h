/* SPDX-License-Identifier: MIT */
#ifndef PV_FATAL_H
#define PV_FATAL_H

#include <stdatomic.h>
#include <stdbool.h>

/* The sticky "this guest sent something we cannot accept" flag of a context.
 *
 * Every decoder and encoder of a context points at its context's flag.  Once
 * set it stays set: the context refuses further work, rings report FATAL to
 * the guest, and the front end drops the client.  The first reason is logged
 * as an error and kept; later ones only at debug level, so a hostile stream
 * cannot flood the log.
 */
struct pv_fatal {
   atomic_bool set;
   atomic_bool logged;
   atomic_bool has_reason; /* `reason` is complete */
   char reason[256]; /* first reason; written once, by the thread that logged */
};

static inline bool
pv_fatal_is_set(const struct pv_fatal *fatal)
{
   return atomic_load_explicit(&fatal->set, memory_order_acquire);
}

void pv_fatal_set(struct pv_fatal *fatal, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

#endif /* PV_FATAL_H */
