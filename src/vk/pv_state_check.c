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

static bool
dynamic_state_has(const VkPipelineDynamicStateCreateInfo *dynamic, VkDynamicState state)
{
   for (uint32_t i = 0; dynamic && i < dynamic->dynamicStateCount; i++) {
      if (dynamic->pDynamicStates[i] == state)
         return true;
   }
   return false;
}

/* A graphics pipeline's state that drivers copy into the same fixed arrays
 * (Mesa's common runtime fills vk_graphics_pipeline_state from it). */
bool
pv_graphics_state_check(struct pv_dispatch *d, const struct pv_device *dev,
                        const VkGraphicsPipelineCreateInfo *info)
{
   const VkPhysicalDeviceLimits *l = &dev->physical_device->properties.limits;
   const VkPipelineVertexInputStateCreateInfo *vi = info->pVertexInputState;
   /* ignored where vertex input is dynamic */
   if (vi && !dynamic_state_has(info->pDynamicState, VK_DYNAMIC_STATE_VERTEX_INPUT_EXT)) {
      if (!inside(d, 0, vi->vertexBindingDescriptionCount, l->maxVertexInputBindings,
                  "vertex input bindings") ||
          !inside(d, 0, vi->vertexAttributeDescriptionCount, l->maxVertexInputAttributes,
                  "vertex input attributes"))
         return false;
      for (uint32_t i = 0; i < vi->vertexBindingDescriptionCount; i++) {
         if (!inside(d, vi->pVertexBindingDescriptions[i].binding, 1, l->maxVertexInputBindings,
                     "vertex input binding"))
            return false;
      }
      for (uint32_t i = 0; i < vi->vertexAttributeDescriptionCount; i++) {
         const VkVertexInputAttributeDescription *a = &vi->pVertexAttributeDescriptions[i];
         if (!inside(d, a->location, 1, l->maxVertexInputAttributes, "vertex input location") ||
             !inside(d, a->binding, 1, l->maxVertexInputBindings, "vertex input binding"))
            return false;
      }
   }
   const VkPipelineViewportStateCreateInfo *vp = info->pViewportState;
   if (vp && (!inside(d, 0, vp->viewportCount, l->maxViewports, "pipeline viewports") ||
              !inside(d, 0, vp->scissorCount, l->maxViewports, "pipeline scissors")))
      return false;
   const VkPipelineColorBlendStateCreateInfo *cb = info->pColorBlendState;
   if (cb && !inside(d, 0, cb->attachmentCount, l->maxColorAttachments,
                     "pipeline color blend attachments"))
      return false;
   for (const VkBaseInStructure *c = info->pNext; c; c = c->pNext) {
      if (c->sType == VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO &&
          !inside(d, 0, ((const VkPipelineRenderingCreateInfo *)c)->colorAttachmentCount,
                  l->maxColorAttachments, "pipeline color attachments"))
         return false;
   }
   return true;
}

/* Render passes: drivers look attachments up by the references' indices
 * and subpasses by the dependencies', unchecked. */
static bool
attachment_in(struct pv_dispatch *d, uint32_t attachment, uint32_t count, uint32_t subpass,
              const char *what)
{
   if (attachment == VK_ATTACHMENT_UNUSED || attachment < count)
      return true;
   pv_dispatch_fail(d, "subpass %u: %s attachment %u of a render pass of %u", subpass, what,
                    attachment, count);
   return false;
}

static bool
subpass_in(struct pv_dispatch *d, uint32_t subpass, uint32_t count, uint32_t dependency)
{
   if (subpass == VK_SUBPASS_EXTERNAL || subpass < count)
      return true;
   pv_dispatch_fail(d, "dependency %u: subpass %u of a render pass of %u", dependency, subpass,
                    count);
   return false;
}

static bool
preserved_in(struct pv_dispatch *d, const uint32_t *preserve, uint32_t preserve_count,
             uint32_t count, uint32_t subpass)
{
   for (uint32_t j = 0; j < preserve_count; j++) {
      /* VK_ATTACHMENT_UNUSED is no attachment to preserve */
      if (preserve[j] >= count) {
         pv_dispatch_fail(d, "subpass %u: preserve attachment %u of a render pass of %u",
                          subpass, preserve[j], count);
         return false;
      }
   }
   return true;
}

