/* SPDX-License-Identifier: MIT */
/* Pipelines: created several at a time, some of which may fail alone.  Their
 * shader stages are checked first, against the pipeline's layout too
 * (pv_shader.c). */
#include "pv_vk.h"

#include <stdlib.h>

static void
pipeline_destroy(struct pv_object *obj)
{
   if (obj->vk->DestroyPipeline)
      obj->vk->DestroyPipeline((VkDevice)(uintptr_t)obj->parent->handle,
                               (VkPipeline)(uintptr_t)obj->handle, NULL);
   pv_object_free(obj);
}

static void
adopt_pipelines(struct pv_dispatch *d, struct pv_object *dev, VkPipeline *ids,
                const VkPipeline *handles, uint32_t count)
{
   if (!pv_vk_adopt_array(d, dev, VK_OBJECT_TYPE_PIPELINE, (const void *const *)ids,
                          (const uint64_t *)handles, count, pipeline_destroy)) {
      for (uint32_t i = 0; i < count; i++) {
         if (handles[i])
            dev->vk->DestroyPipeline((VkDevice)(uintptr_t)dev->handle, handles[i], NULL);
      }
   }
}

void
pv_handle_vkCreateComputePipelines(struct pv_dispatch *d,
                                   struct pv_cmd_vkCreateComputePipelines *args)
{
   struct pv_object *dev = args->device;
   const uint32_t count = args->createInfoCount;
   if (!pv_vk_check_new_ids(d, (const void *const *)args->pPipelines, count, &args->ret))
      return;
   VkPipeline *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   for (uint32_t i = 0; i < count; i++) {
      const VkComputePipelineCreateInfo *info = &args->pCreateInfos[i];
      if (!pv_shader_stage_check(d, (struct pv_device *)dev, &info->stage, info->layout))
         return;
   }
   pv_rep_args_vkCreateComputePipelines(args);
   args->ret = dev->vk->CreateComputePipelines(
      (VkDevice)(uintptr_t)dev->handle, PV_HOST(VkPipelineCache, args->pipelineCache), count,
      args->pCreateInfos, NULL, handles);
   /* on failure some pipelines may still exist (VK_PIPELINE_COMPILE_REQUIRED) */
   adopt_pipelines(d, dev, args->pPipelines, handles, count);
}

void
pv_handle_vkCreateGraphicsPipelines(struct pv_dispatch *d,
                                    struct pv_cmd_vkCreateGraphicsPipelines *args)
{
   struct pv_object *dev = args->device;
   const uint32_t count = args->createInfoCount;
   if (!pv_vk_check_new_ids(d, (const void *const *)args->pPipelines, count, &args->ret))
      return;
   VkPipeline *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   for (uint32_t i = 0; i < count; i++) {
      const VkGraphicsPipelineCreateInfo *info = &args->pCreateInfos[i];
      if (!pv_graphics_state_check(d, (const struct pv_device *)dev, info))
         return;
      for (uint32_t s = 0; s < info->stageCount; s++) {
         if (!pv_shader_stage_check(d, (struct pv_device *)dev, &info->pStages[s],
                                    info->layout))
            return;
      }
   }
   pv_rep_args_vkCreateGraphicsPipelines(args);
   args->ret = dev->vk->CreateGraphicsPipelines(
      (VkDevice)(uintptr_t)dev->handle, PV_HOST(VkPipelineCache, args->pipelineCache), count,
      args->pCreateInfos, NULL, handles);
   adopt_pipelines(d, dev, args->pPipelines, handles, count);
}
