/* SPDX-License-Identifier: MIT */
/* The listing of captures (`pearvisor-gpu decode`, context/pv_capture_print.h)
 * fed whole guest sessions, as fuzz-session replays them: every byte of a
 * capture came from a guest, and the listing must read any of them within
 * bounds.  The seeds are real sessions of Mesa's Venus driver, which it must
 * list to their end ("accepted"); a mutated one may stop early ("refused"
 * with where and why), but never read out of bounds or crash. */
#include <stdio.h>

#include "context/pv_capture_print.h"
#include "pv_fuzz.h"
#include "util/pv_log.h"

static FILE *sink;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
   (void)argc;
   (void)argv;
   pv_log_init();
   pv_log_silence(true);
   /* the listing is written out, so that every line is formatted */
   sink = fopen("/dev/null", "w");
   return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const struct pv_capture_print_options options = { .out = sink ? sink : stdout };
   struct pv_capture_print_result result;
   if (pv_capture_print(data, size, &options, &result))
      pv_fuzz_set_outcome("accepted");
   else
      pv_fuzz_set_outcome("refused: %s", result.error);
   return 0;
}
