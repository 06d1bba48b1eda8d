/* SPDX-License-Identifier: MIT */
/* The checked reader, the reply writer and the scratch arena. */
#include <stdint.h>
#include <string.h>

#include "cs/pv_arena.h"
#include "cs/pv_chain.h"
#include "cs/pv_decoder.h"
#include "cs/pv_encoder.h"
#include "object/pv_object.h"
#include "pv_gen_protocol.h"
#include "pv_test.h"
#include "test_stream.h"

struct fixture {
   struct pv_fatal fatal;
   struct pv_object_table objects;
   struct pv_decoder dec;
};

static void
fixture_init(struct fixture *f, const struct test_stream *s)
{
   memset(&f->fatal, 0, sizeof(f->fatal));
   pv_object_table_init(&f->objects, 1024);
   pv_decoder_init(&f->dec, &f->fatal, &f->objects, 1 << 20);
   pv_decoder_set_stream(&f->dec, s->data, s->size);
}

static void
fixture_fini(struct fixture *f)
{
   pv_decoder_fini(&f->dec);
   pv_object_table_destroy_all(&f->objects);
   pv_object_table_fini(&f->objects);
}

PV_TEST(arena_zeroed_and_aligned)
{
   struct pv_arena arena;
   pv_arena_init(&arena, 1 << 20);
   for (int i = 1; i < 100; i++) {
      uint8_t *p = pv_arena_alloc(&arena, (size_t)i);
      REQUIRE(p);
      CHECK(((uintptr_t)p % 8) == 0);
      for (int j = 0; j < i; j++)
         CHECK(p[j] == 0);
      memset(p, 0xff, (size_t)i);
   }
   pv_arena_reset(&arena);
   uint8_t *p = pv_arena_alloc(&arena, 64);
   REQUIRE(p);
   CHECK(p[0] == 0 && p[63] == 0); /* reused memory is zeroed again */
   pv_arena_fini(&arena);
}

PV_TEST(arena_cap_and_reset)
{
   struct pv_arena arena;
   pv_arena_init(&arena, 256 * 1024);
   CHECK(pv_arena_alloc(&arena, 200 * 1024) != NULL);
   CHECK(pv_arena_alloc(&arena, 200 * 1024) == NULL); /* over the cap */
   CHECK(pv_arena_alloc(&arena, SIZE_MAX) == NULL);   /* overflow */
   pv_arena_reset(&arena);
   CHECK(arena.total <= 64 * 1024);
   CHECK(pv_arena_alloc(&arena, 200 * 1024) != NULL); /* room again */
   pv_arena_fini(&arena);
}

