/* SPDX-License-Identifier: MIT */
/* Warming up the host driver: what a driver does once per process (load
 * its libraries, set up its compiler and caches) happens on a throwaway
 * instance and device, before any guest waits for it.  The throwaway
 * device also answers which memory types can be shared with guests
 * (pv_memory_probe.c), which the guest asks before it has a device. */
#include "pv_vk.h"

#include <stdlib.h>

#define PV_WARM_MAX_DEVICES 8

int
pv_renderer_warm(struct pv_renderer *renderer)
{
   if (!pv_renderer_load_vulkan(renderer))
      return -1;
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "pearvisor-warm-up",
      .apiVersion = VK_API_VERSION_1_1,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   VkInstance instance;
   if (renderer->vk.CreateInstance(&ici, NULL, &instance) != VK_SUCCESS)
      return -1;
   PFN_vkDestroyInstance destroy_instance =
      (PFN_vkDestroyInstance)vkGetInstanceProcAddr(instance, "vkDestroyInstance");
   PFN_vkEnumeratePhysicalDevices enumerate =
      (PFN_vkEnumeratePhysicalDevices)vkGetInstanceProcAddr(instance,
                                                            "vkEnumeratePhysicalDevices");
   int ret = -1;
   uint32_t count = PV_WARM_MAX_DEVICES;
   VkPhysicalDevice pdevs[PV_WARM_MAX_DEVICES];
   const VkResult r = enumerate ? enumerate(instance, &count, pdevs)
                                : VK_ERROR_INITIALIZATION_FAILED;
   if (r == VK_SUCCESS || r == VK_INCOMPLETE) {
      for (uint32_t i = 0; i < count; i++)
         pv_memory_importable_types(renderer, vkGetInstanceProcAddr, instance, pdevs[i]);
      ret = count ? 0 : -1;
   }
   if (destroy_instance)
      destroy_instance(instance, NULL);
   return ret;
}
