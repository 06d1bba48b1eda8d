/* SPDX-License-Identifier: MIT */
#ifndef TEST_STREAM_H
#define TEST_STREAM_H

/* Builds little-endian Venus streams by hand for the tests. */

#include <stdint.h>
#include <string.h>

struct test_stream {
   uint8_t data[4096];
   size_t size;
};

static inline void
ts_u32(struct test_stream *s, uint32_t v)
{
   memcpy(s->data + s->size, &v, 4);
   s->size += 4;
}

static inline void
ts_u64(struct test_stream *s, uint64_t v)
{
   memcpy(s->data + s->size, &v, 8);
   s->size += 8;
}

static inline void
ts_bytes(struct test_stream *s, const void *p, size_t n)
{
   memcpy(s->data + s->size, p, n);
   s->size += n;
   while (s->size % 4)
      s->data[s->size++] = 0;
}

#endif /* TEST_STREAM_H */
