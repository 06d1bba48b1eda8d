/* SPDX-License-Identifier: MIT */
/* Ring index arithmetic and layout validation; the capset. */
#include <string.h>

#include "context/pv_info.h"
#include "context/pv_resource.h"
#include "pv_test.h"
#include "ring/pv_ring.h"

PV_TEST(ring_seqno_wraparound)
{
   CHECK(pv_ring_seqno_ge(5, 5));
   CHECK(pv_ring_seqno_ge(6, 5));
   CHECK(!pv_ring_seqno_ge(5, 6));
   /* across the 32-bit wrap */
   CHECK(pv_ring_seqno_ge(0x00000010u, 0xfffffff0u));
   CHECK(!pv_ring_seqno_ge(0xfffffff0u, 0x00000010u));
   CHECK(pv_ring_seqno_ge(0u, 0xffffffffu));
   /* a consumer that is empty: head == tail; full: tail - head == size */
   const uint32_t size = 128;
   const uint32_t head = 0xffffffc0u, tail = head + size;
   CHECK_EQ(tail - head, size);
}

PV_TEST(ring_copy_out_wraps)
{
   uint8_t buffer[16];
   for (int i = 0; i < 16; i++)
      buffer[i] = (uint8_t)i;
   uint8_t out[16];
   pv_ring_copy_out(buffer, 16, 12, out, 8); /* 12..15 then 0..3 */
   const uint8_t want[8] = { 12, 13, 14, 15, 0, 1, 2, 3 };
   CHECK(!memcmp(out, want, 8));
   /* free-running position far past the buffer size */
   pv_ring_copy_out(buffer, 16, 0xfffffffcu, out, 8);
   const uint8_t want2[8] = { 12, 13, 14, 15, 0, 1, 2, 3 };
   CHECK(!memcmp(out, want2, 8));
   pv_ring_copy_out(buffer, 16, 32, out, 16); /* exactly the whole buffer */
   CHECK(out[0] == 0 && out[15] == 15);
}

PV_TEST(ring_layout_validation)
{
   struct pv_resource *res = pv_resource_create_shm(1, 131268);
   REQUIRE(res);
   struct pv_ring_layout layout;
   char why[160];
   /* what Mesa sends for its instance ring */
   CHECK(pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 128, 192, 131072, 131264, 4, why,
                             sizeof(why)));
   CHECK_EQ(layout.buffer, 192);
   /* buffer not a power of two */
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 128, 192, 100000, 131264, 4,
                              why, sizeof(why)));
   CHECK(strstr(why, "power of two") != NULL);
   /* overlapping head and tail */
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 0, 128, 192, 131072, 131264, 4,
                              why, sizeof(why)));
   CHECK(strstr(why, "overlaps") != NULL);
   /* misaligned status */
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 130, 192, 131072, 131264, 4,
                              why, sizeof(why)));
   /* window outside the resource */
   CHECK(!pv_ring_layout_init(&layout, res, 64, 131268, 0, 64, 128, 192, 131072, 131264, 4,
                              why, sizeof(why)));
   /* extra region running past the window; offsets near overflow */
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 128, 192, 131072, 131264, 8,
                              why, sizeof(why)));
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 128, UINT64_MAX - 3, 4, 131264,
                              4, why, sizeof(why)));
   /* oversized buffer */
   CHECK(!pv_ring_layout_init(&layout, res, 0, 131268, 0, 64, 128, 192, 1u << 25, 131264, 4,
                              why, sizeof(why)));
   pv_resource_unref(res);
}

PV_TEST(capset_layout)
{
   struct pv_capset_venus capset;
   pv_capset_venus_fill(&capset);
   uint32_t words[40];
   memcpy(words, &capset, sizeof(words));
   CHECK_EQ(words[0], 1);                     /* wire format */
   CHECK(words[1] >= VK_MAKE_API_VERSION(0, 1, 1, 0));
   CHECK_EQ(words[2], 1);                     /* command serialization */
   CHECK_EQ(words[3], 2);                     /* venus protocol */
   CHECK_EQ(words[4], 1);                     /* blob id 0 */
   CHECK(words[5] & 1);                       /* mask valid */
   CHECK(words[5 + 385 / 32] & (1u << (385 % 32))); /* VK_MESA_venus_protocol */
   CHECK(words[5 + 384 / 32] & (1u << (384 % 32))); /* VK_EXT_command_serialization */
   CHECK_EQ(words[37], 1);
   CHECK_EQ(words[38], 1);
   CHECK_EQ(words[39], 0);
   /* every offered extension has its bit, and only those */
   int bits = 0;
   for (int w = 0; w < 32; w++)
      bits += __builtin_popcount(words[5 + w]);
   CHECK_EQ(bits, PV_EXTENSION_COUNT + 1);
}
