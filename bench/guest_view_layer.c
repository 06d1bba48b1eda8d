/* SPDX-License-Identifier: MIT */
/* VK_LAYER_PEARVISOR_guest_view: a Vulkan layer that hides device extensions
 * from a native program, so that it sees the extension list a guest on
 * PearVisor is shown while everything else runs natively.  ggml's Vulkan
 * backend picks its kernels from that list (docs/nvidia.md); run natively
 * with the guest's list, it shows which part of a gap through PearVisor comes
 * from the guest driver's extension set and which is the renderer's cost.
 *
 *    VK_LAYER_PATH=<folder of pv_guest_view_layer.json>
 *    VK_INSTANCE_LAYERS=VK_LAYER_PEARVISOR_guest_view
 *    PV_HIDE_DEVICE_EXTENSIONS=VK_KHR_cooperative_matrix,VK_NV_shader_sm_builtins
 *
 * The list is read once per instance, at vkCreateInstance.  Only
 * vkEnumerateDeviceExtensionProperties changes; every other command goes to
 * the next layer or the driver untouched, so a program that enables a hidden
 * extension without asking for the list still gets it.
 *
 * The loader interface is version 2 (the loader's LoaderLayerInterface.md):
 * the loader calls vkNegotiateLoaderLayerInterfaceVersion, the only symbol
 * exported, and reaches everything else through the GetProcAddr functions it
 * is handed there. */
#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#define LAYER_NAME "VK_LAYER_PEARVISOR_guest_view"
#define HIDE_ENV "PV_HIDE_DEVICE_EXTENSIONS"

/* What the layer keeps of one VkInstance: the next link's entry points and
 * the extensions to hide.  A physical device carries its instance's loader
 * dispatch pointer, so both find the record by that key.  Owned by the
 * instances list; freed in guest_view_DestroyInstance. */
struct instance_record {
   void *key;
   VkInstance instance;
   PFN_vkGetInstanceProcAddr next_get_instance_proc_addr;
   PFN_GetPhysicalDeviceProcAddr next_get_physical_device_proc_addr; /* may be NULL */
   PFN_vkDestroyInstance next_destroy_instance;
   PFN_vkEnumerateDeviceExtensionProperties next_enumerate_device_extensions;
   char *hidden; /* owned: a copy of PV_HIDE_DEVICE_EXTENSIONS, NULL when unset */
   struct instance_record *next;
};

/* What the layer keeps of one VkDevice.  Owned by the devices list; freed in
 * guest_view_DestroyDevice. */
struct device_record {
   void *key;
   PFN_vkGetDeviceProcAddr next_get_device_proc_addr;
   PFN_vkDestroyDevice next_destroy_device;
   struct device_record *next;
};

/* A program has few instances and devices: plain lists do. */
static pthread_mutex_t records_mutex = PTHREAD_MUTEX_INITIALIZER; /* guards both lists */
static struct instance_record *instances;
static struct device_record *devices;

/* The loader writes its dispatch table pointer into the first word of every
 * dispatchable handle; it is the same for an instance and its physical
 * devices, and for a device and its queues and command buffers. */
static void *
dispatch_key(const void *dispatchable_handle)
{
   return *(void *const *)dispatchable_handle;
}

/* Vulkan's rules (external synchronization of the parent's destruction)
 * keep a record alive while a command on its handle runs, so a lookup may
 * hand out the record after unlocking. */
static struct instance_record *
find_instance(const void *dispatchable_handle)
{
   void *key = dispatch_key(dispatchable_handle);
   pthread_mutex_lock(&records_mutex);
   struct instance_record *record = instances;
   while (record && record->key != key)
      record = record->next;
   pthread_mutex_unlock(&records_mutex);
   return record;
}

static struct device_record *
find_device(const void *dispatchable_handle)
{
   void *key = dispatch_key(dispatchable_handle);
   pthread_mutex_lock(&records_mutex);
   struct device_record *record = devices;
   while (record && record->key != key)
      record = record->next;
   pthread_mutex_unlock(&records_mutex);
   return record;
}

