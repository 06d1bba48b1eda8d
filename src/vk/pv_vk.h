/* SPDX-License-Identifier: MIT */
#ifndef PV_VK_H
#define PV_VK_H

/* Guest-visible dispatchable objects and the helpers their handlers share. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <threads.h>

#include <vulkan/vulkan_core.h>

#include "context/pv_context.h"
#include "context/pv_dispatch.h"
#include "object/pv_object.h"
#include "vk/pv_instance_keep.h"
#include "vk/pv_memory_plan.h"
#include "vk/pv_spirv.h"
#include "vk/pv_vk_table.h"

struct pv_physical_device;

/* The context's VkInstance.  Owned by ctx->objects; parent of its physical
 * devices. */
struct pv_instance {
   struct pv_object base;
   struct pv_context *ctx;
   struct pv_vk_table vk;            /* instance-level entry points */
   uint32_t api_version;             /* of the host instance */
   uint32_t physical_device_count;
   VkPhysicalDevice *host_physical_devices;      /* owned */
   struct pv_physical_device **physical_devices; /* bound by guest ids; borrowed */
   VkDebugUtilsMessengerEXT messenger;           /* --validate: the layer's reports */
   struct pv_instance_key key;       /* its host create info (names owned) */
   bool keepable;                    /* may be kept for the next guest instance */
};

/* A host physical device bound to a guest id.  Owned by ctx->objects; child
 * of the instance. */
struct pv_physical_device {
   struct pv_object base;
   struct pv_instance *instance;
   uint32_t index;                   /* in instance->host_physical_devices */
   VkPhysicalDeviceProperties properties;
   uint32_t api_version;             /* what the guest is told: capped */
   uint32_t extension_count;         /* extensions the guest may see */
   VkExtensionProperties *extensions; /* owned */
   uint32_t queue_family_count;
   bool host_has_memory_import;      /* the host offers VK_EXT_external_memory_host */
   /* VK_KHR_external_semaphore_fd is offered to the guest either way (Mesa's
    * Venus offers synchronization2, hence Vulkan 1.3, only with importable
    * sync-fd semaphores); without the host's, the renderer implements the
    * one import Venus makes itself (pv_sync.c) and the extension never
    * reaches the host device */
   bool host_has_semaphore_fd;
   /* ... and the host answers SYNC_FD importable for binary semaphores (a
    * headless NVIDIA H200 lists the extension but does not): otherwise the
    * renderer's answer and import stand in for the host's */
   bool host_sync_fd_import;
   VkDeviceSize host_import_align;   /* its minImportedHostPointerAlignment */
   /* VK_EXT_transform_feedback's limits, which its commands' indices must
    * stay inside (pv_state_check.c, pv_query.c); 0 without the extension */
   bool host_has_transform_feedback;
   uint32_t max_xfb_buffers;
   uint32_t max_xfb_streams;
   VkPhysicalDeviceMemoryProperties memory; /* the host's */
   struct pv_memory_plan memory_plan; /* what the guest is shown of it */
};

/* Queues the guest asked for at device creation, to check vkGetDeviceQueue. */
struct pv_queue_family_request {
   uint32_t family;
   uint32_t count;
   VkDeviceQueueCreateFlags flags;
};

struct pv_device {
   struct pv_object base;
   struct pv_physical_device *physical_device;
   struct pv_vk_table vk;            /* device-level entry points */
   uint32_t api_version;
   uint32_t request_count;
   struct pv_queue_family_request *requests; /* owned */
   /* How host-visible memory reaches the guest: a sealed memfd the renderer
    * maps and imports as a host pointer (VK_EXT_external_memory_host), so
    * that the guest maps the very bytes the driver uses. */
   struct pv_spirv_checker *spirv;   /* validates guest shaders (pv_shader.c) */
   bool host_import;                 /* enabled on the host device */
   uint32_t host_import_types;       /* memory types a memfd mapping imports into */
   /* features that make VK_NULL_HANDLE valid where a handle is otherwise
    * required (pv_handle_check.c): robustness2's nullDescriptor (null
    * descriptors and vertex buffers), graphicsPipelineLibrary (null
    * descriptor sets in vkCmdBindDescriptorSets) */
   bool null_descriptor;
   bool null_descriptor_sets;
   /* the host device has VK_KHR_external_semaphore_fd enabled and imports
    * sync fds: sync-fd payloads are the host's; otherwise the renderer's
    * (pv_sync.c) */
   bool host_semaphore_fd;
};

