/* SPDX-License-Identifier: MIT */
/* Guest shaders: SPIR-V checked before a driver compiles it. */
#ifndef PV_SPIRV_H
#define PV_SPIRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a shader resource variable's SPIR-V type lets its descriptor be. */
enum pv_spirv_resource_kind {
   PV_SPIRV_RESOURCE_ANY,                  /* the type alone does not say */
   PV_SPIRV_RESOURCE_SAMPLER,              /* OpTypeSampler */
   PV_SPIRV_RESOURCE_SAMPLED_IMAGE,        /* OpTypeSampledImage */
   PV_SPIRV_RESOURCE_IMAGE,                /* OpTypeImage, Sampled 1 */
   PV_SPIRV_RESOURCE_STORAGE_IMAGE,        /* OpTypeImage, Sampled 2 */
   PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER, /* OpTypeImage, Dim Buffer, Sampled 1 */
   PV_SPIRV_RESOURCE_STORAGE_TEXEL_BUFFER, /* OpTypeImage, Dim Buffer, Sampled 2 */
   PV_SPIRV_RESOURCE_INPUT_ATTACHMENT,     /* OpTypeImage, Dim SubpassData */
   PV_SPIRV_RESOURCE_UNIFORM_BUFFER,       /* Uniform, Block */
   PV_SPIRV_RESOURCE_STORAGE_BUFFER,       /* StorageBuffer, or Uniform, BufferBlock */
   PV_SPIRV_RESOURCE_ACCELERATION_STRUCTURE,
};

/* A descriptor an entry point statically uses: a resource variable (storage
 * class UniformConstant, Uniform or StorageBuffer) that an instruction of
 * the entry point's call tree names. */
struct pv_spirv_resource {
   uint32_t set;
   uint32_t binding;
   enum pv_spirv_resource_kind kind;
};

/* A shader's entry point: SPIR-V execution model, name and function. */
struct pv_spirv_entry {
   uint32_t model;
   uint32_t function;
   char *name; /* owned */
};

/* A module's entry points and what their code names (pv_spirv_reflect.c). */
struct pv_spirv_module;

struct pv_spirv_checker;

/* A validator for the SPIR-V a device of Vulkan `api_version` accepts;
 * NULL when out of memory. */
struct pv_spirv_checker *pv_spirv_checker_create(uint32_t api_version);
void pv_spirv_checker_destroy(struct pv_spirv_checker *checker);

/* Validates `size` bytes of SPIR-V; on failure writes why into `why`.
 * Safe to call from several threads. */
bool pv_spirv_check(struct pv_spirv_checker *checker, const void *code, size_t size, char *why,
                    size_t why_size);

/* Reads SPIR-V that pv_spirv_check accepted; NULL when out of memory. */
struct pv_spirv_module *pv_spirv_reflect(struct pv_spirv_checker *checker, const void *code,
                                         size_t size);
void pv_spirv_module_free(struct pv_spirv_module *module);

/* The entry point `name` of a module for a stage (VkShaderStageFlagBits),
 * or NULL. */
const struct pv_spirv_entry *pv_spirv_find_entry(const struct pv_spirv_module *module,
                                                 uint32_t stage, const char *name);

/* The descriptors `entry` statically uses, sorted by set, binding and kind,
 * in a new array of `*count` (free() it); false when out of memory.  The
 * work is the entry point's call tree, so it is done for the entry points
 * pipelines name, not for every one a module declares. */
bool pv_spirv_entry_resources(const struct pv_spirv_module *module,
                              const struct pv_spirv_entry *entry,
                              struct pv_spirv_resource **resources, uint32_t *count);

/* An instruction as SPIRV-Tools' parser read it: its words, and which of
 * its operands are ids (offsets into `words`). */
struct pv_spirv_instruction {
   const uint32_t *words;
   uint32_t word_count;
   uint32_t opcode;
   uint32_t type_id;   /* 0 if none */
   uint32_t result_id; /* 0 if none */
   const uint16_t *id_offsets;
   uint32_t id_count;
};

/* Runs SPIRV-Tools' parser over `words`, calling `parse` for each
 * instruction until it returns false (under the checker's lock); false
 * when the parser or `parse` stopped early. */
bool pv_spirv_parse(struct pv_spirv_checker *checker, const uint32_t *words, size_t count,
                    void *user, bool (*parse)(void *user, const struct pv_spirv_instruction *inst));

#endif
