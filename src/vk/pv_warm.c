/* SPDX-License-Identifier: MIT */
/* Warming up the host driver: what a driver does once per process (load
 * its libraries, set up its compiler and caches) happens on a throwaway
 * instance and device, before any guest waits for it. */
#include "pv_vk.h"

#include <stdlib.h>

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
#define LOAD(name) PFN_vk##name name = (PFN_vk##name)vkGetInstanceProcAddr(instance, "vk" #name)
   LOAD(DestroyInstance);
   LOAD(EnumeratePhysicalDevices);
   LOAD(CreateDevice);
   LOAD(GetDeviceProcAddr);
#undef LOAD
   int ret = -1;
   uint32_t count = 1;
   VkPhysicalDevice pdev;
   const VkResult r = EnumeratePhysicalDevices ? EnumeratePhysicalDevices(instance, &count, &pdev)
                                               : VK_ERROR_INITIALIZATION_FAILED;
   if ((r == VK_SUCCESS || r == VK_INCOMPLETE) && count && CreateDevice && GetDeviceProcAddr) {
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
      };
      VkDevice device;
      if (CreateDevice(pdev, &dci, NULL, &device) == VK_SUCCESS) {
         PFN_vkDestroyDevice DestroyDevice =
            (PFN_vkDestroyDevice)GetDeviceProcAddr(device, "vkDestroyDevice");
         if (DestroyDevice)
            DestroyDevice(device, NULL);
         ret = 0;
      }
   }
   if (DestroyInstance)
      DestroyInstance(instance, NULL);
   return ret;
}
