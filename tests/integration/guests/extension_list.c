/* SPDX-License-Identifier: MIT */
/* The first device's extension list as a program reads it, and whether the
 * answers keep Vulkan's two-call rules for vkEnumerateDeviceExtensionProperties:
 * an array shorter than the list gets its first entries and VK_INCOMPLETE
 * (an empty one too), a longer one the whole list and VK_SUCCESS, and the
 * count says how many were written.  test_guest_view_layer reads it with and
 * without VK_LAYER_PEARVISOR_guest_view, which rewrites those answers.
 *
 * Prints "count N", one extension name a line, and "broken: WHAT" for each
 * rule the answers broke; exits 1 when one did. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

static bool rules_kept = true;

static void
expect(bool held, const char *what, VkResult result, uint32_t count)
{
   if (!held) {
      printf("broken: %s (result %d, count %u)\n", what, result, count);
      rules_kept = false;
   }
}

int
main(void)
{
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "extension-list",
      .apiVersion = VK_API_VERSION_1_1,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   VkInstance instance;
   if (vkCreateInstance(&ici, NULL, &instance) != VK_SUCCESS) {
      fprintf(stderr, "vkCreateInstance failed\n");
      return 2;
   }
   uint32_t n = 1;
   VkPhysicalDevice pdev;
   VkResult r = vkEnumeratePhysicalDevices(instance, &n, &pdev);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0) {
      fprintf(stderr, "no physical device\n");
      return 2;
   }

   uint32_t total = 0;
   r = vkEnumerateDeviceExtensionProperties(pdev, NULL, &total, NULL);
   expect(r == VK_SUCCESS && total > 1, "the count alone", r, total);
   if (!rules_kept)
      return 1;
   /* two spare entries: a longer array than needed */
   VkExtensionProperties *full = calloc(total + 2, sizeof(*full));
   VkExtensionProperties *part = calloc(total + 2, sizeof(*part));
   if (!full || !part)
      return 2;

   uint32_t count = total + 2;
   r = vkEnumerateDeviceExtensionProperties(pdev, NULL, &count, full);
   expect(r == VK_SUCCESS && count == total, "an array longer than the list", r, count);

   count = total - 1;
   r = vkEnumerateDeviceExtensionProperties(pdev, NULL, &count, part);
   expect(r == VK_INCOMPLETE && count == total - 1, "an array one entry short", r, count);
   for (uint32_t i = 0; i < total - 1 && i < count; i++)
      if (strcmp(part[i].extensionName, full[i].extensionName)) {
         expect(false, "a short array holds the list's first entries", r, i);
         break;
      }
   expect(!part[total - 1].extensionName[0], "nothing written past the array", r, count);

   count = 0;
   r = vkEnumerateDeviceExtensionProperties(pdev, NULL, &count, part);
   expect(r == VK_INCOMPLETE && count == 0, "an empty array", r, count);

   printf("count %u\n", total);
   for (uint32_t i = 0; i < total; i++)
      printf("%s\n", full[i].extensionName);
   free(full);
   free(part);
   vkDestroyInstance(instance, NULL);
   return rules_kept ? 0 : 1;
}
