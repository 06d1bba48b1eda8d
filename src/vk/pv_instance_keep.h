/* SPDX-License-Identifier: MIT */
/* A guest's host instance, kept after the guest destroyed its own, for the
 * next guest instance made with the same create info (pv_instance_keep.c). */
#ifndef PV_INSTANCE_KEEP_H
#define PV_INSTANCE_KEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

struct pv_renderer;

/* What the host instance was made with: an instance is kept only for a
 * guest instance whose host create info would be the same. */
struct pv_instance_key {
   uint32_t api_version;
   const char *application_name; /* may be NULL */
   uint32_t application_version;
   const char *engine_name; /* may be NULL */
   uint32_t engine_version;
};

/* Keeps `instance` (and its list of host physical devices, whose ownership
 * passes) for a later guest instance of the same key; an instance kept
 * before is destroyed.  False when it cannot be kept: the caller still
 * owns both and destroys them. */
bool pv_instance_keep(struct pv_renderer *renderer, VkInstance instance,
                      const struct pv_instance_key *key, VkPhysicalDevice *physical_devices,
                      uint32_t physical_device_count);

/* The kept instance if it was made with `key` (ownership passes, with its
 * physical devices), else VK_NULL_HANDLE. */
VkInstance pv_instance_take_kept(struct pv_renderer *renderer, const struct pv_instance_key *key,
                                 VkPhysicalDevice **physical_devices,
                                 uint32_t *physical_device_count);

/* At the renderer's end. */
void pv_instance_drop_kept(struct pv_renderer *renderer);

#endif
