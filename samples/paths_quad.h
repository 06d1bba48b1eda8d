/* SPDX-License-Identifier: MIT */
#ifndef PATHS_QUAD_H
#define PATHS_QUAD_H

/* What pv-render-paths and pv-sync2 share: shaders/paths_vert.vert and
 * paths_frag.frag, which draw one quad that push constants place and
 * colour.  Each of the two samples includes this once (the SPIR-V arrays
 * are defined here). */

#include "pv_sample.h"

#include "paths_frag.spv.h"
#include "paths_vert.spv.h"

/* what paths_vert.vert takes as push constants */
struct quad {
   float offset[2], scale[2], color[4];
};

/* No descriptor sets: the quad is all the shaders take. */
static inline VkPipelineLayout
quad_pipeline_layout(struct sample *s)
{
   return sample_pipeline_layout(s, VK_NULL_HANDLE, VK_SHADER_STAGE_VERTEX_BIT,
                                 sizeof(struct quad));
}

/* A pipeline of the quad shaders into `color_format` (with a render pass,
 * or by dynamic rendering); the caller sets the rest. */
static inline struct sample_graphics_pipeline
quad_pipeline(VkPipelineLayout layout, VkRenderPass pass, VkFormat color_format)
{
   return (struct sample_graphics_pipeline){
      .vertex_code = paths_vert_spv,
      .vertex_size = sizeof(paths_vert_spv),
      .fragment_code = paths_frag_spv,
      .fragment_size = sizeof(paths_frag_spv),
      .layout = layout,
      .render_pass = pass,
      .color_format = color_format,
   };
}

#endif /* PATHS_QUAD_H */
