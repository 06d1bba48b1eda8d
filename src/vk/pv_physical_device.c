/* SPDX-License-Identifier: MIT */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context/pv_info.h"
#include "util/pv_log.h"

static void
physical_device_destroy(struct pv_object *obj)
{
   struct pv_physical_device *pdev = (struct pv_physical_device *)obj;
   free(pdev->extensions);
   pv_object_free(pdev);
}

/* The device extensions the guest may see: the host's, less those the
 * protocol cannot carry, at no higher a spec version than the registry's. */
static bool
init_extensions(struct pv_physical_device *pdev, VkPhysicalDevice handle)
{
   const struct pv_vk_table *vk = &pdev->instance->vk;
   uint32_t count = 0;
   if (vk->EnumerateDeviceExtensionProperties(handle, NULL, &count, NULL) != VK_SUCCESS)
      return false;
   /* one more for the renderer's own VK_KHR_external_semaphore_fd */
   VkExtensionProperties *exts = calloc(count + 1, sizeof(*exts));
   if (!exts)
      return false;
   if (vk->EnumerateDeviceExtensionProperties(handle, NULL, &count, exts) < 0) {
      free(exts);
      return false;
   }
   uint32_t kept = 0;
   for (uint32_t i = 0; i < count; i++) {
      if (!strcmp(exts[i].extensionName, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME))
         pdev->host_has_memory_import = true;
      if (!strcmp(exts[i].extensionName, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME))
         pdev->host_has_semaphore_fd = true;
      if (!strcmp(exts[i].extensionName, VK_EXT_TRANSFORM_FEEDBACK_EXTENSION_NAME))
         pdev->host_has_transform_feedback = true;
      const struct pv_extension_info *info = pv_extension_find(exts[i].extensionName);
      if (!info || info->instance)
         continue;
      if (exts[i].specVersion > info->spec_version)
         exts[i].specVersion = info->spec_version;
      exts[kept++] = exts[i];
   }
   /* Mesa's Venus asks for sync-fd semaphore support only when the extension
    * is listed, and offers synchronization2 (and so Vulkan 1.3) only with
    * importable sync-fds: a host without them gets the renderer's import
    * (vkImportSemaphoreResourceMESA in pv_sync.c), the only use Venus makes
    * of it; the host device never sees the extension */
   const struct pv_extension_info *sem_fd =
      pv_extension_find(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
   if (!pdev->host_has_semaphore_fd && sem_fd) {
      VkExtensionProperties *e = &exts[kept++];
      memset(e, 0, sizeof(*e));
      snprintf(e->extensionName, sizeof(e->extensionName), "%s",
               VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
      e->specVersion = sem_fd->spec_version < VK_KHR_EXTERNAL_SEMAPHORE_FD_SPEC_VERSION
                          ? sem_fd->spec_version
                          : VK_KHR_EXTERNAL_SEMAPHORE_FD_SPEC_VERSION;
   }
   pdev->extensions = exts;
   pdev->extension_count = kept;
   return true;
}

/* What the guest is shown of the device's memory (pv_memory_plan.h). */
static void
init_memory_plan(struct pv_dispatch *d, struct pv_physical_device *pdev,
                 struct pv_instance *instance, VkPhysicalDevice handle)
{
   const uint32_t importable =
      pdev->host_has_memory_import
         ? pv_memory_importable_types(d->ctx->renderer, vkGetInstanceProcAddr,
                                      (VkInstance)(uintptr_t)instance->base.handle, handle)
         : 0;
   struct pv_memory_plan *plan = &pdev->memory_plan;
   pv_memory_plan_make(&pdev->memory, importable, plan);
   static atomic_bool said;
   if (plan->hidden_types && !atomic_exchange(&said, true))
      pv_warn("\"%s\": host-visible memory types 0x%x cannot be shared with guests (the "
              "driver takes no host-pointer import for them): guests see them as "
              "device-only", pdev->properties.deviceName, plan->hidden_types);
   if (!plan->guest_can_map)
      pv_error("\"%s\": no host-visible, coherent memory type can be shared with guests "
               "(%s): guests cannot map memory", pdev->properties.deviceName,
               pdev->host_has_memory_import ? "no host-pointer import"
                                            : "no VK_EXT_external_memory_host");
   pv_debug(PV_CAT_VK, "\"%s\": memory types shared with guests 0x%x, device-only 0x%x",
            pdev->properties.deviceName, plan->shared_types, plan->hidden_types);
}

static struct pv_physical_device *
bind_physical_device(struct pv_dispatch *d, struct pv_instance *instance, uint32_t index,
                     uint64_t id)
{
   struct pv_physical_device *pdev = pv_vk_object_alloc(
      d, sizeof(*pdev), VK_OBJECT_TYPE_PHYSICAL_DEVICE, id, NULL);
   if (!pdev)
      return NULL;
   const VkPhysicalDevice handle = instance->host_physical_devices[index];
   pdev->instance = instance;
   pdev->index = index;
   pdev->base.handle = (uint64_t)(uintptr_t)handle;
   pdev->base.vk = &instance->vk;
   pdev->base.destroy = physical_device_destroy;
   instance->vk.GetPhysicalDeviceProperties(handle, &pdev->properties);
   pdev->api_version = pv_vk_cap_version(pdev->properties.apiVersion);
   if (pdev->api_version > instance->api_version)
      pdev->api_version = instance->api_version;
   instance->vk.GetPhysicalDeviceQueueFamilyProperties(handle, &pdev->queue_family_count, NULL);
   instance->vk.GetPhysicalDeviceMemoryProperties(handle, &pdev->memory);
   if (!init_extensions(pdev, handle)) {
      pv_dispatch_fail(d, "cannot query the host device's extensions");
      physical_device_destroy(&pdev->base);
      return NULL;
   }
   if (pdev->host_has_memory_import && instance->vk.GetPhysicalDeviceProperties2) {
      VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
      };
      VkPhysicalDeviceProperties2 props = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
         .pNext = &host,
      };
      instance->vk.GetPhysicalDeviceProperties2(handle, &props);
      pdev->host_import_align = host.minImportedHostPointerAlignment;
   }
   if (pdev->host_has_transform_feedback && instance->vk.GetPhysicalDeviceProperties2) {
      VkPhysicalDeviceTransformFeedbackPropertiesEXT xfb = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TRANSFORM_FEEDBACK_PROPERTIES_EXT,
      };
      VkPhysicalDeviceProperties2 props = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
         .pNext = &xfb,
      };
      instance->vk.GetPhysicalDeviceProperties2(handle, &props);
      pdev->max_xfb_buffers = xfb.maxTransformFeedbackBuffers;
      pdev->max_xfb_streams = xfb.maxTransformFeedbackStreams;
   }
   if (pdev->host_has_semaphore_fd && instance->vk.GetPhysicalDeviceExternalSemaphoreProperties) {
      const VkPhysicalDeviceExternalSemaphoreInfo info = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO,
         .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
      };
      VkExternalSemaphoreProperties props = {
         .sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES,
      };
      instance->vk.GetPhysicalDeviceExternalSemaphoreProperties(handle, &info, &props);
      pdev->host_sync_fd_import =
         props.externalSemaphoreFeatures & VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
   }
   init_memory_plan(d, pdev, instance, handle);
   if (!pv_vk_object_adopt(d, &pdev->base, &instance->base)) {
      physical_device_destroy(&pdev->base);
      return NULL;
   }
   instance->physical_devices[index] = pdev;
   pv_debug(PV_CAT_VK, "physical device %" PRIu64 " = host \"%s\"", id,
            pdev->properties.deviceName);
   return pdev;
}

