/* SPDX-License-Identifier: MIT */
#include "pv_vk_table.h"

#include <stdio.h>
#include <string.h>

/* How to look a name up: through vkGetInstanceProcAddr or vkGetDeviceProcAddr. */
struct lookup {
   PFN_vkGetInstanceProcAddr gipa;
   PFN_vkGetDeviceProcAddr gdpa;
   void *handle;
};

static PFN_vkVoidFunction
get_proc(const struct lookup *l, const char *name)
{
   return l->gdpa ? l->gdpa((VkDevice)l->handle, name)
                  : l->gipa((VkInstance)l->handle, name);
}

static bool
word_in(const char *word, size_t len, const char *const *list, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++) {
      if (strlen(list[i]) == len && !memcmp(list[i], word, len))
         return true;
   }
   return false;
}

/* Whether any space-separated name of `words` is in `list`. */
static bool
any_enabled(const char *words, const char *const *list, uint32_t count)
{
   for (const char *p = words; *p;) {
      const char *end = strchr(p, ' ');
      const size_t len = end ? (size_t)(end - p) : strlen(p);
      if (len && word_in(p, len, list, count))
         return true;
      p += len + (end ? 1 : 0);
   }
   return false;
}

static PFN_vkVoidFunction
resolve(const struct pv_vk_entry *entry, const struct lookup *l)
{
   PFN_vkVoidFunction fn = get_proc(l, entry->name);
   for (const char *p = entry->aliases; !fn && *p;) {
      const char *end = strchr(p, ' ');
      const size_t len = end ? (size_t)(end - p) : strlen(p);
      char name[128];
      if (len < sizeof(name)) {
         memcpy(name, p, len);
         name[len] = '\0';
         fn = get_proc(l, name);
      }
      p += len + (end ? 1 : 0);
   }
   return fn;
}

static void
store(struct pv_vk_table *table, const struct pv_vk_entry *entry, PFN_vkVoidFunction fn)
{
   memcpy((char *)table + entry->offset, &fn, sizeof(fn));
}

void
pv_vk_table_load_global(struct pv_vk_table *table, PFN_vkGetInstanceProcAddr gipa)
{
   memset(table, 0, sizeof(*table));
   const struct lookup l = { gipa, NULL, NULL };
   for (uint32_t i = 0; i < pv_vk_entry_count; i++) {
      const struct pv_vk_entry *entry = &pv_vk_entries[i];
      if (entry->level == 0)
         store(table, entry, resolve(entry, &l));
   }
}

void
pv_vk_table_load_instance(struct pv_vk_table *table, PFN_vkGetInstanceProcAddr gipa,
                          VkInstance instance, uint32_t api_version,
                          const char *const *extensions, uint32_t extension_count)
{
   const struct lookup l = { gipa, NULL, instance };
   for (uint32_t i = 0; i < pv_vk_entry_count; i++) {
      const struct pv_vk_entry *entry = &pv_vk_entries[i];
      if (entry->level != 1 && entry->level != 2)
         continue;
      const bool provided = (entry->core && entry->core <= api_version) ||
                            any_enabled(entry->extensions, extensions, extension_count) ||
                            (entry->level == 2 && entry->extensions[0]);
      store(table, entry, provided ? resolve(entry, &l) : NULL);
   }
}

void
pv_vk_table_load_device(struct pv_vk_table *table, const struct pv_vk_table *instance_table,
                        VkDevice device, uint32_t api_version,
                        const char *const *extensions, uint32_t extension_count)
{
   *table = *instance_table;
   const struct lookup l = { NULL, instance_table->GetDeviceProcAddr, device };
   for (uint32_t i = 0; i < pv_vk_entry_count; i++) {
      const struct pv_vk_entry *entry = &pv_vk_entries[i];
      if (entry->level != 3)
         continue;
      const bool provided = (entry->core && entry->core <= api_version) ||
                            any_enabled(entry->extensions, extensions, extension_count);
      store(table, entry, provided && l.gdpa ? resolve(entry, &l) : NULL);
   }
}
