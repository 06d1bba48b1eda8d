/* SPDX-License-Identifier: MIT */
#include "pv_chain.h"

#include <inttypes.h>
#include <stdlib.h>

#include <vulkan/vulkan_core.h>

#include "cs/pv_decoder.h"
#include "cs/pv_encoder.h"

/* A chain may repeat an sType only where the spec allows it; twice the
 * number of distinct extenders is a generous bound for a valid chain. */
#define PV_CHAIN_SLACK 4

const struct pv_chain_entry *
pv_chain_find(const struct pv_chain *chain, int32_t stype)
{
   uint32_t lo = 0, hi = chain->count;
   while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      const int32_t s = chain->entries[mid].stype;
      if (s == stype)
         return &chain->entries[mid];
      if (s < stype)
         lo = mid + 1;
      else
         hi = mid;
   }
   return NULL;
}

void *
pv_dec_chain(struct pv_decoder *dec, const struct pv_chain *chain, bool partial)
{
   const uint32_t max_nodes = chain->count * 2 + PV_CHAIN_SLACK;
   VkBaseOutStructure **nodes = NULL;
   const struct pv_chain_entry **entries = NULL;
   uint32_t count = 0;

   for (;;) {
      const uint64_t marker = pv_dec_u64(dec);
      if (!marker)
         break;
      if (marker != 1) {
         pv_dec_fail(dec, "%s chain: bad pointer marker %" PRIu64, chain->name, marker);
         return NULL;
      }
      const int32_t stype = pv_dec_i32(dec);
      const struct pv_chain_entry *entry = pv_chain_find(chain, stype);
      if (!entry || !(partial ? entry->partial : entry->dec)) {
         pv_dec_fail(dec, "%s chain: unexpected sType %" PRId32, chain->name, stype);
         return NULL;
      }
      if (count == max_nodes) {
         pv_dec_fail(dec, "%s chain: more than %u structs", chain->name, max_nodes);
         return NULL;
      }
      if (!nodes) {
         nodes = pv_dec_alloc(dec, max_nodes, sizeof(*nodes));
         entries = pv_dec_alloc(dec, max_nodes, sizeof(*entries));
         if (!nodes || !entries)
            return NULL;
      }
      VkBaseOutStructure *node = pv_dec_alloc(dec, 1, entry->size);
      if (!node)
         return NULL;
      node->sType = (VkStructureType)stype;
      if (count)
         nodes[count - 1]->pNext = node;
      nodes[count] = node;
      entries[count] = entry;
      count++;
   }

   /* members follow innermost first */
   for (uint32_t i = count; i-- > 0;) {
      if (partial)
         entries[i]->partial(dec, nodes[i]);
      else
         entries[i]->dec(dec, nodes[i]);
   }
   return count ? nodes[0] : NULL;
}

void
pv_enc_chain(struct pv_encoder *enc, const void *pnext, const struct pv_chain *chain)
{
   /* nodes the guest did not send (unknown here) are skipped; the chain the
    * guest sent is at most chain->count * 2 + slack long */
   const VkBaseInStructure *node = pnext;
   const VkBaseInStructure *stack[512];
   const struct pv_chain_entry *entries[512];
   uint32_t count = 0;

   for (; node; node = node->pNext) {
      const struct pv_chain_entry *entry = pv_chain_find(chain, node->sType);
      if (!entry || !entry->enc)
         continue;
      if (count == sizeof(stack) / sizeof(stack[0])) {
         pv_enc_fail(enc, "%s chain too long to encode", chain->name);
         return;
      }
      pv_enc_u64(enc, 1);
      pv_enc_i32(enc, node->sType);
      stack[count] = node;
      entries[count] = entry;
      count++;
   }
   pv_enc_u64(enc, 0);
   for (uint32_t i = count; i-- > 0;)
      entries[i]->enc(enc, stack[i]);
}

void
pv_rep_chain(const void *pnext, const struct pv_chain *chain)
{
   for (const VkBaseInStructure *node = pnext; node; node = node->pNext) {
      const struct pv_chain_entry *entry = pv_chain_find(chain, node->sType);
      if (entry && entry->rep)
         entry->rep((void *)node);
   }
}
