/* SPDX-License-Identifier: MIT */
/* Dynamic state and bindings that index the driver's fixed arrays stay
 * inside the device's limits.  Drivers keep viewports, scissors, vertex
 * buffer bindings and per-attachment blend state in arrays of the size
 * they report (Mesa's common runtime: MESA_VK_MAX_*) and index them with
 * the guest's first + count unchecked, as Vulkan lets them: a viewport,
 * scissor or vertex buffer binding at index 2^26 crashed lavapipe, in the
 * client's process. */
#include "pv_vk.h"

static const VkPhysicalDeviceLimits *
limits_of(const struct pv_object *command_buffer)
{
   const struct pv_device *dev = pv_command_buffer_device(command_buffer);
   return dev ? &dev->physical_device->properties.limits : NULL;
}

/* Elements [first, first + count) of the driver's `max` of `what`. */
static bool
inside(struct pv_dispatch *d, uint32_t first, uint32_t count, uint32_t max, const char *what)
{
   if ((uint64_t)first + count <= max)
      return true;
   pv_dispatch_fail(d, "%s %u+%u, beyond the device's %u", what, first, count, max);
   return false;
}

bool
pv_check_vkCmdSetViewport(struct pv_dispatch *d, const struct pv_cmd_vkCmdSetViewport *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstViewport, args->viewportCount, l->maxViewports, "viewports");
}

bool
pv_check_vkCmdSetScissor(struct pv_dispatch *d, const struct pv_cmd_vkCmdSetScissor *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstScissor, args->scissorCount, l->maxViewports, "scissors");
}

bool
pv_check_vkCmdSetViewportWithCount(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdSetViewportWithCount *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, 0, args->viewportCount, l->maxViewports, "viewports");
}

bool
pv_check_vkCmdSetScissorWithCount(struct pv_dispatch *d,
                                  const struct pv_cmd_vkCmdSetScissorWithCount *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, 0, args->scissorCount, l->maxViewports, "scissors");
}

bool
pv_vertex_bindings_inside(struct pv_dispatch *d, const void *command_buffer, uint32_t first,
                          uint32_t count)
{
   const VkPhysicalDeviceLimits *l = limits_of(command_buffer);
   return !l || inside(d, first, count, l->maxVertexInputBindings, "vertex buffer bindings");
}

bool
pv_check_vkCmdSetVertexInputEXT(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdSetVertexInputEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   if (!l)
      return true;
   if (!inside(d, 0, args->vertexBindingDescriptionCount, l->maxVertexInputBindings,
               "bindings") ||
       !inside(d, 0, args->vertexAttributeDescriptionCount, l->maxVertexInputAttributes,
               "attributes"))
      return false;
   for (uint32_t i = 0; i < args->vertexBindingDescriptionCount; i++) {
      if (!inside(d, args->pVertexBindingDescriptions[i].binding, 1, l->maxVertexInputBindings,
                  "binding"))
         return false;
   }
   for (uint32_t i = 0; i < args->vertexAttributeDescriptionCount; i++) {
      const VkVertexInputAttributeDescription2EXT *a = &args->pVertexAttributeDescriptions[i];
      if (!inside(d, a->location, 1, l->maxVertexInputAttributes, "location") ||
          !inside(d, a->binding, 1, l->maxVertexInputBindings, "binding"))
         return false;
   }
   return true;
}

bool
pv_check_vkCmdBeginRendering(struct pv_dispatch *d, const struct pv_cmd_vkCmdBeginRendering *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, 0, args->pRenderingInfo->colorAttachmentCount, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetColorWriteEnableEXT(struct pv_dispatch *d,
                                     const struct pv_cmd_vkCmdSetColorWriteEnableEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, 0, args->attachmentCount, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetColorBlendEnableEXT(struct pv_dispatch *d,
                                     const struct pv_cmd_vkCmdSetColorBlendEnableEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstAttachment, args->attachmentCount, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetColorBlendEquationEXT(struct pv_dispatch *d,
                                       const struct pv_cmd_vkCmdSetColorBlendEquationEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstAttachment, args->attachmentCount, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetColorWriteMaskEXT(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdSetColorWriteMaskEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstAttachment, args->attachmentCount, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetColorBlendAdvancedEXT(struct pv_dispatch *d,
                                       const struct pv_cmd_vkCmdSetColorBlendAdvancedEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || inside(d, args->firstAttachment, args->attachmentCount, l->maxColorAttachments, "color attachments");
}
