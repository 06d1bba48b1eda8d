/* SPDX-License-Identifier: MIT */
/* Descriptor set layouts and pipeline layouts, with the shape the renderer
 * keeps of them: which binding numbers each set has, of which descriptor
 * type.  A pipeline's shaders are checked against it before the driver
 * compiles them.
 *
 * Drivers take a pipeline's layout as matching its shaders (Vulkan's valid
 * usage) and look up each descriptor a shader uses in it unchecked: a
 * compute shader decorated DescriptorSet 16777216, in a pipeline layout of
 * one set, made lavapipe read past the layout in vkCreateComputePipelines
 * (found by fuzz-session-host).  So every descriptor a stage's entry point
 * statically uses (pv_spirv_reflect.c) must be a binding of that set in the
 * layout, of a descriptor type its SPIR-V type can be, as the specification
 * requires.  Only statically used descriptors are held to this, as Vulkan
 * does: a module may declare variables its entry point never names.
 *
 * A set the layout leaves VK_NULL_HANDLE (which graphicsPipelineLibrary's
 * independent sets allow) has no binding a stage may use either.  Not
 * checked: array sizes against descriptor counts (they may be
 * specialization constants), and stage flags (a driver reads a binding's
 * descriptors whatever stages it names).
 */
#include "pv_vk.h"

#include <stdlib.h>

/* A set layout's bindings by number.  Pipeline layouts keep a reference:
 * a set layout may be destroyed while pipeline layouts made with it live. */
struct pv_set_shape {
   atomic_uint refs;
   uint32_t count;
   struct pv_set_binding {
      uint32_t number;
      VkDescriptorType type;
      uint32_t count;
      bool variable;  /* VARIABLE_DESCRIPTOR_COUNT: each set gives its own count */
      bool immutable; /* a sampler binding with immutable samplers */
   } bindings[];
};

struct pv_descriptor_set_layout {
   struct pv_object base;
   struct pv_set_shape *shape;
};

struct pv_pipeline_layout {
   struct pv_object base;
   uint32_t set_count;
   struct pv_set_shape **sets; /* references; NULL where the guest gave none */
};

static void
shape_unref(struct pv_set_shape *shape)
{
   if (shape && atomic_fetch_sub(&shape->refs, 1) == 1)
      free(shape);
}

static int
compare_binding(const void *a, const void *b)
{
   const struct pv_set_binding *x = a, *y = b;
   return (x->number > y->number) - (x->number < y->number);
}

static struct pv_set_shape *
shape_make(const VkDescriptorSetLayoutCreateInfo *info)
{
   struct pv_set_shape *shape =
      malloc(sizeof(*shape) + (size_t)info->bindingCount * sizeof(shape->bindings[0]));
   if (!shape)
      return NULL;
   atomic_init(&shape->refs, 1);
   shape->count = info->bindingCount;
   const VkDescriptorSetLayoutBindingFlagsCreateInfo *flags = NULL;
   for (const VkBaseInStructure *c = info->pNext; c; c = c->pNext) {
      if (c->sType == VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_BINDING_FLAGS_CREATE_INFO)
         flags = (const VkDescriptorSetLayoutBindingFlagsCreateInfo *)c;
   }
   /* the flags are per binding, or none at all */
   if (flags && flags->bindingCount != info->bindingCount)
      flags = NULL;
   for (uint32_t i = 0; i < info->bindingCount; i++) {
      const VkDescriptorSetLayoutBinding *b = &info->pBindings[i];
      shape->bindings[i] = (struct pv_set_binding){
         b->binding, b->descriptorType, b->descriptorCount,
         flags && flags->pBindingFlags &&
            (flags->pBindingFlags[i] & VK_DESCRIPTOR_BINDING_VARIABLE_DESCRIPTOR_COUNT_BIT),
         (b->descriptorType == VK_DESCRIPTOR_TYPE_SAMPLER ||
          b->descriptorType == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER) &&
            b->pImmutableSamplers,
      };
   }
   qsort(shape->bindings, shape->count, sizeof(shape->bindings[0]), compare_binding);
   return shape;
}

static void
set_layout_destroy(struct pv_object *obj)
{
   if (obj->vk->DestroyDescriptorSetLayout)
      obj->vk->DestroyDescriptorSetLayout((VkDevice)(uintptr_t)obj->parent->handle,
                                          (VkDescriptorSetLayout)(uintptr_t)obj->handle, NULL);
   shape_unref(((struct pv_descriptor_set_layout *)obj)->shape);
   pv_object_free(obj);
}

