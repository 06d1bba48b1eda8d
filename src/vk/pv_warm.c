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
   if (renderer->warm_instance)
      return 0;
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
   /* Kept for the process's life: when the last instance goes, the loader
    * unloads the driver and the guest's instance would load it again
    * (NVIDIA 580 on an H200: the guest's vkCreateInstance took ~100 ms after
    * a destroyed warm-up instance, 4 ms beside a kept one). */
   renderer->warm_instance = instance;
   return ret;
}
