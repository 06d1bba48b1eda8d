/* SPDX-License-Identifier: MIT */
#ifndef PV_CHAIN_H
#define PV_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

struct pv_decoder;
struct pv_encoder;

/* pNext chains.
 *
 * The generator emits one table per struct that has a pNext member: the
 * structs that may extend it, sorted by sType, each with the functions that
 * decode, encode and fix up its own members.  The walkers below are shared
 * by all chains and iterate instead of recursing, so a long hostile chain
 * cannot exhaust the stack.
 *
 * Wire order: for each node, a marker (1) and its sType; then a marker 0
 * ending the chain; then the members of the nodes, innermost first.
 */
struct pv_chain_entry {
   int32_t stype;
   uint32_t size;
   void (*dec)(struct pv_decoder *dec, void *node);     /* input members */
   void (*partial)(struct pv_decoder *dec, void *node); /* output skeleton */
   void (*enc)(struct pv_encoder *enc, const void *node);
   void (*rep)(void *node); /* objects -> host handles; NULL: no handles */
};

struct pv_chain {
   const char *name; /* the extended struct */
   uint32_t count;
   const struct pv_chain_entry *entries;
};

const struct pv_chain_entry *pv_chain_find(const struct pv_chain *chain, int32_t stype);

void *pv_dec_chain(struct pv_decoder *dec, const struct pv_chain *chain, bool partial);
void pv_enc_chain(struct pv_encoder *enc, const void *pnext, const struct pv_chain *chain);
void pv_rep_chain(const void *pnext, const struct pv_chain *chain);

#endif /* PV_CHAIN_H */
