/* SPDX-License-Identifier: MIT */
#ifndef PV_VK_H
#define PV_VK_H

/* Guest-visible dispatchable objects and the helpers their handlers share. */

#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

#include <vulkan/vulkan_core.h>

#include "context/pv_context.h"
#include "context/pv_dispatch.h"
#include "object/pv_object.h"
#include "vk/pv_vk_table.h"

struct pv_physical_device;

/* The context's VkInstance.  Owned by ctx->objects; parent of its physical
 * devices. */
struct pv_instance {
   struct pv_object base;
   struct pv_context *ctx;
   struct pv_vk_table vk;            /* instance-level entry points */
   uint32_t api_version;             /* of the host instance */
   uint32_t physical_device_count;
   VkPhysicalDevice *host_physical_devices;      /* owned */
   struct pv_physical_device **physical_devices; /* bound by guest ids; borrowed */
};

/* A host physical device bound to a guest id.  Owned by ctx->objects; child
 * of the instance. */
struct pv_physical_device {
   struct pv_object base;
   struct pv_instance *instance;
   uint32_t index;                   /* in instance->host_physical_devices */
   VkPhysicalDeviceProperties properties;
   uint32_t api_version;             /* what the guest is told: capped */
   uint32_t extension_count;         /* extensions the guest may see */
   VkExtensionProperties *extensions; /* owned */
   uint32_t queue_family_count;
};

/* Queues the guest asked for at device creation, to check vkGetDeviceQueue. */
struct pv_queue_family_request {
   uint32_t family;
   uint32_t count;
   VkDeviceQueueCreateFlags flags;
};

struct pv_device {
   struct pv_object base;
   struct pv_physical_device *physical_device;
   struct pv_vk_table vk;            /* device-level entry points */
   uint32_t api_version;
   uint32_t request_count;
   struct pv_queue_family_request *requests; /* owned */
};

struct pv_queue {
   struct pv_object base;
   struct pv_context *ctx;
   struct pv_device *device;
   uint32_t family;
   uint32_t index;
   VkDeviceQueueCreateFlags flags;
   uint32_t ring_idx;                /* fence timeline; 0 if not bound */
};

#define PV_HOST(type, obj) ((type)(uintptr_t)pv_obj_host(obj))

/* Allocates a zeroed object struct for guest id `id` after checking that the
 * id can name a new object; marks the context fatal and returns NULL if not. */
void *pv_vk_object_alloc(struct pv_dispatch *d, size_t size, VkObjectType type, uint64_t id);

/* Puts a host-created object into the table under `parent`.  On failure the
 * caller destroys the host object; the context is fatal. */
bool pv_vk_object_adopt(struct pv_dispatch *d, struct pv_object *obj,
                        struct pv_object *parent);

/* Copies what fits of `src` into a guest's output array and sets the count,
 * following the Vulkan enumeration rules; returns VK_INCOMPLETE or
 * VK_SUCCESS. */
VkResult pv_vk_enumerate(uint32_t *count, void *out, const void *src, uint32_t src_count,
                         size_t elem_size);

/* The highest version both the host and the protocol support. */
uint32_t pv_vk_cap_version(uint32_t host_version);

/* Removes the Venus-only structs from a pNext chain the host will see. */
const void *pv_vk_strip_venus_structs(struct pv_dispatch *d, const void *pnext);

#endif /* PV_VK_H */