/* A VkSemaphore, with its type: the renderer's own sync-fd import signals
 * binary semaphores only (a sync file is a binary payload). */
struct pv_semaphore {
   struct pv_object base;
   VkSemaphoreType type;
};

/* A device's features that allow null handles, from its create info. */
void pv_device_note_null_features(struct pv_device *dev, const VkDeviceCreateInfo *info);
/* The device a command buffer was allocated for (pool, then device). */
const struct pv_device *pv_command_buffer_device(const void *command_buffer);

/* A VkBuffer and a VkImage, with what the transfer checks need to know of
 * them (pv_transfer_check.c). */
struct pv_buffer {
   struct pv_object base;
   VkDeviceSize size;
   /* bound to memory (or sparse, which binds otherwise): before that a
    * command may not name it (pv_transfer_check.c) */
   atomic_bool bound;
};

struct pv_image {
   struct pv_object base;
   VkImageCreateFlags flags;
   VkFormat format;
   VkImageType type;
   VkExtent3D extent;
   uint32_t mip_levels;
   uint32_t array_layers;
   atomic_bool bound; /* as pv_buffer's */
};

/* `count` records of `record` bytes, `stride` apart, from `offset` lie in
 * the bound buffer `obj`; else marks the context fatal, naming `what`
 * (pv_transfer_check.c). */
bool pv_buffer_records(struct pv_dispatch *d, const void *obj, VkDeviceSize offset,
                       uint32_t count, uint32_t stride, uint32_t record, const char *what);

/* Vertex buffer bindings [first, first + count) are inside the device's
 * maxVertexInputBindings; else marks the context fatal (pv_state_check.c). */
bool pv_vertex_bindings_inside(struct pv_dispatch *d, const void *command_buffer,
                               uint32_t first, uint32_t count);

/* A graphics pipeline's vertex input, viewport, blend and rendering state
 * inside the device's limits; else marks the context fatal
 * (pv_state_check.c). */
bool pv_graphics_state_check(struct pv_dispatch *d, const struct pv_device *dev,
                             const VkGraphicsPipelineCreateInfo *info);

/* Sets bound at [first, first + count) are sets of the pipeline layout
 * `layout`, and `dynamic_offsets` covers their dynamic descriptors; else
 * marks the context fatal (pv_layout.c).  `sets`: the renderer's objects
 * (NULL where VK_NULL_HANDLE). */
bool pv_bound_sets_in_layout(struct pv_dispatch *d, const void *layout, uint32_t first,
                             uint32_t count, const void *const *sets, uint32_t dynamic_offsets);

/* A VkShaderModule, with the entry points pipelines may name and what
 * they use. */
struct pv_shader_module {
   struct pv_object base;
   struct pv_spirv_module *spirv; /* owned */
};

/* A shader stage's SPIR-V and entry point exist, its specialization data
 * is in bounds, and every descriptor its entry point uses is in the
 * pipeline's layout (`layout`: the renderer's VkPipelineLayout object, or
 * NULL); else marks the context fatal (pv_shader.c).  Called before the
 * stage's handles are replaced with the host's. */
bool pv_shader_stage_check(struct pv_dispatch *d, struct pv_device *dev,
                           const VkPipelineShaderStageCreateInfo *stage, const void *layout);

/* Every descriptor of `resources` is a binding of its set in the pipeline
 * layout `layout` (or NULL), of a type its variable can take; else marks
 * the context fatal (pv_layout.c). */
bool pv_layout_check_resources(struct pv_dispatch *d, const void *layout, uint32_t stage,
                               const char *entry, const struct pv_spirv_resource *resources,
                               uint32_t count);

