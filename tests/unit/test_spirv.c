/* SPDX-License-Identifier: MIT */
/* What an entry point of a validated module uses (pv_spirv_reflect.c), on
 * shaders glslang compiled: every descriptor kind once, through a called
 * function too, as SPIR-V 1.3 (storage buffers are Uniform, BufferBlock)
 * and 1.5 (StorageBuffer); variables the entry point never names are not
 * listed. */
#include <vulkan/vulkan_core.h>

#include "pv_test.h"
#include "vk/pv_spirv.h"

#include "reflect_input.spv.h"
#include "reflect_kinds.spv.h"
#include "reflect_kinds_spv15.spv.h"

struct expected {
   uint32_t set, binding;
   enum pv_spirv_resource_kind kind;
};

/* Checks that `stage`'s "main" of `code` uses exactly `want`, in order. */
static void
check_uses(const uint32_t *code, size_t size, uint32_t stage, const struct expected *want,
           uint32_t want_count)
{
   struct pv_spirv_checker *checker = pv_spirv_checker_create(VK_API_VERSION_1_2);
   REQUIRE(checker);
   char why[256];
   REQUIRE(pv_spirv_check(checker, code, size, why, sizeof(why)));
   struct pv_spirv_module *module = pv_spirv_reflect(checker, code, size);
   REQUIRE(module);
   const struct pv_spirv_entry *entry = pv_spirv_find_entry(module, stage, "main");
   CHECK(entry != NULL);
   CHECK(!pv_spirv_find_entry(module, stage, "other"));
   /* the name with another stage's execution model is not the entry */
   const uint32_t other_stage =
      stage == VK_SHADER_STAGE_COMPUTE_BIT ? VK_SHADER_STAGE_VERTEX_BIT : VK_SHADER_STAGE_COMPUTE_BIT;
   CHECK(!pv_spirv_find_entry(module, other_stage, "main"));
   struct pv_spirv_resource *used = NULL;
   uint32_t count = 0;
   if (entry)
      CHECK(pv_spirv_entry_resources(module, entry, &used, &count));
   CHECK_EQ(count, want_count);
   for (uint32_t i = 0; i < count && i < want_count; i++) {
      CHECK_EQ(used[i].set, want[i].set);
      CHECK_EQ(used[i].binding, want[i].binding);
      CHECK_EQ(used[i].kind, want[i].kind);
   }
   free(used);
   pv_spirv_module_free(module);
   pv_spirv_checker_destroy(checker);
}

static const struct expected compute_kinds[] = {
   { 0, 0, PV_SPIRV_RESOURCE_SAMPLED_IMAGE },
   { 0, 1, PV_SPIRV_RESOURCE_IMAGE },
   { 0, 2, PV_SPIRV_RESOURCE_SAMPLER },
   { 0, 3, PV_SPIRV_RESOURCE_STORAGE_IMAGE },
   { 0, 4, PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER },
   { 0, 5, PV_SPIRV_RESOURCE_STORAGE_TEXEL_BUFFER },
   { 1, 0, PV_SPIRV_RESOURCE_UNIFORM_BUFFER },
   { 1, 1, PV_SPIRV_RESOURCE_STORAGE_BUFFER },
   { 2, 7, PV_SPIRV_RESOURCE_STORAGE_BUFFER },
};

PV_TEST(spirv_resources_of_every_kind_spirv13)
{
   check_uses(reflect_kinds_spv, sizeof(reflect_kinds_spv), VK_SHADER_STAGE_COMPUTE_BIT,
              compute_kinds, sizeof(compute_kinds) / sizeof(compute_kinds[0]));
}

PV_TEST(spirv_resources_of_every_kind_spirv15)
{
   check_uses(reflect_kinds_spv15, sizeof(reflect_kinds_spv15), VK_SHADER_STAGE_COMPUTE_BIT,
              compute_kinds, sizeof(compute_kinds) / sizeof(compute_kinds[0]));
}

PV_TEST(spirv_resources_only_what_the_entry_point_names)
{
   static const struct expected fragment[] = {
      { 0, 2, PV_SPIRV_RESOURCE_INPUT_ATTACHMENT },
   };
   check_uses(reflect_input_spv, sizeof(reflect_input_spv), VK_SHADER_STAGE_FRAGMENT_BIT,
              fragment, 1);
}
