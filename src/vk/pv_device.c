/* SPDX-License-Identifier: MIT */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/pv_log.h"
#include "util/pv_time.h"

/* The guest may be gone mid-work: let the host finish before anything of
 * the device is destroyed. */
static void
device_quiesce(struct pv_object *obj)
{
   struct pv_device *dev = (struct pv_device *)obj;
   if (obj->handle && dev->vk.DeviceWaitIdle)
      dev->vk.DeviceWaitIdle((VkDevice)(uintptr_t)obj->handle);
}

static void
device_destroy(struct pv_object *obj)
{
   struct pv_device *dev = (struct pv_device *)obj;
   const VkDevice handle = (VkDevice)(uintptr_t)obj->handle;
   if (handle && dev->vk.DestroyDevice)
      dev->vk.DestroyDevice(handle, NULL);
   pv_spirv_checker_destroy(dev->spirv);
   free(dev->requests);
   pv_object_free(dev);
}

/* What the host was asked for, so that a device that costs the host more
 * than a native one can be taken apart from the log. */
static void
log_device_request(const VkDeviceCreateInfo *info)
{
   if (!pv_log_debug_enabled(PV_CAT_VK))
      return;
   for (uint32_t i = 0; i < info->enabledExtensionCount; i++)
      pv_debug(PV_CAT_VK, "  extension %s", info->ppEnabledExtensionNames[i]);
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext)
      pv_debug(PV_CAT_VK, "  create-info struct %d", (int)s->sType);
}

static bool
extension_offered(const struct pv_physical_device *pdev, const char *name)
{
   for (uint32_t i = 0; i < pdev->extension_count; i++) {
      if (!strcmp(pdev->extensions[i].extensionName, name))
         return true;
   }
   return false;
}

static bool
check_queue_requests(struct pv_dispatch *d, struct pv_physical_device *pdev,
                     const VkDeviceCreateInfo *info)
{
   for (uint32_t i = 0; i < info->queueCreateInfoCount; i++) {
      const VkDeviceQueueCreateInfo *q = &info->pQueueCreateInfos[i];
      if (q->queueFamilyIndex >= pdev->queue_family_count) {
         pv_dispatch_fail(d, "queue family %u does not exist (%u families)",
                          q->queueFamilyIndex, pdev->queue_family_count);
         return false;
      }
      if (!q->pQueuePriorities && q->queueCount) {
         pv_dispatch_fail(d, "queue family %u: no priorities", q->queueFamilyIndex);
         return false;
      }
   }
   return true;
}

/* On a CPU driver a shader's out-of-bounds access is a read or write of the
 * host process's memory, so such devices get robustBufferAccess whatever
 * the guest asked: accesses stay inside their descriptors, which the
 * renderer checks lie inside their buffers (pv_transfer_check.c).  Valid
 * programs see no difference.  `storage` holds features the guest gave none
 * of, or gave as a pointer to const data. */
static void
robust_on_cpu(const struct pv_physical_device *pdev, VkDeviceCreateInfo *info,
              VkPhysicalDeviceFeatures *storage)
{
   if (pdev->properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU)
      return;
   VkPhysicalDeviceFeatures host = { .robustBufferAccess = VK_FALSE };
   if (pdev->instance->vk.GetPhysicalDeviceFeatures)
      pdev->instance->vk.GetPhysicalDeviceFeatures((VkPhysicalDevice)(uintptr_t)pdev->base.handle,
                                                   &host);
   if (!host.robustBufferAccess)
      return;
   for (VkBaseOutStructure *s = (VkBaseOutStructure *)info->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2) {
         /* decoded into the renderer's own scratch memory: writable */
         ((VkPhysicalDeviceFeatures2 *)s)->features.robustBufferAccess = VK_TRUE;
         return;
      }
   }
   if (info->pEnabledFeatures)
      *storage = *info->pEnabledFeatures;
   else
      *storage = (VkPhysicalDeviceFeatures){ .robustBufferAccess = VK_FALSE };
   storage->robustBufferAccess = VK_TRUE;
   info->pEnabledFeatures = storage;
}

