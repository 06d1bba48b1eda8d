/* SPDX-License-Identifier: MIT */
#include "pv_sample.h"

#include <string.h>
#include <unistd.h>

void
sample_select_device(struct sample *s, const char *name, uint32_t api_version)
{
   memset(s, 0, sizeof(*s));
   const VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = name,
      .apiVersion = api_version,
   };
   const VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   CHECK_VK(vkCreateInstance(&ici, NULL, &s->instance));

   uint32_t count = 1;
   VkResult r = vkEnumeratePhysicalDevices(s->instance, &count, &s->physical_device);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || !count) {
      fprintf(stderr, "no Vulkan device\n");
      exit(2);
   }
   vkGetPhysicalDeviceProperties(s->physical_device, &s->properties);
   vkGetPhysicalDeviceMemoryProperties(s->physical_device, &s->memory);
   s->features12 = (VkPhysicalDeviceVulkan12Features){
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
   };
   VkPhysicalDeviceFeatures2 features = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
      .pNext = &s->features12,
   };
   vkGetPhysicalDeviceFeatures2(s->physical_device, &features);
   s->features = features.features;
}

void
sample_create_device(struct sample *s, const struct sample_device_options *options)
{
   const VkQueueFlags want_queue = options->queue_flags ? options->queue_flags
                                                        : VK_QUEUE_COMPUTE_BIT;
   uint32_t families = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &families, NULL);
   VkQueueFamilyProperties props[16];
   if (families > 16)
      families = 16;
   vkGetPhysicalDeviceQueueFamilyProperties(s->physical_device, &families, props);
   s->queue_family = UINT32_MAX;
   for (uint32_t i = 0; i < families && s->queue_family == UINT32_MAX; i++) {
      if ((props[i].queueFlags & want_queue) == want_queue)
         s->queue_family = i;
   }
   if (s->queue_family == UINT32_MAX) {
      fprintf(stderr, "no queue with flags 0x%x\n", (unsigned)want_queue);
      exit(2);
   }
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = s->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = options->features_chain,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
      .enabledExtensionCount = options->extension_count,
      .ppEnabledExtensionNames = options->extensions,
      .pEnabledFeatures = options->features,
   };
   CHECK_VK(vkCreateDevice(s->physical_device, &dci, NULL, &s->device));
   vkGetDeviceQueue(s->device, s->queue_family, 0, &s->queue);
   const VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = s->queue_family,
   };
   CHECK_VK(vkCreateCommandPool(s->device, &pci, NULL, &s->pool));
}

void
sample_init(struct sample *s, const char *name)
{
   sample_select_device(s, name, VK_API_VERSION_1_2);
   /* what the samples use, when the device has it */
   VkPhysicalDeviceVulkan12Features want12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .timelineSemaphore = s->features12.timelineSemaphore,
      .hostQueryReset = s->features12.hostQueryReset,
      .bufferDeviceAddress = s->features12.bufferDeviceAddress,
   };
   const VkPhysicalDeviceFeatures want = {
      .pipelineStatisticsQuery = s->features.pipelineStatisticsQuery,
   };
   const struct sample_device_options options = {
      .features_chain = &want12,
      .features = &want,
   };
   sample_create_device(s, &options);
   printf("device: %s\n", s->properties.deviceName);
}

void
sample_fini(struct sample *s)
{
   vkDestroyCommandPool(s->device, s->pool, NULL);
   vkDestroyDevice(s->device, NULL);
   vkDestroyInstance(s->instance, NULL);
}

uint32_t
sample_memory_type(struct sample *s, uint32_t bits, VkMemoryPropertyFlags want)
{
   for (uint32_t i = 0; i < s->memory.memoryTypeCount; i++) {
      if ((bits & (1u << i)) && (s->memory.memoryTypes[i].propertyFlags & want) == want)
         return i;
   }
   return UINT32_MAX;
}

/* Memory for `req` of a type with all of `want`, else all of `fallback`;
 * returns the type's index. */
static uint32_t
allocate_memory(struct sample *s, const VkMemoryRequirements *req, VkMemoryPropertyFlags want,
                VkMemoryPropertyFlags fallback, VkDeviceMemory *memory)
{
   uint32_t type = sample_memory_type(s, req->memoryTypeBits, want);
   if (type == UINT32_MAX)
      type = sample_memory_type(s, req->memoryTypeBits, fallback);
   if (type == UINT32_MAX) {
      fprintf(stderr, "no suitable memory type\n");
      exit(2);
   }
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req->size,
      .memoryTypeIndex = type,
   };
   CHECK_VK(vkAllocateMemory(s->device, &mai, NULL, memory));
   return type;
}

