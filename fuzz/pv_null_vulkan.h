/* SPDX-License-Identifier: MIT */
#ifndef PV_NULL_VULKAN_H
#define PV_NULL_VULKAN_H

/* The null Vulkan host: a driver that does nothing, linked into the fuzzers
 * in place of the Vulkan loader (it defines vkGetInstanceProcAddr, the one
 * symbol the renderer takes from the loader).  It makes the renderer's own
 * code the only code under test, at tens of thousands of inputs a second.
 *
 * One physical device with one queue family and host-importable memory;
 * every other call succeeds with fresh fake handles and empty enumerations,
 * or fails on the calls the fuzzer picks (pv_null_set_failures).
 */

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vulkan_core.h>

struct pv_null_entry {
   const char *name;
   PFN_vkVoidFunction func;
};

/* Generated (pv_gen_null_vulkan.c): the entry point called `name`, or NULL. */
PFN_vkVoidFunction pv_null_lookup(const char *name);

/* A fresh, never-zero handle value. */
uint64_t pv_null_handle(void);

/* Calls whose sequence number mod 64 is set in `mask` fail (0: none). */
void pv_null_set_failures(uint64_t mask);
bool pv_null_should_fail(void);

/* The hand-written entry points (null_overrides.txt). */
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL pv_null_vkGetDeviceProcAddr(VkDevice device,
                                                                      const char *pName);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkEnumerateInstanceVersion(uint32_t *pApiVersion);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkEnumerateInstanceExtensionProperties(
   const char *pLayerName, uint32_t *pPropertyCount, VkExtensionProperties *pProperties);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkEnumerateDeviceExtensionProperties(
   VkPhysicalDevice physicalDevice, const char *pLayerName, uint32_t *pPropertyCount,
   VkExtensionProperties *pProperties);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkEnumeratePhysicalDevices(
   VkInstance instance, uint32_t *pPhysicalDeviceCount, VkPhysicalDevice *pPhysicalDevices);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkEnumeratePhysicalDeviceGroups(
   VkInstance instance, uint32_t *pPhysicalDeviceGroupCount,
   VkPhysicalDeviceGroupProperties *pPhysicalDeviceGroupProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceProperties(
   VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties *pProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceProperties2(
   VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties2 *pProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceQueueFamilyProperties(
   VkPhysicalDevice physicalDevice, uint32_t *pQueueFamilyPropertyCount,
   VkQueueFamilyProperties *pQueueFamilyProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceQueueFamilyProperties2(
   VkPhysicalDevice physicalDevice, uint32_t *pQueueFamilyPropertyCount,
   VkQueueFamilyProperties2 *pQueueFamilyProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceMemoryProperties(
   VkPhysicalDevice physicalDevice, VkPhysicalDeviceMemoryProperties *pMemoryProperties);
VKAPI_ATTR void VKAPI_CALL pv_null_vkGetPhysicalDeviceMemoryProperties2(
   VkPhysicalDevice physicalDevice, VkPhysicalDeviceMemoryProperties2 *pMemoryProperties);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkGetPhysicalDeviceImageFormatProperties(
   VkPhysicalDevice physicalDevice, VkFormat format, VkImageType type, VkImageTiling tiling,
   VkImageUsageFlags usage, VkImageCreateFlags flags,
   VkImageFormatProperties *pImageFormatProperties);
VKAPI_ATTR VkResult VKAPI_CALL pv_null_vkGetMemoryHostPointerPropertiesEXT(
   VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, const void *pHostPointer,
   VkMemoryHostPointerPropertiesEXT *pMemoryHostPointerProperties);

#endif /* PV_NULL_VULKAN_H */
