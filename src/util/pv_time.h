/* SPDX-License-Identifier: MIT */
#ifndef PV_TIME_H
#define PV_TIME_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds: for timeouts and measured durations. */
static inline uint64_t
pv_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t
pv_now_ms(void)
{
   return pv_now_ns() / 1000000u;
}

#endif /* PV_TIME_H */
