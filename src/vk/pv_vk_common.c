/* SPDX-License-Identifier: MIT */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "context/pv_info.h"
#include "util/pv_log.h"

/* A guest over its object quota gets an error, once logged. */
static bool
id_usable(struct pv_dispatch *d, uint64_t id, VkResult *ret)
{
   const enum pv_object_status status = pv_object_table_check_id(&d->ctx->objects, id);
   if (status == PV_OBJECT_OK)
      return true;
   if (status == PV_OBJECT_QUOTA && ret) {
      if (pv_context_quota_first_hit(d->ctx, PV_QUOTA_OBJECTS))
         pv_warn("object quota (%u) reached: the guest gets VK_ERROR_OUT_OF_HOST_MEMORY",
                 d->ctx->objects.max_objects);
      *ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return false;
   }
   pv_dispatch_fail(d, "cannot create object %" PRIu64 ": %s", id,
                    pv_object_status_string(status));
   return false;
}

void *
pv_vk_object_alloc(struct pv_dispatch *d, size_t size, VkObjectType type, uint64_t id,
                   VkResult *ret)
{
   if (!id_usable(d, id, ret))
      return NULL;
   struct pv_object *obj = pv_object_calloc(size);
   if (!obj) {
      pv_dispatch_fail(d, "out of host memory");
      return NULL;
   }
   obj->id = id;
   obj->type = type;
   return obj;
}

bool
pv_vk_object_adopt(struct pv_dispatch *d, struct pv_object *obj, struct pv_object *parent)
{
   const enum pv_object_status status = pv_object_table_adopt(&d->ctx->objects, obj, parent);
   if (status != PV_OBJECT_OK) {
      pv_dispatch_fail(d, "cannot add object %" PRIu64 ": %s", obj->id,
                       pv_object_status_string(status));
      return false;
   }
   return true;
}

VkResult
pv_vk_enumerate(uint32_t *count, void *out, const void *src, uint32_t src_count,
                size_t elem_size)
{
   if (!out) {
      *count = src_count;
      return VK_SUCCESS;
   }
   const uint32_t n = *count < src_count ? *count : src_count;
   memcpy(out, src, (size_t)n * elem_size);
   *count = n;
   return n < src_count ? VK_INCOMPLETE : VK_SUCCESS;
}

uint32_t
pv_vk_cap_version(uint32_t host_version)
{
   const uint32_t host = VK_MAKE_API_VERSION(0, VK_API_VERSION_MAJOR(host_version),
                                             VK_API_VERSION_MINOR(host_version), 0);
   const uint32_t max = VK_MAKE_API_VERSION(0, VK_API_VERSION_MAJOR(PV_MAX_API_VERSION),
                                            VK_API_VERSION_MINOR(PV_MAX_API_VERSION), 0);
   if (host < max)
      return host_version;
   if (host == max && host_version < PV_MAX_API_VERSION)
      return host_version;
   return PV_MAX_API_VERSION;
}

/* Venus structs use the sTypes of extension 385 (VK_MESA_venus_protocol) */
static bool
is_venus_stype(VkStructureType stype)
{
   return stype >= 1000384000 && stype < 1000385000;
}

const void *
pv_vk_strip_venus_structs(struct pv_dispatch *d, const void *pnext)
{
   (void)d;
   /* the chain lives in decoder scratch memory, so it may be relinked */
   VkBaseOutStructure *head = (VkBaseOutStructure *)pnext;
   while (head && is_venus_stype(head->sType))
      head = head->pNext;
   for (VkBaseOutStructure *node = head; node;) {
      while (node->pNext && is_venus_stype(node->pNext->sType))
         node->pNext = node->pNext->pNext;
      node = node->pNext;
   }
   return head;
}

bool
pv_vk_check_new_ids(struct pv_dispatch *d, const void *const *id_slots, uint32_t count,
                    VkResult *ret)
{
   for (uint32_t i = 0; i < count; i++) {
      if (!id_usable(d, pv_handle_id(id_slots[i]), ret))
         return false;
   }
   if (count > d->ctx->objects.max_objects - pv_object_table_count(&d->ctx->objects)) {
      *ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return false;
   }
   return true;
}

bool
pv_vk_adopt_array(struct pv_dispatch *d, struct pv_object *parent, VkObjectType type,
                  const void *const *id_slots, const uint64_t *handles, uint32_t count,
                  void (*destroy)(struct pv_object *obj))
{
   const struct pv_vk_array_objects plain = { .size = sizeof(struct pv_object) };
   return pv_vk_adopt_array_of(d, parent, type, id_slots, handles, count, destroy, &plain);
}

bool
pv_vk_adopt_array_of(struct pv_dispatch *d, struct pv_object *parent, VkObjectType type,
                     const void *const *id_slots, const uint64_t *handles, uint32_t count,
                     void (*destroy)(struct pv_object *obj),
                     const struct pv_vk_array_objects *objects)
{
   struct pv_object **made = calloc(count ? count : 1, sizeof(*made));
   if (!made) {
      pv_dispatch_fail(d, "out of host memory");
      return false;
   }
   uint32_t n = 0;
   bool ok = true;
   for (uint32_t i = 0; i < count && ok; i++) {
      if (!handles[i])
         continue;
      struct pv_object *obj = pv_object_calloc(objects->size);
      if (!obj) {
         pv_dispatch_fail(d, "out of host memory");
         ok = false;
         break;
      }
      /* what the object keeps is set before any other thread can find it */
      if (objects->init)
         objects->init(obj, i, objects->user);
      obj->id = pv_handle_id(id_slots[i]);
      obj->type = type;
      obj->handle = handles[i];
      obj->vk = parent->vk;
      obj->destroy = destroy;
      if (!pv_vk_object_adopt(d, obj, parent)) {
         if (objects->fini)
            objects->fini(obj);
         pv_object_free(obj);
         ok = false;
         break;
      }
      made[n++] = obj;
   }
   if (!ok) {
      /* the host objects are the caller's to destroy: only forget ours */
      for (uint32_t i = 0; i < n; i++) {
         pv_object_table_forget(&d->ctx->objects, made[i]);
         if (objects->fini)
            objects->fini(made[i]);
         pv_object_free(made[i]);
      }
   }
   free(made);
   return ok;
}
