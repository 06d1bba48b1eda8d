/* SPDX-License-Identifier: MIT */
#include "pv_ring_timeline.h"

#include <inttypes.h>
#include <stdlib.h>

#include "util/pv_log.h"

void
pv_ring_timeline_add(struct pv_ring_timeline *t, uint32_t bytes, uint64_t gap_ns,
                     uint64_t ran_ns)
{
   if (t->count == t->cap) {
      const uint32_t cap = t->cap ? t->cap * 2 : 4096;
      struct pv_ring_sample *grown =
         cap <= PV_RING_TIMELINE_MAX ? realloc(t->samples, cap * sizeof(*grown)) : NULL;
      if (!grown) {
         t->dropped++;
         return;
      }
      t->samples = grown;
      t->cap = cap;
   }
   const uint64_t gap = gap_ns / 10, ran = ran_ns / 10;
   t->samples[t->count++] = (struct pv_ring_sample){
      bytes, gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap, ran > UINT32_MAX ? UINT32_MAX : (uint32_t)ran,
   };
}

static int
by_u32(const void *a, const void *b)
{
   const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
   return x < y ? -1 : x > y;
}

static int
by_bytes(const void *a, const void *b)
{
   return by_u32(&((const struct pv_ring_sample *)a)->bytes,
                 &((const struct pv_ring_sample *)b)->bytes);
}

void
pv_ring_timeline_report(struct pv_ring_timeline *t, uint64_t ring_id)
{
   const uint32_t n_all = t->count;
   uint32_t *gap = malloc((n_all ? n_all : 1) * sizeof(*gap));
   uint32_t *ran = malloc((n_all ? n_all : 1) * sizeof(*ran));
   if (gap && ran) {
      /* runs of equal sizes; the four longest are reported */
      qsort(t->samples, n_all, sizeof(*t->samples), by_bytes);
      uint32_t start[4] = { 0 }, len[4] = { 0 };
      for (uint32_t i = 0; i < n_all;) {
         uint32_t j = i;
         while (j < n_all && t->samples[j].bytes == t->samples[i].bytes)
            j++;
         int slot = 3;
         while (slot >= 0 && len[slot] < j - i)
            slot--;
         if (++slot < 4) {
            for (int k = 3; k > slot; k--) {
               start[k] = start[k - 1];
               len[k] = len[k - 1];
            }
            start[slot] = i;
            len[slot] = j - i;
         }
         i = j;
      }
      for (int k = 0; k < 4 && len[k]; k++) {
         const uint32_t n = len[k];
         for (uint32_t i = 0; i < n; i++) {
            gap[i] = t->samples[start[k] + i].gap_10ns;
            ran[i] = t->samples[start[k] + i].ran_10ns;
         }
         qsort(gap, n, sizeof(*gap), by_u32);
         qsort(ran, n, sizeof(*ran), by_u32);
         pv_debug(PV_CAT_TIME, "ring 0x%" PRIx64 ": %u batches of %u bytes: %.2f us after the "
                  "previous (median; p10 %.2f, p90 %.2f), ran %.2f us (p10 %.2f, p90 %.2f)",
                  ring_id, n, t->samples[start[k]].bytes, gap[n / 2] / 100.0,
                  gap[n / 10] / 100.0, gap[n * 9 / 10] / 100.0, ran[n / 2] / 100.0,
                  ran[n / 10] / 100.0, ran[n * 9 / 10] / 100.0);
      }
   }
   if (t->dropped)
      pv_debug(PV_CAT_TIME, "ring 0x%" PRIx64 ": %" PRIu64 " batches not recorded", ring_id,
               t->dropped);
   free(gap);
   free(ran);
   free(t->samples);
   *t = (struct pv_ring_timeline){ 0 };
}