void
pv_handle_vkCreateDevice(struct pv_dispatch *d, struct pv_cmd_vkCreateDevice *args)
{
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   struct pv_instance *instance = pdev->instance;
   VkDeviceCreateInfo *info = (VkDeviceCreateInfo *)args->pCreateInfo;

   for (uint32_t i = 0; i < info->enabledExtensionCount; i++) {
      if (!extension_offered(pdev, info->ppEnabledExtensionNames[i])) {
         pv_debug(PV_CAT_VK, "guest enabled unoffered extension %s",
                  info->ppEnabledExtensionNames[i]);
         args->ret = VK_ERROR_EXTENSION_NOT_PRESENT;
         return;
      }
   }
   if (!check_queue_requests(d, pdev, info))
      return;

   struct pv_device *dev = pv_vk_object_alloc(d, sizeof(*dev), VK_OBJECT_TYPE_DEVICE,
                                              pv_handle_id(*args->pDevice), &args->ret);
   if (!dev)
      return;
   dev->physical_device = pdev;
   dev->base.destroy = device_destroy;
   dev->base.quiesce = device_quiesce;
   dev->requests = calloc(info->queueCreateInfoCount ? info->queueCreateInfoCount : 1,
                          sizeof(*dev->requests));
   if (!dev->requests) {
      pv_object_free(dev);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   for (uint32_t i = 0; i < info->queueCreateInfoCount; i++) {
      dev->requests[i].family = info->pQueueCreateInfos[i].queueFamilyIndex;
      dev->requests[i].count = info->pQueueCreateInfos[i].queueCount;
      dev->requests[i].flags = info->pQueueCreateInfos[i].flags;
   }
   dev->request_count = info->queueCreateInfoCount;

   /* device layers are deprecated and the guest has no say in host layers */
   info->enabledLayerCount = 0;
   info->ppEnabledLayerNames = NULL;
   pv_rep_VkDeviceCreateInfo(info);
   info->pNext = pv_vk_strip_venus_structs(d, info->pNext);

   /* the renderer's own needs: importing memfd mappings as device memory */
   const char **exts = calloc(info->enabledExtensionCount + 1, sizeof(*exts));
   if (!exts) {
      free(dev->requests);
      pv_object_free(dev);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   uint32_t ext_count = 0;
   bool has_import = false;
   bool has_semaphore_fd = false;
   for (uint32_t i = 0; i < info->enabledExtensionCount; i++) {
      const char *name = info->ppEnabledExtensionNames[i];
      if (!strcmp(name, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME)) {
         /* the renderer's own where the host has none (pv_sync.c) */
         if (!pdev->host_has_semaphore_fd)
            continue;
         has_semaphore_fd = true;
      }
      exts[ext_count++] = name;
      if (!strcmp(name, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME))
         has_import = true;
   }
   if (pdev->host_has_memory_import && !has_import) {
      exts[ext_count++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
      has_import = true;
   }
   info->ppEnabledExtensionNames = exts;
   info->enabledExtensionCount = ext_count;
   VkPhysicalDeviceFeatures robust_features;
   robust_on_cpu(pdev, info, &robust_features);

   log_device_request(info);
   const uint64_t host_start = pv_now_ns();
   VkDevice handle = VK_NULL_HANDLE;
   args->ret = instance->vk.CreateDevice((VkPhysicalDevice)(uintptr_t)pdev->base.handle, info,
                                         NULL, &handle);
   if (args->ret != VK_SUCCESS) {
      pv_debug(PV_CAT_VK, "host vkCreateDevice failed: %d", args->ret);
      free(exts);
      free(dev->requests);
      pv_object_free(dev);
      return;
   }
   const uint64_t host_end = pv_now_ns();
   dev->base.handle = (uint64_t)(uintptr_t)handle;
   dev->api_version = pdev->api_version;
   pv_vk_table_load_device(&dev->vk, &instance->vk, handle, dev->api_version,
                           info->ppEnabledExtensionNames, info->enabledExtensionCount);
   free(exts);
   dev->base.vk = &dev->vk;
   pv_device_note_null_features(dev, info);
   dev->host_import = has_import && dev->vk.GetMemoryHostPointerPropertiesEXT;
   dev->host_semaphore_fd = has_semaphore_fd && pdev->host_sync_fd_import &&
                            dev->vk.ImportSemaphoreFdKHR && dev->vk.GetSemaphoreFdKHR;
   pv_memory_init_device(dev);
   dev->spirv = pv_spirv_checker_create(dev->api_version);
   if (!dev->spirv) {
      device_destroy(&dev->base);
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   if (!pv_vk_object_adopt(d, &dev->base, &pdev->base)) {
      device_destroy(&dev->base);
      return;
   }
   pv_debug(PV_CAT_VK, "device %" PRIu64 " on \"%s\", %u extensions: host vkCreateDevice "
            "%.2f ms, renderer set-up %.2f ms", dev->base.id, pdev->properties.deviceName,
            info->enabledExtensionCount, (host_end - host_start) / 1e6,
            (pv_now_ns() - host_end) / 1e6);
}

void
pv_handle_vkDestroyDevice(struct pv_dispatch *d, struct pv_cmd_vkDestroyDevice *args)
{
   if (args->device)
      pv_object_table_destroy(&d->ctx->objects, args->device);
}