void
pv_handle_vkEnumeratePhysicalDevices(struct pv_dispatch *d,
                                     struct pv_cmd_vkEnumeratePhysicalDevices *args)
{
   struct pv_instance *instance = (struct pv_instance *)args->instance;
   const uint32_t available = instance->physical_device_count;
   if (!args->pPhysicalDevices) {
      *args->pPhysicalDeviceCount = available;
      args->ret = VK_SUCCESS;
      return;
   }
   /* the guest passes the ids it wants for the devices, in order; ids of
    * devices bound earlier must not change */
   const uint32_t n = *args->pPhysicalDeviceCount < available ? *args->pPhysicalDeviceCount
                                                              : available;
   for (uint32_t i = 0; i < n; i++) {
      const uint64_t id = pv_handle_id(args->pPhysicalDevices[i]);
      struct pv_physical_device *bound = instance->physical_devices[i];
      if (bound) {
         if (bound->base.id != id) {
            pv_dispatch_fail(d, "physical device %u re-enumerated as %" PRIu64
                             " (was %" PRIu64 ")", i, id, bound->base.id);
            return;
         }
      } else if (!bind_physical_device(d, instance, i, id)) {
         return;
      }
   }
   *args->pPhysicalDeviceCount = n;
   args->ret = n < available ? VK_INCOMPLETE : VK_SUCCESS;
}

