/* SPDX-License-Identifier: MIT */
/* The samples' descriptor sets and pipelines: the set-up every program
 * writes the same way, so that each sample's own code is what it tests. */
#include "pv_sample.h"

VkDescriptorSetLayout
sample_set_layout(struct sample *s, const VkDescriptorSetLayoutBinding *bindings, uint32_t count)
{
   const VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = count,
      .pBindings = bindings,
   };
   VkDescriptorSetLayout layout;
   CHECK_VK(vkCreateDescriptorSetLayout(s->device, &dslci, NULL, &layout));
   return layout;
}

/* more than any sample binds: the helpers' arrays are on the stack */
#define MAX_STORAGE_BUFFERS 8

static void
check_storage_buffer_count(uint32_t count)
{
   if (count > MAX_STORAGE_BUFFERS) {
      fprintf(stderr, "%u storage buffers: the sample helpers take at most %d\n", count,
              MAX_STORAGE_BUFFERS);
      exit(2);
   }
}

VkDescriptorSetLayout
sample_storage_set_layout(struct sample *s, uint32_t count)
{
   check_storage_buffer_count(count);
   VkDescriptorSetLayoutBinding bindings[MAX_STORAGE_BUFFERS];
   for (uint32_t i = 0; i < count; i++)
      bindings[i] = (VkDescriptorSetLayoutBinding){ i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                                    VK_SHADER_STAGE_COMPUTE_BIT, NULL };
   return sample_set_layout(s, bindings, count);
}

VkPipelineLayout
sample_pipeline_layout(struct sample *s, VkDescriptorSetLayout set_layout,
                       VkShaderStageFlags push_stages, uint32_t push_size)
{
   const VkPushConstantRange range = { push_stages, 0, push_size };
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = set_layout ? 1 : 0,
      .pSetLayouts = set_layout ? &set_layout : NULL,
      .pushConstantRangeCount = push_size ? 1 : 0,
      .pPushConstantRanges = push_size ? &range : NULL,
   };
   VkPipelineLayout layout;
   CHECK_VK(vkCreatePipelineLayout(s->device, &plci, NULL, &layout));
   return layout;
}

VkDescriptorPool
sample_descriptor_pool(struct sample *s, VkDescriptorPoolCreateFlags flags,
                       const VkDescriptorPoolSize *sizes, uint32_t count)
{
   const VkDescriptorPoolCreateInfo dpci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .flags = flags,
      .maxSets = 1,
      .poolSizeCount = count,
      .pPoolSizes = sizes,
   };
   VkDescriptorPool pool;
   CHECK_VK(vkCreateDescriptorPool(s->device, &dpci, NULL, &pool));
   return pool;
}

VkDescriptorSet
sample_descriptor_set(struct sample *s, VkDescriptorPool pool, VkDescriptorSetLayout layout)
{
   const VkDescriptorSetAllocateInfo dsai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &layout,
   };
   VkDescriptorSet set;
   CHECK_VK(vkAllocateDescriptorSets(s->device, &dsai, &set));
   return set;
}

void
sample_write_storage_buffers(struct sample *s, VkDescriptorSet set,
                             const struct sample_buffer *const *buffers, uint32_t count)
{
   check_storage_buffer_count(count);
   VkDescriptorBufferInfo infos[MAX_STORAGE_BUFFERS];
   VkWriteDescriptorSet writes[MAX_STORAGE_BUFFERS];
   for (uint32_t i = 0; i < count; i++) {
      infos[i] = (VkDescriptorBufferInfo){ buffers[i]->buffer, 0, VK_WHOLE_SIZE };
      writes[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = set,
         .dstBinding = i,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &infos[i],
      };
   }
   vkUpdateDescriptorSets(s->device, count, writes, 0, NULL);
}

VkPipeline
sample_compute_pipeline(struct sample *s, VkPipelineLayout layout, VkShaderModule module,
                        const VkSpecializationInfo *spec, VkPipelineCache cache)
{
   const VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {
         .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
         .stage = VK_SHADER_STAGE_COMPUTE_BIT,
         .module = module,
         .pName = "main",
         .pSpecializationInfo = spec,
      },
      .layout = layout,
   };
   VkPipeline pipeline;
   CHECK_VK(vkCreateComputePipelines(s->device, cache, 1, &cpci, NULL, &pipeline));
   return pipeline;
}

