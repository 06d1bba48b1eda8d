/* SPDX-License-Identifier: MIT */
/* pv-present-caps: what a Vulkan device offers of the links a swapchain
 * through Venus needs, measured rather than read from a list: Mesa's Venus
 * offers VK_KHR_swapchain only when the renderer's device has dma-buf
 * memory, DRM format modifiers and the foreign queue family, and imports
 * sync-fd semaphores.  Run natively it describes a host driver; run through
 * PearVisor it describes what the guest is given.
 *
 * For each link it prints one line "name: answer".  Where a query can be
 * tried for real (exporting a dma-buf and mapping it), it is tried. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <vulkan/vulkan.h>

#define PROBE_FORMAT VK_FORMAT_B8G8R8A8_UNORM
#define PROBE_BYTES (1u << 20)

static bool
has_extension(const VkExtensionProperties *exts, uint32_t count, const char *name)
{
   for (uint32_t i = 0; i < count; i++)
      if (!strcmp(exts[i].extensionName, name))
         return true;
   return false;
}

static const char *
yes_no(bool b)
{
   return b ? "yes" : "no";
}

static void
print_external_features(const char *what, VkExternalMemoryFeatureFlags f)
{
   printf("%s: exportable %s, importable %s\n", what,
          yes_no(f & VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT),
          yes_no(f & VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT));
}

static void
probe_buffer(VkPhysicalDevice pdev, VkExternalMemoryHandleTypeFlagBits type, const char *name)
{
   const VkPhysicalDeviceExternalBufferInfo info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
      .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
      .handleType = type,
   };
   VkExternalBufferProperties props = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES };
   vkGetPhysicalDeviceExternalBufferProperties(pdev, &info, &props);
   char what[64];
   snprintf(what, sizeof(what), "buffer %s", name);
   print_external_features(what, props.externalMemoryProperties.externalMemoryFeatures);
}

static void
probe_image(VkPhysicalDevice pdev, VkImageTiling tiling, const char *tiling_name)
{
   const VkPhysicalDeviceExternalImageFormatInfo ext = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO,
      .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
   };
   const VkPhysicalDeviceImageFormatInfo2 info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
      .pNext = &ext,
      .format = PROBE_FORMAT,
      .type = VK_IMAGE_TYPE_2D,
      .tiling = tiling,
      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
   };
   VkExternalImageFormatProperties ext_props = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES,
   };
   VkImageFormatProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2,
      .pNext = &ext_props,
   };
   const VkResult r = vkGetPhysicalDeviceImageFormatProperties2(pdev, &info, &props);
   char what[96];
   snprintf(what, sizeof(what), "image B8G8R8A8_UNORM %s dma-buf", tiling_name);
   if (r != VK_SUCCESS)
      printf("%s: not supported (%d)\n", what, (int)r);
   else
      print_external_features(what, ext_props.externalMemoryProperties.externalMemoryFeatures);
}

static void
probe_modifiers(VkPhysicalDevice pdev)
{
   VkDrmFormatModifierPropertiesListEXT list = {
      .sType = VK_STRUCTURE_TYPE_DRM_FORMAT_MODIFIER_PROPERTIES_LIST_EXT,
   };
   VkFormatProperties2 props = { .sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2, .pNext = &list };
   vkGetPhysicalDeviceFormatProperties2(pdev, PROBE_FORMAT, &props);
   printf("DRM format modifiers for B8G8R8A8_UNORM: %u\n", list.drmFormatModifierCount);
}

static void
probe_sync(VkPhysicalDevice pdev)
{
   const VkPhysicalDeviceExternalSemaphoreInfo sem_info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO,
      .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
   };
   VkExternalSemaphoreProperties sem = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES };
   vkGetPhysicalDeviceExternalSemaphoreProperties(pdev, &sem_info, &sem);
   printf("binary semaphore sync-fd: exportable %s, importable %s\n",
          yes_no(sem.externalSemaphoreFeatures & VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT),
          yes_no(sem.externalSemaphoreFeatures & VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT));
   const VkPhysicalDeviceExternalFenceInfo fence_info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_FENCE_INFO,
      .handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
   };
   VkExternalFenceProperties fence = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_FENCE_PROPERTIES };
   vkGetPhysicalDeviceExternalFenceProperties(pdev, &fence_info, &fence);
   printf("fence sync-fd: exportable %s, importable %s\n",
          yes_no(fence.externalFenceFeatures & VK_EXTERNAL_FENCE_FEATURE_EXPORTABLE_BIT),
          yes_no(fence.externalFenceFeatures & VK_EXTERNAL_FENCE_FEATURE_IMPORTABLE_BIT));
}

static int
memory_type_for(VkPhysicalDevice pdev, uint32_t bits)
{
   VkPhysicalDeviceMemoryProperties mem;
   vkGetPhysicalDeviceMemoryProperties(pdev, &mem);
   /* a mappable type first: a display server or a VMM maps what it shows */
   for (uint32_t i = 0; i < mem.memoryTypeCount; i++)
      if ((bits & (1u << i)) &&
          (mem.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
         return (int)i;
   for (uint32_t i = 0; i < mem.memoryTypeCount; i++)
      if (bits & (1u << i))
         return (int)i;
   return -1;
}

/* Exports a dma-buf of a buffer's memory and maps it, as a VMM does with a
 * blob it hands to the guest or to its display. */
static void
try_dma_buf_export(VkPhysicalDevice pdev, uint32_t queue_family)
{
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo queue = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
   const char *exts[] = { VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                          VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &queue,
      .enabledExtensionCount = 2,
      .ppEnabledExtensionNames = exts,
   };
   VkDevice dev;
   VkResult r = vkCreateDevice(pdev, &dci, NULL, &dev);
   if (r != VK_SUCCESS) {
      printf("dma-buf export of a buffer: no device with the extensions (%d)\n", (int)r);
      return;
   }
   const VkExternalMemoryBufferCreateInfo ext_buf = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
   };
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .pNext = &ext_buf,
      .size = PROBE_BYTES,
      .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
   };
   VkBuffer buf = VK_NULL_HANDLE;
   VkDeviceMemory memory = VK_NULL_HANDLE;
   const char *step = "vkCreateBuffer";
   r = vkCreateBuffer(dev, &bci, NULL, &buf);
   int type = -1;
   if (r == VK_SUCCESS) {
      VkMemoryRequirements req;
      vkGetBufferMemoryRequirements(dev, buf, &req);
      type = memory_type_for(pdev, req.memoryTypeBits);
      const VkExportMemoryAllocateInfo export = {
         .sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO,
         .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
      };
      const VkMemoryAllocateInfo mai = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
         .pNext = &export,
         .allocationSize = req.size,
         .memoryTypeIndex = type < 0 ? 0 : (uint32_t)type,
      };
      step = "vkAllocateMemory";
      r = type < 0 ? VK_ERROR_FEATURE_NOT_PRESENT : vkAllocateMemory(dev, &mai, NULL, &memory);
   }
   int fd = -1;
   if (r == VK_SUCCESS) {
      PFN_vkGetMemoryFdKHR get_fd =
         (PFN_vkGetMemoryFdKHR)vkGetDeviceProcAddr(dev, "vkGetMemoryFdKHR");
      const VkMemoryGetFdInfoKHR gfi = {
         .sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR,
         .memory = memory,
         .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
      };
      step = "vkGetMemoryFdKHR";
      r = get_fd ? get_fd(dev, &gfi, &fd) : VK_ERROR_EXTENSION_NOT_PRESENT;
   }
   if (r != VK_SUCCESS) {
      printf("dma-buf export of a buffer: %s failed (%d)\n", step, (int)r);
   } else {
      void *map = mmap(NULL, PROBE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      printf("dma-buf export of a buffer (memory type %d): exported, mmap of the fd %s\n", type,
             map == MAP_FAILED ? "fails" : "works");
      if (map != MAP_FAILED)
         munmap(map, PROBE_BYTES);
      close(fd);
   }
   vkFreeMemory(dev, memory, NULL);
   vkDestroyBuffer(dev, buf, NULL);
   vkDestroyDevice(dev, NULL);
}

