/* SPDX-License-Identifier: MIT */
/* PearVisor GPU's virglrenderer-compatible interface: the entry points,
 * structures and constants through which VMMs (QEMU, crosvm, libkrun) drive
 * a virtio-gpu renderer, declared with the binary layout of virglrenderer
 * 1.x so that a VMM built against this header and this library's
 * pkg-config file runs Venus guests on PearVisor.  Written for PearVisor from
 * the interface's documented behaviour; only what a Venus guest needs is
 * implemented (docs/vmm.md says which calls do what). */
#ifndef VIRGLRENDERER_H
#define VIRGLRENDERER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct iovec;
struct virgl_box;

#define VIRGL_EXPORT __attribute__((visibility("default")))

typedef void *virgl_renderer_gl_context;

struct virgl_renderer_gl_ctx_param {
   int version;
   bool shared;
   int major_ver;
   int minor_ver;
   int compat_ctx;
};

#define VIRGL_RENDERER_CALLBACKS_VERSION 4

struct virgl_renderer_callbacks {
   int version;
   void (*write_fence)(void *cookie, uint32_t fence);
   virgl_renderer_gl_context (*create_gl_context)(void *cookie, int scanout_idx,
                                                  struct virgl_renderer_gl_ctx_param *param);
   void (*destroy_gl_context)(void *cookie, virgl_renderer_gl_context ctx);
   int (*make_current)(void *cookie, int scanout_idx, virgl_renderer_gl_context ctx);
   /* version 2 */
   int (*get_drm_fd)(void *cookie);
   /* version 3 */
   void (*write_context_fence)(void *cookie, uint32_t ctx_id, uint32_t ring_idx,
                               uint64_t fence_id);
   int (*get_server_fd)(void *cookie, uint32_t version);
   /* version 4 */
   void *(*get_egl_display)(void *cookie);
};

/* virgl_renderer_init flags */
#define VIRGL_RENDERER_USE_EGL (1 << 0)
#define VIRGL_RENDERER_THREAD_SYNC (1 << 1)
#define VIRGL_RENDERER_USE_GLX (1 << 2)
#define VIRGL_RENDERER_USE_SURFACELESS (1 << 3)
#define VIRGL_RENDERER_USE_GLES (1 << 4)
#define VIRGL_RENDERER_USE_EXTERNAL_BLOB (1 << 5)
#define VIRGL_RENDERER_VENUS (1 << 6)
#define VIRGL_RENDERER_NO_VIRGL (1 << 7)
#define VIRGL_RENDERER_ASYNC_FENCE_CB (1 << 8)
#define VIRGL_RENDERER_RENDER_SERVER (1 << 9)
#define VIRGL_RENDERER_DRM (1 << 10)
#define VIRGL_RENDERER_D3D11_SHARE_TEXTURE (1 << 12)
#define VIRGL_RENDERER_COMPAT_PROFILE (1 << 13)
#define VIRGL_RENDERER_USE_GUEST_VRAM (1 << 14)

#define VIRGL_RES_BIND_DEPTH_STENCIL (1 << 0)
#define VIRGL_RES_BIND_RENDER_TARGET (1 << 1)
#define VIRGL_RES_BIND_SAMPLER_VIEW (1 << 3)
#define VIRGL_RES_BIND_VERTEX_BUFFER (1 << 4)
#define VIRGL_RES_BIND_INDEX_BUFFER (1 << 5)
#define VIRGL_RES_BIND_CONSTANT_BUFFER (1 << 6)
#define VIRGL_RES_BIND_STREAM_OUTPUT (1 << 11)
#define VIRGL_RES_BIND_CURSOR (1 << 16)
#define VIRGL_RES_BIND_CUSTOM (1 << 17)
#define VIRGL_RES_BIND_SCANOUT (1 << 18)
#define VIRGL_RES_BIND_SHARED (1 << 20)

struct virgl_renderer_resource_create_args {
   uint32_t handle;
   uint32_t target;
   uint32_t format;
   uint32_t bind;
   uint32_t width;
   uint32_t height;
   uint32_t depth;
   uint32_t array_size;
   uint32_t last_level;
   uint32_t nr_samples;
   uint32_t flags;
};

struct virgl_renderer_resource_info {
   uint32_t handle;
   uint32_t virgl_format;
   uint32_t width;
   uint32_t height;
   uint32_t depth;
   uint32_t flags;
   uint32_t tex_id;
   uint32_t stride;
   int drm_fourcc;
   int fd;
};

#define VIRGL_RENDERER_RESOURCE_INFO_EXT_VERSION 0

struct virgl_renderer_resource_info_ext {
   int version;
   struct virgl_renderer_resource_info base;
   bool has_dmabuf_export;
   int planes;
   uint64_t modifiers;
   void *d3d_tex2d;
};

#define VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK 0xff

#define VIRGL_RENDERER_BLOB_MEM_GUEST 0x0001
#define VIRGL_RENDERER_BLOB_MEM_HOST3D 0x0002
#define VIRGL_RENDERER_BLOB_MEM_HOST3D_GUEST 0x0003
#define VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM 0x0004

