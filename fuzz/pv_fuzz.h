/* SPDX-License-Identifier: MIT */
#ifndef PV_FUZZ_H
#define PV_FUZZ_H

/* What every fuzz harness shares: one renderer per process with small
 * limits (so that inputs cannot make a run slow or huge), quiet logs (every
 * input is a guest error; PV_FUZZ_VERBOSE=1 shows them), and the check that
 * each input's context freed everything it had. */

#include <stddef.h>
#include <stdint.h>

#include "pearvisor/pv_renderer.h"

/* libFuzzer's entry points */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sets up logging and, once, the renderer. */
struct pv_renderer *pv_fuzz_renderer(void);

/* A context for one input. */
struct pv_context *pv_fuzz_context(void);

/* Aborts (a finding) if any object of the renderer is still alive. */
void pv_fuzz_check_leaks(void);

/* Destroys the input's context, then pv_fuzz_check_leaks(). */
void pv_fuzz_context_done(struct pv_context *ctx);

/* What became of the last input, for the runner to hold a regression input
 * to what it expects (fuzz/regressions/KIND/NAME.expect): "refused: <why>"
 * where its context ended fatal (the first reason) or its client was
 * dropped, "accepted" where it was served to the end; NULL before an input
 * has recorded one.  A fixed finding that no longer crashes could still be
 * let through to the driver by a check that was loosened; this is how the
 * runner tells. */
const char *pv_fuzz_outcome(void);
void pv_fuzz_outcome_reset(void);
void pv_fuzz_set_outcome(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Makes the host fail calls (the null host: pv_null_set_failures; NULL on a
 * real driver, which fails only when it must). */
extern void (*const pv_fuzz_set_failures)(uint64_t mask);

#endif /* PV_FUZZ_H */
