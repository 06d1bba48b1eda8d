/* SPDX-License-Identifier: MIT */
#ifndef PV_VK_TABLE_H
#define PV_VK_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "pv_gen_protocol.h" /* struct pv_vk_table */

/* Host entry points and what provides each (generated). */
struct pv_vk_entry {
   const char *name;       /* canonical name */
   const char *aliases;    /* space-separated names to try when `name` is missing */
   uint8_t level;          /* 0 global, 1 instance, 2 physical device, 3 device */
   uint32_t core;          /* core version providing it, 0 if none */
   const char *extensions; /* space-separated extensions providing it */
   uint32_t offset;        /* in struct pv_vk_table */
};

extern const struct pv_vk_entry pv_vk_entries[];
extern const uint32_t pv_vk_entry_count;

/* Loads the entry points that need no instance. */
void pv_vk_table_load_global(struct pv_vk_table *table, PFN_vkGetInstanceProcAddr gipa);

/* Loads instance and physical-device entry points that `api_version` or an
 * enabled instance extension provides.  Physical-device entry points of
 * device extensions are loaded too: the loader dispatches them per device. */
void pv_vk_table_load_instance(struct pv_vk_table *table, PFN_vkGetInstanceProcAddr gipa,
                               VkInstance instance, uint32_t api_version,
                               const char *const *extensions, uint32_t extension_count);

/* Copies `instance_table` and loads the device entry points that
 * `api_version` or an enabled device extension provides; the others stay
 * NULL, so a guest cannot reach a command its device did not enable. */
void pv_vk_table_load_device(struct pv_vk_table *table,
                             const struct pv_vk_table *instance_table, VkDevice device,
                             uint32_t api_version, const char *const *extensions,
                             uint32_t extension_count);

#endif /* PV_VK_TABLE_H */