PV_TEST(decoder_reads_scalars)
{
   struct test_stream s = { .size = 0 };
   ts_u32(&s, 0x11223344);
   ts_u64(&s, 0x0102030405060708ull);
   float one = 1.0f;
   uint32_t bits;
   memcpy(&bits, &one, 4);
   ts_u32(&s, bits);
   struct fixture f;
   fixture_init(&f, &s);
   CHECK_EQ(pv_dec_u32(&f.dec), 0x11223344);
   CHECK(pv_dec_u64(&f.dec) == 0x0102030405060708ull);
   CHECK(pv_dec_f32(&f.dec) == 1.0f);
   CHECK_EQ(pv_decoder_remaining(&f.dec), 0);
   CHECK(!pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_short_read_is_fatal_and_sticky)
{
   struct test_stream s = { .size = 0 };
   ts_u32(&s, 7);
   struct fixture f;
   fixture_init(&f, &s);
   CHECK_EQ(pv_dec_u64(&f.dec), 0); /* 8 bytes wanted, 4 there: zeros */
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "truncated") != NULL);
   CHECK_EQ(pv_decoder_remaining(&f.dec), 0);
   CHECK_EQ(pv_dec_u32(&f.dec), 0); /* later reads fail too */
   CHECK(pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_array_count_mismatch)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 3); /* array of 3 */
   ts_u32(&s, 1);
   ts_u32(&s, 2);
   ts_u32(&s, 3);
   struct fixture f;
   fixture_init(&f, &s);
   uint64_t n;
   CHECK(!pv_dec_dyn(&f.dec, 2, false, 4, &n, "test.array")); /* count says 2 */
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "test.array") != NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_array_larger_than_stream)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 1000000);
   ts_u32(&s, 1);
   struct fixture f;
   fixture_init(&f, &s);
   uint64_t n;
   CHECK(!pv_dec_dyn(&f.dec, 1000000, false, 4, &n, "test.big"));
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "cannot fit") != NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_null_array_rules)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 0);
   ts_u64(&s, 0);
   ts_u64(&s, 0);
   struct fixture f;
   fixture_init(&f, &s);
   uint64_t n;
   CHECK(!pv_dec_dyn(&f.dec, 0, false, 4, &n, "a")); /* empty, count 0: fine */
   CHECK(!pv_dec_dyn(&f.dec, 5, true, 4, &n, "b"));  /* optional: fine */
   CHECK(!pv_fatal_is_set(&f.fatal));
   CHECK(!pv_dec_dyn(&f.dec, 5, false, 4, &n, "c")); /* required: fatal */
   CHECK(pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_alloc_overflow)
{
   struct test_stream s = { .size = 0 };
   struct fixture f;
   fixture_init(&f, &s);
   CHECK(pv_dec_alloc(&f.dec, UINT64_MAX / 2, 16) == NULL);
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "overflows") != NULL);
   fixture_fini(&f);

   fixture_init(&f, &s);
   CHECK(pv_dec_alloc(&f.dec, 1 << 20, 16) == NULL); /* 16 MiB > 1 MiB cap */
   CHECK(strstr(f.fatal.reason, "scratch quota") != NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_marker_values)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 1);
   ts_u64(&s, 0);
   ts_u64(&s, 2);
   struct fixture f;
   fixture_init(&f, &s);
   CHECK(pv_dec_marker(&f.dec, false, "m"));
   CHECK(!pv_dec_marker(&f.dec, true, "m"));
   CHECK(!pv_fatal_is_set(&f.fatal));
   CHECK(!pv_dec_marker(&f.dec, true, "m")); /* 2 is no marker */
   CHECK(pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_string_forced_nul)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 4);
   ts_bytes(&s, "abcd", 4); /* no NUL inside: the last byte becomes one */
   ts_u64(&s, 3);
   ts_bytes(&s, "hi", 3);
   struct fixture f;
   fixture_init(&f, &s);
   const char *a = pv_dec_string(&f.dec, false, "a");
   const char *b = pv_dec_string(&f.dec, false, "b");
   REQUIRE(a && b);
   CHECK(!strcmp(a, "abc"));
   CHECK(!strcmp(b, "hi"));
   CHECK(!pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_string_too_long)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, UINT64_MAX);
   struct fixture f;
   fixture_init(&f, &s);
   CHECK(pv_dec_string(&f.dec, false, "s") == NULL);
   CHECK(pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_padding)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 5);
   ts_bytes(&s, "\x01\x02\x03\x04\x05", 5); /* padded to 8 */
   ts_u32(&s, 0xcafe);
   struct fixture f;
   fixture_init(&f, &s);
   void *blob = pv_dec_blob(&f.dec, 5, false, true, "blob");
   REQUIRE(blob);
   CHECK(!memcmp(blob, "\x01\x02\x03\x04\x05", 5));
   CHECK_EQ(pv_dec_u32(&f.dec), 0xcafe);
   CHECK(!pv_fatal_is_set(&f.fatal));
   fixture_fini(&f);
}

PV_TEST(decoder_enum_validation)
{
   struct test_stream s = { .size = 0 };
   ts_u32(&s, VK_FORMAT_R8G8B8A8_UNORM);
   ts_u32(&s, 0x7fff1234);
   struct fixture f;
   fixture_init(&f, &s);
   CHECK_EQ(pv_dec_enum(&f.dec, pv_valid_VkFormat, "f"), VK_FORMAT_R8G8B8A8_UNORM);
   CHECK(!pv_fatal_is_set(&f.fatal));
   pv_dec_enum(&f.dec, pv_valid_VkFormat, "VkImageCreateInfo.format");
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "VkImageCreateInfo.format") != NULL);
   fixture_fini(&f);
}