static void
buffer_init(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
            VkBufferUsageFlags usage, VkMemoryPropertyFlags want, VkMemoryPropertyFlags fallback)
{
   memset(b, 0, sizeof(*b));
   b->size = size;
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
   };
   CHECK_VK(vkCreateBuffer(s->device, &bci, NULL, &b->buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(s->device, b->buffer, &req);
   const uint32_t type = allocate_memory(s, &req, want, fallback, &b->memory);
   CHECK_VK(vkBindBufferMemory(s->device, b->buffer, b->memory, 0));
   if (s->memory.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      CHECK_VK(vkMapMemory(s->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->map));
}

void
sample_buffer_host(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                   VkBufferUsageFlags usage)
{
   const VkMemoryPropertyFlags hv =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   buffer_init(s, b, size, usage, hv, hv);
}

void
sample_buffer_staging(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                      VkBufferUsageFlags usage)
{
   const VkMemoryPropertyFlags hv =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   buffer_init(s, b, size, usage, hv | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, hv);
}

void
sample_buffer_device(struct sample *s, struct sample_buffer *b, VkDeviceSize size,
                     VkBufferUsageFlags usage)
{
   buffer_init(s, b, size, usage, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
}

void
sample_buffer_fini(struct sample *s, struct sample_buffer *b)
{
   if (b->map)
      vkUnmapMemory(s->device, b->memory);
   vkDestroyBuffer(s->device, b->buffer, NULL);
   vkFreeMemory(s->device, b->memory, NULL);
}

VkShaderModule
sample_shader(struct sample *s, const uint32_t *code, size_t size)
{
   const VkShaderModuleCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = size,
      .pCode = code,
   };
   VkShaderModule module;
   CHECK_VK(vkCreateShaderModule(s->device, &info, NULL, &module));
   return module;
}

static VkCommandBuffer
begin_command_buffer(struct sample *s, VkCommandBufferUsageFlags usage)
{
   const VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = s->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
   };
   VkCommandBuffer cmd;
   CHECK_VK(vkAllocateCommandBuffers(s->device, &ai, &cmd));
   const VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = usage,
   };
   CHECK_VK(vkBeginCommandBuffer(cmd, &bi));
   return cmd;
}

VkCommandBuffer
sample_begin(struct sample *s)
{
   return begin_command_buffer(s, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
}

VkCommandBuffer
sample_begin_reusable(struct sample *s)
{
   return begin_command_buffer(s, 0);
}

void
sample_run(struct sample *s, VkCommandBuffer cmd, VkFence fence)
{
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   CHECK_VK(vkQueueSubmit(s->queue, 1, &si, fence));
   CHECK_VK(vkWaitForFences(s->device, 1, &fence, VK_TRUE, UINT64_MAX));
   CHECK_VK(vkResetFences(s->device, 1, &fence));
}

void
sample_submit_wait(struct sample *s, VkCommandBuffer cmd)
{
   CHECK_VK(vkEndCommandBuffer(cmd));
   VkFence fence = sample_fence(s);
   sample_run(s, cmd, fence);
   vkDestroyFence(s->device, fence, NULL);
   vkFreeCommandBuffers(s->device, s->pool, 1, &cmd);
}

VkFence
sample_fence(struct sample *s)
{
   const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
   VkFence fence;
   CHECK_VK(vkCreateFence(s->device, &fci, NULL, &fence));
   return fence;
}

VkSemaphore
sample_timeline(struct sample *s)
{
   const VkSemaphoreTypeCreateInfo type = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
      .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
   };
   const VkSemaphoreCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
      .pNext = &type,
   };
   VkSemaphore timeline;
   CHECK_VK(vkCreateSemaphore(s->device, &sci, NULL, &timeline));
   return timeline;
}

void
sample_wait_timeline(struct sample *s, VkSemaphore timeline, uint64_t value)
{
   const VkSemaphoreWaitInfo wait = {
      .sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
      .semaphoreCount = 1,
      .pSemaphores = &timeline,
      .pValues = &value,
   };
   CHECK_VK(vkWaitSemaphores(s->device, &wait, UINT64_MAX));
}

void
sample_transition(VkCommandBuffer cmd, VkImage image, uint32_t mip, uint32_t mips,
                  VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                  VkAccessFlags dst_access, VkPipelineStageFlags src_stage,
                  VkPipelineStageFlags dst_stage)
{
   const VkImageMemoryBarrier barrier = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .srcAccessMask = src_access,
      .dstAccessMask = dst_access,
      .oldLayout = from,
      .newLayout = to,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = image,
      .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, mip, mips, 0, 1 },
   };
   vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, NULL, 0, NULL, 1, &barrier);
}

