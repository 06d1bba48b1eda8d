/* SPDX-License-Identifier: MIT */
/* The memory-type decision on real devices' tables.
 *
 * Heaps and types are copied from public vulkaninfo outputs; the import
 * masks are what each driver's vkGetMemoryHostPointerPropertiesEXT returns
 * for host allocations (measured for NVIDIA on the lent H200, whose types
 * are those of the RTX 5080 below; read from the driver source for RADV,
 * ANV and lavapipe: RADV answers its first cached GTT type only, ANV and
 * lavapipe every type). */
#include <string.h>

#include "pv_test.h"
#include "vk/pv_memory_plan.h"

#define DL VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT
#define HV VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
#define HC VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
#define CA VK_MEMORY_PROPERTY_HOST_CACHED_BIT
#define DC_AMD 0x40u /* VK_MEMORY_PROPERTY_DEVICE_COHERENT_BIT_AMD */
#define UC_AMD 0x80u /* VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD */

struct device_table {
   const char *name;
   uint32_t heap_count;
   struct { uint64_t size; uint32_t flags; } heaps[4];
   uint32_t type_count;
   struct { uint32_t heap; uint32_t flags; } types[12];
   uint32_t importable;
};

/* NVIDIA GeForce RTX 5080, driver 580.95.05 (the H200 on 580.159.04 has the
 * same five types on the same heaps; its imports measured: types 2 and 3) */
static const struct device_table nvidia = {
   "NVIDIA", 2, { { 17094934528ull, 1 }, { 72203271168ull, 0 } },
   5, { { 1, 0 }, { 0, DL }, { 1, HV | HC }, { 1, HV | HC | CA }, { 0, DL | HV | HC } },
   0xc,
};

/* AMD Ryzen 7 9800X3D's GPU (RADV RAPHAEL_MENDOCINO), Mesa 25.2.3; RADV
 * builds a discrete card with resizable BAR the same way, larger */
static const struct device_table radv = {
   "RADV", 2, { { 16760995840ull, 0 }, { 33521999872ull, 1 } },
   11, { { 1, DL }, { 1, DL }, { 0, HV | HC }, { 1, DL | HV | HC }, { 1, DL | HV | HC },
         { 0, HV | HC | CA }, { 0, HV | HC | CA }, { 1, DL | DC_AMD | UC_AMD },
         { 0, HV | HC | DC_AMD | UC_AMD }, { 1, DL | HV | HC | DC_AMD | UC_AMD },
         { 0, HV | HC | CA | DC_AMD | UC_AMD } },
   0x20,
};

/* Intel Xe Graphics (TGL GT2), Mesa 20.2.6 */
static const struct device_table anv_tgl = {
   "ANV TGL", 1, { { 6099397632ull, 1 } }, 1, { { 0, DL | HV | HC | CA } }, 0x1,
};

/* Intel Arc Pro B60 (BMG G21), Mesa 25.2.3 */
static const struct device_table anv_arc = {
   "ANV Arc", 2, { { 25669140480ull, 1 }, { 72203271168ull, 0 } },
   7, { { 0, DL }, { 0, DL }, { 1, HV | HC | CA }, { 0, DL | HV | HC }, { 0, DL },
        { 1, HV | HC | CA }, { 0, DL | HV | HC } },
   0x7f,
};

/* llvmpipe (lavapipe), Mesa 25.0.7, this project's CI machine */
static const struct device_table lavapipe = {
   "lavapipe", 1, { { 25275990016ull, 1 } }, 1, { { 0, DL | HV | HC | CA } }, 0x1,
};

static void
to_vk(const struct device_table *t, VkPhysicalDeviceMemoryProperties *p)
{
   memset(p, 0, sizeof(*p));
   p->memoryHeapCount = t->heap_count;
   for (uint32_t i = 0; i < t->heap_count; i++) {
      p->memoryHeaps[i].size = t->heaps[i].size;
      p->memoryHeaps[i].flags = t->heaps[i].flags;
   }
   p->memoryTypeCount = t->type_count;
   for (uint32_t i = 0; i < t->type_count; i++) {
      p->memoryTypes[i].heapIndex = t->types[i].heap;
      p->memoryTypes[i].propertyFlags = t->types[i].flags;
   }
}

/* How most programs pick memory (VMA's "host access, prefer device",
 * ggml, Dawn): the first allowed type with all of `required` and
 * `preferred`, else the first with `required`; -1 if none. */
static int
choose(const VkPhysicalDeviceMemoryProperties *p, uint32_t allowed, uint32_t required,
       uint32_t preferred)
{
   for (int pass = 0; pass < 2; pass++) {
      const uint32_t want = pass ? required : required | preferred;
      for (uint32_t i = 0; i < p->memoryTypeCount; i++) {
         if ((allowed & (1u << i)) && (p->memoryTypes[i].propertyFlags & want) == want)
            return (int)i;
      }
   }
   return -1;
}

/* What holds for every device: heaps and indices untouched, every type the
 * guest sees as host-visible is one the renderer shares, and a staging
 * buffer (host-visible, coherent, device-local preferred) lands on one. */
