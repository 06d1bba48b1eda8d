/* SPDX-License-Identifier: MIT */
/* Descriptor set layouts: binding numbers (vkCreateDescriptorSetLayout,
 * pv_layout.c, and vkGetDescriptorSetLayoutSupport).
 *
 * Vulkan sets no upper bound on a binding number, and drivers index their
 * layouts by it: lavapipe (as Mesa's common layout code does) allocates an
 * entry for every number up to the highest, so one binding numbered
 * 151,060,482 asked the host for 6 GB (found by fuzz-session-host).  A
 * guest must not make the host allocate by a number it picks, so binding
 * numbers stay below PV_MAX_DESCRIPTOR_BINDING: far above what programs use
 * (zink, DXVK and vkd3d-proton number their bindings in the hundreds or
 * low thousands), and at most a few MB of driver tables per layout. */
#include "pv_vk.h"

#include <inttypes.h>

#define PV_MAX_DESCRIPTOR_BINDING 65536u

bool
pv_descriptor_binding_numbers_check(struct pv_dispatch *d,
                                    const VkDescriptorSetLayoutCreateInfo *info, const char *what)
{
   for (uint32_t i = 0; info && i < info->bindingCount; i++) {
      const uint32_t binding = info->pBindings[i].binding;
      if (binding >= PV_MAX_DESCRIPTOR_BINDING) {
         pv_dispatch_fail(d, "%s: binding number %" PRIu32 " (the renderer's limit is %u)", what,
                          binding, PV_MAX_DESCRIPTOR_BINDING - 1);
         return false;
      }
   }
   return true;
}

bool
pv_check_vkGetDescriptorSetLayoutSupport(
   struct pv_dispatch *d, const struct pv_cmd_vkGetDescriptorSetLayoutSupport *args)
{
   return pv_descriptor_binding_numbers_check(d, args->pCreateInfo,
                                              "descriptor set layout support");
}