/* Whether the comma-separated list names the extension (blanks around the
 * names are allowed). */
static bool
list_names(const char *list, const char *name)
{
   size_t name_len = strlen(name);
   const char *p = list;
   while (p && *p) {
      while (*p == ' ' || *p == '\t')
         p++;
      size_t item_len = strcspn(p, ",");
      size_t trimmed = item_len;
      while (trimmed && isspace((unsigned char)p[trimmed - 1]))
         trimmed--;
      if (trimmed == name_len && !memcmp(p, name, name_len))
         return true;
      p += item_len;
      if (*p == ',')
         p++;
   }
   return false;
}

/* The driver's list without the hidden names, answered by Vulkan's two-call
 * rules: with no array, the count; with one, at most *count entries and
 * VK_INCOMPLETE when that was not all of them. */
static VKAPI_ATTR VkResult VKAPI_CALL
guest_view_EnumerateDeviceExtensionProperties(VkPhysicalDevice physical_device,
                                              const char *layer_name, uint32_t *count,
                                              VkExtensionProperties *properties)
{
   if (layer_name && !strcmp(layer_name, LAYER_NAME)) {
      *count = 0; /* the layer offers no extension of its own */
      return VK_SUCCESS;
   }
   struct instance_record *inst = find_instance(physical_device);
   if (!inst)
      return VK_ERROR_INITIALIZATION_FAILED;
   if (layer_name || !inst->hidden)
      return inst->next_enumerate_device_extensions(physical_device, layer_name, count,
                                                    properties);

   /* the whole list first: which entries survive depends on all of them */
   VkExtensionProperties *all = NULL;
   uint32_t total;
   VkResult result;
   do {
      result =
         inst->next_enumerate_device_extensions(physical_device, NULL, &total, NULL);
      if (result != VK_SUCCESS)
         return result;
      free(all);
      all = calloc(total ? total : 1, sizeof(*all));
      if (!all)
         return VK_ERROR_OUT_OF_HOST_MEMORY;
      result = inst->next_enumerate_device_extensions(physical_device, NULL, &total, all);
   } while (result == VK_INCOMPLETE); /* the list grew between the two calls */
   if (result != VK_SUCCESS) {
      free(all);
      return result;
   }

   uint32_t shown = 0;
   for (uint32_t i = 0; i < total; i++)
      if (!list_names(inst->hidden, all[i].extensionName))
         all[shown++] = all[i];

   result = VK_SUCCESS;
   if (properties) {
      if (*count < shown) {
         shown = *count;
         result = VK_INCOMPLETE;
      }
      memcpy(properties, all, shown * sizeof(*all));
   }
   *count = shown;
   free(all);
   return result;
}

/* The loader's chain entry for this layer: where the next link is. */
static VkLayerInstanceCreateInfo *
find_instance_link(const VkInstanceCreateInfo *info)
{
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext) {
      /* the loader's own structure: it expects each layer to advance it */
      VkLayerInstanceCreateInfo *chain = (VkLayerInstanceCreateInfo *)s;
      if (s->sType == VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO &&
          chain->function == VK_LAYER_LINK_INFO)
         return chain;
   }
   return NULL;
}

static VkLayerDeviceCreateInfo *
find_device_link(const VkDeviceCreateInfo *info)
{
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext) {
      VkLayerDeviceCreateInfo *chain = (VkLayerDeviceCreateInfo *)s;
      if (s->sType == VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO &&
          chain->function == VK_LAYER_LINK_INFO)
         return chain;
   }
   return NULL;
}