/* Descriptor set layout binding numbers stay below the renderer's limit;
 * else marks the context fatal, naming `what` (pv_descriptor_check.c). */
bool pv_descriptor_binding_numbers_check(struct pv_dispatch *d,
                                         const VkDescriptorSetLayoutCreateInfo *info,
                                         const char *what);

/* A VkDeviceMemory.  Owned by ctx->objects; child of its device. */
struct pv_device_memory {
   struct pv_object base;
   struct pv_context *ctx;
   struct pv_device *device;
   uint32_t type_index;
   VkDeviceSize size;
   struct pv_resource *backing;      /* a reference; NULL if not host-visible */
};

/* A VkQueue.  Owned by ctx->objects; child of its device.
 *
 * Vulkan wants host access to a queue externally synchronized: rings and the
 * transport may submit concurrently, so every host call on the queue holds
 * `submit_mutex`.  A queue bound to a fence timeline (ring_idx) has a sync
 * thread that retires the timeline's fences in order once the host finished
 * the work submitted before them. */
struct pv_queue {
   struct pv_object base;
   struct pv_context *ctx;
   struct pv_device *device;
   uint32_t family;
   uint32_t index;
   VkDeviceQueueCreateFlags flags;
   uint32_t ring_idx;                /* fence timeline; 0 if not bound */
   mtx_t submit_mutex;               /* guards host calls on the queue */

   mtx_t sync_mutex;                 /* guards the fields below */
   cnd_t sync_cond;
   struct pv_list pending;           /* struct pv_queue_fence, oldest first */
   struct pv_list spare;             /* signalled-and-reset host fences */
   bool sync_running;
   bool sync_stop;
   thrd_t sync_thread;
};

/* Retires fence `fence_id` of the queue's timeline once everything submitted
 * to the queue before it has completed (called with the timeline bound). */
bool pv_queue_submit_fence(struct pv_queue *queue, uint64_t fence_id);

/* Wakes ring `ring_id` of the context (pv_context_wake_ring) once
 * everything submitted to queue `queue_id` (a guest id) so far has
 * completed.  False when the queue is gone or the host refused. */
bool pv_queue_wake_ring_when_done(struct pv_context *ctx, uint64_t queue_id,
                                  uint64_t ring_id);

#define PV_HOST(type, obj) ((type)(uintptr_t)pv_obj_host(obj))

/* Allocates a zeroed object struct for guest id `id` after checking that the
 * id can name a new object.  A bad id (0, in use) makes the context fatal; a
 * full object quota sets *ret to VK_ERROR_OUT_OF_HOST_MEMORY (when the
 * command returns a VkResult; fatal otherwise).  NULL in both cases. */
void *pv_vk_object_alloc(struct pv_dispatch *d, size_t size, VkObjectType type, uint64_t id,
                         VkResult *ret);

/* Puts a host-created object into the table under `parent`.  On failure the
 * caller destroys the host object; the context is fatal. */
bool pv_vk_object_adopt(struct pv_dispatch *d, struct pv_object *obj,
                        struct pv_object *parent);

/* Checks that every id of an array of new objects can be used (the host
 * call comes after this, the table insertions after the host call). */
bool pv_vk_check_new_ids(struct pv_dispatch *d, const void *const *id_slots, uint32_t count,
                         VkResult *ret);

/* Puts `count` host objects created in one call into the table under
 * `parent`, with the guest ids from `id_slots`.  Objects whose host handle
 * is VK_NULL_HANDLE are skipped.  On failure the objects added so far are
 * forgotten again, the context is fatal, and false returns: the caller then
 * destroys the host objects. */
bool pv_vk_adopt_array(struct pv_dispatch *d, struct pv_object *parent, VkObjectType type,
                       const void *const *id_slots, const uint64_t *handles, uint32_t count,
                       void (*destroy)(struct pv_object *obj));

/* What pv_vk_adopt_array_of makes each object as: `size` bytes (a struct
 * that starts with struct pv_object), `init` filling the rest (object
 * `index` of the array) before the object can be found, `fini` undoing it
 * where the object is dropped again without its destroy callback. */
