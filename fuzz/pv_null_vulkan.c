/* SPDX-License-Identifier: MIT */
#include "pv_null_vulkan.h"

#include <stdatomic.h>
#include <string.h>

#include "context/pv_info.h"

#define NULL_PHYSICAL_DEVICE ((VkPhysicalDevice)(uintptr_t)0x100)
#define NULL_IMPORT_ALIGNMENT 4096u

static atomic_uint_least64_t next_handle = 0x1000;
static atomic_uint_least64_t failures;
static atomic_uint_least64_t calls;

uint64_t
pv_null_handle(void)
{
   return atomic_fetch_add_explicit(&next_handle, 0x10, memory_order_relaxed);
}

void
pv_null_set_failures(uint64_t mask)
{
   atomic_store(&failures, mask);
   atomic_store(&calls, 0);
}

bool
pv_null_should_fail(void)
{
   const uint64_t mask = atomic_load_explicit(&failures, memory_order_relaxed);
   if (!mask)
      return false;
   const uint64_t n = atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
   return (mask >> (n % 64)) & 1;
}

/* The loader's entry point: the renderer loads everything through it. */
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vkGetInstanceProcAddr(VkInstance instance, const char *pName)
{
   (void)instance;
   if (!pName)
      return NULL;
   if (!strcmp(pName, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)vkGetInstanceProcAddr;
   return pv_null_lookup(pName);
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
pv_null_vkGetDeviceProcAddr(VkDevice device, const char *pName)
{
   (void)device;
   return pName ? pv_null_lookup(pName) : NULL;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkEnumerateInstanceVersion(uint32_t *pApiVersion)
{
   *pApiVersion = VK_API_VERSION_1_3;
   return VK_SUCCESS;
}

/* Every extension the protocol carries, of one kind. */
static VkResult
enumerate_extensions(bool instance, uint32_t *count, VkExtensionProperties *props)
{
   uint32_t n = 0;
   for (uint32_t i = 0; i < PV_EXTENSION_COUNT; i++) {
      if (pv_extensions[i].instance != instance)
         continue;
      if (props) {
         if (n == *count)
            return VK_INCOMPLETE;
         memset(&props[n], 0, sizeof(props[n]));
         strncpy(props[n].extensionName, pv_extensions[i].name, VK_MAX_EXTENSION_NAME_SIZE - 1);
         props[n].specVersion = pv_extensions[i].spec_version;
      }
      n++;
   }
   *count = n;
   return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkEnumerateInstanceExtensionProperties(const char *pLayerName, uint32_t *pPropertyCount,
                                               VkExtensionProperties *pProperties)
{
   if (pLayerName) {
      *pPropertyCount = 0;
      return VK_ERROR_LAYER_NOT_PRESENT;
   }
   return enumerate_extensions(true, pPropertyCount, pProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkEnumerateDeviceExtensionProperties(VkPhysicalDevice physicalDevice,
                                             const char *pLayerName, uint32_t *pPropertyCount,
                                             VkExtensionProperties *pProperties)
{
   (void)physicalDevice;
   if (pLayerName) {
      *pPropertyCount = 0;
      return VK_ERROR_LAYER_NOT_PRESENT;
   }
   return enumerate_extensions(false, pPropertyCount, pProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkEnumeratePhysicalDevices(VkInstance instance, uint32_t *pPhysicalDeviceCount,
                                   VkPhysicalDevice *pPhysicalDevices)
{
   (void)instance;
   if (!pPhysicalDevices) {
      *pPhysicalDeviceCount = 1;
      return VK_SUCCESS;
   }
   if (!*pPhysicalDeviceCount)
      return VK_INCOMPLETE;
   pPhysicalDevices[0] = NULL_PHYSICAL_DEVICE;
   *pPhysicalDeviceCount = 1;
   return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkEnumeratePhysicalDeviceGroups(VkInstance instance, uint32_t *pPhysicalDeviceGroupCount,
                                        VkPhysicalDeviceGroupProperties *pGroups)
{
   (void)instance;
   if (!pGroups) {
      *pPhysicalDeviceGroupCount = 1;
      return VK_SUCCESS;
   }
   if (!*pPhysicalDeviceGroupCount)
      return VK_INCOMPLETE;
   pGroups[0].physicalDeviceCount = 1;
   pGroups[0].physicalDevices[0] = NULL_PHYSICAL_DEVICE;
   pGroups[0].subsetAllocation = VK_FALSE;
   *pPhysicalDeviceGroupCount = 1;
   return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceProperties(VkPhysicalDevice physicalDevice,
                                      VkPhysicalDeviceProperties *pProperties)
{
   (void)physicalDevice;
   memset(pProperties, 0, sizeof(*pProperties));
   pProperties->apiVersion = VK_API_VERSION_1_3;
   pProperties->driverVersion = 1;
   pProperties->vendorID = 0x10000;
   pProperties->deviceType = VK_PHYSICAL_DEVICE_TYPE_CPU;
   strncpy(pProperties->deviceName, "PearVisor null device", VK_MAX_PHYSICAL_DEVICE_NAME_SIZE - 1);
   VkPhysicalDeviceLimits *limits = &pProperties->limits;
   limits->maxMemoryAllocationCount = 4096;
   limits->maxBoundDescriptorSets = 8;
   limits->minMemoryMapAlignment = 64;
   limits->nonCoherentAtomSize = 64;
   limits->maxComputeWorkGroupCount[0] = limits->maxComputeWorkGroupCount[1] =
      limits->maxComputeWorkGroupCount[2] = 65535;
   limits->timestampPeriod = 1.0f;
   /* the sizes of what the renderer checks indices against, as a driver
    * has them (the specification's minimums or more) */
   limits->maxPushConstantsSize = 256;
   limits->maxViewports = 16;
   limits->maxVertexInputBindings = 32;
   limits->maxVertexInputAttributes = 32;
   limits->maxColorAttachments = 8;
}

VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceProperties2(VkPhysicalDevice physicalDevice,
                                       VkPhysicalDeviceProperties2 *pProperties)
{
   pv_null_vkGetPhysicalDeviceProperties(physicalDevice, &pProperties->properties);
   for (VkBaseOutStructure *s = pProperties->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT)
         ((VkPhysicalDeviceExternalMemoryHostPropertiesEXT *)s)->minImportedHostPointerAlignment =
            NULL_IMPORT_ALIGNMENT;
   }
}

static const VkQueueFamilyProperties null_queue_family = {
   .queueFlags = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT | VK_QUEUE_TRANSFER_BIT,
   .queueCount = 4,
   .timestampValidBits = 64,
   .minImageTransferGranularity = { 1, 1, 1 },
};

VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceQueueFamilyProperties(VkPhysicalDevice physicalDevice,
                                                 uint32_t *pQueueFamilyPropertyCount,
                                                 VkQueueFamilyProperties *pQueueFamilyProperties)
{
   (void)physicalDevice;
   if (pQueueFamilyProperties && *pQueueFamilyPropertyCount)
      pQueueFamilyProperties[0] = null_queue_family;
   else if (pQueueFamilyProperties)
      return;
   *pQueueFamilyPropertyCount = 1;
}

VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceQueueFamilyProperties2(VkPhysicalDevice physicalDevice,
                                                  uint32_t *pQueueFamilyPropertyCount,
                                                  VkQueueFamilyProperties2 *pQueueFamilyProperties)
{
   (void)physicalDevice;
   if (pQueueFamilyProperties && *pQueueFamilyPropertyCount)
      pQueueFamilyProperties[0].queueFamilyProperties = null_queue_family;
   else if (pQueueFamilyProperties)
      return;
   *pQueueFamilyPropertyCount = 1;
}

/* Every combination supported, with limits like lavapipe's, so that image
 * creation gets past the renderer's checks (pv_image_check.c) and the
 * fuzzer explores what follows; the checks themselves stay exercised by
 * the limits. */
VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkGetPhysicalDeviceImageFormatProperties(VkPhysicalDevice physicalDevice,
                                                 VkFormat format, VkImageType type,
                                                 VkImageTiling tiling, VkImageUsageFlags usage,
                                                 VkImageCreateFlags flags,
                                                 VkImageFormatProperties *pImageFormatProperties)
{
   (void)physicalDevice;
   (void)format;
   (void)tiling;
   (void)usage;
   (void)flags;
   const uint32_t largest = type == VK_IMAGE_TYPE_3D ? 4096 : 16384;
   *pImageFormatProperties = (VkImageFormatProperties){
      .maxExtent = { largest, type == VK_IMAGE_TYPE_1D ? 1 : largest,
                     type == VK_IMAGE_TYPE_3D ? largest : 1 },
      .maxMipLevels = 15,
      .maxArrayLayers = type == VK_IMAGE_TYPE_3D ? 1 : 2048,
      .sampleCounts = VK_SAMPLE_COUNT_1_BIT | VK_SAMPLE_COUNT_4_BIT,
      .maxResourceSize = 1ull << 31,
   };
   return pv_null_should_fail() ? VK_ERROR_FORMAT_NOT_SUPPORTED : VK_SUCCESS;
}

/* Laid out as lavapipe's, whose sessions are the seeds: type 0 is
 * host-visible (and importable), type 1 device-local only. */
VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceMemoryProperties(VkPhysicalDevice physicalDevice,
                                            VkPhysicalDeviceMemoryProperties *pMemoryProperties)
{
   (void)physicalDevice;
   memset(pMemoryProperties, 0, sizeof(*pMemoryProperties));
   pMemoryProperties->memoryHeapCount = 1;
   pMemoryProperties->memoryHeaps[0] = (VkMemoryHeap){ 1ull << 30, VK_MEMORY_HEAP_DEVICE_LOCAL_BIT };
   pMemoryProperties->memoryTypeCount = 2;
   pMemoryProperties->memoryTypes[0] =
      (VkMemoryType){ VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
                      0 };
   pMemoryProperties->memoryTypes[1] = (VkMemoryType){ VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0 };
}

VKAPI_ATTR void VKAPI_CALL
pv_null_vkGetPhysicalDeviceMemoryProperties2(VkPhysicalDevice physicalDevice,
                                             VkPhysicalDeviceMemoryProperties2 *pMemoryProperties)
{
   pv_null_vkGetPhysicalDeviceMemoryProperties(physicalDevice,
                                               &pMemoryProperties->memoryProperties);
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_null_vkGetMemoryHostPointerPropertiesEXT(
   VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, const void *pHostPointer,
   VkMemoryHostPointerPropertiesEXT *pMemoryHostPointerProperties)
{
   (void)device;
   (void)handleType;
   if ((uintptr_t)pHostPointer % NULL_IMPORT_ALIGNMENT)
      return VK_ERROR_INVALID_EXTERNAL_HANDLE;
   pMemoryHostPointerProperties->memoryTypeBits = 0x1; /* the host-visible type */
   return VK_SUCCESS;
}
