/* SPDX-License-Identifier: MIT */
/* Decode microbenchmark: captured guest sessions replayed on the null
 * Vulkan host, so that what is timed is the renderer's own work on each
 * command (decode, object lookups, dispatch, handler, reply) and nothing of
 * a driver's.  Only the time spent running streams counts, not the setting
 * up of contexts and blobs around them.
 *
 *   pv-decode-bench [--seconds S] [--trace FILE] CAPTURE...
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "context/pv_capture.h"
#include "pearvisor/pv_renderer.h"
#include "trace/pv_trace.h"
#include "util/pv_log.h"

struct capture {
   const char *path;
   const uint8_t *data;
   size_t size;
   struct pv_replay_stats total;
   uint32_t passes;
};

static double
now(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool
load(struct capture *c)
{
   const int fd = open(c->path, O_RDONLY | O_CLOEXEC);
   struct stat st;
   if (fd < 0 || fstat(fd, &st) < 0 || !st.st_size) {
      perror(c->path);
      if (fd >= 0)
         close(fd);
      return false;
   }
   c->size = (size_t)st.st_size;
   c->data = mmap(NULL, c->size, PROT_READ, MAP_PRIVATE, fd, 0);
   close(fd);
   return c->data != MAP_FAILED;
}

static void
report(const char *what, const struct pv_replay_stats *s)
{
   const double seconds = (double)s->stream_ns * 1e-9;
   printf("%-40s %10" PRIu64 " commands %9.2f MB %12.0f commands/s %9.1f MB/s %7.1f ns/command\n",
          what, s->commands, (double)s->stream_bytes / 1e6, (double)s->commands / seconds,
          (double)s->stream_bytes / seconds / 1e6, seconds * 1e9 / (double)s->commands);
}

int
main(int argc, char **argv)
{
   double seconds = 3;
   const char *trace = NULL;
   int first = 1;
   for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
      if (!strcmp(argv[first], "--seconds"))
         seconds = atof(argv[first + 1]);
      else if (!strcmp(argv[first], "--trace"))
         trace = argv[first + 1];
      else
         break;
   }
   if (first >= argc || argv[first][0] == '-') {
      fprintf(stderr, "usage: pv-decode-bench [--seconds S] [--trace FILE] CAPTURE...\n");
      return 2;
   }
   pv_log_init();
   pv_log_silence(true);
   /* the cost of recording every command (docs/performance.md) */
   if (trace && !pv_trace_start(trace, 0))
      return 1;
   const int count = argc - first;
   struct capture *caps = calloc((size_t)count, sizeof(*caps));
   for (int i = 0; i < count; i++) {
      caps[i].path = argv[first + i];
      if (!load(&caps[i]))
         return 1;
   }
   struct pv_renderer *renderer;
   const struct pv_renderer_config config = { .max_in_flight = 1u << 20 };
   if (pv_renderer_create(&config, &renderer))
      return 1;
   const struct pv_replay_options options = { .ring_timeout_ms = 100, .inline_rings = true };
   const double end = now() + seconds;
   bool fatal = false;
   do {
      for (int i = 0; i < count; i++) {
         struct pv_context *ctx;
         if (pv_context_create(renderer, 1, "decode-bench", NULL, &ctx))
            return 1;
         struct pv_replay_stats s;
         pv_capture_replay(ctx, caps[i].data, caps[i].size, &options, &s);
         if (pv_context_is_fatal(ctx) && !fatal) {
            fprintf(stderr, "%s: the context ended: %s\n", caps[i].path,
                    pv_context_fatal_reason(ctx));
            fatal = true;
         }
         pv_context_destroy(ctx);
         caps[i].total.commands += s.commands;
         caps[i].total.stream_bytes += s.stream_bytes;
         caps[i].total.stream_ns += s.stream_ns;
         caps[i].passes++;
      }
   } while (now() < end);

   struct pv_replay_stats all = { 0 };
   for (int i = 0; i < count; i++) {
      const char *base = strrchr(caps[i].path, '/');
      report(base ? base + 1 : caps[i].path, &caps[i].total);
      all.commands += caps[i].total.commands;
      all.stream_bytes += caps[i].total.stream_bytes;
      all.stream_ns += caps[i].total.stream_ns;
   }
   report("all", &all);
   const double s = (double)all.stream_ns * 1e-9;
   printf("bench metric=decode_mbps unit=MB/s value=%.1f\n", (double)all.stream_bytes / s / 1e6);
   printf("bench metric=decode_commands_per_s unit=1/s value=%.0f\n", (double)all.commands / s);
   pv_renderer_destroy(renderer);
   pv_trace_finish();
   for (int i = 0; i < count; i++)
      munmap((void *)caps[i].data, caps[i].size);
   free(caps);
   return fatal ? 1 : 0;
}