bool
pv_check_vkCreateRenderPass(struct pv_dispatch *d, const struct pv_cmd_vkCreateRenderPass *args)
{
   const struct pv_device *dev = (const struct pv_device *)args->device;
   const uint32_t max_color = dev->physical_device->properties.limits.maxColorAttachments;
   const VkRenderPassCreateInfo *info = args->pCreateInfo;
   const uint32_t n = info->attachmentCount;
   for (uint32_t i = 0; i < info->subpassCount; i++) {
      const VkSubpassDescription *sp = &info->pSubpasses[i];
      if (!inside(d, 0, sp->colorAttachmentCount, max_color, "subpass color attachments"))
         return false;
      for (uint32_t j = 0; j < sp->inputAttachmentCount; j++) {
         if (!attachment_in(d, sp->pInputAttachments[j].attachment, n, i, "input"))
            return false;
      }
      for (uint32_t j = 0; j < sp->colorAttachmentCount; j++) {
         if (!attachment_in(d, sp->pColorAttachments[j].attachment, n, i, "color") ||
             (sp->pResolveAttachments &&
              !attachment_in(d, sp->pResolveAttachments[j].attachment, n, i, "resolve")))
            return false;
      }
      if ((sp->pDepthStencilAttachment &&
           !attachment_in(d, sp->pDepthStencilAttachment->attachment, n, i, "depth/stencil")) ||
          !preserved_in(d, sp->pPreserveAttachments, sp->preserveAttachmentCount, n, i))
         return false;
   }
   for (uint32_t i = 0; i < info->dependencyCount; i++) {
      if (!subpass_in(d, info->pDependencies[i].srcSubpass, info->subpassCount, i) ||
          !subpass_in(d, info->pDependencies[i].dstSubpass, info->subpassCount, i))
         return false;
   }
   return true;
}

bool
pv_check_vkCreateRenderPass2(struct pv_dispatch *d,
                             const struct pv_cmd_vkCreateRenderPass2 *args)
{
   const struct pv_device *dev = (const struct pv_device *)args->device;
   const uint32_t max_color = dev->physical_device->properties.limits.maxColorAttachments;
   const VkRenderPassCreateInfo2 *info = args->pCreateInfo;
   const uint32_t n = info->attachmentCount;
   for (uint32_t i = 0; i < info->subpassCount; i++) {
      const VkSubpassDescription2 *sp = &info->pSubpasses[i];
      if (!inside(d, 0, sp->colorAttachmentCount, max_color, "subpass color attachments"))
         return false;
      for (uint32_t j = 0; j < sp->inputAttachmentCount; j++) {
         if (!attachment_in(d, sp->pInputAttachments[j].attachment, n, i, "input"))
            return false;
      }
      for (uint32_t j = 0; j < sp->colorAttachmentCount; j++) {
         if (!attachment_in(d, sp->pColorAttachments[j].attachment, n, i, "color") ||
             (sp->pResolveAttachments &&
              !attachment_in(d, sp->pResolveAttachments[j].attachment, n, i, "resolve")))
            return false;
      }
      if ((sp->pDepthStencilAttachment &&
           !attachment_in(d, sp->pDepthStencilAttachment->attachment, n, i, "depth/stencil")) ||
          !preserved_in(d, sp->pPreserveAttachments, sp->preserveAttachmentCount, n, i))
         return false;
      for (const VkBaseInStructure *c = sp->pNext; c; c = c->pNext) {
         const VkAttachmentReference2 *ref = NULL;
         if (c->sType == VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE)
            ref = ((const VkSubpassDescriptionDepthStencilResolve *)c)
                     ->pDepthStencilResolveAttachment;
         else if (c->sType == VK_STRUCTURE_TYPE_FRAGMENT_SHADING_RATE_ATTACHMENT_INFO_KHR)
            ref = ((const VkFragmentShadingRateAttachmentInfoKHR *)c)
                     ->pFragmentShadingRateAttachment;
         if (ref && !attachment_in(d, ref->attachment, n, i, "chained"))
            return false;
      }
   }
   for (uint32_t i = 0; i < info->dependencyCount; i++) {
      if (!subpass_in(d, info->pDependencies[i].srcSubpass, info->subpassCount, i) ||
          !subpass_in(d, info->pDependencies[i].dstSubpass, info->subpassCount, i))
         return false;
   }
   return true;
}

/* Transform feedback buffers and counter buffers inside the device's
 * maxTransformFeedbackBuffers (Mesa's drivers keep them in arrays of
 * MAX_XFB_BUFFERS). */
static uint32_t
xfb_buffers_of(const struct pv_object *command_buffer)
{
   const struct pv_device *dev = pv_command_buffer_device(command_buffer);
   return dev ? dev->physical_device->max_xfb_buffers : UINT32_MAX;
}

bool
pv_check_vkCmdBindTransformFeedbackBuffersEXT(
   struct pv_dispatch *d, const struct pv_cmd_vkCmdBindTransformFeedbackBuffersEXT *args)
{
   return inside(d, args->firstBinding, args->bindingCount, xfb_buffers_of(args->commandBuffer),
                 "transform feedback buffers");
}

bool
pv_check_vkCmdBeginTransformFeedbackEXT(struct pv_dispatch *d,
                                        const struct pv_cmd_vkCmdBeginTransformFeedbackEXT *args)
{
   return inside(d, args->firstCounterBuffer, args->counterBufferCount,
                 xfb_buffers_of(args->commandBuffer), "transform feedback counter buffers");
}

bool
pv_check_vkCmdEndTransformFeedbackEXT(struct pv_dispatch *d,
                                      const struct pv_cmd_vkCmdEndTransformFeedbackEXT *args)
{
   return inside(d, args->firstCounterBuffer, args->counterBufferCount,
                 xfb_buffers_of(args->commandBuffer), "transform feedback counter buffers");
}