void
sample_barrier_to_host(VkCommandBuffer cmd, VkPipelineStageFlags src_stage,
                       VkAccessFlags src_access)
{
   const VkMemoryBarrier to_host = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = src_access,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
   };
   vkCmdPipelineBarrier(cmd, src_stage, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host, 0, NULL, 0,
                        NULL);
}

void
sample_set_viewport(VkCommandBuffer cmd, uint32_t width, uint32_t height)
{
   const VkViewport viewport = { 0.0f, 0.0f, (float)width, (float)height, 0.0f, 1.0f };
   const VkRect2D scissor = { { 0, 0 }, { width, height } };
   vkCmdSetViewport(cmd, 0, 1, &viewport);
   vkCmdSetScissor(cmd, 0, 1, &scissor);
}

void
sample_begin_rendering(VkCommandBuffer cmd, PFN_vkCmdBeginRendering begin, VkImageView view,
                       VkAttachmentLoadOp load_op, const float clear_color[4], uint32_t width,
                       uint32_t height)
{
   VkRenderingAttachmentInfo color = {
      .sType = VK_STRUCTURE_TYPE_RENDERING_ATTACHMENT_INFO,
      .imageView = view,
      .imageLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
      .loadOp = load_op,
      .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
   };
   memcpy(color.clearValue.color.float32, clear_color, sizeof(color.clearValue.color.float32));
   const VkRenderingInfo rendering = {
      .sType = VK_STRUCTURE_TYPE_RENDERING_INFO,
      .renderArea = { { 0, 0 }, { width, height } },
      .layerCount = 1,
      .colorAttachmentCount = 1,
      .pColorAttachments = &color,
   };
   begin(cmd, &rendering);
}

VkBufferImageCopy
sample_image_region(uint32_t width, uint32_t height)
{
   return (VkBufferImageCopy){
      .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
      .imageExtent = { width, height, 1 },
   };
}

VkQueryPool
sample_query_pool(struct sample *s, VkQueryType type, uint32_t count,
                  VkQueryPipelineStatisticFlags statistics)
{
   const VkQueryPoolCreateInfo qpci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = type,
      .queryCount = count,
      .pipelineStatistics = statistics,
   };
   VkQueryPool pool;
   CHECK_VK(vkCreateQueryPool(s->device, &qpci, NULL, &pool));
   return pool;
}

void
sample_query_results(struct sample *s, VkQueryPool pool, uint32_t count, uint64_t *results)
{
   CHECK_VK(vkGetQueryPoolResults(s->device, pool, 0, count, count * sizeof(*results), results,
                                  sizeof(*results),
                                  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
}

void
sample_maybe_abandon(void)
{
   if (getenv("PV_SAMPLE_ABANDON")) {
      fflush(stdout);
      _exit(0);
   }
}

uint64_t
sample_hash(const void *data, size_t size)
{
   const uint8_t *p = data;
   uint64_t h = 0xcbf29ce484222325ull;
   for (size_t i = 0; i < size; i++) {
      h ^= p[i];
      h *= 0x100000001b3ull;
   }
   return h;
}

void
sample_image_init(struct sample *s, struct sample_image *img, VkFormat format, uint32_t width,
                  uint32_t height, uint32_t mips, VkSampleCountFlagBits samples,
                  VkImageUsageFlags usage, VkImageAspectFlags aspect)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = format,
      .extent = { width, height, 1 },
      .mipLevels = mips,
      .arrayLayers = 1,
      .samples = samples,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = usage,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
   };
   CHECK_VK(vkCreateImage(s->device, &ici, NULL, &img->image));
   VkMemoryRequirements req;
   vkGetImageMemoryRequirements(s->device, img->image, &req);
   allocate_memory(s, &req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, &img->memory);
   CHECK_VK(vkBindImageMemory(s->device, img->image, img->memory, 0));
   const VkImageViewCreateInfo vci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = img->image,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = format,
      .subresourceRange = { aspect, 0, mips, 0, 1 },
   };
   CHECK_VK(vkCreateImageView(s->device, &vci, NULL, &img->view));
}

void
sample_image_fini(struct sample *s, struct sample_image *img)
{
   vkDestroyImageView(s->device, img->view, NULL);
   vkDestroyImage(s->device, img->image, NULL);
   vkFreeMemory(s->device, img->memory, NULL);
}
