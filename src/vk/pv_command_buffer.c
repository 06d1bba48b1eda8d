/* SPDX-License-Identifier: MIT */
/* Command buffers and descriptor sets: objects allocated from pools.  The
 * pool owns them on the host (destroying or resetting it frees them), so
 * their objects are children of the pool and free only themselves. */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>

#include "util/pv_log.h"

static void
free_only(struct pv_object *obj)
{
   pv_object_free(obj);
}

static VkDevice
device_handle(const struct pv_object *device)
{
   return (VkDevice)(uintptr_t)device->handle;
}

/* Checks that the objects of a free call were allocated from `pool`. */
static bool
check_pool(struct pv_dispatch *d, struct pv_object *pool, void *const *objs, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++) {
      const struct pv_object *obj = objs[i];
      if (obj && obj->parent != pool) {
         pv_dispatch_fail(d, "object %" PRIu64 " was not allocated from pool %" PRIu64,
                          obj->id, pool->id);
         return false;
      }
   }
   return true;
}

void
pv_handle_vkAllocateCommandBuffers(struct pv_dispatch *d,
                                   struct pv_cmd_vkAllocateCommandBuffers *args)
{
   struct pv_object *dev = args->device;
   VkCommandBufferAllocateInfo *info = (VkCommandBufferAllocateInfo *)args->pAllocateInfo;
   struct pv_object *pool = (struct pv_object *)info->commandPool; /* decoded object */
   const uint32_t count = info->commandBufferCount;
   if (!pool) {
      pv_dispatch_fail(d, "no command pool");
      return;
   }
   if (!pv_vk_check_new_ids(d, (const void *const *)args->pCommandBuffers, count, &args->ret))
      return;
   VkCommandBuffer *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   pv_rep_VkCommandBufferAllocateInfo(info);
   args->ret = dev->vk->AllocateCommandBuffers(device_handle(dev), info, handles);
   if (args->ret != VK_SUCCESS)
      return;
   if (!pv_vk_adopt_array(d, pool, VK_OBJECT_TYPE_COMMAND_BUFFER,
                          (const void *const *)args->pCommandBuffers,
                          (const uint64_t *)handles, count, free_only))
      dev->vk->FreeCommandBuffers(device_handle(dev), info->commandPool, count, handles);
}

void
pv_handle_vkFreeCommandBuffers(struct pv_dispatch *d, struct pv_cmd_vkFreeCommandBuffers *args)
{
   struct pv_object *dev = args->device;
   struct pv_object *pool = args->commandPool;
   void **objs = (void **)args->pCommandBuffers;
   const uint32_t count = args->pCommandBuffers ? args->commandBufferCount : 0;
   if (!check_pool(d, pool, objs, count))
      return;
   VkCommandBuffer *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   for (uint32_t i = 0; i < count; i++)
      handles[i] = PV_HOST(VkCommandBuffer, objs[i]);
   dev->vk->FreeCommandBuffers(device_handle(dev), PV_HOST(VkCommandPool, pool), count,
                               handles);
   for (uint32_t i = 0; i < count; i++) {
      if (objs[i])
         pv_object_table_destroy(&d->ctx->objects, objs[i]);
   }
}

void
pv_handle_vkAllocateDescriptorSets(struct pv_dispatch *d,
                                   struct pv_cmd_vkAllocateDescriptorSets *args)
{
   struct pv_object *dev = args->device;
   VkDescriptorSetAllocateInfo *info = (VkDescriptorSetAllocateInfo *)args->pAllocateInfo;
   struct pv_object *pool = (struct pv_object *)info->descriptorPool; /* decoded object */
   const uint32_t count = info->descriptorSetCount;
   if (!pool) {
      pv_dispatch_fail(d, "no descriptor pool");
      return;
   }
   if (!pv_vk_check_new_ids(d, (const void *const *)args->pDescriptorSets, count, &args->ret))
      return;
   VkDescriptorSet *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   /* the sets keep their layouts' bindings (pv_layout.c): the layouts are
    * the renderer's objects until the handles are replaced */
   VkDescriptorSetLayout *layouts = pv_dec_alloc(d->dec, count, sizeof(*layouts));
   if (!layouts)
      return;
   /* none is VK_NULL_HANDLE: the decoder refuses that (vk.xml) */
   for (uint32_t i = 0; i < count; i++)
      layouts[i] = info->pSetLayouts[i];
   struct pv_descriptor_set_allocation allocation = { .layouts = layouts };
   for (const VkBaseInStructure *c = info->pNext; c; c = c->pNext) {
      if (c->sType == VK_STRUCTURE_TYPE_DESCRIPTOR_SET_VARIABLE_DESCRIPTOR_COUNT_ALLOCATE_INFO)
         allocation.variable = (const VkDescriptorSetVariableDescriptorCountAllocateInfo *)c;
   }
   struct pv_vk_array_objects sets = pv_descriptor_set_objects;
   sets.user = &allocation;
   pv_rep_VkDescriptorSetAllocateInfo(info);
   args->ret = dev->vk->AllocateDescriptorSets(device_handle(dev), info, handles);
   if (args->ret != VK_SUCCESS)
      return;
   if (!pv_vk_adopt_array_of(d, pool, VK_OBJECT_TYPE_DESCRIPTOR_SET,
                             (const void *const *)args->pDescriptorSets,
                             (const uint64_t *)handles, count, pv_descriptor_set_free, &sets))
      dev->vk->FreeDescriptorSets(device_handle(dev), info->descriptorPool, count, handles);
}

void
pv_handle_vkFreeDescriptorSets(struct pv_dispatch *d, struct pv_cmd_vkFreeDescriptorSets *args)
{
   struct pv_object *dev = args->device;
   struct pv_object *pool = args->descriptorPool;
   void **objs = (void **)args->pDescriptorSets;
   const uint32_t count = args->pDescriptorSets ? args->descriptorSetCount : 0;
   if (!check_pool(d, pool, objs, count))
      return;
   VkDescriptorSet *handles = pv_dec_alloc(d->dec, count, sizeof(*handles));
   if (!handles)
      return;
   for (uint32_t i = 0; i < count; i++)
      handles[i] = PV_HOST(VkDescriptorSet, objs[i]);
   args->ret = dev->vk->FreeDescriptorSets(device_handle(dev), PV_HOST(VkDescriptorPool, pool),
                                           count, handles);
   for (uint32_t i = 0; i < count; i++) {
      if (objs[i])
         pv_object_table_destroy(&d->ctx->objects, objs[i]);
   }
}

/* Forgets the objects of a pool whose host objects the pool just freed. */
static void
forget_children(struct pv_context *ctx, struct pv_object *pool)
{
   for (;;) {
      pv_object_table_lock(&ctx->objects);
      struct pv_object *child =
         pv_list_empty(&pool->children)
            ? NULL
            : pv_container_of(pool->children.prev, struct pv_object, link);
      pv_object_table_unlock(&ctx->objects);
      if (!child)
         break;
      pv_object_table_destroy(&ctx->objects, child);
   }
}

void
pv_handle_vkResetDescriptorPool(struct pv_dispatch *d,
                                struct pv_cmd_vkResetDescriptorPool *args)
{
   struct pv_object *dev = args->device;
   args->ret = dev->vk->ResetDescriptorPool(device_handle(dev),
                                            PV_HOST(VkDescriptorPool, args->descriptorPool),
                                            args->flags);
   forget_children(d->ctx, args->descriptorPool);
}
