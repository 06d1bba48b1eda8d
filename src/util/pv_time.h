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

/* The TIME_UTC deadline `ns` from now, for cnd_timedwait (C11 condition
 * variables wait on the wall clock: keep such waits short and re-check
 * what they wait for, as a clock step lengthens or shortens them). */
static inline struct timespec
pv_deadline_utc(uint64_t ns)
{
   struct timespec until;
   timespec_get(&until, TIME_UTC);
   until.tv_sec += (time_t)(ns / 1000000000u);
   until.tv_nsec += (long)(ns % 1000000000u);
   if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
   }
   return until;
}

#endif /* PV_TIME_H */
