/* SPDX-License-Identifier: MIT */
#include "pv_vk.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context/pv_info.h"
#include "pv_instance_keep.h"
#include "stats/pv_stats.h"
#include "util/pv_log.h"
#include "util/pv_time.h"

/* The extensions the guest sees on the instance: the two that define the
 * protocol itself.  Everything else of the host stays invisible. */
static const VkExtensionProperties venus_instance_extensions[] = {
   { "VK_EXT_command_serialization", PV_EXT_COMMAND_SERIALIZATION_SPEC_VERSION },
   { "VK_MESA_venus_protocol", PV_MESA_VENUS_PROTOCOL_SPEC_VERSION },
};

void
pv_handle_vkEnumerateInstanceVersion(struct pv_dispatch *d,
                                     struct pv_cmd_vkEnumerateInstanceVersion *args)
{
   if (!pv_renderer_load_vulkan(d->ctx->renderer)) {
      args->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   if (args->pApiVersion)
      *args->pApiVersion = pv_vk_cap_version(d->ctx->renderer->loader_version);
   args->ret = VK_SUCCESS;
}

void
pv_handle_vkEnumerateInstanceExtensionProperties(
   struct pv_dispatch *d, struct pv_cmd_vkEnumerateInstanceExtensionProperties *args)
{
   (void)d;
   if (args->pLayerName) {
      args->ret = VK_ERROR_LAYER_NOT_PRESENT;
      return;
   }
   if (!args->pPropertyCount) {
      args->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   args->ret = pv_vk_enumerate(args->pPropertyCount, args->pProperties,
                               venus_instance_extensions, 2,
                               sizeof(venus_instance_extensions[0]));
}

void
pv_handle_vkEnumerateInstanceLayerProperties(
   struct pv_dispatch *d, struct pv_cmd_vkEnumerateInstanceLayerProperties *args)
{
   (void)d;
   if (args->pPropertyCount)
      *args->pPropertyCount = 0;
   args->ret = VK_SUCCESS;
}

static void
instance_destroy(struct pv_object *obj)
{
   struct pv_instance *instance = (struct pv_instance *)obj;
   struct pv_context *ctx = instance->ctx;
   const VkInstance handle = (VkInstance)(uintptr_t)obj->handle;
   if (instance->messenger && instance->vk.DestroyDebugUtilsMessengerEXT)
      instance->vk.DestroyDebugUtilsMessengerEXT(handle, instance->messenger, NULL);
   /* its devices are gone (children go first); not one whose context
    * failed, nor one the validation layer watches */
   if (handle && instance->keepable && !instance->messenger && !pv_context_is_fatal(ctx) &&
       pv_instance_keep(ctx->renderer, handle, &instance->key,
                        instance->host_physical_devices, instance->physical_device_count)) {
      pv_debug(PV_CAT_VK, "instance %" PRIu64 ": host instance kept for the next one",
               obj->id);
      instance->host_physical_devices = NULL;
   } else if (handle && instance->vk.DestroyInstance) {
      instance->vk.DestroyInstance(handle, NULL);
   }
   free((char *)instance->key.application_name);
   free((char *)instance->key.engine_name);
   mtx_lock(&ctx->instance_mutex);
   if (ctx->instance == instance)
      ctx->instance = NULL;
   mtx_unlock(&ctx->instance_mutex);
   free(instance->host_physical_devices);
   free(instance->physical_devices);
   pv_object_free(instance);
}

/* Host physical devices the guest may use: all but Venus devices, which
 * would be ourselves (or another renderer) seen through a loader. */
static bool
init_physical_devices(struct pv_instance *instance)
{
   const VkInstance handle = (VkInstance)(uintptr_t)instance->base.handle;
   uint32_t count = 0;
   if (instance->vk.EnumeratePhysicalDevices(handle, &count, NULL) != VK_SUCCESS)
      return false;
   VkPhysicalDevice *devices = calloc(count ? count : 1, sizeof(*devices));
   if (!devices)
      return false;
   if (count && instance->vk.EnumeratePhysicalDevices(handle, &count, devices) < 0) {
      free(devices);
      return false;
   }
   uint32_t kept = 0;
   for (uint32_t i = 0; i < count; i++) {
      VkPhysicalDeviceDriverProperties driver = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
      };
      VkPhysicalDeviceProperties2 props = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
         .pNext = &driver,
      };
      instance->vk.GetPhysicalDeviceProperties2(devices[i], &props);
      if (driver.driverID == VK_DRIVER_ID_MESA_VENUS) {
         pv_warn("skipping host device \"%s\": it is a Venus device",
                 props.properties.deviceName);
         continue;
      }
      if (props.properties.apiVersion < VK_API_VERSION_1_1) {
         pv_warn("skipping host device \"%s\": Vulkan %u.%u < 1.1",
                 props.properties.deviceName, VK_API_VERSION_MAJOR(props.properties.apiVersion),
                 VK_API_VERSION_MINOR(props.properties.apiVersion));
         continue;
      }
      devices[kept++] = devices[i];
   }
   instance->host_physical_devices = devices;
   instance->physical_device_count = kept;
   instance->physical_devices = calloc(kept ? kept : 1, sizeof(*instance->physical_devices));
   return instance->physical_devices != NULL;
}

