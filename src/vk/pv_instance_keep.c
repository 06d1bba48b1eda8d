/* SPDX-License-Identifier: MIT */
/* Keeping a guest's host instance for its next one.
 *
 * Mesa's Venus makes a new connection, and the renderer a new host
 * instance, for every VkInstance of the guest, and a client's process
 * serves the same guest process's next connections (--linger).  A program
 * that makes instance after instance (a test suite, zink's screens) would
 * pay the host's vkCreateInstance and physical-device enumeration each time
 * (5-11 ms on lavapipe here, 3-6 ms on NVIDIA), where natively the loader
 * and driver stay loaded and the instance is all it pays.  An instance has
 * no state a guest can see once its devices are gone, so the renderer keeps
 * the last one and gives it to the next guest instance whose host create
 * info is the same (the same application and engine names and versions
 * reach the driver, which may key workarounds on them).  One is kept: a
 * program makes its instances one after another. */
#include "pv_instance_keep.h"

#include <stdlib.h>
#include <string.h>

#include "context/pv_context.h"

struct pv_kept_instance {
   VkInstance handle;
   uint32_t api_version, application_version, engine_version;
   char *application_name, *engine_name; /* NULL where the guest gave none */
   VkPhysicalDevice *physical_devices;
   uint32_t physical_device_count;
};

static bool
same_name(const char *a, const char *b)
{
   return a == b || (a && b && !strcmp(a, b));
}

static bool
copy_name(const char *from, char **to)
{
   *to = from ? strdup(from) : NULL;
   return !from || *to;
}

static void
destroy_kept(struct pv_kept_instance *kept)
{
   if (!kept)
      return;
   PFN_vkDestroyInstance destroy =
      (PFN_vkDestroyInstance)vkGetInstanceProcAddr(kept->handle, "vkDestroyInstance");
   if (destroy)
      destroy(kept->handle, NULL);
   free(kept->application_name);
   free(kept->engine_name);
   free(kept->physical_devices);
   free(kept);
}

bool
pv_instance_keep(struct pv_renderer *renderer, VkInstance instance,
                 const struct pv_instance_key *key, VkPhysicalDevice *physical_devices,
                 uint32_t physical_device_count)
{
   struct pv_kept_instance *kept = calloc(1, sizeof(*kept));
   if (!kept)
      return false;
   if (!copy_name(key->application_name, &kept->application_name) ||
       !copy_name(key->engine_name, &kept->engine_name)) {
      free(kept->application_name);
      free(kept);
      return false;
   }
   kept->handle = instance;
   kept->api_version = key->api_version;
   kept->application_version = key->application_version;
   kept->engine_version = key->engine_version;
   kept->physical_devices = physical_devices;
   kept->physical_device_count = physical_device_count;

   mtx_lock(&renderer->mutex);
   struct pv_kept_instance *old = renderer->kept_instance;
   renderer->kept_instance = kept;
   mtx_unlock(&renderer->mutex);
   destroy_kept(old);
   return true;
}

VkInstance
pv_instance_take_kept(struct pv_renderer *renderer, const struct pv_instance_key *key,
                      VkPhysicalDevice **physical_devices, uint32_t *physical_device_count)
{
   mtx_lock(&renderer->mutex);
   struct pv_kept_instance *kept = renderer->kept_instance;
   if (!kept || kept->api_version != key->api_version ||
       kept->application_version != key->application_version ||
       kept->engine_version != key->engine_version ||
       !same_name(kept->application_name, key->application_name) ||
       !same_name(kept->engine_name, key->engine_name)) {
      mtx_unlock(&renderer->mutex);
      return VK_NULL_HANDLE;
   }
   renderer->kept_instance = NULL;
   mtx_unlock(&renderer->mutex);

   const VkInstance handle = kept->handle;
   *physical_devices = kept->physical_devices;
   *physical_device_count = kept->physical_device_count;
   free(kept->application_name);
   free(kept->engine_name);
   free(kept);
   return handle;
}

void
pv_instance_drop_kept(struct pv_renderer *renderer)
{
   mtx_lock(&renderer->mutex);
   struct pv_kept_instance *kept = renderer->kept_instance;
   renderer->kept_instance = NULL;
   mtx_unlock(&renderer->mutex);
   destroy_kept(kept);
}