/* VkRingCreateInfoMESA with a VkRingMonitorInfoMESA chained, as Mesa sends */
static void
ring_create_info(struct test_stream *s, uint64_t marker, int32_t chained_stype)
{
   ts_u32(s, VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA);
   ts_u64(s, marker);
   ts_u32(s, (uint32_t)chained_stype);
   ts_u64(s, 0);         /* end of chain */
   ts_u32(s, 3000000);   /* maxReportingPeriodMicroseconds */
   ts_u32(s, 0);         /* flags */
   ts_u32(s, 1);         /* resourceId */
   ts_u64(s, 0);         /* offset */
   ts_u64(s, 131268);    /* size */
   ts_u64(s, 1000000);   /* idleTimeout */
   ts_u64(s, 0);         /* head */
   ts_u64(s, 64);        /* tail */
   ts_u64(s, 128);       /* status */
   ts_u64(s, 192);       /* buffer */
   ts_u64(s, 131072);    /* bufferSize */
   ts_u64(s, 131264);    /* extra */
   ts_u64(s, 4);         /* extraSize */
}

PV_TEST(decoder_struct_with_chain)
{
   struct test_stream s = { .size = 0 };
   ring_create_info(&s, 1, VK_STRUCTURE_TYPE_RING_MONITOR_INFO_MESA);
   struct fixture f;
   fixture_init(&f, &s);
   VkRingCreateInfoMESA info;
   memset(&info, 0, sizeof(info));
   pv_dec_VkRingCreateInfoMESA(&f.dec, &info);
   REQUIRE(!pv_fatal_is_set(&f.fatal));
   CHECK_EQ(pv_decoder_remaining(&f.dec), 0);
   CHECK_EQ(info.resourceId, 1);
   CHECK_EQ(info.bufferSize, 131072);
   CHECK_EQ(info.extraOffset, 131264);
   const VkRingMonitorInfoMESA *monitor = info.pNext;
   REQUIRE(monitor);
   CHECK_EQ(monitor->sType, VK_STRUCTURE_TYPE_RING_MONITOR_INFO_MESA);
   CHECK_EQ(monitor->maxReportingPeriodMicroseconds, 3000000);
   CHECK(monitor->pNext == NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_chain_unknown_stype)
{
   struct test_stream s = { .size = 0 };
   ring_create_info(&s, 1, VK_STRUCTURE_TYPE_APPLICATION_INFO);
   struct fixture f;
   fixture_init(&f, &s);
   VkRingCreateInfoMESA info;
   pv_dec_VkRingCreateInfoMESA(&f.dec, &info);
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "unexpected sType") != NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_chain_too_long)
{
   struct test_stream s = { .size = 0 };
   ts_u32(&s, VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA);
   for (int i = 0; i < 200; i++) {
      ts_u64(&s, 1);
      ts_u32(&s, VK_STRUCTURE_TYPE_RING_PRIORITY_INFO_MESA);
   }
   ts_u64(&s, 0);
   struct fixture f;
   fixture_init(&f, &s);
   VkRingCreateInfoMESA info;
   pv_dec_VkRingCreateInfoMESA(&f.dec, &info);
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "more than") != NULL);
   fixture_fini(&f);
}

PV_TEST(decoder_object_lookup)
{
   struct test_stream s = { .size = 0 };
   ts_u64(&s, 42);
   ts_u64(&s, 0);
   ts_u64(&s, 42);
   ts_u64(&s, 43);
   struct fixture f;
   fixture_init(&f, &s);
   struct pv_object *buffer = calloc(1, sizeof(*buffer));
   buffer->id = 42;
   buffer->type = VK_OBJECT_TYPE_BUFFER;
   buffer->handle = 0x1234;
   REQUIRE(pv_object_table_adopt(&f.objects, buffer, NULL) == PV_OBJECT_OK);
   CHECK(pv_dec_object(&f.dec, VK_OBJECT_TYPE_BUFFER, true, "b") == buffer);
   CHECK(pv_dec_object(&f.dec, VK_OBJECT_TYPE_BUFFER, false, "b") == NULL); /* id 0 */
   CHECK(!pv_fatal_is_set(&f.fatal));
   CHECK(pv_dec_object(&f.dec, VK_OBJECT_TYPE_IMAGE, false, "wrong") == NULL);
   CHECK(pv_fatal_is_set(&f.fatal));
   CHECK(strstr(f.fatal.reason, "is of type") != NULL);
   fixture_fini(&f);
}

static uint8_t reply_buf[64];

static void
encoder_init(struct pv_encoder *enc, struct pv_fatal *fatal, size_t size)
{
   memset(reply_buf, 0xee, sizeof(reply_buf));
   memset(fatal, 0, sizeof(*fatal));
   enc->base = reply_buf;
   enc->size = size;
   enc->pos = 0;
   enc->fatal = fatal;
}

