/* SPDX-License-Identifier: MIT */
/* Device memory, and how host-visible memory is shared with the guest.
 *
 * The guest maps host-visible memory through a blob resource (blob_id = the
 * memory's object id) and must see the very bytes the host driver uses.
 * The renderer therefore allocates such memory itself: a sealed memfd, mapped
 * here and imported into the driver as a host pointer
 * (VK_EXT_external_memory_host).  The blob hands the guest the same memfd,
 * which it maps at offset 0.  No copies, on lavapipe and on GPU drivers
 * alike, and nothing for the guest to configure.  (A driver's own exported
 * fd is not usable as is: lavapipe's opaque fd, for one, keeps a header page
 * in front of the memory.)
 */
#include "pv_vk.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "context/pv_resource.h"
#include "util/pv_log.h"

static size_t
import_alignment(const struct pv_device *dev)
{
   const VkDeviceSize align = dev->physical_device->host_import_align;
   return align > 4096 ? (size_t)align : 4096;
}

void
pv_memory_init_device(struct pv_device *dev)
{
   const struct pv_physical_device *pdev = dev->physical_device;
   /* which memory types accept a memfd mapping like the ones we make */
   dev->host_import_types =
      dev->host_import
         ? pv_memory_host_pointer_types(dev->vk.GetMemoryHostPointerPropertiesEXT,
                                        (VkDevice)(uintptr_t)dev->base.handle,
                                        import_alignment(dev))
         : 0;

   /* the guest was shown the plan's shared types as host-visible: those
    * must import here too, or its maps of them fail */
   const uint32_t shared = pdev->memory_plan.shared_types;
   if (shared & ~dev->host_import_types)
      pv_error("device %" PRIu64 ": memory types 0x%x were shown to the guest as "
               "host-visible but this device takes no host-pointer import for them; "
               "mapping them will fail", dev->base.id, shared & ~dev->host_import_types);
   dev->host_import_types &= shared;
   pv_info("device %" PRIu64 ": host-visible memory is shared as memfd imported through "
           "VK_EXT_external_memory_host (types 0x%x, alignment %zu)", dev->base.id,
           dev->host_import_types, import_alignment(dev));
}

static bool
reserve_memory(struct pv_dispatch *d, uint64_t size)
{
   const uint64_t limit = d->ctx->renderer->config.max_memory_bytes;
   uint64_t used = atomic_load(&d->ctx->memory_bytes);
   do {
      if (limit && (size > limit || used > limit - size)) {
         if (pv_context_quota_first_hit(d->ctx, PV_QUOTA_MEMORY))
            pv_warn("device memory quota (%" PRIu64 " bytes) reached: the guest gets "
                    "VK_ERROR_OUT_OF_DEVICE_MEMORY", limit);
         return false;
      }
   } while (!atomic_compare_exchange_weak(&d->ctx->memory_bytes, &used, used + size));
   return true;
}

/* A memory that never made it into the table: undo the reservation. */
static void
abandon(struct pv_device_memory *mem)
{
   pv_backing_cache_give_back(&mem->ctx->spare_backings, mem->backing);
   atomic_fetch_sub(&mem->ctx->memory_bytes, mem->size);
   pv_object_free(mem);
}

static void
memory_destroy(struct pv_object *obj)
{
   struct pv_device_memory *mem = (struct pv_device_memory *)obj;
   struct pv_device *dev = mem->device;
   if (obj->handle && dev->vk.FreeMemory)
      dev->vk.FreeMemory((VkDevice)(uintptr_t)dev->base.handle,
                         (VkDeviceMemory)(uintptr_t)obj->handle, NULL);
   /* after the driver let go of the pointer; blobs may still hold it */
   pv_backing_cache_give_back(&mem->ctx->spare_backings, mem->backing);
   atomic_fetch_sub(&mem->ctx->memory_bytes, mem->size);
   pv_object_free(mem);
}

/* Finds and unlinks the Venus resource import from the chain. */
static const VkImportMemoryResourceInfoMESA *
find_resource_import(const void *pnext)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA)
         return (const VkImportMemoryResourceInfoMESA *)s;
   }
   return NULL;
}

static bool
chain_has(const void *pnext, VkStructureType stype)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType == stype)
         return true;
   }
   return false;
}

/* Mesa allocates asynchronously: unless it asked for the reply, it never
 * reads the result and goes on using the memory's id.  A refusal it will
 * not hear of ends the context now, saying why, rather than at the first
 * command that names memory which does not exist. */
