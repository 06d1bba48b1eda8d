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

struct parse_call {
   void *user;
   bool (*parse)(void *user, const struct pv_spirv_instruction *inst);
   bool stopped;
};

static spv_result_t
parse_one(void *user_data, const spv_parsed_instruction_t *parsed)
{
   struct parse_call *call = user_data;
   /* the ids among the operands; most instructions have a few */
   uint16_t small[32];
   uint16_t *ids = parsed->num_operands <= 32 ? small : malloc(parsed->num_operands * 2u);
   if (!ids) {
      call->stopped = true;
      return SPV_REQUESTED_TERMINATION;
   }
   uint32_t id_count = 0;
   for (uint16_t i = 0; i < parsed->num_operands; i++) {
      if (parsed->operands[i].type == SPV_OPERAND_TYPE_ID &&
          parsed->operands[i].offset < parsed->num_words)
         ids[id_count++] = parsed->operands[i].offset;
   }
   const struct pv_spirv_instruction inst = {
      .words = parsed->words,
      .word_count = parsed->num_words,
      .opcode = parsed->opcode,
      .type_id = parsed->type_id,
      .result_id = parsed->result_id,
      .id_offsets = ids,
      .id_count = id_count,
   };
   const bool go_on = call->parse(call->user, &inst);
   if (ids != small)
      free(ids);
   if (!go_on) {
      call->stopped = true;
      return SPV_REQUESTED_TERMINATION;
   }
   return SPV_SUCCESS;
}

bool
pv_spirv_parse(struct pv_spirv_checker *checker, const uint32_t *words, size_t count, void *user,
               bool (*parse)(void *user, const struct pv_spirv_instruction *inst))
{
   struct parse_call call = { .user = user, .parse = parse };
   mtx_lock(&checker->lock);
   const spv_result_t result =
      spvBinaryParse(checker->context, &call, words, count, NULL, parse_one, NULL);
   mtx_unlock(&checker->lock);
   return result == SPV_SUCCESS && !call.stopped;
}