int
main(void)
{
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "pv-present-caps",
      .apiVersion = VK_API_VERSION_1_3,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   VkInstance instance;
   if (vkCreateInstance(&ici, NULL, &instance) != VK_SUCCESS) {
      fprintf(stderr, "pv-present-caps: no Vulkan instance\n");
      return 2;
   }
   uint32_t count = 1;
   VkPhysicalDevice pdev;
   VkResult r = vkEnumeratePhysicalDevices(instance, &count, &pdev);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || !count) {
      fprintf(stderr, "pv-present-caps: no Vulkan device\n");
      return 2;
   }
   VkPhysicalDeviceProperties props;
   vkGetPhysicalDeviceProperties(pdev, &props);
   printf("device: %s, Vulkan %u.%u.%u\n", props.deviceName,
          VK_API_VERSION_MAJOR(props.apiVersion), VK_API_VERSION_MINOR(props.apiVersion),
          VK_API_VERSION_PATCH(props.apiVersion));

   uint32_t n_exts = 0;
   vkEnumerateDeviceExtensionProperties(pdev, NULL, &n_exts, NULL);
   VkExtensionProperties *exts = calloc(n_exts ? n_exts : 1, sizeof(*exts));
   if (!exts)
      return 2;
   vkEnumerateDeviceExtensionProperties(pdev, NULL, &n_exts, exts);
   static const char *const wanted[] = {
      VK_KHR_SWAPCHAIN_EXTENSION_NAME,
      VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
      VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
      VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME,
      VK_EXT_QUEUE_FAMILY_FOREIGN_EXTENSION_NAME,
      VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
      VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
      VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
   };
   for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
      printf("%s: %s\n", wanted[i], yes_no(has_extension(exts, n_exts, wanted[i])));

   probe_buffer(pdev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT, "opaque fd");
   probe_buffer(pdev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, "dma-buf");
   probe_image(pdev, VK_IMAGE_TILING_OPTIMAL, "optimal");
   probe_image(pdev, VK_IMAGE_TILING_LINEAR, "linear");
   if (has_extension(exts, n_exts, VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME))
      probe_modifiers(pdev);
   probe_sync(pdev);
   if (has_extension(exts, n_exts, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME) &&
       has_extension(exts, n_exts, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME))
      try_dma_buf_export(pdev, 0);
   else
      printf("dma-buf export of a buffer: not tried (no VK_EXT_external_memory_dma_buf)\n");
   free(exts);
   vkDestroyInstance(instance, NULL);
   return 0;
}
