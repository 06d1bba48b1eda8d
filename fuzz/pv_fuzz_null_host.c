/* SPDX-License-Identifier: MIT */
/* Linked into the fuzzers that run on the null Vulkan host. */
#include "pv_fuzz.h"
#include "pv_null_vulkan.h"

void (*const pv_fuzz_set_failures)(uint64_t mask) = pv_null_set_failures;
