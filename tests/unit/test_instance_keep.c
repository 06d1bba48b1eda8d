/* SPDX-License-Identifier: MIT */
/* A kept host instance goes only to a guest instance whose host create
 * info would be the same, once, with the physical devices it was kept
 * with. */
#include <stdlib.h>
#include <string.h>

#include "context/pv_context.h"
#include "pv_test.h"
#include "vk/pv_instance_keep.h"

PV_TEST(instance_keep_only_for_the_same_create_info)
{
   struct pv_renderer renderer;
   memset(&renderer, 0, sizeof(renderer));
   REQUIRE(mtx_init(&renderer.mutex, mtx_plain) == thrd_success);
   /* never called into: every take below gives the handle back */
   const VkInstance fake = (VkInstance)(uintptr_t)0x1234;
   VkPhysicalDevice *devices = calloc(2, sizeof(*devices));
   REQUIRE(devices);
   devices[1] = (VkPhysicalDevice)(uintptr_t)0x5678;
   char name[] = "zink";
   const struct pv_instance_key key = {
      .api_version = VK_API_VERSION_1_3,
      .application_name = name,
      .application_version = 1,
      .engine_name = NULL,
      .engine_version = 2,
   };
   REQUIRE(pv_instance_keep(&renderer, fake, &key, devices, 2));
   name[0] = 'X'; /* the kept key is a copy */

   VkPhysicalDevice *got = NULL;
   uint32_t count = 0;
   struct pv_instance_key other = key;
   other.application_name = "zink";
   other.api_version = VK_API_VERSION_1_2;
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   other = key;
   other.application_name = "zinc";
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   other.application_name = NULL;
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   other.application_name = "zink";
   other.engine_name = ""; /* no name is not an empty name */
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   other.engine_name = NULL;
   other.engine_version = 3;
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   other.engine_version = 2;
   other.application_version = 0;
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == VK_NULL_HANDLE);
   CHECK(got == NULL && count == 0);

   other.application_version = 1;
   CHECK(pv_instance_take_kept(&renderer, &other, &got, &count) == fake);
   CHECK(got == devices && count == 2 && got[1] == devices[1]);
   /* taken: not twice */
   VkPhysicalDevice *again = NULL;
   CHECK(pv_instance_take_kept(&renderer, &other, &again, &count) == VK_NULL_HANDLE);
   CHECK(renderer.kept_instance == NULL);
   free(got);
   mtx_destroy(&renderer.mutex);
}