static void
check_invariants(const struct device_table *t)
{
   VkPhysicalDeviceMemoryProperties host;
   to_vk(t, &host);
   struct pv_memory_plan plan;
   pv_memory_plan_make(&host, t->importable, &plan);
   const VkPhysicalDeviceMemoryProperties *g = &plan.guest;
   CHECK_EQ(g->memoryHeapCount, host.memoryHeapCount);
   CHECK(!memcmp(g->memoryHeaps, host.memoryHeaps, sizeof(host.memoryHeaps)));
   CHECK_EQ(g->memoryTypeCount, host.memoryTypeCount);
   CHECK_EQ(plan.shared_types & plan.hidden_types, 0);
   for (uint32_t i = 0; i < host.memoryTypeCount; i++) {
      const uint32_t hf = host.memoryTypes[i].propertyFlags;
      const uint32_t gf = g->memoryTypes[i].propertyFlags;
      CHECK_EQ(g->memoryTypes[i].heapIndex, host.memoryTypes[i].heapIndex);
      /* nothing but host access is ever taken away, nothing added */
      CHECK_EQ(gf & ~(uint32_t)PV_MEMORY_HOST_ACCESS_FLAGS, hf & ~(uint32_t)PV_MEMORY_HOST_ACCESS_FLAGS);
      CHECK_EQ(gf & ~hf, 0);
      if (gf & HV)
         CHECK(plan.shared_types & (1u << i));
      if ((hf & HV) && !(t->importable & (1u << i)))
         CHECK(!(gf & PV_MEMORY_HOST_ACCESS_FLAGS));
   }
   const uint32_t all = (1u << host.memoryTypeCount) - 1;
   const int staging = choose(g, all, HV | HC, DL);
   REQUIRE(staging >= 0);
   CHECK(plan.shared_types & (1u << staging));
   CHECK(plan.guest_can_map);
}

PV_TEST(memory_plan_nvidia_bar_is_device_only)
{
   check_invariants(&nvidia);
   VkPhysicalDeviceMemoryProperties host;
   to_vk(&nvidia, &host);
   struct pv_memory_plan plan;
   pv_memory_plan_make(&host, nvidia.importable, &plan);
   CHECK_EQ(plan.shared_types, 0xc);
   CHECK_EQ(plan.hidden_types, 0x10);
   CHECK_EQ(plan.guest.memoryTypes[4].propertyFlags, DL);
   CHECK_EQ(plan.guest.memoryTypes[4].heapIndex, 0);
   CHECK_EQ(plan.guest.memoryTypes[2].propertyFlags, HV | HC);
   CHECK_EQ(plan.guest.memoryTypes[3].propertyFlags, HV | HC | CA);
   /* natively the usual upload choice is the BAR; the guest's is type 2 */
   CHECK_EQ(choose(&host, 0x1f, HV | HC, DL), 4);
   CHECK_EQ(choose(&plan.guest, 0x1f, HV | HC, DL), 2);
   /* device-local without host access still finds VRAM first */
   CHECK_EQ(choose(&plan.guest, 0x1f, DL, 0), 1);
}

PV_TEST(memory_plan_radv_only_cached_gtt_is_shared)
{
   check_invariants(&radv);
   VkPhysicalDeviceMemoryProperties host;
   to_vk(&radv, &host);
   struct pv_memory_plan plan;
   pv_memory_plan_make(&host, radv.importable, &plan);
   CHECK_EQ(plan.shared_types, 0x20);
   CHECK_EQ(plan.hidden_types, 0x75c); /* 2, 3, 4, 6, 8, 9, 10 */
   CHECK_EQ(plan.guest.memoryTypes[2].propertyFlags, 0);
   CHECK_EQ(plan.guest.memoryTypes[9].propertyFlags, DL | DC_AMD | UC_AMD);
   CHECK_EQ(choose(&plan.guest, 0x7ff, HV | HC, DL), 5);
   CHECK_EQ(choose(&plan.guest, 0x7ff, HV | CA, 0), 5);
}

PV_TEST(memory_plan_anv_and_lavapipe_unchanged)
{
   const struct device_table *all_shared[] = { &anv_tgl, &anv_arc, &lavapipe };
   for (unsigned i = 0; i < sizeof(all_shared) / sizeof(all_shared[0]); i++) {
      check_invariants(all_shared[i]);
      VkPhysicalDeviceMemoryProperties host;
      to_vk(all_shared[i], &host);
      struct pv_memory_plan plan;
      pv_memory_plan_make(&host, all_shared[i]->importable, &plan);
      CHECK(!memcmp(&plan.guest, &host, sizeof(host)));
      CHECK_EQ(plan.hidden_types, 0);
   }
}

PV_TEST(memory_plan_without_import_nothing_mappable)
{
   /* a driver without VK_EXT_external_memory_host */
   VkPhysicalDeviceMemoryProperties host;
   to_vk(&nvidia, &host);
   struct pv_memory_plan plan;
   pv_memory_plan_make(&host, 0, &plan);
   CHECK_EQ(plan.shared_types, 0);
   CHECK_EQ(plan.hidden_types, 0x1c);
   CHECK(!plan.guest_can_map);
   CHECK_EQ(choose(&plan.guest, 0x1f, HV, 0), -1);
   /* import bits beyond the type count or on device-only types change nothing */
   pv_memory_plan_make(&host, 0xffffffffu, &plan);
   CHECK_EQ(plan.shared_types, 0x1c);
   CHECK(!memcmp(&plan.guest, &host, sizeof(host)));
}