void
sample_compute_init(struct sample *s, struct sample_compute *c, const uint32_t *code,
                    size_t code_size, const struct sample_buffer *const *buffers, uint32_t count,
                    uint32_t push_size)
{
   c->set_layout = sample_storage_set_layout(s, count);
   c->layout = sample_pipeline_layout(s, c->set_layout, VK_SHADER_STAGE_COMPUTE_BIT, push_size);
   VkShaderModule module = sample_shader(s, code, code_size);
   c->pipeline = sample_compute_pipeline(s, c->layout, module, NULL, VK_NULL_HANDLE);
   vkDestroyShaderModule(s->device, module, NULL);
   const VkDescriptorPoolSize size = { VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, count };
   c->pool = sample_descriptor_pool(s, 0, &size, 1);
   c->set = sample_descriptor_set(s, c->pool, c->set_layout);
   sample_write_storage_buffers(s, c->set, buffers, count);
}

void
sample_compute_bind(VkCommandBuffer cmd, const struct sample_compute *c)
{
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, c->layout, 0, 1, &c->set, 0,
                           NULL);
}

void
sample_compute_fini(struct sample *s, struct sample_compute *c)
{
   vkDestroyDescriptorPool(s->device, c->pool, NULL);
   vkDestroyPipeline(s->device, c->pipeline, NULL);
   vkDestroyPipelineLayout(s->device, c->layout, NULL);
   vkDestroyDescriptorSetLayout(s->device, c->set_layout, NULL);
}

VkPipeline
sample_graphics_pipeline(struct sample *s, const struct sample_graphics_pipeline *p)
{
   VkShaderModule vert = sample_shader(s, p->vertex_code, p->vertex_size);
   VkShaderModule frag = sample_shader(s, p->fragment_code, p->fragment_size);
   const VkPipelineShaderStageCreateInfo stages[2] = {
      { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_VERTEX_BIT, .module = vert, .pName = "main" },
      { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
        .stage = VK_SHADER_STAGE_FRAGMENT_BIT, .module = frag, .pName = "main" },
   };
   const VkPipelineVertexInputStateCreateInfo no_vertex_input = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
   };
   const VkPipelineInputAssemblyStateCreateInfo assembly = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
   };
   const bool fixed_viewport = p->viewport.width && p->viewport.height;
   const VkViewport viewport = { 0, 0, (float)p->viewport.width, (float)p->viewport.height, 0, 1 };
   const VkRect2D scissor = { { 0, 0 }, p->viewport };
   const VkPipelineViewportStateCreateInfo viewport_state = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .pViewports = fixed_viewport ? &viewport : NULL,
      .scissorCount = 1,
      .pScissors = fixed_viewport ? &scissor : NULL,
   };
   const VkDynamicState dynamic_states[2] = { VK_DYNAMIC_STATE_VIEWPORT,
                                              VK_DYNAMIC_STATE_SCISSOR };
   const VkPipelineDynamicStateCreateInfo dynamic = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO,
      .dynamicStateCount = 2,
      .pDynamicStates = dynamic_states,
   };
   const VkPipelineRasterizationStateCreateInfo raster = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo multisample = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = p->samples ? p->samples : VK_SAMPLE_COUNT_1_BIT,
   };
   const VkPipelineDepthStencilStateCreateInfo depth = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO,
      .depthTestEnable = VK_TRUE,
      .depthWriteEnable = VK_TRUE,
      .depthCompareOp = VK_COMPARE_OP_LESS,
   };
   const VkPipelineColorBlendAttachmentState opaque = {
      .colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                        VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT,
   };
   const VkPipelineColorBlendStateCreateInfo blend = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = p->blend ? p->blend : &opaque,
   };
   /* dynamic rendering: the attachment's format instead of a render pass */
   const VkPipelineRenderingCreateInfo rendering = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO,
      .colorAttachmentCount = 1,
      .pColorAttachmentFormats = &p->color_format,
   };
   const VkGraphicsPipelineCreateInfo gpci = {
      .sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
      .pNext = p->render_pass ? NULL : &rendering,
      .flags = p->flags,
      .stageCount = 2,
      .pStages = stages,
      .pVertexInputState = p->vertex_input ? p->vertex_input : &no_vertex_input,
      .pInputAssemblyState = &assembly,
      .pViewportState = &viewport_state,
      .pRasterizationState = &raster,
      .pMultisampleState = &multisample,
      .pDepthStencilState = p->depth_test ? &depth : NULL,
      .pColorBlendState = &blend,
      .pDynamicState = fixed_viewport ? NULL : &dynamic,
      .layout = p->layout,
      .renderPass = p->render_pass,
      .basePipelineHandle = p->base,
      .basePipelineIndex = -1,
   };
   VkPipeline pipeline;
   CHECK_VK(vkCreateGraphicsPipelines(s->device, p->cache, 1, &gpci, NULL, &pipeline));
   vkDestroyShaderModule(s->device, vert, NULL);
   vkDestroyShaderModule(s->device, frag, NULL);
   return pipeline;
}
