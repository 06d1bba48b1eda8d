/* SPDX-License-Identifier: MIT */
/* Shader modules and the shader stages of pipelines: the guest's SPIR-V is
 * validated (pv_spirv.c) before the driver sees it, and a stage must name
 * an entry point its module has, keep its specialization constants inside
 * their data, and find every descriptor its entry point uses in the
 * pipeline's layout (pv_spirv_reflect.c, pv_layout.c), since drivers read
 * all of it unchecked. */
#include "pv_vk.h"

#include <stdlib.h>

static void
shader_module_destroy(struct pv_object *obj)
{
   struct pv_shader_module *module = (struct pv_shader_module *)obj;
   if (obj->vk->DestroyShaderModule)
      obj->vk->DestroyShaderModule((VkDevice)(uintptr_t)obj->parent->handle,
                                   (VkShaderModule)(uintptr_t)obj->handle, NULL);
   pv_spirv_module_free(module->spirv);
   pv_object_free(obj);
}

static bool
check_code(struct pv_dispatch *d, struct pv_device *dev, const VkShaderModuleCreateInfo *info)
{
   char why[256];
   if (pv_spirv_check(dev->spirv, info->pCode, info->codeSize, why, sizeof(why)))
      return true;
   pv_dispatch_fail(d, "invalid SPIR-V: %s", why);
   return false;
}

void
pv_handle_vkCreateShaderModule(struct pv_dispatch *d, struct pv_cmd_vkCreateShaderModule *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   if (!dev->vk.CreateShaderModule) {
      pv_dispatch_missing(d, "vkCreateShaderModule");
      return;
   }
   const VkShaderModuleCreateInfo *info = args->pCreateInfo;
   if (!check_code(d, dev, info))
      return;
   struct pv_shader_module *module =
      pv_vk_object_alloc(d, sizeof(*module), VK_OBJECT_TYPE_SHADER_MODULE,
                         pv_handle_id(*args->pShaderModule), &args->ret);
   if (!module)
      return;
   module->spirv = pv_spirv_reflect(dev->spirv, info->pCode, info->codeSize);
   if (!module->spirv) {
      pv_object_free(&module->base);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   const VkDevice device = (VkDevice)(uintptr_t)dev->base.handle;
   VkShaderModule handle = VK_NULL_HANDLE;
   args->ret = dev->vk.CreateShaderModule(device, info, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_spirv_module_free(module->spirv);
      pv_object_free(&module->base);
      return;
   }
   module->base.handle = (uint64_t)(uintptr_t)handle;
   module->base.vk = &dev->vk;
   module->base.destroy = shader_module_destroy;
   if (!pv_vk_object_adopt(d, &module->base, &dev->base)) {
      dev->vk.DestroyShaderModule(device, handle, NULL);
      pv_spirv_module_free(module->spirv);
      pv_object_free(&module->base);
   }
}

static const VkShaderModuleCreateInfo *
find_module_info(const void *pnext)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO)
         return (const VkShaderModuleCreateInfo *)s;
   }
   return NULL;
}

static bool
check_specialization(struct pv_dispatch *d, const VkSpecializationInfo *spec)
{
   if (!spec)
      return true;
   for (uint32_t i = 0; i < spec->mapEntryCount; i++) {
      const VkSpecializationMapEntry *e = &spec->pMapEntries[i];
      if (e->offset > spec->dataSize || e->size > spec->dataSize - e->offset) {
         pv_dispatch_fail(d,
                          "specialization constant %u: %zu bytes at %u, outside its %zu bytes "
                          "of data",
                          e->constantID, e->size, e->offset, spec->dataSize);
         return false;
      }
   }
   return true;
}

/* The stage's entry point exists in `spirv`, and what it uses is in the
 * pipeline's layout. */
static bool
check_entry(struct pv_dispatch *d, const struct pv_spirv_module *spirv,
            const VkPipelineShaderStageCreateInfo *stage, const void *layout, const char *of)
{
   const struct pv_spirv_entry *entry = pv_spirv_find_entry(spirv, stage->stage, stage->pName);
   if (!entry) {
      pv_dispatch_fail(d, "stage 0x%x names entry point \"%s\", which its %s lacks",
                       stage->stage, stage->pName, of);
      return false;
   }
   struct pv_spirv_resource *resources;
   uint32_t count;
   if (!pv_spirv_entry_resources(spirv, entry, &resources, &count)) {
      pv_dispatch_fail(d, "out of memory listing what entry point \"%s\" uses", stage->pName);
      return false;
   }
   const bool ok =
      pv_layout_check_resources(d, layout, stage->stage, stage->pName, resources, count);
   free(resources);
   return ok;
}

bool
pv_shader_stage_check(struct pv_dispatch *d, struct pv_device *dev,
                      const VkPipelineShaderStageCreateInfo *stage, const void *layout)
{
   if (!check_specialization(d, stage->pSpecializationInfo))
      return false;
   if (!stage->pName) {
      pv_dispatch_fail(d, "stage 0x%x names no entry point", stage->stage);
      return false;
   }
   /* before handle replacement the module is the renderer's own object */
   const struct pv_shader_module *module = (const struct pv_shader_module *)stage->module;
   if (module)
      return check_entry(d, module->spirv, stage, layout, "module");
   /* no module: the code itself may be chained (maintenance5) */
   const VkShaderModuleCreateInfo *info = find_module_info(stage->pNext);
   if (!info) {
      pv_dispatch_fail(d, "stage 0x%x has no shader", stage->stage);
      return false;
   }
   if (!check_code(d, dev, info))
      return false;
   struct pv_spirv_module *spirv = pv_spirv_reflect(dev->spirv, info->pCode, info->codeSize);
   if (!spirv) {
      pv_dispatch_fail(d, "out of memory reading a stage's code");
      return false;
   }
   const bool ok = check_entry(d, spirv, stage, layout, "code");
   pv_spirv_module_free(spirv);
   return ok;
}
