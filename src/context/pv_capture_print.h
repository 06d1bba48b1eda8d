/* SPDX-License-Identifier: MIT */
#ifndef PV_CAPTURE_PRINT_H
#define PV_CAPTURE_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The listing of a capture (pv_capture.h): a line for every command of its
 * streams (cs/pv_print.h), in the order the context ran them, saying where
 * it came from ("stream", "ring 2", "ring 2 indirect res 7+0x40"), and a
 * line for each blob, unref, fence and new ring.  Rings are numbered 1, 2,
 * ... as they first appear; 0 stands for the context's own stream.
 *
 * An indirect stream (vkExecuteCommandStreamsMESA) is listed where the
 * capture recorded it: after the ring chunk that ran it, before the
 * transport stream that ran it. */
struct pv_capture_print_options {
   FILE *out;
   bool full;          /* long arrays and strings whole */
   const bool *wanted; /* by command id: list only these commands (NULL: all) */
   bool ring_filter;   /* list only the commands of one ring: */
   uint64_t ring;      /* its number as listed, or its id; 0: the context's stream */
};

struct pv_capture_print_result {
   uint32_t records;
   uint64_t commands; /* read */
   uint64_t listed;   /* and listed (not filtered out) */
   char error[384];   /* where and why the listing stopped; "" when it did not */
};

/* Lists `size` bytes of a capture (with or without its magic).  Returns true
 * when the whole capture was well-formed; otherwise the listing ends at the
 * first malformed byte and result->error names its offset in the file. */
bool pv_capture_print(const void *data, size_t size,
                      const struct pv_capture_print_options *options,
                      struct pv_capture_print_result *result);

#endif /* PV_CAPTURE_PRINT_H */