static void
refuse_unheard(struct pv_dispatch *d, VkResult result, VkDeviceSize size, uint32_t type)
{
   if (d->replying)
      return; /* the guest gets the error */
   pv_dispatch_fail(d, "vkAllocateMemory of %" PRIu64 " bytes (type %u) failed (%d) and "
                    "the guest allocates without waiting for the result", (uint64_t)size,
                    type, result);
}

void
pv_handle_vkAllocateMemory(struct pv_dispatch *d, struct pv_cmd_vkAllocateMemory *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   const struct pv_physical_device *pdev = dev->physical_device;
   VkMemoryAllocateInfo *info = (VkMemoryAllocateInfo *)args->pAllocateInfo;

   if (info->memoryTypeIndex >= pdev->memory.memoryTypeCount) {
      pv_dispatch_fail(d, "memory type %u of %u", info->memoryTypeIndex,
                       pdev->memory.memoryTypeCount);
      return;
   }
   const VkMemoryPropertyFlags flags =
      pdev->memory.memoryTypes[info->memoryTypeIndex].propertyFlags;

   /* the context's device-memory quota: reserved here, released if the
    * allocation fails and when the memory is freed */
   if (!reserve_memory(d, info->allocationSize)) {
      args->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
      refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
      return;
   }

   struct pv_device_memory *mem = pv_vk_object_alloc(
      d, sizeof(*mem), VK_OBJECT_TYPE_DEVICE_MEMORY, pv_handle_id(*args->pMemory),
      &args->ret);
   if (!mem) {
      atomic_fetch_sub(&d->ctx->memory_bytes, info->allocationSize);
      return;
   }
   mem->ctx = d->ctx;
   mem->device = dev;
   mem->type_index = info->memoryTypeIndex;
   mem->size = info->allocationSize;
   mem->base.destroy = memory_destroy;
   mem->base.vk = &dev->vk;

   const VkImportMemoryResourceInfoMESA *import = find_resource_import(info->pNext);
   pv_rep_VkMemoryAllocateInfo(info);
   info->pNext = pv_vk_strip_venus_structs(d, info->pNext);

   VkImportMemoryHostPointerInfoEXT host_import = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
      .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
   };
   const size_t align = import_alignment(dev);
   if (import) {
      /* the guest's resource becomes this memory */
      struct pv_resource *res = pv_context_get_resource(d->ctx, import->resourceId);
      if (!res) {
         abandon(mem);
         args->ret = VK_ERROR_INVALID_EXTERNAL_HANDLE;
         refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
         return;
      }
      if (!dev->host_import || !(dev->host_import_types & (1u << info->memoryTypeIndex)) ||
          info->allocationSize > res->size || (uintptr_t)res->map % align) {
         pv_resource_unref(res);
         abandon(mem);
         args->ret = VK_ERROR_INVALID_EXTERNAL_HANDLE;
         refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
         return;
      }
      mem->backing = res;
   } else if ((flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) && dev->host_import &&
              (dev->host_import_types & (1u << info->memoryTypeIndex)) &&
              !chain_has(info->pNext, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO) &&
              !chain_has(info->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR)) {
      if (!info->allocationSize || info->allocationSize > SIZE_MAX / 2) {
         abandon(mem);
         args->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
         refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
         return;
      }
      const size_t size = ((size_t)info->allocationSize + align - 1) & ~(align - 1);
      mem->backing = pv_backing_cache_take(&d->ctx->spare_backings, size, align);
      if (mem->backing)
         pv_debug(PV_CAT_VK, "memory %" PRIu64 ": the kept backing of freed memory (%zu "
                  "bytes)", mem->base.id, size);
      else
         mem->backing = pv_resource_create(PV_RESOURCE_DEVICE_MEMORY, 0, size, align);
      if (!mem->backing) {
         abandon(mem);
         args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
         refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
         return;
      }
   }
   if (mem->backing) {
      host_import.pHostPointer = mem->backing->map;
      host_import.pNext = info->pNext;
      info->pNext = &host_import;
      /* imports come in whole alignment units */
      info->allocationSize = (info->allocationSize + align - 1) & ~(VkDeviceSize)(align - 1);
   }

   VkDeviceMemory handle = VK_NULL_HANDLE;
   args->ret = dev->vk.AllocateMemory((VkDevice)(uintptr_t)dev->base.handle, info, NULL,
                                      &handle);
   if (args->ret != VK_SUCCESS) {
      pv_debug(PV_CAT_VK, "host vkAllocateMemory of %" PRIu64 " bytes (type %u) failed: %d",
               mem->size, mem->type_index, args->ret);
      abandon(mem);
      refuse_unheard(d, args->ret, info->allocationSize, info->memoryTypeIndex);
      return;
   }
   mem->base.handle = (uint64_t)(uintptr_t)handle;
   if (!pv_vk_object_adopt(d, &mem->base, &dev->base))
      memory_destroy(&mem->base);
}