void
pv_handle_vkEnumeratePhysicalDeviceGroups(
   struct pv_dispatch *d, struct pv_cmd_vkEnumeratePhysicalDeviceGroups *args)
{
   struct pv_instance *instance = (struct pv_instance *)args->instance;
   const VkInstance handle = (VkInstance)(uintptr_t)instance->base.handle;
   if (!instance->vk.EnumeratePhysicalDeviceGroups) {
      pv_dispatch_missing(d, "vkEnumeratePhysicalDeviceGroups");
      return;
   }
   uint32_t count = 0;
   args->ret = instance->vk.EnumeratePhysicalDeviceGroups(handle, &count, NULL);
   if (args->ret != VK_SUCCESS)
      return;
   VkPhysicalDeviceGroupProperties *groups = calloc(count ? count : 1, sizeof(*groups));
   if (!groups) {
      args->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   for (uint32_t i = 0; i < count; i++)
      groups[i].sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GROUP_PROPERTIES;
   args->ret = instance->vk.EnumeratePhysicalDeviceGroups(handle, &count, groups);
   if (args->ret < 0) {
      free(groups);
      return;
   }

   /* keep the groups whose devices the guest can see, with guest ids */
   uint32_t kept = 0;
   for (uint32_t g = 0; g < count; g++) {
      VkPhysicalDeviceGroupProperties *group = &groups[g];
      uint32_t members = 0;
      for (uint32_t m = 0; m < group->physicalDeviceCount && m < VK_MAX_DEVICE_GROUP_SIZE;
           m++) {
         for (uint32_t i = 0; i < instance->physical_device_count; i++) {
            if (instance->host_physical_devices[i] != group->physicalDevices[m])
               continue;
            if (!instance->physical_devices[i]) {
               free(groups);
               pv_dispatch_fail(d, "device groups queried before the devices were "
                                   "enumerated");
               return;
            }
            group->physicalDevices[members++] =
               (VkPhysicalDevice)(uintptr_t)instance->physical_devices[i]->base.id;
         }
      }
      if (!members)
         continue;
      group->physicalDeviceCount = members;
      groups[kept++] = *group;
   }

   if (!args->pPhysicalDeviceGroupProperties) {
      *args->pPhysicalDeviceGroupCount = kept;
      args->ret = VK_SUCCESS;
   } else {
      const uint32_t n = *args->pPhysicalDeviceGroupCount < kept
                            ? *args->pPhysicalDeviceGroupCount
                            : kept;
      for (uint32_t i = 0; i < n; i++) {
         VkPhysicalDeviceGroupProperties *out = &args->pPhysicalDeviceGroupProperties[i];
         out->physicalDeviceCount = groups[i].physicalDeviceCount;
         memcpy(out->physicalDevices, groups[i].physicalDevices,
                sizeof(out->physicalDevices));
         out->subsetAllocation = groups[i].subsetAllocation;
      }
      *args->pPhysicalDeviceGroupCount = n;
      args->ret = n < kept ? VK_INCOMPLETE : VK_SUCCESS;
   }
   free(groups);
}

void
pv_handle_vkGetPhysicalDeviceProperties(struct pv_dispatch *d,
                                        struct pv_cmd_vkGetPhysicalDeviceProperties *args)
{
   (void)d;
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   *args->pProperties = pdev->properties;
   args->pProperties->apiVersion = pdev->api_version;
}

void
pv_handle_vkGetPhysicalDeviceProperties2(struct pv_dispatch *d,
                                         struct pv_cmd_vkGetPhysicalDeviceProperties2 *args)
{
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   if (!pdev->instance->vk.GetPhysicalDeviceProperties2) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceProperties2");
      return;
   }
   pdev->instance->vk.GetPhysicalDeviceProperties2(
      (VkPhysicalDevice)(uintptr_t)pdev->base.handle, args->pProperties);
   args->pProperties->properties.apiVersion = pdev->api_version;
}

