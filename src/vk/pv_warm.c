/* SPDX-License-Identifier: MIT */
/* Warming up the host driver: what a driver does once per process (load
 * its libraries, set up its compiler and caches) happens on a throwaway
 * instance and device, before any guest waits for it.  The throwaway
 * device also answers which memory types can be shared with guests
 * (pv_memory_probe.c), which the guest asks before it has a device.
 *
 * The warm-up also notes which driver libraries the loader opened, so that
 * the vtest server can load them once (pv_preload_driver_libraries) and
 * every client process it forks afterwards starts with them: loading
 * lavapipe (LLVM's relocations and constructors) took 23-26 ms of each new
 * process's first vkCreateInstance here, 30 ms against 8 ms. */
#include "pv_vk.h"

#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/pv_log.h"

#define PV_WARM_MAX_DEVICES 8
#define PV_WARM_MAX_LIBRARIES 256

struct loaded_libraries {
   char *names[PV_WARM_MAX_LIBRARIES];
   int count;
};

static int
note_library(struct dl_phdr_info *info, size_t size, void *data)
{
   (void)size;
   struct loaded_libraries *libs = data;
   if (info->dlpi_name && info->dlpi_name[0] == '/' && libs->count < PV_WARM_MAX_LIBRARIES) {
      libs->names[libs->count] = strdup(info->dlpi_name);
      if (libs->names[libs->count])
         libs->count++;
   }
   return 0;
}

static bool
was_loaded(const struct loaded_libraries *libs, const char *name)
{
   for (int i = 0; i < libs->count; i++) {
      if (!strcmp(libs->names[i], name))
         return true;
   }
   return false;
}

static void
free_libraries(struct loaded_libraries *libs)
{
   for (int i = 0; i < libs->count; i++)
      free(libs->names[i]);
   libs->count = 0;
}

/* A library the loader opened as a driver or a layer (its dependencies
 * come with it). */
static bool
is_driver_entry(const char *path)
{
   void *handle = dlopen(path, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD);
   if (!handle)
      return false;
   const bool entry = dlsym(handle, "vk_icdGetInstanceProcAddr") ||
                      dlsym(handle, "vkNegotiateLoaderLayerInterfaceVersion");
   dlclose(handle);
   return entry;
}

/* What the instance made since `before` loaded, into the renderer's list. */
static void
note_driver_libraries(struct pv_renderer *renderer, const struct loaded_libraries *before)
{
   struct loaded_libraries after = { .count = 0 };
   dl_iterate_phdr(note_library, &after);
   uint32_t len = 0;
   for (int i = 0; i < after.count; i++) {
      const char *name = after.names[i];
      const size_t n = strlen(name) + 1;
      if (was_loaded(before, name) || !is_driver_entry(name) ||
          len + n > sizeof(renderer->driver_libraries))
         continue;
      memcpy(renderer->driver_libraries + len, name, n);
      len += (uint32_t)n;
      pv_debug(PV_CAT_VK, "warm-up: the host driver's library %s", name);
   }
   renderer->driver_libraries_len = len;
   free_libraries(&after);
}

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
   struct loaded_libraries before = { .count = 0 };
   dl_iterate_phdr(note_library, &before);
   VkInstance instance;
   if (renderer->vk.CreateInstance(&ici, NULL, &instance) != VK_SUCCESS) {
      free_libraries(&before);
      return -1;
   }
   PFN_vkEnumeratePhysicalDevices enumerate =
      (PFN_vkEnumeratePhysicalDevices)vkGetInstanceProcAddr(instance,
                                                            "vkEnumeratePhysicalDevices");
   int ret = -1;
   uint32_t count = PV_WARM_MAX_DEVICES;
   VkPhysicalDevice pdevs[PV_WARM_MAX_DEVICES];
   const VkResult r = enumerate ? enumerate(instance, &count, pdevs)
                                : VK_ERROR_INITIALIZATION_FAILED;
   if (r == VK_SUCCESS || r == VK_INCOMPLETE) {
      note_driver_libraries(renderer, &before);
      for (uint32_t i = 0; i < count; i++)
         pv_memory_importable_types(renderer, vkGetInstanceProcAddr, instance, pdevs[i]);
      ret = count ? 0 : -1;
   }
   free_libraries(&before);
   /* Kept for the process's life: when the last instance goes, the loader
    * unloads the driver and the guest's instance would load it again
    * (NVIDIA 580 on an H200: the guest's vkCreateInstance took ~100 ms after
    * a destroyed warm-up instance, 4 ms beside a kept one). */
   renderer->warm_instance = instance;
   return ret;
}

int
pv_preload_driver_libraries(const char *paths, size_t len)
{
   int loaded = 0;
   for (size_t at = 0; at < len;) {
      const char *path = paths + at;
      const size_t n = strnlen(path, len - at);
      if (n == len - at)
         break; /* not terminated: the list is cut here */
      at += n + 1;
      struct stat st;
      if (path[0] != '/' || stat(path, &st) || !S_ISREG(st.st_mode))
         continue;
      /* never closed: the point is that it stays */
      if (dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
         loaded++;
         pv_debug(PV_CAT_VTEST, "preloaded %s for the client processes", path);
      } else {
         pv_warn("preloading the host driver's %s: %s", path, dlerror());
      }
   }
   return loaded;
}
