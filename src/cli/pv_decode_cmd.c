/* SPDX-License-Identifier: MIT */
/* pearvisor-gpu decode: the readable listing of captured guest sessions
 * (--capture; context/pv_capture_print.h): one line per command with its
 * arguments as Vulkan names them.  What a bug reporter shows of what the
 * guest sent. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/pv_cli.h"
#include "context/pv_capture_print.h"
#include "cs/pv_print.h"
#include "util/pv_log.h"

static int
decode_file(const char *path, const struct pv_capture_print_options *options)
{
   size_t size;
   void *data = pv_cli_map_capture("decode", path, &size);
   if (!data && size)
      return 1;
   printf("# %s\n", path);
   struct pv_capture_print_result result;
   const bool ok = pv_capture_print(data, size, options, &result);
   printf("# %u records, %" PRIu64 " commands, %" PRIu64 " listed%s\n", result.records,
          result.commands, result.listed, ok ? "" : "; malformed, see below");
   fflush(stdout);
   if (!ok)
      fprintf(stderr, "decode: %s: %s\n", path, result.error);
   pv_cli_unmap_capture(data, size);
   return ok ? 0 : 1;
}

/* --command vkA,vkB: which command ids to list. */
static bool *
parse_commands(const char *list)
{
   bool *wanted = calloc(pv_pr_command_count, sizeof(*wanted));
   char *copy = strdup(list);
   if (!wanted || !copy) {
      free(wanted);
      free(copy);
      return NULL;
   }
   bool ok = true;
   char *save = NULL;
   for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
      const int64_t id = pv_print_command_id(name);
      if (id < 0) {
         fprintf(stderr, "pearvisor-gpu decode: --command %s: no command the protocol carries\n",
                 name);
         ok = false;
      } else {
         wanted[id] = true;
      }
   }
   free(copy);
   if (!ok) {
      free(wanted);
      return NULL;
   }
   return wanted;
}

int
pv_cli_decode(const struct options *opts)
{
   if (!opts->argc) {
      fprintf(stderr, "pearvisor-gpu decode: no CAPTURE given (a file written by --capture)\n");
      return 2;
   }
   pv_log_silence(true); /* the listing reports what is malformed itself */
   bool *wanted = NULL;
   if (opts->decode_commands) {
      wanted = parse_commands(opts->decode_commands);
      if (!wanted)
         return 2;
   }
   uint64_t ring = 0;
   if (opts->decode_ring) {
      /* strtoull would take "-1" as a huge number */
      const char *text = opts->decode_ring;
      const bool digit = text[0] >= '0' && text[0] <= '9';
      char *end = NULL;
      errno = 0;
      ring = digit ? strtoull(text, &end, 0) : 0;
      if (!digit || errno || *end) {
         fprintf(stderr, "pearvisor-gpu decode: --ring takes a ring's number or id, not '%s'\n",
                 opts->decode_ring);
         free(wanted);
         return 2;
      }
   }
   const struct pv_capture_print_options options = {
      .out = stdout,
      .full = opts->decode_full,
      .wanted = wanted,
      .ring_filter = opts->decode_ring != NULL,
      .ring = ring,
   };
   int failed = 0;
   for (int i = 0; i < opts->argc; i++)
      failed |= decode_file(opts->argv[i], &options);
   free(wanted);
   return failed;
}