/* What the validation layer says about the host calls (--validate).  The
 * renderer's own calls must never produce errors; errors that a guest's
 * invalid use provokes are reported as well, not hidden. */
static VKAPI_ATTR VkBool32 VKAPI_CALL
validation_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                   VkDebugUtilsMessageTypeFlagsEXT types,
                   const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
   (void)types;
   (void)user;
   if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
      pv_error("validation error: %s", data->pMessage);
   else
      pv_warn("validation warning: %s", data->pMessage);
   return VK_FALSE;
}

static bool
layer_available(const struct pv_renderer *renderer, const char *name)
{
   uint32_t count = 0;
   if (!renderer->vk.EnumerateInstanceLayerProperties ||
       renderer->vk.EnumerateInstanceLayerProperties(&count, NULL) != VK_SUCCESS)
      return false;
   VkLayerProperties *layers = calloc(count ? count : 1, sizeof(*layers));
   bool found = false;
   if (layers && renderer->vk.EnumerateInstanceLayerProperties(&count, layers) >= 0) {
      for (uint32_t i = 0; i < count && !found; i++)
         found = !strcmp(layers[i].layerName, name);
   }
   free(layers);
   return found;
}

void
pv_handle_vkCreateInstance(struct pv_dispatch *d, struct pv_cmd_vkCreateInstance *args)
{
   struct pv_context *ctx = d->ctx;
   struct pv_renderer *renderer = ctx->renderer;
   const VkInstanceCreateInfo *info = args->pCreateInfo;

   mtx_lock(&ctx->instance_mutex);
   const bool exists = ctx->instance != NULL;
   mtx_unlock(&ctx->instance_mutex);
   if (exists) {
      pv_dispatch_fail(d, "a context has one instance; a second was created");
      return;
   }
   if (info->enabledLayerCount) {
      args->ret = VK_ERROR_LAYER_NOT_PRESENT;
      return;
   }
   for (uint32_t i = 0; i < info->enabledExtensionCount; i++) {
      /* Mesa enables none; the protocol's own are implicit */
      if (strcmp(info->ppEnabledExtensionNames[i], "VK_EXT_command_serialization") &&
          strcmp(info->ppEnabledExtensionNames[i], "VK_MESA_venus_protocol")) {
         args->ret = VK_ERROR_EXTENSION_NOT_PRESENT;
         return;
      }
   }
   if (!pv_renderer_load_vulkan(renderer)) {
      args->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }

   struct pv_instance *instance = pv_vk_object_alloc(
      d, sizeof(*instance), VK_OBJECT_TYPE_INSTANCE, pv_handle_id(*args->pInstance),
      &args->ret);
   if (!instance)
      return;
   instance->ctx = ctx;
   instance->base.destroy = instance_destroy;

   /* the guest asks for at least 1.1 (Venus needs it); the host gets at
    * most what both it and the protocol support */
   uint32_t api = info->pApplicationInfo ? info->pApplicationInfo->apiVersion : 0;
   if (api < VK_API_VERSION_1_1)
      api = VK_API_VERSION_1_1;
   const uint32_t max = pv_vk_cap_version(renderer->loader_version);
   if (api > max)
      api = max;
   VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "pearvisor-gpu",
      .pEngineName = "pearvisor-gpu",
      .apiVersion = api,
   };
   if (info->pApplicationInfo) {
      /* what `pearvisor-gpu stats` calls the client: the application's
       * name, else its engine's, else the process's (from vtest) */
      const char *shown = info->pApplicationInfo->pApplicationName;
      if (!shown || !shown[0])
         shown = info->pApplicationInfo->pEngineName;
      if (ctx->stats && shown && shown[0])
         pv_stats_set_name(ctx->stats, shown);
      app.pApplicationName = info->pApplicationInfo->pApplicationName;
      app.applicationVersion = info->pApplicationInfo->applicationVersion;
      app.pEngineName = info->pApplicationInfo->pEngineName;
      app.engineVersion = info->pApplicationInfo->engineVersion;
   }
   VkInstanceCreateInfo host_info = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   static const char *const validation_layer = "VK_LAYER_KHRONOS_validation";
   static const char *const debug_utils = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
   const VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT,
      .pfnUserCallback = validation_message,
   };
   bool validate = false;
   if (renderer->config.validate) {
      validate = layer_available(renderer, validation_layer);
      if (validate) {
         host_info.enabledLayerCount = 1;
         host_info.ppEnabledLayerNames = &validation_layer;
         host_info.enabledExtensionCount = 1;
         host_info.ppEnabledExtensionNames = &debug_utils;
         host_info.pNext = &messenger_info;
      } else {
         pv_warn("--validate: the Khronos validation layer is not installed");
      }
   }
   instance->key = (struct pv_instance_key){
      .api_version = api,
      .application_name = app.pApplicationName ? strdup(app.pApplicationName) : NULL,
      .application_version = app.applicationVersion,
      .engine_name = app.pEngineName ? strdup(app.pEngineName) : NULL,
      .engine_version = app.engineVersion,
   };
   instance->keepable = !validate &&
                        (!app.pApplicationName || instance->key.application_name) &&
                        (!app.pEngineName || instance->key.engine_name);
   const uint64_t host_start = pv_now_ns();
   VkInstance handle = VK_NULL_HANDLE;
   VkPhysicalDevice *kept_devices = NULL;
   uint32_t kept_device_count = 0;
   if (instance->keepable)
      handle = pv_instance_take_kept(renderer, &instance->key, &kept_devices,
                                     &kept_device_count);
   args->ret = handle ? VK_SUCCESS : renderer->vk.CreateInstance(&host_info, NULL, &handle);
   const uint64_t host_end = pv_now_ns();
   if (args->ret != VK_SUCCESS) {
      pv_warn("host vkCreateInstance failed: %d", args->ret);
      instance_destroy(&instance->base);
      return;
   }
   instance->base.handle = (uint64_t)(uintptr_t)handle;
   instance->api_version = api;
   instance->vk = renderer->vk;
   pv_vk_table_load_instance(&instance->vk, vkGetInstanceProcAddr, handle, api,
                             host_info.ppEnabledExtensionNames,
                             host_info.enabledExtensionCount);
   instance->base.vk = &instance->vk;
   if (validate && instance->vk.CreateDebugUtilsMessengerEXT) {
      instance->vk.CreateDebugUtilsMessengerEXT(handle, &messenger_info, NULL,
                                                &instance->messenger);
      pv_info("host instance runs under %s", validation_layer);
   }

   if (kept_devices) {
      /* the same host devices as when it was made */
      instance->host_physical_devices = kept_devices;
      instance->physical_device_count = kept_device_count;
      instance->physical_devices =
         calloc(kept_device_count ? kept_device_count : 1, sizeof(*instance->physical_devices));
   }
   if (!instance->vk.EnumeratePhysicalDevices || !instance->vk.GetPhysicalDeviceProperties2 ||
       (kept_devices ? !instance->physical_devices : !init_physical_devices(instance))) {
      args->ret = VK_ERROR_INITIALIZATION_FAILED;
      instance_destroy(&instance->base);
      return;
   }
   if (!pv_vk_object_adopt(d, &instance->base, NULL)) {
      instance_destroy(&instance->base);
      return;
   }
   mtx_lock(&ctx->instance_mutex);
   ctx->instance = instance;
   mtx_unlock(&ctx->instance_mutex);
   pv_debug(PV_CAT_VK, "instance %" PRIu64 ": Vulkan %u.%u.%u, %u host devices: host "
            "vkCreateInstance %.2f ms%s, physical devices %.2f ms", instance->base.id,
            VK_API_VERSION_MAJOR(api), VK_API_VERSION_MINOR(api), VK_API_VERSION_PATCH(api),
            instance->physical_device_count, (host_end - host_start) / 1e6,
            kept_devices ? " (the last guest instance's, kept)" : "",
            (pv_now_ns() - host_end) / 1e6);
}

void
pv_handle_vkDestroyInstance(struct pv_dispatch *d, struct pv_cmd_vkDestroyInstance *args)
{
   if (args->instance)
      pv_object_table_destroy(&d->ctx->objects, args->instance);
}
