/* SPDX-License-Identifier: MIT */
#ifndef PV_TEST_H
#define PV_TEST_H

/* A minimal unit-test harness: each test is a void function; CHECK records a
 * failure with its location and carries on, REQUIRE stops the test.  The
 * runner (test_main.c) runs every test in its own process, so a crash fails
 * that test only; sanitizer builds check each process for leaks at exit. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

extern int pv_test_failures;

#define CHECK(cond)                                                                        \
   do {                                                                                    \
      if (!(cond)) {                                                                       \
         fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
         pv_test_failures++;                                                               \
      }                                                                                    \
   } while (0)

#define REQUIRE(cond)                                                                      \
   do {                                                                                    \
      if (!(cond)) {                                                                       \
         fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);        \
         pv_test_failures++;                                                               \
         return;                                                                           \
      }                                                                                    \
   } while (0)

#define CHECK_EQ(a, b)                                                                     \
   do {                                                                                    \
      const long long pv_a_ = (long long)(a), pv_b_ = (long long)(b);                      \
      if (pv_a_ != pv_b_) {                                                                \
         fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", __FILE__,    \
                 __LINE__, #a, #b, pv_a_, pv_b_);                                          \
         pv_test_failures++;                                                               \
      }                                                                                    \
   } while (0)

/* the registry: tests.txt lists every test name; each is defined as
 * void test_<name>(void) in one of the test files */
#define PV_TEST(name) void test_##name(void)

#define PV_TEST_ENTRY(name) void test_##name(void);
#include "tests.def"
#undef PV_TEST_ENTRY

#endif /* PV_TEST_H */
