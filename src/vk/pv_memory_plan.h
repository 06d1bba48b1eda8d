/* SPDX-License-Identifier: MIT */
#ifndef PV_MEMORY_PLAN_H
#define PV_MEMORY_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan_core.h>

/* What the guest is shown of a host device's memory types, and how each
 * host-visible type reaches the guest.
 *
 * A guest maps host-visible memory through a blob the renderer hands it, so
 * a type is host-visible to the guest only if the renderer can give the
 * guest the very pages the host driver uses.  The one way that works on
 * every driver measured (docs/nvidia.md) is a memfd the renderer maps and
 * imports as a host pointer (VK_EXT_external_memory_host); drivers accept
 * that for some types only (NVIDIA: not its device-local BAR type; RADV:
 * only its cached GTT type).  A host-visible type the import does not
 * reach is shown without HOST_VISIBLE, HOST_COHERENT and HOST_CACHED, so a
 * program looking for mappable memory picks a type that works; the type's
 * index and heap stay as they are, so memoryTypeBits keep their meaning.
 *
 * A pure function of its inputs: the host's memory properties and the set
 * of types a host-pointer import accepts. */
struct pv_memory_plan {
   VkPhysicalDeviceMemoryProperties guest; /* what the guest is shown */
   uint32_t shared_types;  /* host-visible, backed by memfds the guest maps */
   uint32_t hidden_types;  /* host-visible on the host, device-only for the guest */
   bool guest_can_map;     /* at least one HOST_VISIBLE | HOST_COHERENT type left */
};

#define PV_MEMORY_HOST_ACCESS_FLAGS                                                        \
   (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |           \
    VK_MEMORY_PROPERTY_HOST_CACHED_BIT)

void pv_memory_plan_make(const VkPhysicalDeviceMemoryProperties *host,
                         uint32_t importable_types, struct pv_memory_plan *plan);

#endif /* PV_MEMORY_PLAN_H */
