/* SPDX-License-Identifier: MIT */
#ifndef PV_RING_TIMELINE_H
#define PV_RING_TIMELINE_H

#include <stdint.h>

/* A ring's timeline under PV_DEBUG=time: for each batch of commands the
 * ring ran, its size, how long after the previous batch it came (the
 * guest's work and waits in between) and how long the renderer took to run
 * it (decode and host calls).  Kept in memory and summarised when the ring
 * stops, because a log line per batch slows the renderer enough to change
 * what is measured (a guest waiting for a fence falls from Mesa's yielding
 * into its 160 us sleeps). */
struct pv_ring_sample {
   uint32_t bytes;
   uint32_t gap_10ns; /* in units of 10 ns: sub-microsecond round trips show */
   uint32_t ran_10ns;
};

struct pv_ring_timeline {
   struct pv_ring_sample *samples; /* owned */
   uint32_t count, cap;
   uint64_t dropped;               /* beyond PV_RING_TIMELINE_MAX */
};

#define PV_RING_TIMELINE_MAX (1u << 20)

void pv_ring_timeline_add(struct pv_ring_timeline *t, uint32_t bytes, uint64_t gap_ns,
                          uint64_t ran_ns);
/* Logs, per batch size seen most often (up to 4), the count and the
 * median, 10th and 90th percentile of gap and run time; then frees. */
void pv_ring_timeline_report(struct pv_ring_timeline *t, uint64_t ring_id);

#endif /* PV_RING_TIMELINE_H */