#define VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE 0x0001
#define VIRGL_RENDERER_BLOB_FLAG_USE_SHAREABLE 0x0002
#define VIRGL_RENDERER_BLOB_FLAG_USE_CROSS_DEVICE 0x0004

struct virgl_renderer_resource_create_blob_args {
   uint32_t res_handle;
   uint32_t ctx_id;
   uint32_t blob_mem;
   uint32_t blob_flags;
   uint64_t blob_id;
   uint64_t size;
   const struct iovec *iovecs;
   uint32_t num_iovs;
};

#define VIRGL_RENDERER_MAP_CACHE_MASK 0x0f
#define VIRGL_RENDERER_MAP_CACHE_NONE 0x00
#define VIRGL_RENDERER_MAP_CACHE_CACHED 0x01
#define VIRGL_RENDERER_MAP_CACHE_UNCACHED 0x02
#define VIRGL_RENDERER_MAP_CACHE_WC 0x03

#define VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF 0x0001
#define VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE 0x0002
#define VIRGL_RENDERER_BLOB_FD_TYPE_SHM 0x0003

#define VIRGL_RENDERER_FENCE_FLAG_MERGEABLE (1 << 0)

/* set-up and teardown */
VIRGL_EXPORT int virgl_renderer_init(void *cookie, int flags, struct virgl_renderer_callbacks *cb);
VIRGL_EXPORT void virgl_renderer_cleanup(void *cookie);
VIRGL_EXPORT void virgl_renderer_reset(void);
VIRGL_EXPORT void virgl_renderer_get_cap_set(uint32_t set, uint32_t *max_ver, uint32_t *max_size);
VIRGL_EXPORT void virgl_renderer_fill_caps(uint32_t set, uint32_t version, void *caps);

/* fences */
VIRGL_EXPORT void virgl_renderer_poll(void);
VIRGL_EXPORT int virgl_renderer_get_poll_fd(void);
VIRGL_EXPORT int virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id);
VIRGL_EXPORT int virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags,
                                                     uint32_t ring_idx, uint64_t fence_id);
VIRGL_EXPORT void virgl_renderer_context_poll(uint32_t ctx_id);
VIRGL_EXPORT int virgl_renderer_context_get_poll_fd(uint32_t ctx_id);

/* contexts */
VIRGL_EXPORT int virgl_renderer_context_create(uint32_t handle, uint32_t nlen, const char *name);
VIRGL_EXPORT int virgl_renderer_context_create_with_flags(uint32_t ctx_id, uint32_t ctx_flags,
                                                          uint32_t nlen, const char *name);
VIRGL_EXPORT void virgl_renderer_context_destroy(uint32_t handle);
VIRGL_EXPORT int virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw);
VIRGL_EXPORT void virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle);
VIRGL_EXPORT void virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle);
VIRGL_EXPORT void virgl_renderer_force_ctx_0(void);

/* resources */
VIRGL_EXPORT int virgl_renderer_resource_create(struct virgl_renderer_resource_create_args *args,
                                                struct iovec *iov, uint32_t num_iovs);
VIRGL_EXPORT int
virgl_renderer_resource_create_blob(const struct virgl_renderer_resource_create_blob_args *args);
VIRGL_EXPORT void virgl_renderer_resource_unref(uint32_t res_handle);
VIRGL_EXPORT int virgl_renderer_resource_attach_iov(int res_handle, struct iovec *iov,
                                                    int num_iovs);
VIRGL_EXPORT void virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov,
                                                     int *num_iovs);
VIRGL_EXPORT int virgl_renderer_resource_get_info(int res_handle,
                                                  struct virgl_renderer_resource_info *info);
VIRGL_EXPORT int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info);
VIRGL_EXPORT int virgl_renderer_resource_map(uint32_t res_handle, void **map, uint64_t *out_size);
VIRGL_EXPORT int virgl_renderer_resource_map_fixed(uint32_t res_handle, void *map);
VIRGL_EXPORT int virgl_renderer_resource_unmap(uint32_t res_handle);
VIRGL_EXPORT int virgl_renderer_resource_get_map_info(uint32_t res_handle, uint32_t *map_info);
VIRGL_EXPORT int virgl_renderer_resource_export_blob(uint32_t res_id, uint32_t *fd_type, int *fd);
VIRGL_EXPORT int virgl_renderer_transfer_read_iov(uint32_t handle, uint32_t ctx_id,
                                                  uint32_t level, uint32_t stride,
                                                  uint32_t layer_stride, struct virgl_box *box,
                                                  uint64_t offset, struct iovec *iov,
                                                  int iovec_cnt);
VIRGL_EXPORT int virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level,
                                                   uint32_t stride, uint32_t layer_stride,
                                                   struct virgl_box *box, uint64_t offset,
                                                   struct iovec *iovec, unsigned int iovec_cnt);
VIRGL_EXPORT void *virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width,
                                                  uint32_t *height);

#ifdef __cplusplus
}
#endif

#endif /* VIRGLRENDERER_H */
