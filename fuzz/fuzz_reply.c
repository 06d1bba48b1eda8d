/* SPDX-License-Identifier: MIT */
/* Reply streams and indirect command streams.  An input is a command stream
 * run on a context that already has a device (instance 1, physical device 2,
 * device 3) and two shared-memory blobs: resource 1 (64 KiB, holding copies
 * of the input itself, so that vkExecuteCommandStreamsMESA finds commands
 * in it) and resource 2 (4 KiB).  vkSetReplyCommandStreamMESA,
 * vkSeekReplyCommandStreamMESA and vkExecuteCommandStreamsMESA (their ids
 * are in the dictionary) then point replies and streams anywhere in them. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pv_fuzz.h"
#include "pv_fuzz_stream.h"

#define STREAMS_SIZE (64u << 10)
#define REPLIES_SIZE 4096u

static void
add_blob(struct pv_context *ctx, uint32_t res_id, uint32_t size)
{
   struct pv_blob blob;
   if (!pv_context_create_blob(ctx, res_id, PV_BLOB_TYPE_HOST3D, PV_BLOB_FLAG_MAPPABLE, 0, size,
                               &blob))
      close(blob.fd);
}

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
   pv_fuzz_bring_up(ctx);
   add_blob(ctx, 1, STREAMS_SIZE);
   add_blob(ctx, 2, REPLIES_SIZE);
   void *ptr;
   uint64_t mapped;
   if (size && !pv_context_map_resource(ctx, 1, &ptr, &mapped)) {
      for (uint64_t off = 0; off < mapped; off += size)
         memcpy((uint8_t *)ptr + off, data, mapped - off < size ? (size_t)(mapped - off) : size);
   }
   /* the stream itself, dword-aligned as the transport would hand it over */
   const size_t words = size / 4;
   uint32_t *stream = words ? malloc(words * 4) : NULL;
   if (stream) {
      memcpy(stream, data, words * 4);
      pv_context_submit_cmd(ctx, stream, words * 4);
      free(stream);
   }
   pv_fuzz_context_done(ctx);
   return 0;
}