struct pv_vk_array_objects {
   size_t size;
   void (*init)(struct pv_object *obj, uint32_t index, const void *user);
   void (*fini)(struct pv_object *obj);
   const void *user;
};

/* pv_vk_adopt_array, with objects larger than struct pv_object. */
bool pv_vk_adopt_array_of(struct pv_dispatch *d, struct pv_object *parent, VkObjectType type,
                          const void *const *id_slots, const uint64_t *handles, uint32_t count,
                          void (*destroy)(struct pv_object *obj),
                          const struct pv_vk_array_objects *objects);

/* Descriptor sets keep the bindings of the layout they were allocated with
 * (pv_layout.c): what pv_vk_adopt_array_of needs to make them, `user`
 * pointing to a struct pv_descriptor_set_allocation, and their destroy
 * callback (the host set is freed with its pool or by vkFreeDescriptorSets). */
struct pv_descriptor_set_allocation {
   const VkDescriptorSetLayout *layouts; /* the renderer's objects */
   const VkDescriptorSetVariableDescriptorCountAllocateInfo *variable; /* or NULL */
};
extern const struct pv_vk_array_objects pv_descriptor_set_objects;
void pv_descriptor_set_free(struct pv_object *obj);

/* Descriptor writes and copies stay inside the bindings of their sets
 * (with Vulkan's roll-over into consecutive bindings) and write the type
 * each binding has; pushed writes are checked against set `push_set` of
 * `push_layout` (a VkPipelineLayout object), others against their dstSet.
 * Else marks the context fatal (pv_layout.c). */
bool pv_descriptor_writes_in_layout(struct pv_dispatch *d, const VkWriteDescriptorSet *writes,
                                    uint32_t count, const void *push_layout, uint32_t push_set);
bool pv_descriptor_copies_in_layout(struct pv_dispatch *d, const VkCopyDescriptorSet *copies,
                                    uint32_t count);

/* Copies what fits of `src` into a guest's output array and sets the count,
 * following the Vulkan enumeration rules; returns VK_INCOMPLETE or
 * VK_SUCCESS. */
VkResult pv_vk_enumerate(uint32_t *count, void *out, const void *src, uint32_t src_count,
                         size_t elem_size);

/* The highest version both the host and the protocol support. */
uint32_t pv_vk_cap_version(uint32_t host_version);

/* Checks image creation parameters against the specification's shape rules
 * and the driver's limits before the driver sees them; on failure marks the
 * context fatal and returns false (pv_image_check.c). */
bool pv_image_info_check(struct pv_dispatch *d, const struct pv_device *dev,
                         const VkImageCreateInfo *info);

/* Probes how host-visible memory of a new device can be shared. */
void pv_memory_init_device(struct pv_device *dev);

/* Memory types of a host device that accept the renderer's shared memory as
 * a host-pointer import, asked once per process and device model
 * (pv_memory_probe.c). */
uint32_t pv_memory_importable_types(struct pv_renderer *renderer, PFN_vkGetInstanceProcAddr gipa,
                                    VkInstance instance, VkPhysicalDevice pdev);
/* The memory types of `device` that accept a mapping of the renderer's
 * shared memory (aligned to `align`) as a host-pointer import. */
uint32_t pv_memory_host_pointer_types(PFN_vkGetMemoryHostPointerPropertiesEXT host_props,
                                      VkDevice device, size_t align);

/* The shared backing of device memory `memory_id` for a blob resource, as a
 * new reference.  NULL with *err = -EPERM when the memory has none (the
 * blob is refused, the context goes on); NULL with the context fatal and
 * *err = -EINVAL when the guest named no such memory or too large a blob. */
struct pv_resource *pv_memory_get_blob_backing(struct pv_context *ctx, uint64_t memory_id,
                                               uint64_t size, int *err);

/* Removes the Venus-only structs from a pNext chain the host will see. */
const void *pv_vk_strip_venus_structs(struct pv_dispatch *d, const void *pnext);

#endif /* PV_VK_H */
