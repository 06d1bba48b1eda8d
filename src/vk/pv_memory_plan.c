/* SPDX-License-Identifier: MIT */
/* The memory-type decision (pv_memory_plan.h says why it is what it is). */
#include "pv_memory_plan.h"

#include <string.h>

void
pv_memory_plan_make(const VkPhysicalDeviceMemoryProperties *host, uint32_t importable_types,
                    struct pv_memory_plan *plan)
{
   memset(plan, 0, sizeof(*plan));
   plan->guest = *host;
   const uint32_t count =
      host->memoryTypeCount < VK_MAX_MEMORY_TYPES ? host->memoryTypeCount : VK_MAX_MEMORY_TYPES;
   plan->guest.memoryTypeCount = count;
   for (uint32_t i = 0; i < count; i++) {
      VkMemoryType *type = &plan->guest.memoryTypes[i];
      if (!(type->propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
         continue;
      if (importable_types & (1u << i)) {
         plan->shared_types |= 1u << i;
         if (type->propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
            plan->guest_can_map = true;
      } else {
         plan->hidden_types |= 1u << i;
         type->propertyFlags &= ~(VkMemoryPropertyFlags)PV_MEMORY_HOST_ACCESS_FLAGS;
      }
   }
}
