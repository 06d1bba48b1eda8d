/* SPDX-License-Identifier: MIT */
#ifndef PV_TRACE_H
#define PV_TRACE_H

/* --trace FILE: what the renderer does, as Chrome trace events (the JSON
 * that Perfetto's UI and chrome://tracing open).  pid is the process that
 * serves a client (or the server), tid the thread: the transport, a ring,
 * a fence timeline.
 *
 * Every process writes its own part, FILE.<pid>, in lines of whole events
 * each followed by a comma; the process that opened the trace (the server)
 * owns FILE itself: it writes "[", appends a child's part once it has
 * reaped that child (cut after the last whole line, in case the child died
 * in the middle of one) and removes the part, and at its end appends its
 * own events and a last event with "]".  So FILE is valid JSON whatever
 * order the processes end in, and only one process ever writes to it.
 *
 * Events are buffered per process and written when the buffer fills and
 * at exit, so the cost of an event is a format and a copy under a lock.
 * Off, the hot paths pay one test of pv_log_debug_categories (PV_CAT_TRACE,
 * set while a trace is written), the same as for PV_DEBUG=time. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/pv_log.h"
#include "util/pv_time.h"

/* Whether events are being recorded (in this process). */
static inline bool
pv_trace_on(void)
{
   return pv_log_debug_enabled(PV_CAT_TRACE);
}

/* In the process that owns FILE: starts the trace.  Processes forked
 * after it write their own parts.  min_us: commands that ran shorter are
 * left out (the other events always go in).  False if FILE cannot be
 * written. */
bool pv_trace_start(const char *path, uint32_t min_us);
/* In the owner: a child ended; its part goes into FILE. */
void pv_trace_child_ended(pid_t pid);
/* In the owner: writes the rest and closes FILE. */
void pv_trace_finish(void);

/* Commands shorter than the threshold are not recorded. */
bool pv_trace_command_wanted(uint64_t dur_ns);

/* An event with a duration (ph "X"); `args` is the inside of a JSON
 * object (e.g. "\"bytes\":4096") or NULL. */
void pv_trace_span(const char *category, const char *name, uint64_t start_ns, uint64_t dur_ns,
                   const char *args);
/* A span around some work, when tracing: the start (0 when off), then
 * pv_trace_end with it. */
static inline uint64_t
pv_trace_begin(void)
{
   return pv_trace_on() ? pv_now_ns() : 0;
}

static inline void
pv_trace_end(uint64_t start_ns, const char *category, const char *name, const char *args)
{
   if (start_ns)
      pv_trace_span(category, name, start_ns, pv_now_ns() - start_ns, args);
}

/* A point in time (ph "i"). */
void pv_trace_instant(const char *category, const char *name, const char *args);

/* Names the calling thread / this process in the trace (JSON-escaped
 * here: a process name comes from the guest). */
void pv_trace_name_thread(const char *name);
void pv_trace_name_process(const char *name);

/* Writes this process's buffered events to its part (at exit, and before
 * a process hands over). */
void pv_trace_flush(void);

#endif /* PV_TRACE_H */