void
pv_handle_vkEnumerateDeviceExtensionProperties(
   struct pv_dispatch *d, struct pv_cmd_vkEnumerateDeviceExtensionProperties *args)
{
   (void)d;
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   if (args->pLayerName) {
      args->ret = VK_ERROR_LAYER_NOT_PRESENT;
      return;
   }
   args->ret = pv_vk_enumerate(args->pPropertyCount, args->pProperties, pdev->extensions,
                               pdev->extension_count, sizeof(VkExtensionProperties));
}

void
pv_handle_vkEnumerateDeviceLayerProperties(
   struct pv_dispatch *d, struct pv_cmd_vkEnumerateDeviceLayerProperties *args)
{
   (void)d;
   *args->pPropertyCount = 0;
   args->ret = VK_SUCCESS;
}

void
pv_handle_vkGetPhysicalDeviceMemoryProperties(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceMemoryProperties *args)
{
   (void)d;
   const struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   *args->pMemoryProperties = pdev->memory_plan.guest;
}

void
pv_handle_vkGetPhysicalDeviceMemoryProperties2(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceMemoryProperties2 *args)
{
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   if (!pdev->instance->vk.GetPhysicalDeviceMemoryProperties2) {
      pv_dispatch_missing(d, "vkGetPhysicalDeviceMemoryProperties2");
      return;
   }
   /* the host fills what is chained (the budget, say); the types are the plan's */
   pdev->instance->vk.GetPhysicalDeviceMemoryProperties2(
      (VkPhysicalDevice)(uintptr_t)pdev->base.handle, args->pMemoryProperties);
   args->pMemoryProperties->memoryProperties = pdev->memory_plan.guest;
}

/* Sync-fd semaphores: the host's answer where it imports them; otherwise
 * the renderer's, which is what pv_sync.c does: a binary semaphore imports a
 * sync-fd payload (Venus only ever imports "already signalled", resource 0,
 * after waiting on the sync file itself), and nothing exports one (the
 * renderer cannot make a sync file of a host semaphore without the host's
 * support), so Mesa never offers export to guest programs. */
void
pv_handle_vkGetPhysicalDeviceExternalSemaphoreProperties(
   struct pv_dispatch *d, struct pv_cmd_vkGetPhysicalDeviceExternalSemaphoreProperties *args)
{
   struct pv_physical_device *pdev = (struct pv_physical_device *)args->physicalDevice;
   const VkPhysicalDeviceExternalSemaphoreInfo *info = args->pExternalSemaphoreInfo;
   VkExternalSemaphoreProperties *props = args->pExternalSemaphoreProperties;
   if (pdev->host_sync_fd_import ||
       info->handleType != VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT) {
      if (!pdev->instance->vk.GetPhysicalDeviceExternalSemaphoreProperties) {
         pv_dispatch_missing(d, "vkGetPhysicalDeviceExternalSemaphoreProperties");
         return;
      }
      pdev->instance->vk.GetPhysicalDeviceExternalSemaphoreProperties(
         (VkPhysicalDevice)(uintptr_t)pdev->base.handle, info, props);
      return;
   }
   VkSemaphoreType type = VK_SEMAPHORE_TYPE_BINARY;
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
         type = ((const VkSemaphoreTypeCreateInfo *)s)->semaphoreType;
   }
   props->exportFromImportedHandleTypes = 0;
   if (type == VK_SEMAPHORE_TYPE_BINARY) {
      props->compatibleHandleTypes = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT;
      props->externalSemaphoreFeatures = VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
   } else {
      props->compatibleHandleTypes = 0;
      props->externalSemaphoreFeatures = 0;
   }
}
