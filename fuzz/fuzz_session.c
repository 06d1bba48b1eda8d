/* SPDX-License-Identifier: MIT */
/* The command-stream decoder with dispatch, fed whole guest sessions: an
 * input is a capture (src/context/pv_capture.h) replayed on a fresh context,
 * so that blobs, rings, indirect streams and fences all take part, and the
 * seeds are real sessions of Mesa's Venus driver.  Built twice: on the null
 * host (fuzz-session-null) and on the system's driver (fuzz-session-host). */
#include "context/pv_capture.h"
#include "pv_fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
   (void)argc;
   (void)argv;
   pv_fuzz_renderer();
   return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   struct pv_context *ctx = pv_fuzz_context();
   const struct pv_replay_options options = {
      .ring_timeout_ms = 20,
      .inline_rings = true,
      .max_blob_bytes = 1u << 20,
      .set_failures = pv_fuzz_set_failures,
   };
   pv_capture_replay(ctx, data, size, &options, NULL);
   pv_fuzz_context_done(ctx); /* injected failures reach teardown too */
   if (pv_fuzz_set_failures)
      pv_fuzz_set_failures(0);
   return 0;
}