static VKAPI_ATTR VkResult VKAPI_CALL
guest_view_CreateInstance(const VkInstanceCreateInfo *info,
                          const VkAllocationCallbacks *allocator, VkInstance *instance)
{
   VkLayerInstanceCreateInfo *chain = find_instance_link(info);
   if (!chain || !chain->u.pLayerInfo)
      return VK_ERROR_INITIALIZATION_FAILED;
   VkLayerInstanceLink *link = chain->u.pLayerInfo;
   PFN_vkGetInstanceProcAddr next_gipa = link->pfnNextGetInstanceProcAddr;
   PFN_vkCreateInstance next_create =
      (PFN_vkCreateInstance)next_gipa(VK_NULL_HANDLE, "vkCreateInstance");
   if (!next_create)
      return VK_ERROR_INITIALIZATION_FAILED;

   struct instance_record *record = calloc(1, sizeof(*record));
   if (!record)
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   const char *hide = getenv(HIDE_ENV);
   if (hide && *hide) {
      record->hidden = strdup(hide);
      if (!record->hidden) {
         free(record);
         return VK_ERROR_OUT_OF_HOST_MEMORY;
      }
   }

   /* the next layer finds its own link where ours was */
   chain->u.pLayerInfo = link->pNext;
   VkResult result = next_create(info, allocator, instance);
   if (result != VK_SUCCESS) {
      free(record->hidden);
      free(record);
      return result;
   }

   record->key = dispatch_key(*instance);
   record->instance = *instance;
   record->next_get_instance_proc_addr = next_gipa;
   record->next_get_physical_device_proc_addr = link->pfnNextGetPhysicalDeviceProcAddr;
   record->next_destroy_instance =
      (PFN_vkDestroyInstance)next_gipa(*instance, "vkDestroyInstance");
   record->next_enumerate_device_extensions = (PFN_vkEnumerateDeviceExtensionProperties)
      next_gipa(*instance, "vkEnumerateDeviceExtensionProperties");
   pthread_mutex_lock(&records_mutex);
   record->next = instances;
   instances = record;
   pthread_mutex_unlock(&records_mutex);
   return VK_SUCCESS;
}

static VKAPI_ATTR void VKAPI_CALL
guest_view_DestroyInstance(VkInstance instance, const VkAllocationCallbacks *allocator)
{
   if (!instance)
      return;
   void *key = dispatch_key(instance);
   pthread_mutex_lock(&records_mutex);
   struct instance_record **link = &instances;
   while (*link && (*link)->key != key)
      link = &(*link)->next;
   struct instance_record *record = *link;
   if (record)
      *link = record->next;
   pthread_mutex_unlock(&records_mutex);
   if (!record)
      return;
   record->next_destroy_instance(instance, allocator);
   free(record->hidden);
   free(record);
}

static VKAPI_ATTR VkResult VKAPI_CALL
guest_view_CreateDevice(VkPhysicalDevice physical_device, const VkDeviceCreateInfo *info,
                        const VkAllocationCallbacks *allocator, VkDevice *device)
{
   VkLayerDeviceCreateInfo *chain = find_device_link(info);
   struct instance_record *inst = find_instance(physical_device);
   if (!chain || !chain->u.pLayerInfo || !inst)
      return VK_ERROR_INITIALIZATION_FAILED;
   VkLayerDeviceLink *link = chain->u.pLayerInfo;
   PFN_vkGetDeviceProcAddr next_gdpa = link->pfnNextGetDeviceProcAddr;
   PFN_vkCreateDevice next_create = (PFN_vkCreateDevice)link->pfnNextGetInstanceProcAddr(
      inst->instance, "vkCreateDevice");
   if (!next_create)
      return VK_ERROR_INITIALIZATION_FAILED;

   struct device_record *record = calloc(1, sizeof(*record));
   if (!record)
      return VK_ERROR_OUT_OF_HOST_MEMORY;

   chain->u.pLayerInfo = link->pNext;
   VkResult result = next_create(physical_device, info, allocator, device);
   if (result != VK_SUCCESS) {
      free(record);
      return result;
   }

   record->key = dispatch_key(*device);
   record->next_get_device_proc_addr = next_gdpa;
   record->next_destroy_device =
      (PFN_vkDestroyDevice)next_gdpa(*device, "vkDestroyDevice");
   pthread_mutex_lock(&records_mutex);
   record->next = devices;
   devices = record;
   pthread_mutex_unlock(&records_mutex);
   return VK_SUCCESS;
}

