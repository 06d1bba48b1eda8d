/* SPDX-License-Identifier: MIT */
/* Linked into the fuzzers that run on a real Vulkan driver (lavapipe). */
#include "pv_fuzz.h"

void (*const pv_fuzz_set_failures)(uint64_t mask) = NULL;
