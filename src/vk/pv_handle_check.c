/* SPDX-License-Identifier: MIT */
/* VK_NULL_HANDLE where vk.xml lets a command take one only under a feature.
 *
 * The decoder refuses a null handle wherever Vulkan requires a valid one,
 * and lets it through where vk.xml marks it optional.  Some of those are
 * optional only with a feature the device enabled: a null descriptor set in
 * vkCmdBindDescriptorSets needs graphicsPipelineLibrary, a null vertex
 * buffer or descriptor needs robustness2's nullDescriptor.  Drivers without
 * that feature dereference the handle (lavapipe crashed on null descriptor
 * sets that vkd3d bound through Venus), so the renderer, which knows what
 * the device enabled, refuses them first. */
#include "pv_vk.h"

#include <inttypes.h>

void
pv_device_note_null_features(struct pv_device *dev, const VkDeviceCreateInfo *info)
{
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ROBUSTNESS_2_FEATURES_EXT)
         dev->null_descriptor |=
            ((const VkPhysicalDeviceRobustness2FeaturesEXT *)s)->nullDescriptor;
      else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GRAPHICS_PIPELINE_LIBRARY_FEATURES_EXT)
         dev->null_descriptor_sets |= ((const VkPhysicalDeviceGraphicsPipelineLibraryFeaturesEXT *)
                                          s)->graphicsPipelineLibrary;
   }
}

const struct pv_device *
pv_command_buffer_device(const void *command_buffer)
{
   const struct pv_object *cb = command_buffer;
   /* a command buffer's parent is its pool, the pool's its device */
   return cb && cb->parent ? (const struct pv_device *)cb->parent->parent : NULL;
}

static bool
null_allowed(struct pv_dispatch *d, bool allowed, uint32_t index, const char *what,
             const char *feature)
{
   if (allowed)
      return true;
   pv_dispatch_fail(d, "%s %u is VK_NULL_HANDLE, which is valid only with %s (not enabled "
                    "on this device)", what, index, feature);
   return false;
}

bool
pv_check_vkCmdBindDescriptorSets(struct pv_dispatch *d,
                                 const struct pv_cmd_vkCmdBindDescriptorSets *args)
{
   const struct pv_device *dev = pv_command_buffer_device(args->commandBuffer);
   for (uint32_t i = 0; i < args->descriptorSetCount; i++) {
      if (!args->pDescriptorSets[i] &&
          !null_allowed(d, dev && dev->null_descriptor_sets, i, "descriptor set",
                        "graphicsPipelineLibrary"))
         return false;
   }
   return pv_bound_sets_in_layout(d, args->layout, args->firstSet, args->descriptorSetCount,
                                  (const void *const *)args->pDescriptorSets,
                                  args->dynamicOffsetCount);
}

static bool
vertex_buffers(struct pv_dispatch *d, const void *command_buffer, uint32_t count,
               const VkBuffer *buffers)
{
   const struct pv_device *dev = pv_command_buffer_device(command_buffer);
   for (uint32_t i = 0; i < count; i++) {
      if (!buffers[i] && !null_allowed(d, dev && dev->null_descriptor, i, "vertex buffer",
                                       "nullDescriptor (VK_EXT_robustness2)"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdBindVertexBuffers(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdBindVertexBuffers *args)
{
   return pv_vertex_bindings_inside(d, args->commandBuffer, args->firstBinding,
                                    args->bindingCount) &&
          vertex_buffers(d, args->commandBuffer, args->bindingCount, args->pBuffers);
}

bool
pv_check_vkCmdBindVertexBuffers2(struct pv_dispatch *d,
                                 const struct pv_cmd_vkCmdBindVertexBuffers2 *args)
{
   return pv_vertex_bindings_inside(d, args->commandBuffer, args->firstBinding,
                                    args->bindingCount) &&
          vertex_buffers(d, args->commandBuffer, args->bindingCount, args->pBuffers);
}
