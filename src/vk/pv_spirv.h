/* SPDX-License-Identifier: MIT */
/* Guest shaders: SPIR-V checked before a driver compiles it. */
#ifndef PV_SPIRV_H
#define PV_SPIRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A shader's entry point: SPIR-V execution model and name. */
struct pv_spirv_entry {
   uint32_t model;
   char *name; /* owned */
};

struct pv_spirv_checker;

/* A validator for the SPIR-V a device of Vulkan `api_version` accepts;
 * NULL when out of memory. */
struct pv_spirv_checker *pv_spirv_checker_create(uint32_t api_version);
void pv_spirv_checker_destroy(struct pv_spirv_checker *checker);

/* Validates `size` bytes of SPIR-V; on failure writes why into `why`.
 * Safe to call from several threads. */
bool pv_spirv_check(struct pv_spirv_checker *checker, const void *code, size_t size, char *why,
                    size_t why_size);

/* The entry points of validated SPIR-V, in a new array of `*count`
 * (pv_spirv_entries_free frees it); false when out of memory. */
bool pv_spirv_entry_points(const void *code, size_t size, struct pv_spirv_entry **entries,
                           uint32_t *count);
void pv_spirv_entries_free(struct pv_spirv_entry *entries, uint32_t count);

/* Whether `entries` has `name` for a stage (VkShaderStageFlagBits). */
bool pv_spirv_has_entry(const struct pv_spirv_entry *entries, uint32_t count, uint32_t stage,
                        const char *name);

#endif