void
pv_handle_vkFreeMemory(struct pv_dispatch *d, struct pv_cmd_vkFreeMemory *args)
{
   if (args->memory)
      pv_object_table_destroy(&d->ctx->objects, args->memory);
}

void
pv_handle_vkUnmapMemory(struct pv_dispatch *d, struct pv_cmd_vkUnmapMemory *args)
{
   /* the guest maps blobs itself and never asks the host to map; an unmap
    * has nothing to undo */
   (void)d;
   (void)args;
}

void
pv_handle_vkGetMemoryResourcePropertiesMESA(
   struct pv_dispatch *d, struct pv_cmd_vkGetMemoryResourcePropertiesMESA *args)
{
   struct pv_device *dev = (struct pv_device *)args->device;
   struct pv_resource *res = pv_context_get_resource(d->ctx, args->resourceId);
   if (!res) {
      args->ret = VK_ERROR_INVALID_EXTERNAL_HANDLE;
      return;
   }
   uint32_t types = 0;
   if (dev->host_import && (uintptr_t)res->map % import_alignment(dev) == 0) {
      VkMemoryHostPointerPropertiesEXT props = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
      };
      if (dev->vk.GetMemoryHostPointerPropertiesEXT(
             (VkDevice)(uintptr_t)dev->base.handle,
             VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, res->map,
             &props) == VK_SUCCESS)
         types = props.memoryTypeBits;
   }
   args->pMemoryResourceProperties->memoryTypeBits = types;
   for (VkBaseOutStructure *s = args->pMemoryResourceProperties->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_MEMORY_RESOURCE_ALLOCATION_SIZE_PROPERTIES_MESA)
         ((VkMemoryResourceAllocationSizePropertiesMESA *)s)->allocationSize = res->size;
   }
   pv_resource_unref(res);
   args->ret = types ? VK_SUCCESS : VK_ERROR_INVALID_EXTERNAL_HANDLE;
}

/* Called from the transport thread while a ring may free the memory: the
 * reference taken by the lookup keeps it until the backing has its own. */
struct pv_resource *
pv_memory_get_blob_backing(struct pv_context *ctx, uint64_t memory_id, uint64_t size, int *err)
{
   VkObjectType found;
   struct pv_device_memory *mem = (struct pv_device_memory *)pv_object_table_get(
      &ctx->objects, memory_id, VK_OBJECT_TYPE_DEVICE_MEMORY, &found);
   if (!mem) {
      pv_fatal_set(&ctx->fatal, "blob for memory %" PRIu64 ", which is %s", memory_id,
                   found == VK_OBJECT_TYPE_UNKNOWN ? "unknown" : "not device memory");
      *err = -EINVAL;
      return NULL;
   }
   bool refuse = !mem->backing;
#if PV_FAULT_HOOKS
   refuse |= ctx->renderer->fault_no_blob;
#endif
   struct pv_resource *backing = NULL;
   if (refuse) {
      /* memory the guest was not shown as host-visible, or a driver that
       * refused the import: the guest's vkMapMemory fails, the context
       * goes on */
      if (pv_context_quota_first_hit(ctx, PV_QUOTA_UNSHARED))
         pv_warn("blob for memory %" PRIu64 " of type %u refused: it is not host-visible "
                 "memory the renderer can share; the guest's vkMapMemory fails (logged once)",
                 memory_id, mem->type_index);
      *err = -EPERM;
   } else if (size > mem->backing->size) {
      pv_fatal_set(&ctx->fatal, "blob of %" PRIu64 " bytes for memory %" PRIu64 " of %zu",
                   size, memory_id, mem->backing->size);
      *err = -EINVAL;
   } else {
      /* the guest gets its descriptor: never kept for another allocation */
      atomic_store_explicit(&mem->backing->shared, true, memory_order_release);
      backing = pv_resource_ref(mem->backing);
   }
   pv_object_put(&mem->base);
   return backing;
}
