/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu replay: captured guest sessions (--capture) run again on the
 * host driver, each in a fresh context, without the guest.  What a guest did
 * to the renderer can then be reproduced, debugged and bisected anywhere. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/pv_cli.h"
#include "context/pv_capture.h"
#include "util/pv_log.h"

/* A ring chunk may wait for something a later record brings (a virtqueue
 * seqno, a semaphore); this long, then the replay moves on. */
#define REPLAY_RING_TIMEOUT_MS 2000u

void *
pv_cli_map_capture(const char *command, const char *path, size_t *size)
{
   *size = 0;
   const int fd = open(path, O_RDONLY | O_CLOEXEC);
   struct stat st;
   if (fd < 0 || fstat(fd, &st) < 0) {
      fprintf(stderr, "%s: %s: %s\n", command, path, strerror(errno));
      if (fd >= 0)
         close(fd);
      *size = 1; /* not an empty file: a failure */
      return NULL;
   }
   const size_t bytes = (size_t)st.st_size;
   void *data = bytes ? mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
   close(fd);
   if (data == MAP_FAILED) {
      fprintf(stderr, "%s: %s: %s\n", command, path, strerror(errno));
      *size = 1;
      return NULL;
   }
   *size = bytes;
   return data;
}

void
pv_cli_unmap_capture(void *data, size_t size)
{
   if (data)
      munmap(data, size);
}

static int
replay_file(struct pv_renderer *renderer, const char *path, uint32_t ctx_id)
{
   size_t size;
   void *data = pv_cli_map_capture("replay", path, &size);
   if (!data && size)
      return 1;
   const char *base = strrchr(path, '/');
   struct pv_context *ctx;
   if (pv_context_create(renderer, ctx_id, base ? base + 1 : path, NULL, &ctx)) {
      fprintf(stderr, "replay: %s: cannot create a context\n", path);
      pv_cli_unmap_capture(data, size);
      return 1;
   }
   const struct pv_replay_options options = { .ring_timeout_ms = REPLAY_RING_TIMEOUT_MS };
   struct pv_replay_stats stats;
   const bool ok = pv_capture_replay(ctx, data, size, &options, &stats);
   const char *reason = pv_context_fatal_reason(ctx);
   printf("%s: %u records, %u streams, %" PRIu64 " bytes of commands: %s%s%s\n", path,
          stats.records, stats.streams, stats.stream_bytes,
          ok ? "replayed" : reason ? "the context ended: " : "malformed capture",
          reason ? reason : "", stats.truncated ? " (the file ends inside a record)" : "");
   pv_context_destroy(ctx);
   pv_cli_unmap_capture(data, size);
   return ok ? 0 : 1;
}

int
pv_cli_replay(const struct options *opts)
{
   if (!opts->argc) {
      fprintf(stderr, "replay: no capture given (pearvisor-gpu replay CAPTURE...)\n");
      return 2;
   }
   unsetenv("VN_DEBUG");
   if (opts->icd) {
      setenv("VK_DRIVER_FILES", opts->icd, 1);
      setenv("VK_ICD_FILENAMES", opts->icd, 1);
   }
   struct pv_renderer *renderer;
   if (pv_renderer_create(&opts->renderer, &renderer)) {
      fprintf(stderr, "replay: cannot create the renderer\n");
      return 1;
   }
   int failed = 0;
   for (int i = 0; i < opts->argc; i++)
      failed |= replay_file(renderer, opts->argv[i], (uint32_t)i + 1);
   pv_renderer_destroy(renderer);
   return failed;
}