static VKAPI_ATTR void VKAPI_CALL
guest_view_DestroyDevice(VkDevice device, const VkAllocationCallbacks *allocator)
{
   if (!device)
      return;
   void *key = dispatch_key(device);
   pthread_mutex_lock(&records_mutex);
   struct device_record **link = &devices;
   while (*link && (*link)->key != key)
      link = &(*link)->next;
   struct device_record *record = *link;
   if (record)
      *link = record->next;
   pthread_mutex_unlock(&records_mutex);
   if (!record)
      return;
   record->next_destroy_device(device, allocator);
   free(record);
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
guest_view_GetDeviceProcAddr(VkDevice device, const char *name);

/* The device commands the layer answers itself: only its own bookkeeping. */
static PFN_vkVoidFunction
own_device_command(const char *name)
{
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)guest_view_GetDeviceProcAddr;
   if (!strcmp(name, "vkDestroyDevice"))
      return (PFN_vkVoidFunction)guest_view_DestroyDevice;
   return NULL;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
guest_view_GetDeviceProcAddr(VkDevice device, const char *name)
{
   PFN_vkVoidFunction own = own_device_command(name);
   if (own)
      return own;
   if (!device)
      return NULL;
   struct device_record *record = find_device(device);
   return record ? record->next_get_device_proc_addr(device, name) : NULL;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
guest_view_GetInstanceProcAddr(VkInstance instance, const char *name)
{
   static const struct {
      const char *name;
      PFN_vkVoidFunction function;
   } own[] = {
      {"vkGetInstanceProcAddr", (PFN_vkVoidFunction)guest_view_GetInstanceProcAddr},
      {"vkCreateInstance", (PFN_vkVoidFunction)guest_view_CreateInstance},
      {"vkDestroyInstance", (PFN_vkVoidFunction)guest_view_DestroyInstance},
      {"vkCreateDevice", (PFN_vkVoidFunction)guest_view_CreateDevice},
      {"vkEnumerateDeviceExtensionProperties",
       (PFN_vkVoidFunction)guest_view_EnumerateDeviceExtensionProperties},
   };
   for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
      if (!strcmp(name, own[i].name))
         return own[i].function;
   /* the loader may ask for device commands here too */
   PFN_vkVoidFunction own_device = own_device_command(name);
   if (own_device)
      return own_device;
   if (!instance)
      return NULL;
   struct instance_record *record = find_instance(instance);
   return record ? record->next_get_instance_proc_addr(instance, name) : NULL;
}

/* Physical-device commands the loader does not know by name (extensions
 * newer than it): none of them is the layer's, so they go straight down. */
static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
guest_view_GetPhysicalDeviceProcAddr(VkInstance instance, const char *name)
{
   struct instance_record *record = instance ? find_instance(instance) : NULL;
   if (!record || !record->next_get_physical_device_proc_addr)
      return NULL;
   return record->next_get_physical_device_proc_addr(instance, name);
}

VK_LAYER_EXPORT VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *interface)
{
   /* version 2 is what this layer implements; a loader that offers less
    * would look for exported GetProcAddr functions, which it has none of */
   if (!interface || interface->sType != LAYER_NEGOTIATE_INTERFACE_STRUCT ||
       interface->loaderLayerInterfaceVersion < 2)
      return VK_ERROR_INITIALIZATION_FAILED;
   interface->loaderLayerInterfaceVersion = 2;
   interface->pfnGetInstanceProcAddr = guest_view_GetInstanceProcAddr;
   interface->pfnGetDeviceProcAddr = guest_view_GetDeviceProcAddr;
   interface->pfnGetPhysicalDeviceProcAddr = guest_view_GetPhysicalDeviceProcAddr;
   return VK_SUCCESS;
}
