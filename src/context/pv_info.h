/* SPDX-License-Identifier: MIT */
#ifndef PV_INFO_H
#define PV_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "pv_gen_protocol.h"

/* What the protocol code can decode, as generated from vk.xml. */
struct pv_extension_info {
   const char *name;
   uint32_t number;
   uint32_t spec_version; /* the registry's; the guest never sees a higher one */
   bool instance;
};

extern const struct pv_extension_info pv_extensions[PV_EXTENSION_COUNT];
extern const uint32_t pv_extension_mask[PV_EXTENSION_MASK_WORDS];

/* NULL when the protocol cannot carry the extension. */
const struct pv_extension_info *pv_extension_find(const char *name);

/* The highest Vulkan version the protocol carries: the registry's 1.x with
 * its patch level, since core versions above it have no decoders. */
#define PV_MAX_API_VERSION PV_VK_XML_VERSION

/* Venus protocol facts the capset reports (Mesa 25.0.x speaks these). */
#define PV_WIRE_FORMAT_VERSION 1u
#define PV_EXT_COMMAND_SERIALIZATION_SPEC_VERSION 1u
#define PV_MESA_VENUS_PROTOCOL_SPEC_VERSION 2u

/* The Venus capset (capset id 4, version 0): 40 dwords. */
struct pv_capset_venus {
   uint32_t wire_format_version;
   uint32_t vk_xml_version;
   uint32_t vk_ext_command_serialization_spec_version;
   uint32_t vk_mesa_venus_protocol_spec_version;
   uint32_t supports_blob_id_0;
   uint32_t vk_extension_mask1[32];
   uint32_t allow_vk_wait_syncs;
   uint32_t supports_multiple_timelines;
   uint32_t use_guest_vram;
};

_Static_assert(sizeof(struct pv_capset_venus) == 160, "capset layout");

void pv_capset_venus_fill(struct pv_capset_venus *capset);

#endif /* PV_INFO_H */
