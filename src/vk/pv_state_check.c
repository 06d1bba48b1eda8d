/* SPDX-License-Identifier: MIT */
/* Dynamic state and bindings that index the driver's fixed arrays stay
 * inside the device's limits.  Drivers keep viewports, scissors, vertex
 * buffer bindings and per-attachment blend state in arrays of the size
 * they report (Mesa's common runtime: MESA_VK_MAX_*) and index them with
 * the guest's first + count unchecked, as Vulkan lets them: a viewport,
 * scissor or vertex buffer binding at index 2^26 crashed lavapipe, in the
 * client's process. */
#include "pv_vk.h"

#include <stddef.h>
#include <string.h>

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

static bool
viewports_in(struct pv_dispatch *d, const struct pv_object *command_buffer, uint32_t first,
             uint32_t count, const char *what)
{
   const VkPhysicalDeviceLimits *l = limits_of(command_buffer);
   return !l || inside(d, first, count, l->maxViewports, what);
}

static bool
color_attachments_in(struct pv_dispatch *d, const struct pv_object *command_buffer,
                     uint32_t first, uint32_t count)
{
   const VkPhysicalDeviceLimits *l = limits_of(command_buffer);
   return !l || inside(d, first, count, l->maxColorAttachments, "color attachments");
}

bool
pv_check_vkCmdSetViewport(struct pv_dispatch *d, const struct pv_cmd_vkCmdSetViewport *args)
{
   return viewports_in(d, args->commandBuffer, args->firstViewport, args->viewportCount,
                       "viewports");
}

bool
pv_check_vkCmdSetScissor(struct pv_dispatch *d, const struct pv_cmd_vkCmdSetScissor *args)
{
   return viewports_in(d, args->commandBuffer, args->firstScissor, args->scissorCount,
                       "scissors");
}

bool
pv_check_vkCmdSetViewportWithCount(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdSetViewportWithCount *args)
{
   return viewports_in(d, args->commandBuffer, 0, args->viewportCount, "viewports");
}

bool
pv_check_vkCmdSetScissorWithCount(struct pv_dispatch *d,
                                  const struct pv_cmd_vkCmdSetScissorWithCount *args)
{
   return viewports_in(d, args->commandBuffer, 0, args->scissorCount, "scissors");
}

bool
pv_vertex_bindings_inside(struct pv_dispatch *d, const void *command_buffer, uint32_t first,
                          uint32_t count)
{
   const VkPhysicalDeviceLimits *l = limits_of(command_buffer);
   return !l || inside(d, first, count, l->maxVertexInputBindings, "vertex buffer bindings");
}

/* The numbers of a vertex input, of either version: the command's and the
 * pipeline's descriptions differ in size, not in what they number. */
static uint32_t
u32_at(const void *array, uint32_t i, size_t stride, size_t offset)
{
   uint32_t value;
   memcpy(&value, (const char *)array + i * stride + offset, sizeof(value));
   return value;
}

static bool
vertex_input_in(struct pv_dispatch *d, const VkPhysicalDeviceLimits *l, uint32_t binding_count,
                const void *bindings, size_t binding_stride, size_t binding_offset,
                uint32_t attribute_count, const void *attributes, size_t attribute_stride,
                size_t location_offset, size_t attribute_binding_offset)
{
   if (!inside(d, 0, binding_count, l->maxVertexInputBindings, "vertex input bindings") ||
       !inside(d, 0, attribute_count, l->maxVertexInputAttributes, "vertex input attributes"))
      return false;
   for (uint32_t i = 0; i < binding_count; i++) {
      if (!inside(d, u32_at(bindings, i, binding_stride, binding_offset), 1,
                  l->maxVertexInputBindings, "vertex input binding"))
         return false;
   }
   for (uint32_t i = 0; i < attribute_count; i++) {
      if (!inside(d, u32_at(attributes, i, attribute_stride, location_offset), 1,
                  l->maxVertexInputAttributes, "vertex input location") ||
          !inside(d, u32_at(attributes, i, attribute_stride, attribute_binding_offset), 1,
                  l->maxVertexInputBindings, "vertex input binding"))
         return false;
   }
   return true;
}

#define VERTEX_INPUT_IN(d, l, nb, pb, binding_type, na, pa, attribute_type)                  \
   vertex_input_in((d), (l), (nb), (pb), sizeof(binding_type), offsetof(binding_type, binding), \
                   (na), (pa), sizeof(attribute_type), offsetof(attribute_type, location),     \
                   offsetof(attribute_type, binding))

bool
pv_check_vkCmdSetVertexInputEXT(struct pv_dispatch *d,
                                const struct pv_cmd_vkCmdSetVertexInputEXT *args)
{
   const VkPhysicalDeviceLimits *l = limits_of(args->commandBuffer);
   return !l || VERTEX_INPUT_IN(d, l, args->vertexBindingDescriptionCount,
                                args->pVertexBindingDescriptions,
                                VkVertexInputBindingDescription2EXT,
                                args->vertexAttributeDescriptionCount,
                                args->pVertexAttributeDescriptions,
                                VkVertexInputAttributeDescription2EXT);
}

bool
pv_check_vkCmdBeginRendering(struct pv_dispatch *d, const struct pv_cmd_vkCmdBeginRendering *args)
{
   return color_attachments_in(d, args->commandBuffer, 0,
                               args->pRenderingInfo->colorAttachmentCount);
}

bool
pv_check_vkCmdSetColorWriteEnableEXT(struct pv_dispatch *d,
                                     const struct pv_cmd_vkCmdSetColorWriteEnableEXT *args)
{
   return color_attachments_in(d, args->commandBuffer, 0, args->attachmentCount);
}

