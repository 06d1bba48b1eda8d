/* SPDX-License-Identifier: MIT */
/* Guest SPIR-V is validated with the SPIRV-Tools validator before any driver
 * compiles it: drivers parse SPIR-V trusting it to be well formed, and a
 * mutated shader (found by the fuzzer: a module without the SPIR-V magic
 * number) crashes lavapipe's compiler inside the host process.  Validation
 * follows the Vulkan environment of the device's version; block layout is
 * not checked (its rules depend on device features the driver enforces, and
 * a layout mistake is wrong results, not a compiler crash).
 */
#include "pv_spirv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <spirv-tools/libspirv.h>
#include <vulkan/vulkan_core.h>

#define SPIRV_MAGIC 0x07230203u
#define SPIRV_HEADER_WORDS 5
#define OP_ENTRY_POINT 15

struct pv_spirv_checker {
   spv_context context;
   spv_validator_options options;
   mtx_t lock; /* SPIRV-Tools does not promise a context is thread-safe */
};

struct pv_spirv_checker *
pv_spirv_checker_create(uint32_t api_version)
{
   struct pv_spirv_checker *checker = calloc(1, sizeof(*checker));
   if (!checker)
      return NULL;
   const spv_target_env env = api_version >= VK_API_VERSION_1_3   ? SPV_ENV_VULKAN_1_3
                              : api_version >= VK_API_VERSION_1_2 ? SPV_ENV_VULKAN_1_2
                                                                  : SPV_ENV_VULKAN_1_1_SPIRV_1_4;
   checker->context = spvContextCreate(env);
   checker->options = spvValidatorOptionsCreate();
   if (!checker->context || !checker->options || mtx_init(&checker->lock, mtx_plain) != thrd_success) {
      if (checker->options)
         spvValidatorOptionsDestroy(checker->options);
      if (checker->context)
         spvContextDestroy(checker->context);
      free(checker);
      return NULL;
   }
   spvValidatorOptionsSetSkipBlockLayout(checker->options, true);
   return checker;
}

void
pv_spirv_checker_destroy(struct pv_spirv_checker *checker)
{
   if (!checker)
      return;
   mtx_destroy(&checker->lock);
   spvValidatorOptionsDestroy(checker->options);
   spvContextDestroy(checker->context);
   free(checker);
}

bool
pv_spirv_check(struct pv_spirv_checker *checker, const void *code, size_t size, char *why,
               size_t why_size)
{
   if (size < SPIRV_HEADER_WORDS * 4 || size % 4) {
      snprintf(why, why_size, "%zu bytes are no SPIR-V module", size);
      return false;
   }
   spv_const_binary_t binary = { .code = code, .wordCount = size / 4 };
   spv_diagnostic diagnostic = NULL;
   mtx_lock(&checker->lock);
   const spv_result_t result =
      spvValidateWithOptions(checker->context, checker->options, &binary, &diagnostic);
   mtx_unlock(&checker->lock);
   if (result != SPV_SUCCESS) {
      snprintf(why, why_size, "%s",
               diagnostic && diagnostic->error ? diagnostic->error : "invalid SPIR-V");
      /* one line for the log */
      for (char *c = why; *c; c++) {
         if (*c == '\n')
            *c = ' ';
      }
   }
   spvDiagnosticDestroy(diagnostic);
   return result == SPV_SUCCESS;
}

void
pv_spirv_entries_free(struct pv_spirv_entry *entries, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++)
      free(entries[i].name);
   free(entries);
}

bool
pv_spirv_entry_points(const void *code, size_t size, struct pv_spirv_entry **entries,
                      uint32_t *count)
{
   /* validated, but walked with every bound checked all the same */
   const uint32_t *words = code;
   const size_t total = size / 4;
   *entries = NULL;
   *count = 0;
   uint32_t capacity = 0;
   for (size_t at = SPIRV_HEADER_WORDS; at < total;) {
      const uint32_t length = words[at] >> 16;
      const uint32_t opcode = words[at] & 0xffff;
      if (!length || length > total - at)
         break;
      /* OpEntryPoint model id "name" interface... */
      if (opcode == OP_ENTRY_POINT && length >= 4) {
         const char *name = (const char *)&words[at + 3];
         const size_t name_max = (length - 3) * 4;
         const size_t name_len = strnlen(name, name_max);
         if (name_len < name_max) {
            if (*count == capacity) {
               const uint32_t grown = capacity ? capacity * 2 : 4;
               struct pv_spirv_entry *bigger = realloc(*entries, grown * sizeof(**entries));
               if (!bigger)
                  goto out_of_memory;
               *entries = bigger;
               capacity = grown;
            }
            struct pv_spirv_entry *e = &(*entries)[*count];
            e->model = words[at + 1];
            e->name = strndup(name, name_len);
            if (!e->name)
               goto out_of_memory;
            (*count)++;
         }
      }
      at += length;
   }
   return true;

out_of_memory:
   pv_spirv_entries_free(*entries, *count);
   *entries = NULL;
   *count = 0;
   return false;
}

/* The execution model of a stage, UINT32_MAX where the name alone is
 * matched (mesh stages have an NV and an EXT model, ray tracing several). */
static uint32_t
model_of_stage(uint32_t stage)
{
   switch (stage) {
   case VK_SHADER_STAGE_VERTEX_BIT: return 0;
   case VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT: return 1;
   case VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT: return 2;
   case VK_SHADER_STAGE_GEOMETRY_BIT: return 3;
   case VK_SHADER_STAGE_FRAGMENT_BIT: return 4;
   case VK_SHADER_STAGE_COMPUTE_BIT: return 5;
   default: return UINT32_MAX;
   }
}

bool
pv_spirv_has_entry(const struct pv_spirv_entry *entries, uint32_t count, uint32_t stage,
                   const char *name)
{
   const uint32_t model = model_of_stage(stage);
   for (uint32_t i = 0; i < count; i++) {
      if ((model == UINT32_MAX || entries[i].model == model) && !strcmp(entries[i].name, name))
         return true;
   }
   return false;
}