void
pv_handle_vkCreateDescriptorSetLayout(struct pv_dispatch *d,
                                      struct pv_cmd_vkCreateDescriptorSetLayout *args)
{
   struct pv_object *dev = args->device;
   if (!dev->vk->CreateDescriptorSetLayout) {
      pv_dispatch_missing(d, "vkCreateDescriptorSetLayout");
      return;
   }
   if (!pv_descriptor_binding_numbers_check(d, args->pCreateInfo, "descriptor set layout"))
      return;
   struct pv_descriptor_set_layout *layout =
      pv_vk_object_alloc(d, sizeof(*layout), VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT,
                         pv_handle_id(*args->pSetLayout), &args->ret);
   if (!layout)
      return;
   layout->shape = shape_make(args->pCreateInfo);
   if (!layout->shape) {
      pv_object_free(layout);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   pv_rep_args_vkCreateDescriptorSetLayout(args);
   VkDescriptorSetLayout handle = VK_NULL_HANDLE;
   args->ret = dev->vk->CreateDescriptorSetLayout((VkDevice)(uintptr_t)dev->handle,
                                                  args->pCreateInfo, NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      shape_unref(layout->shape);
      pv_object_free(layout);
      return;
   }
   layout->base.handle = (uint64_t)(uintptr_t)handle;
   layout->base.vk = dev->vk;
   layout->base.destroy = set_layout_destroy;
   if (!pv_vk_object_adopt(d, &layout->base, dev)) {
      dev->vk->DestroyDescriptorSetLayout((VkDevice)(uintptr_t)dev->handle, handle, NULL);
      shape_unref(layout->shape);
      pv_object_free(layout);
   }
}

static void
pipeline_layout_forget(struct pv_pipeline_layout *layout)
{
   for (uint32_t i = 0; i < layout->set_count; i++)
      shape_unref(layout->sets[i]);
   free(layout->sets);
   pv_object_free(layout);
}

static void
pipeline_layout_destroy(struct pv_object *obj)
{
   if (obj->vk->DestroyPipelineLayout)
      obj->vk->DestroyPipelineLayout((VkDevice)(uintptr_t)obj->parent->handle,
                                     (VkPipelineLayout)(uintptr_t)obj->handle, NULL);
   pipeline_layout_forget((struct pv_pipeline_layout *)obj);
}

void
pv_handle_vkCreatePipelineLayout(struct pv_dispatch *d,
                                 struct pv_cmd_vkCreatePipelineLayout *args)
{
   struct pv_object *dev = args->device;
   if (!dev->vk->CreatePipelineLayout) {
      pv_dispatch_missing(d, "vkCreatePipelineLayout");
      return;
   }
   struct pv_pipeline_layout *layout =
      pv_vk_object_alloc(d, sizeof(*layout), VK_OBJECT_TYPE_PIPELINE_LAYOUT,
                         pv_handle_id(*args->pPipelineLayout), &args->ret);
   if (!layout)
      return;
   /* before handle replacement the set layouts are the renderer's objects */
   const VkPipelineLayoutCreateInfo *info = args->pCreateInfo;
   layout->sets = calloc(info->setLayoutCount ? info->setLayoutCount : 1, sizeof(*layout->sets));
   if (!layout->sets) {
      pv_object_free(layout);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   layout->set_count = info->setLayoutCount;
   for (uint32_t i = 0; i < info->setLayoutCount; i++) {
      const struct pv_descriptor_set_layout *set =
         (const struct pv_descriptor_set_layout *)info->pSetLayouts[i];
      if (set) {
         atomic_fetch_add(&set->shape->refs, 1);
         layout->sets[i] = set->shape;
      }
   }
   pv_rep_args_vkCreatePipelineLayout(args);
   VkPipelineLayout handle = VK_NULL_HANDLE;
   args->ret = dev->vk->CreatePipelineLayout((VkDevice)(uintptr_t)dev->handle, info, NULL,
                                             &handle);
   if (args->ret != VK_SUCCESS) {
      pipeline_layout_forget(layout);
      return;
   }
   layout->base.handle = (uint64_t)(uintptr_t)handle;
   layout->base.vk = dev->vk;
   layout->base.destroy = pipeline_layout_destroy;
   if (!pv_vk_object_adopt(d, &layout->base, dev)) {
      dev->vk->DestroyPipelineLayout((VkDevice)(uintptr_t)dev->handle, handle, NULL);
      pipeline_layout_forget(layout);
   }
}

static const char *
kind_name(enum pv_spirv_resource_kind kind)
{
   switch (kind) {
   case PV_SPIRV_RESOURCE_SAMPLER: return "sampler";
   case PV_SPIRV_RESOURCE_SAMPLED_IMAGE: return "sampled image";
   case PV_SPIRV_RESOURCE_IMAGE: return "image";
   case PV_SPIRV_RESOURCE_STORAGE_IMAGE: return "storage image";
   case PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER: return "uniform texel buffer";
   case PV_SPIRV_RESOURCE_STORAGE_TEXEL_BUFFER: return "storage texel buffer";
   case PV_SPIRV_RESOURCE_INPUT_ATTACHMENT: return "input attachment";
   case PV_SPIRV_RESOURCE_UNIFORM_BUFFER: return "uniform buffer";
   case PV_SPIRV_RESOURCE_STORAGE_BUFFER: return "storage buffer";
   case PV_SPIRV_RESOURCE_ACCELERATION_STRUCTURE: return "acceleration structure";
   default: return "resource";
   }
}

/* Whether a descriptor of `type` can back a variable of `kind`: the
 * specification's table of shader resources and descriptor types. */
static bool
kind_takes(enum pv_spirv_resource_kind kind, VkDescriptorType type)
{
   if (type == VK_DESCRIPTOR_TYPE_MUTABLE_EXT)
      return true;
   switch (kind) {
   case PV_SPIRV_RESOURCE_SAMPLER:
      return type == VK_DESCRIPTOR_TYPE_SAMPLER ||
             type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
   case PV_SPIRV_RESOURCE_SAMPLED_IMAGE: return type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
   case PV_SPIRV_RESOURCE_IMAGE:
      return type == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE ||
             type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
   case PV_SPIRV_RESOURCE_STORAGE_IMAGE: return type == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
   case PV_SPIRV_RESOURCE_UNIFORM_TEXEL_BUFFER:
      return type == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
   case PV_SPIRV_RESOURCE_STORAGE_TEXEL_BUFFER:
      return type == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
   case PV_SPIRV_RESOURCE_INPUT_ATTACHMENT: return type == VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT;
   case PV_SPIRV_RESOURCE_UNIFORM_BUFFER:
      return type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
             type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
             type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK;
   case PV_SPIRV_RESOURCE_STORAGE_BUFFER:
      return type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER ||
             type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
   case PV_SPIRV_RESOURCE_ACCELERATION_STRUCTURE:
      return type == VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR ||
             type == VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_NV;
   default: return true;
   }
}

bool
pv_layout_check_resources(struct pv_dispatch *d, const void *pipeline_layout, uint32_t stage,
                          const char *entry, const struct pv_spirv_resource *resources,
                          uint32_t count)
{
   const struct pv_pipeline_layout *layout = pipeline_layout;
   for (uint32_t i = 0; i < count; i++) {
      const struct pv_spirv_resource *r = &resources[i];
      if (!layout) {
         pv_dispatch_fail(d,
                          "stage 0x%x, entry point \"%s\": uses set %u binding %u, and the "
                          "pipeline has no layout",
                          stage, entry, r->set, r->binding);
         return false;
      }
      if (r->set >= layout->set_count) {
         pv_dispatch_fail(d,
                          "stage 0x%x, entry point \"%s\": uses descriptor set %u, beyond the "
                          "%u sets of its pipeline layout",
                          stage, entry, r->set, layout->set_count);
         return false;
      }
      const struct pv_set_shape *shape = layout->sets[r->set];
      if (!shape) {
         pv_dispatch_fail(d,
                          "stage 0x%x, entry point \"%s\": uses descriptor set %u, which its "
                          "pipeline layout leaves VK_NULL_HANDLE",
                          stage, entry, r->set);
         return false;
      }
      const struct pv_set_binding key = { .number = r->binding };
      const struct pv_set_binding *b =
         bsearch(&key, shape->bindings, shape->count, sizeof(key), compare_binding);
      if (!b || !b->count) {
         pv_dispatch_fail(d,
                          "stage 0x%x, entry point \"%s\": uses binding %u of set %u, which "
                          "its set layout %s",
                          stage, entry, r->binding, r->set,
                          b ? "gives no descriptors" : "lacks");
         return false;
      }
      if (!kind_takes(r->kind, b->type)) {
         pv_dispatch_fail(d,
                          "stage 0x%x, entry point \"%s\": uses set %u binding %u as a %s, "
                          "which its set layout makes descriptor type %d",
                          stage, entry, r->set, r->binding, kind_name(r->kind), (int)b->type);
         return false;
      }
   }
   return true;
}

/* Descriptor sets and what writes and copies may reach in them.
 *
 * Drivers index a set's descriptors by binding and array element as the
 * guest gives them: a write to element 1,000,000 of a one-descriptor
 * binding made lavapipe write past the set into host memory (SIGSEGV in the
 * client process; smaller numbers corrupt its heap quietly).  So a set
 * keeps the bindings of the layout it was allocated with, and a write or a
 * copy must name a binding of it, stay inside its elements (running on into
 * the following binding numbers of the same type, as Vulkan's consecutive
 * binding updates do; a variable-count binding has the count its set was
 * allocated with, which drivers size the set by), and write the binding's
 * own descriptor type. */

struct pv_descriptor_set {
   struct pv_object base;
   struct pv_set_shape *shape; /* a reference */
   /* the descriptors of its variable-count binding: what the allocation
    * asked for, 0 when it did not say (Vulkan's rule), and what the driver
    * made room for */
   uint32_t variable_count;
};

static void
descriptor_set_init(struct pv_object *obj, uint32_t index, const void *user)
{
   const struct pv_descriptor_set_allocation *allocation = user;
   const struct pv_descriptor_set_layout *layout =
      (const struct pv_descriptor_set_layout *)allocation->layouts[index];
   struct pv_descriptor_set *set = (struct pv_descriptor_set *)obj;
   set->shape = layout->shape;
   atomic_fetch_add(&set->shape->refs, 1);
   const VkDescriptorSetVariableDescriptorCountAllocateInfo *v = allocation->variable;
   set->variable_count =
      v && index < v->descriptorSetCount && v->pDescriptorCounts ? v->pDescriptorCounts[index] : 0;
}

static void
descriptor_set_fini(struct pv_object *obj)
{
   shape_unref(((struct pv_descriptor_set *)obj)->shape);
}

const struct pv_vk_array_objects pv_descriptor_set_objects = {
   .size = sizeof(struct pv_descriptor_set),
   .init = descriptor_set_init,
   .fini = descriptor_set_fini,
};

void
pv_descriptor_set_free(struct pv_object *obj)
{
   descriptor_set_fini(obj);
   pv_object_free(obj);
}

/* The descriptors binding `b` has in a set whose variable-count binding
 * has `variable_count`. */
static uint64_t
descriptors_of(const struct pv_set_binding *b, uint32_t variable_count)
{
   return b->variable && variable_count < b->count ? variable_count : b->count;
}

/* Elements [element, element + count) of `binding` of `shape`, of `type`
 * (VK_DESCRIPTOR_TYPE_MAX_ENUM: any) are inside the set: the binding, or
 * NULL (the context failed). */
static const struct pv_set_binding *
binding_range(struct pv_dispatch *d, const struct pv_set_shape *shape, uint32_t variable_count,
              uint32_t binding, uint32_t element, uint32_t count, VkDescriptorType type,
              const char *what)
{
   const struct pv_set_binding key = { .number = binding };
   const struct pv_set_binding *b =
      bsearch(&key, shape->bindings, shape->count, sizeof(key), compare_binding);
   if (!b) {
      pv_dispatch_fail(d, "%s: binding %u, which its set's layout lacks", what, binding);
      return NULL;
   }
   if (type != VK_DESCRIPTOR_TYPE_MAX_ENUM && b->type != VK_DESCRIPTOR_TYPE_MUTABLE_EXT &&
       b->type != type) {
      pv_dispatch_fail(d, "%s: descriptor type %d for binding %u, which is of type %d", what,
                       (int)type, binding, (int)b->type);
      return NULL;
   }
   const uint64_t end = (uint64_t)element + count;
   uint64_t room = descriptors_of(b, variable_count);
   /* an update longer than the binding goes on into the next binding
    * numbers, while they are there and of the same type */
   for (const struct pv_set_binding *next = b + 1;
        room < end && next < shape->bindings + shape->count && next->number == next[-1].number + 1 &&
        next->type == b->type;
        next++)
      room += descriptors_of(next, variable_count);
   if (end > room) {
      pv_dispatch_fail(d, "%s: elements %u+%u of binding %u, which has %llu", what, element,
                       count, binding, (unsigned long long)room);
      return NULL;
   }
   return b;
}

static bool
payload_missing(struct pv_dispatch *d, uint32_t index, const VkWriteDescriptorSet *w,
                const char *array)
{
   pv_dispatch_fail(d, "descriptor write %u: %u descriptors of type %d without their %s", index,
                    w->descriptorCount, (int)w->descriptorType, array);
   return false;
}

/* What a write must carry for its type, which drivers read unchecked: the
 * array of image, buffer or texel buffer infos (Venus encodes a NULL array
 * as none at all), a sampler wherever the binding has no immutable ones,
 * the bytes of an inline uniform block (lavapipe copies dataSize bytes
 * into the set), the acceleration structures.  Each of the first four,
 * left out, crashed lavapipe. */
static bool
write_payload(struct pv_dispatch *d, uint32_t index, const VkWriteDescriptorSet *w,
              const struct pv_set_binding *b)
{
   if (!w->descriptorCount)
      return true;
   switch (w->descriptorType) {
   case VK_DESCRIPTOR_TYPE_SAMPLER:
   case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
      if (!w->pImageInfo)
         return payload_missing(d, index, w, "pImageInfo");
      /* with immutable samplers the written one is ignored (Venus sends
       * VK_NULL_HANDLE there) */
      if (b->immutable)
         return true;
      for (uint32_t j = 0; j < w->descriptorCount; j++) {
         if (!w->pImageInfo[j].sampler) {
            pv_dispatch_fail(d, "descriptor write %u, element %u: VK_NULL_HANDLE sampler",
                             index, j);
            return false;
         }
      }
      return true;
   case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
   case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
   case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
   case VK_DESCRIPTOR_TYPE_SAMPLE_WEIGHT_IMAGE_QCOM:
   case VK_DESCRIPTOR_TYPE_BLOCK_MATCH_IMAGE_QCOM:
      return w->pImageInfo || payload_missing(d, index, w, "pImageInfo");
   case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
   case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
      return w->pTexelBufferView || payload_missing(d, index, w, "pTexelBufferView");
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
      return w->pBufferInfo || payload_missing(d, index, w, "pBufferInfo");
   case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK: {
      const VkWriteDescriptorSetInlineUniformBlock *data = NULL;
      for (const VkBaseInStructure *c = w->pNext; c; c = c->pNext) {
         if (c->sType == VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK)
            data = (const VkWriteDescriptorSetInlineUniformBlock *)c;
      }
      if (!data || !data->pData) {
         pv_dispatch_fail(d, "descriptor write %u: an inline uniform block write without its "
                          "data", index);
         return false;
      }
      if (data->dataSize != w->descriptorCount) {
         pv_dispatch_fail(d, "descriptor write %u: %u bytes of inline uniform block data for %u "
                          "bytes", index, data->dataSize, w->descriptorCount);
         return false;
      }
      return true;
   }
   case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR: {
      const VkWriteDescriptorSetAccelerationStructureKHR *as = NULL;
      for (const VkBaseInStructure *c = w->pNext; c; c = c->pNext) {
         if (c->sType == VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_ACCELERATION_STRUCTURE_KHR)
            as = (const VkWriteDescriptorSetAccelerationStructureKHR *)c;
      }
      if (!as || !as->pAccelerationStructures ||
          as->accelerationStructureCount != w->descriptorCount)
         return payload_missing(d, index, w, "acceleration structures");
      return true;
   }
   default:
      /* MUTABLE_EXT is no type to write, and the rest are types of
       * extensions the renderer does not offer */
      pv_dispatch_fail(d, "descriptor write %u: descriptor type %d, which the renderer does not "
                       "write", index, (int)w->descriptorType);
      return false;
   }
}

bool
pv_descriptor_writes_in_layout(struct pv_dispatch *d, const VkWriteDescriptorSet *writes,
                               uint32_t count, const void *push_layout, uint32_t push_set)
{
   const struct pv_set_shape *pushed = NULL;
   if (push_layout) {
      const struct pv_pipeline_layout *layout = push_layout;
      if (push_set >= layout->set_count || !layout->sets[push_set]) {
         pv_dispatch_fail(d, "pushed descriptors: set %u, which the pipeline layout %s",
                          push_set, push_set >= layout->set_count ? "lacks" : "leaves empty");
         return false;
      }
      pushed = layout->sets[push_set];
   }
   for (uint32_t i = 0; i < count; i++) {
      const VkWriteDescriptorSet *w = &writes[i];
      /* before handle replacement the set is the renderer's object */
      const struct pv_descriptor_set *set = (const struct pv_descriptor_set *)w->dstSet;
      const struct pv_set_shape *shape = pushed ? pushed : set ? set->shape : NULL;
      if (!shape) {
         pv_dispatch_fail(d, "descriptor write: no descriptor set");
         return false;
      }
      /* a pushed set has no variable-count binding (Vulkan forbids it) */
      const uint32_t variable = pushed ? 0 : set->variable_count;
      const struct pv_set_binding *b =
         binding_range(d, shape, variable, w->dstBinding, w->dstArrayElement,
                       w->descriptorCount, w->descriptorType, "descriptor write");
      if (!b || !write_payload(d, i, w, b))
         return false;
   }
   return true;
}

bool
pv_descriptor_copies_in_layout(struct pv_dispatch *d, const VkCopyDescriptorSet *copies,
                               uint32_t count)
{
   for (uint32_t i = 0; i < count; i++) {
      const VkCopyDescriptorSet *c = &copies[i];
      const struct pv_descriptor_set *src = (const struct pv_descriptor_set *)c->srcSet;
      const struct pv_descriptor_set *dst = (const struct pv_descriptor_set *)c->dstSet;
      if (!src || !dst) {
         pv_dispatch_fail(d, "descriptor copy: no descriptor set");
         return false;
      }
      if (!binding_range(d, src->shape, src->variable_count, c->srcBinding, c->srcArrayElement,
                         c->descriptorCount, VK_DESCRIPTOR_TYPE_MAX_ENUM,
                         "descriptor copy source") ||
          !binding_range(d, dst->shape, dst->variable_count, c->dstBinding, c->dstArrayElement,
                         c->descriptorCount, VK_DESCRIPTOR_TYPE_MAX_ENUM,
                         "descriptor copy destination"))
         return false;
   }
   return true;
}

/* The dynamic descriptors of a set of `shape`: each takes one of the
 * offsets a bind gives. */
static uint64_t
dynamic_descriptors(const struct pv_set_shape *shape)
{
   uint64_t n = 0;
   for (uint32_t i = 0; shape && i < shape->count; i++) {
      const VkDescriptorType type = shape->bindings[i].type;
      if (type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
          type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC)
         n += shape->bindings[i].count;
   }
   return n;
}

/* Drivers look up the bound sets' layouts in the pipeline layout at
 * firstSet + i, and read one dynamic offset per dynamic descriptor of
 * them: both unchecked (binding at set 2^26 crashed lavapipe).  Fewer
 * offsets than descriptors would have the driver read past the array;
 * more are harmless, and left to the guest. */
bool
pv_bound_sets_in_layout(struct pv_dispatch *d, const void *layout_obj, uint32_t first,
                        uint32_t count, const void *const *sets, uint32_t dynamic_offsets)
{
   const struct pv_pipeline_layout *layout = layout_obj;
   if (!layout)
      return true; /* the decoder refused the command */
   if ((uint64_t)first + count > layout->set_count) {
      pv_dispatch_fail(d, "sets %u+%u of a pipeline layout of %u", first, count,
                       layout->set_count);
      return false;
   }
   uint64_t needed = 0;
   for (uint32_t i = 0; i < count; i++) {
      const struct pv_descriptor_set *set = sets[i];
      const struct pv_set_shape *shape = layout->sets[first + i];
      needed += dynamic_descriptors(shape ? shape : set ? set->shape : NULL);
   }
   if (dynamic_offsets < needed) {
      pv_dispatch_fail(d, "%u dynamic offsets for %llu dynamic descriptors", dynamic_offsets,
                       (unsigned long long)needed);
      return false;
   }
   return true;
}
