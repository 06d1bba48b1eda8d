/* SPDX-License-Identifier: MIT */
#ifndef PV_CPU_H
#define PV_CPU_H

/* A hint that the caller is spinning (lets a sibling hyperthread run and
 * saves power); a compiler barrier elsewhere. */
static inline void
pv_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
   __builtin_ia32_pause();
#elif defined(__aarch64__)
   __asm__ volatile("yield" ::: "memory");
#else
   __asm__ volatile("" ::: "memory");
#endif
}

#endif /* PV_CPU_H */