bool
pv_check_vkCmdSetColorBlendEnableEXT(struct pv_dispatch *d,
                                     const struct pv_cmd_vkCmdSetColorBlendEnableEXT *args)
{
   return color_attachments_in(d, args->commandBuffer, args->firstAttachment,
                               args->attachmentCount);
}

bool
pv_check_vkCmdSetColorBlendEquationEXT(struct pv_dispatch *d,
                                       const struct pv_cmd_vkCmdSetColorBlendEquationEXT *args)
{
   return color_attachments_in(d, args->commandBuffer, args->firstAttachment,
                               args->attachmentCount);
}

bool
pv_check_vkCmdSetColorWriteMaskEXT(struct pv_dispatch *d,
                                   const struct pv_cmd_vkCmdSetColorWriteMaskEXT *args)
{
   return color_attachments_in(d, args->commandBuffer, args->firstAttachment,
                               args->attachmentCount);
}

bool
pv_check_vkCmdSetColorBlendAdvancedEXT(struct pv_dispatch *d,
                                       const struct pv_cmd_vkCmdSetColorBlendAdvancedEXT *args)
{
   return color_attachments_in(d, args->commandBuffer, args->firstAttachment,
                               args->attachmentCount);
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
   if (vi && !dynamic_state_has(info->pDynamicState, VK_DYNAMIC_STATE_VERTEX_INPUT_EXT) &&
       !VERTEX_INPUT_IN(d, l, vi->vertexBindingDescriptionCount, vi->pVertexBindingDescriptions,
                        VkVertexInputBindingDescription, vi->vertexAttributeDescriptionCount,
                        vi->pVertexAttributeDescriptions, VkVertexInputAttributeDescription))
      return false;
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

/* A subpass of either version, its references as (array, stride): the
 * two versions' attachment references differ in size, not in what they
 * name. */
struct subpass_view {
   uint32_t input_count, color_count, preserve_count;
   const void *inputs, *colors, *resolves, *depth_stencil;
   const uint32_t *preserve;
   size_t stride, offset; /* of a reference, of its `attachment` */
};

static uint32_t
ref_at(const struct subpass_view *v, const void *refs, uint32_t i)
{
   uint32_t attachment;
   memcpy(&attachment, (const char *)refs + i * v->stride + v->offset, sizeof(attachment));
   return attachment;
}

static bool
subpass_refs_in(struct pv_dispatch *d, const struct subpass_view *v, uint32_t n,
                uint32_t max_color, uint32_t subpass)
{
   if (!inside(d, 0, v->color_count, max_color, "subpass color attachments"))
      return false;
   for (uint32_t j = 0; j < v->input_count; j++) {
      if (!attachment_in(d, ref_at(v, v->inputs, j), n, subpass, "input"))
         return false;
   }
   for (uint32_t j = 0; j < v->color_count; j++) {
      if (!attachment_in(d, ref_at(v, v->colors, j), n, subpass, "color") ||
          (v->resolves && !attachment_in(d, ref_at(v, v->resolves, j), n, subpass, "resolve")))
         return false;
   }
   return (!v->depth_stencil ||
           attachment_in(d, ref_at(v, v->depth_stencil, 0), n, subpass, "depth/stencil")) &&
          preserved_in(d, v->preserve, v->preserve_count, n, subpass);
}

#define SUBPASS_VIEW(sp, ref_type)                                                           \
   ((struct subpass_view){                                                                   \
      (sp)->inputAttachmentCount, (sp)->colorAttachmentCount, (sp)->preserveAttachmentCount, \
      (sp)->pInputAttachments, (sp)->pColorAttachments, (sp)->pResolveAttachments,           \
      (sp)->pDepthStencilAttachment, (sp)->pPreserveAttachments, sizeof(ref_type),           \
      offsetof(ref_type, attachment) })

static uint32_t
max_color_of(const struct pv_object *device)
{
   return ((const struct pv_device *)device)->physical_device->properties.limits
      .maxColorAttachments;
}

bool
pv_check_vkCreateRenderPass(struct pv_dispatch *d, const struct pv_cmd_vkCreateRenderPass *args)
{
   const VkRenderPassCreateInfo *info = args->pCreateInfo;
   const uint32_t max_color = max_color_of(args->device);
   for (uint32_t i = 0; i < info->subpassCount; i++) {
      const struct subpass_view v = SUBPASS_VIEW(&info->pSubpasses[i], VkAttachmentReference);
      if (!subpass_refs_in(d, &v, info->attachmentCount, max_color, i))
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
   const VkRenderPassCreateInfo2 *info = args->pCreateInfo;
   const uint32_t max_color = max_color_of(args->device);
   for (uint32_t i = 0; i < info->subpassCount; i++) {
      const VkSubpassDescription2 *sp = &info->pSubpasses[i];
      const struct subpass_view v = SUBPASS_VIEW(sp, VkAttachmentReference2);
      if (!subpass_refs_in(d, &v, info->attachmentCount, max_color, i))
         return false;
      /* attachments named in the subpass's chain */
      for (const VkBaseInStructure *c = sp->pNext; c; c = c->pNext) {
         const VkAttachmentReference2 *ref = NULL;
         if (c->sType == VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE)
            ref = ((const VkSubpassDescriptionDepthStencilResolve *)c)
                     ->pDepthStencilResolveAttachment;
         else if (c->sType == VK_STRUCTURE_TYPE_FRAGMENT_SHADING_RATE_ATTACHMENT_INFO_KHR)
            ref = ((const VkFragmentShadingRateAttachmentInfoKHR *)c)
                     ->pFragmentShadingRateAttachment;
         if (ref && !attachment_in(d, ref->attachment, info->attachmentCount, i, "chained"))
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
