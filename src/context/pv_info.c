/* SPDX-License-Identifier: MIT */
#include "pv_info.h"

#include <stdlib.h>
#include <string.h>

static int
compare_name(const void *key, const void *elem)
{
   return strcmp(key, ((const struct pv_extension_info *)elem)->name);
}

const struct pv_extension_info *
pv_extension_find(const char *name)
{
   /* the generated table is sorted by name */
   return bsearch(name, pv_extensions, PV_EXTENSION_COUNT, sizeof(pv_extensions[0]),
                  compare_name);
}

void
pv_capset_venus_fill(struct pv_capset_venus *capset)
{
   memset(capset, 0, sizeof(*capset));
   capset->wire_format_version = PV_WIRE_FORMAT_VERSION;
   capset->vk_xml_version = PV_VK_XML_VERSION;
   capset->vk_ext_command_serialization_spec_version = PV_EXT_COMMAND_SERIALIZATION_SPEC_VERSION;
   capset->vk_mesa_venus_protocol_spec_version = PV_MESA_VENUS_PROTOCOL_SPEC_VERSION;
   capset->supports_blob_id_0 = 1;
   memcpy(capset->vk_extension_mask1, pv_extension_mask, sizeof(capset->vk_extension_mask1));
   capset->allow_vk_wait_syncs = 1;
   capset->supports_multiple_timelines = 1;
   capset->use_guest_vram = 0;
}
