/* SPDX-License-Identifier: MIT */
#ifndef PV_HASH_H
#define PV_HASH_H

#include <stdint.h>

/* A 64-bit mix (splitmix64 finalizer): guest ids are counters or pointers,
 * both of which cluster; the mix spreads them over the table. */
static inline uint64_t
pv_hash_u64(uint64_t x)
{
   x ^= x >> 30;
   x *= UINT64_C(0xbf58476d1ce4e5b9);
   x ^= x >> 27;
   x *= UINT64_C(0x94d049bb133111eb);
   x ^= x >> 31;
   return x;
}

#endif /* PV_HASH_H */
