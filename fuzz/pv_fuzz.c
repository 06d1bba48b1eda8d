/* SPDX-License-Identifier: MIT */
#include "pv_fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vulkan/vulkan_core.h>

#include "object/pv_object.h"
#include "pv_fuzz_stream.h"
#include "util/pv_log.h"

struct pv_renderer *
pv_fuzz_renderer(void)
{
   static struct pv_renderer *renderer;
   if (renderer)
      return renderer;
   const char *verbose = getenv("PV_FUZZ_VERBOSE");
   pv_log_init();
   pv_log_silence(!verbose || verbose[0] != '1');
   const struct pv_renderer_config config = {
      .scratch_bytes = 16u << 20,
      .max_objects = 4096,
      .max_blob_bytes = 64u << 20,
      .max_rings = 4,
      .max_memory_bytes = 1ull << 30,
      .max_in_flight = 64,
      .hang_timeout_ms = 0, /* libFuzzer's -timeout finds hangs */
   };
   if (pv_renderer_create(&config, &renderer)) {
      fprintf(stderr, "fuzz: cannot create the renderer\n");
      abort();
   }
   return renderer;
}

/* An input may have its guest wait for something that never comes (a fence
 * never submitted, a timeout of years): a real guest can, and leaves it to
 * its own context.  The harness's guest "leaves" after a while, which ends
 * such waits the way a hang-up does, instead of libFuzzer's timeout. */
#define GUEST_PATIENCE_NS (2ull * 1000 * 1000 * 1000)
static uint64_t guest_deadline_ns;

static uint64_t
now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool
guest_gone(void *data)
{
   (void)data;
   return now_ns() > guest_deadline_ns;
}

struct pv_context *
pv_fuzz_context(void)
{
   static const struct pv_context_callbacks callbacks = { .guest_gone = guest_gone };
   guest_deadline_ns = now_ns() + GUEST_PATIENCE_NS;
   struct pv_context *ctx;
   if (pv_context_create(pv_fuzz_renderer(), 1, "fuzz", &callbacks, &ctx)) {
      fprintf(stderr, "fuzz: cannot create a context\n");
      abort();
   }
   return ctx;
}

static char outcome[320];
static bool has_outcome;

const char *
pv_fuzz_outcome(void)
{
   return has_outcome ? outcome : NULL;
}

void
pv_fuzz_outcome_reset(void)
{
   has_outcome = false;
}

void
pv_fuzz_set_outcome(const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(outcome, sizeof(outcome), fmt, ap);
   va_end(ap);
   has_outcome = true;
}

void
pv_fuzz_context_done(struct pv_context *ctx)
{
   /* before teardown, which could add reasons of its own */
   if (pv_context_is_fatal(ctx)) {
      const char *reason = pv_context_fatal_reason(ctx);
      pv_fuzz_set_outcome("refused: %s", reason ? reason : "(no reason recorded)");
   } else {
      pv_fuzz_set_outcome("accepted");
   }
   pv_context_destroy(ctx);
   pv_fuzz_check_leaks();
}

void
pv_fuzz_check_leaks(void)
{
   const int64_t live = pv_object_live_count();
   if (live) {
      fprintf(stderr, "fuzz: %lld objects outlived their context\n", (long long)live);
      abort();
   }
}

void
pv_fuzz_bring_up(struct pv_context *ctx)
{
   struct pv_fuzz_stream s = { .count = 0 };
   /* vkCreateInstance: an empty VkInstanceCreateInfo */
   pv_fuzz_command(&s, 0);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u32(&s, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u64(&s, 0); /* pAllocator */
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u64(&s, 1); /* instance id */
   /* vkEnumeratePhysicalDevices: one, id 2 */
   pv_fuzz_command(&s, 2);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u32(&s, 1);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u64(&s, 2);
   /* vkCreateDevice: one queue of family 0 */
   pv_fuzz_command(&s, 11);
   pv_fuzz_u64(&s, 2);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u32(&s, VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u32(&s, 1);
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u32(&s, VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u32(&s, 1);
   pv_fuzz_u64(&s, 1);
   const float priority = 1.0f;
   uint32_t priority_bits;
   memcpy(&priority_bits, &priority, sizeof(priority_bits));
   pv_fuzz_u32(&s, priority_bits);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u32(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u64(&s, 0);
   pv_fuzz_u64(&s, 0); /* pAllocator */
   pv_fuzz_u64(&s, 1);
   pv_fuzz_u64(&s, 3); /* device id */
   pv_fuzz_submit(ctx, &s);
}
