/* SPDX-License-Identifier: MIT */
/* Which memory types of a host device accept the renderer's shared memory
 * as a host-pointer import (VK_EXT_external_memory_host).
 *
 * The answer decides what the guest is shown (pv_memory_plan.h), and the
 * guest asks for memory properties before it creates a device, while the
 * query needs one.  So the renderer asks a throwaway device once per
 * process and device model: the warm-up of a spare process does it before
 * any guest arrives (pv_warm.c), and a process without a warm-up does it at
 * its first physical device. */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "context/pv_resource.h"
#include "util/pv_log.h"

#define PV_PROBE_SIZE (64u * 1024u)

static bool
has_extension(PFN_vkGetInstanceProcAddr gipa, VkInstance instance, VkPhysicalDevice pdev,
              const char *name)
{
   PFN_vkEnumerateDeviceExtensionProperties enumerate =
      (PFN_vkEnumerateDeviceExtensionProperties)gipa(instance,
                                                     "vkEnumerateDeviceExtensionProperties");
   uint32_t count = 0;
   if (!enumerate || enumerate(pdev, NULL, &count, NULL) != VK_SUCCESS || !count)
      return false;
   VkExtensionProperties *exts = calloc(count, sizeof(*exts));
   if (!exts)
      return false;
   bool found = false;
   if (enumerate(pdev, NULL, &count, exts) >= 0) {
      for (uint32_t i = 0; i < count && !found; i++)
         found = !strcmp(exts[i].extensionName, name);
   }
   free(exts);
   return found;
}

static VkDeviceSize
import_alignment(PFN_vkGetInstanceProcAddr gipa, VkInstance instance, VkPhysicalDevice pdev)
{
   PFN_vkGetPhysicalDeviceProperties2 props2 =
      (PFN_vkGetPhysicalDeviceProperties2)gipa(instance, "vkGetPhysicalDeviceProperties2");
   if (!props2)
      return 4096;
   VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &host,
   };
   props2(pdev, &props);
   return host.minImportedHostPointerAlignment > 4096 ? host.minImportedHostPointerAlignment
                                                      : 4096;
}

uint32_t
pv_memory_host_pointer_types(PFN_vkGetMemoryHostPointerPropertiesEXT host_props, VkDevice device,
                             size_t align)
{
   uint32_t types = 0;
   struct pv_resource *probe =
      pv_resource_create(PV_RESOURCE_DEVICE_MEMORY, 0, PV_PROBE_SIZE, align);
   if (probe) {
      VkMemoryHostPointerPropertiesEXT props = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
      };
      if (host_props(device, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, probe->map,
                     &props) == VK_SUCCESS)
         types = props.memoryTypeBits;
      pv_resource_unref(probe);
   }
   return types;
}

/* Creates a device (with the import extension where there is one) and asks
 * it; the device also warms the driver up.  -1: no device could be made. */
static int64_t
ask_device(PFN_vkGetInstanceProcAddr gipa, VkInstance instance, VkPhysicalDevice pdev)
{
   PFN_vkCreateDevice create_device = (PFN_vkCreateDevice)gipa(instance, "vkCreateDevice");
   PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gipa(instance, "vkGetDeviceProcAddr");
   if (!create_device || !gdpa)
      return -1;
   const bool ext = has_extension(gipa, instance, pdev,
                                  VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
   const char *names[] = { VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME };
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = 0,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
      .enabledExtensionCount = ext ? 1 : 0,
      .ppEnabledExtensionNames = names,
   };
   VkDevice device;
   if (create_device(pdev, &dci, NULL, &device) != VK_SUCCESS)
      return -1;
   PFN_vkDestroyDevice destroy = (PFN_vkDestroyDevice)gdpa(device, "vkDestroyDevice");
   PFN_vkGetMemoryHostPointerPropertiesEXT host_props =
      ext ? (PFN_vkGetMemoryHostPointerPropertiesEXT)gdpa(device,
                                                          "vkGetMemoryHostPointerPropertiesEXT")
          : NULL;
   const int64_t types =
      host_props ? pv_memory_host_pointer_types(host_props, device,
                                                (size_t)import_alignment(gipa, instance, pdev))
                 : 0;
   if (destroy)
      destroy(device, NULL);
   return types;
}

/* Devices are told apart by what the driver says of them: the same model
 * under the same driver answers the same. */
static bool
same_device(const struct pv_import_probe *p, const VkPhysicalDeviceProperties *props)
{
   return p->vendor_id == props->vendorID && p->device_id == props->deviceID &&
          p->driver_version == props->driverVersion &&
          !memcmp(p->cache_uuid, props->pipelineCacheUUID, VK_UUID_SIZE);
}

uint32_t
pv_memory_importable_types(struct pv_renderer *renderer, PFN_vkGetInstanceProcAddr gipa,
                           VkInstance instance, VkPhysicalDevice pdev)
{
   PFN_vkGetPhysicalDeviceProperties get_props =
      (PFN_vkGetPhysicalDeviceProperties)gipa(instance, "vkGetPhysicalDeviceProperties");
   if (!get_props)
      return 0;
   VkPhysicalDeviceProperties props;
   get_props(pdev, &props);

   mtx_lock(&renderer->mutex);
   for (uint32_t i = 0; i < renderer->import_probe_count; i++) {
      if (same_device(&renderer->import_probes[i], &props)) {
         const uint32_t types = renderer->import_probes[i].types;
         mtx_unlock(&renderer->mutex);
         return types;
      }
   }
   mtx_unlock(&renderer->mutex);

   pv_debug(PV_CAT_VK, "\"%s\": asking a throwaway device which memory types take "
            "host-pointer imports", props.deviceName);
   const int64_t asked = ask_device(gipa, instance, pdev);
   const uint32_t types = asked > 0 ? (uint32_t)asked : 0;
   if (asked < 0)
      return 0; /* not cached: a later device may be creatable */
   mtx_lock(&renderer->mutex);
   if (renderer->import_probe_count < PV_MAX_IMPORT_PROBES) {
      struct pv_import_probe *p = &renderer->import_probes[renderer->import_probe_count++];
      p->vendor_id = props.vendorID;
      p->device_id = props.deviceID;
      p->driver_version = props.driverVersion;
      memcpy(p->cache_uuid, props.pipelineCacheUUID, VK_UUID_SIZE);
      p->types = types;
   }
   mtx_unlock(&renderer->mutex);
   pv_debug(PV_CAT_VK, "\"%s\": host-pointer imports accepted for memory types 0x%x",
            props.deviceName, types);
   return types;
}

uint32_t
pv_renderer_import_probes(struct pv_renderer *renderer, struct pv_import_probe *out, uint32_t max)
{
   mtx_lock(&renderer->mutex);
   const uint32_t n = renderer->import_probe_count < max ? renderer->import_probe_count : max;
   memcpy(out, renderer->import_probes, n * sizeof(*out));
   mtx_unlock(&renderer->mutex);
   return n;
}

void
pv_renderer_learn_import_probes(struct pv_renderer *renderer,
                                const struct pv_import_probe *probes, uint32_t count)
{
   mtx_lock(&renderer->mutex);
   for (uint32_t i = 0; i < count && renderer->import_probe_count < PV_MAX_IMPORT_PROBES; i++)
      renderer->import_probes[renderer->import_probe_count++] = probes[i];
   mtx_unlock(&renderer->mutex);
}