PV_TEST(encoder_exact_size)
{
   struct pv_fatal fatal;
   struct pv_encoder enc;
   encoder_init(&enc, &fatal, 20);
   /* vkEnumerateInstanceVersion's reply: type, result, marker, version */
   pv_enc_u32(&enc, 137);
   pv_enc_i32(&enc, VK_SUCCESS);
   uint32_t version = VK_API_VERSION_1_3;
   if (pv_enc_marker(&enc, &version))
      pv_enc_u32(&enc, version);
   CHECK_EQ(enc.pos, 20);
   CHECK(!pv_fatal_is_set(&fatal));
   CHECK(reply_buf[20] == 0xee); /* not a byte more */
}

PV_TEST(encoder_overflow_is_fatal)
{
   struct pv_fatal fatal;
   struct pv_encoder enc;
   encoder_init(&enc, &fatal, 8);
   pv_enc_u32(&enc, 1);
   pv_enc_u64(&enc, 2); /* 12 > 8 */
   CHECK(pv_fatal_is_set(&fatal));
   CHECK(reply_buf[4] == 0xee); /* the write that did not fit was dropped */
   pv_enc_u32(&enc, 3);
   CHECK(reply_buf[8] == 0xee);
}

PV_TEST(encoder_padding_and_strings)
{
   struct pv_fatal fatal;
   struct pv_encoder enc;
   encoder_init(&enc, &fatal, 64);
   pv_enc_string(&enc, "abcde"); /* size 6, padded to 8 */
   CHECK_EQ(enc.pos, 16);
   uint64_t size;
   memcpy(&size, reply_buf, 8);
   CHECK_EQ(size, 6);
   CHECK(!memcmp(reply_buf + 8, "abcde\0\0\0", 8));
   pv_enc_string(&enc, NULL);
   CHECK_EQ(enc.pos, 24);
   CHECK(!pv_fatal_is_set(&fatal));
}

PV_TEST(encoder_chain_order)
{
   /* chain headers first, then members innermost first */
   struct pv_fatal fatal;
   struct pv_encoder enc;
   encoder_init(&enc, &fatal, 64);
   VkMemoryResourceAllocationSizePropertiesMESA size = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_RESOURCE_ALLOCATION_SIZE_PROPERTIES_MESA,
      .allocationSize = 0x1000,
   };
   VkMemoryResourcePropertiesMESA props = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_RESOURCE_PROPERTIES_MESA,
      .pNext = &size,
      .memoryTypeBits = 0x5,
   };
   pv_enc_VkMemoryResourcePropertiesMESA(&enc, &props);
   REQUIRE(!pv_fatal_is_set(&fatal));
   struct test_stream want = { .size = 0 };
   ts_u32(&want, VK_STRUCTURE_TYPE_MEMORY_RESOURCE_PROPERTIES_MESA);
   ts_u64(&want, 1);
   ts_u32(&want, VK_STRUCTURE_TYPE_MEMORY_RESOURCE_ALLOCATION_SIZE_PROPERTIES_MESA);
   ts_u64(&want, 0);
   ts_u64(&want, 0x1000);
   ts_u32(&want, 0x5);
   CHECK_EQ(enc.pos, want.size);
   CHECK(!memcmp(reply_buf, want.data, want.size));
}

PV_TEST(arena_shared_budget)
{
   /* two decoders of one context: together within the context's budget */
   struct pv_arena_budget budget = { .cap = 1 << 20 };
   atomic_init(&budget.used, 0);
   struct pv_arena a, b;
   pv_arena_init(&a, 1 << 20);
   pv_arena_init(&b, 1 << 20);
   pv_arena_share(&a, &budget);
   pv_arena_share(&b, &budget);
   REQUIRE(pv_arena_alloc(&a, 768 << 10));
   CHECK(pv_arena_alloc(&b, 512 << 10) == NULL); /* each within its own cap, not together */
   CHECK(pv_arena_alloc(&b, 128 << 10) != NULL);
   pv_arena_reset(&a); /* a one-off large command gives its memory back */
   CHECK(pv_arena_alloc(&b, 512 << 10) != NULL);
   pv_arena_fini(&a);
   pv_arena_fini(&b);
   CHECK_EQ(atomic_load(&budget.used), 0);
}
