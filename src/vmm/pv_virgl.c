/* SPDX-License-Identifier: MIT */
/* The virglrenderer-compatible front end (vmm/virglrenderer.h): what a VMM's
 * virtio-gpu device calls, mapped onto the renderer core's C API.
 *
 * Venus contexts (capset 4) become renderer contexts; HOST3D blobs become
 * the core's shared-memory blobs, which the VMM maps straight into the
 * guest's host-memory window (the very memory the host driver uses).
 * Contexts of the OpenGL (virgl) capsets are refused: there is no GL
 * renderer.  Entry points that only serve GL guests (2D resources,
 * transfers, cursor, scanout) keep what the VMM hands them and give it back.
 *
 * Fences: the global fences of virtio-gpu (virgl_renderer_create_fence)
 * retire in submission order from virgl_renderer_poll(), with the
 * monotonic ids the VMM gave them; per-context fences
 * (virgl_renderer_context_create_fence) go to the context's fence timeline
 * and are reported from virgl_renderer_poll() too, so that every callback
 * runs on the VMM's thread.
 *
 * Each context runs in a process of its own by default (pv_virgl_remote.c:
 * `pearvisor-gpu serve-fd` on a socket pair, spoken to in vtest), so that a
 * host-driver crash a guest provokes ends that process and not the VMM;
 * PV_VIRGL_IN_PROCESS=1 runs them in the VMM's process instead, for
 * debugging (docs/vmm.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <threads.h>
#include <unistd.h>

#include "pearvisor/pv_renderer.h"
#include "pv_virgl_remote.h"
#include "util/pv_log.h"
#include "virglrenderer.h"

#ifndef PV_VIRGL_HELPER
#define PV_VIRGL_HELPER "pearvisor-gpu"
#endif

#define CONTEXT_NAME_MAX 64

struct vmm_context {
   uint32_t id;
   struct pv_context *pv;           /* in the VMM's process, or */
   struct pv_remote remote;         /* in a process of its own */
   bool unsynced;                   /* streams sent since the last round trip */
   char label[CONTEXT_NAME_MAX + 16]; /* names the guest on log lines */
   struct vmm_context *next;
};

enum resource_kind {
   RESOURCE_CLASSIC, /* 2D/3D resources of GL guests: kept, never rendered */
   RESOURCE_BLOB,
};

struct vmm_resource {
   uint32_t id;
   enum resource_kind kind;
   uint32_t ctx_id;                 /* the context a blob was made in */
   struct virgl_renderer_resource_create_args args;
   struct iovec *iov;               /* the VMM's, handed back on detach */
   int iov_count;
   int fd;                          /* a blob's memfd */
   uint64_t size;
   void *map;                       /* where the VMM mapped it, if it did */
   struct vmm_resource *next;
};

struct context_fence {
   uint32_t ctx_id, ring_idx;
   uint64_t fence_id;
   uint32_t sync_id; /* isolated contexts: the sync that says it retired */
};

static struct {
   mtx_t lock;
   once_flag once;
   bool initialized;
   struct pv_renderer *renderer;
   void *cookie;
   struct virgl_renderer_callbacks callbacks; /* the part of the VMM's its version has */
   struct vmm_context *contexts;
   struct vmm_resource *resources;
   /* global fences created and not yet reported */
   uint32_t *fences;
   size_t fence_count, fence_capacity;
   /* per-context fences retired by the core, to report from poll */
   struct context_fence *retired;
   size_t retired_count, retired_capacity;
   /* per-context fences of isolated contexts, not yet retired */
   struct context_fence *pending;
   size_t pending_count, pending_capacity;
   bool in_process;
   char helper[4096];
} vmm;

static void
init_lock(void)
{
   mtx_init(&vmm.lock, mtx_plain);
}

static void
lock(void)
{
   call_once(&vmm.once, init_lock);
   mtx_lock(&vmm.lock);
}

static void
unlock(void)
{
   mtx_unlock(&vmm.lock);
}

/* The core renderer, made on first use: capsets are asked before init. */
static struct pv_renderer *
renderer(void)
{
   if (!vmm.renderer) {
      pv_log_init();
      const struct pv_renderer_config config = { .hang_timeout_ms = 0 };
      if (pv_renderer_create(&config, &vmm.renderer))
         pv_error("virgl: cannot create the renderer");
   }
   return vmm.renderer;
}

static struct vmm_context *
find_context(uint32_t id)
{
   for (struct vmm_context *c = vmm.contexts; c; c = c->next) {
      if (c->id == id)
         return c;
   }
   return NULL;
}

static struct vmm_resource *
find_resource(uint32_t id)
{
   for (struct vmm_resource *r = vmm.resources; r; r = r->next) {
      if (r->id == id)
         return r;
   }
   return NULL;
}

static bool
grow(void **array, size_t *capacity, size_t count, size_t elem)
{
   if (count < *capacity)
      return true;
   const size_t bigger = *capacity ? *capacity * 2 : 16;
   void *p = realloc(*array, bigger * elem);
   if (!p)
      return false;
   *array = p;
   *capacity = bigger;
   return true;
}

/* -- set-up ------------------------------------------------------------------- */

VIRGL_EXPORT void
virgl_renderer_get_cap_set(uint32_t set, uint32_t *max_ver, uint32_t *max_size)
{
   lock();
   uint32_t size = 0;
   if (set == PV_CAPSET_VENUS && renderer()) {
      uint8_t probe[1];
      size = (uint32_t)pv_renderer_get_capset(vmm.renderer, set, 0, probe, 0);
   }
   unlock();
   /* the OpenGL capsets (1, 2) are not served: size 0 */
   if (max_ver)
      *max_ver = 0;
   if (max_size)
      *max_size = size;
}

VIRGL_EXPORT void
virgl_renderer_fill_caps(uint32_t set, uint32_t version, void *caps)
{
   lock();
   if (set == PV_CAPSET_VENUS && caps && renderer()) {
      uint8_t probe[1];
      const size_t size = pv_renderer_get_capset(vmm.renderer, set, 0, probe, 0);
      pv_renderer_get_capset(vmm.renderer, set, version, caps, size);
   }
   unlock();
}

VIRGL_EXPORT int
virgl_renderer_init(void *cookie, int flags, struct virgl_renderer_callbacks *cb)
{
   if (!cb || cb->version < 1)
      return -EINVAL;
   lock();
   if (vmm.initialized) {
      unlock();
      return -EBUSY;
   }
   if (!renderer()) {
      unlock();
      return -ENODEV;
   }
   const char *in_process = getenv("PV_VIRGL_IN_PROCESS");
   vmm.in_process = in_process && in_process[0] == '1';
   const char *helper = getenv("PV_VIRGL_HELPER");
   snprintf(vmm.helper, sizeof(vmm.helper), "%s", helper && helper[0] ? helper : PV_VIRGL_HELPER);
   if (!vmm.in_process && access(vmm.helper, X_OK)) {
      pv_error("virgl: cannot run %s for guest contexts (set PV_VIRGL_HELPER to pearvisor-gpu, "
               "or PV_VIRGL_IN_PROCESS=1)", vmm.helper);
      unlock();
      return -ENOENT;
   }
   vmm.cookie = cookie;
   memset(&vmm.callbacks, 0, sizeof(vmm.callbacks));
   /* copy only the members the VMM's version of the struct has */
   vmm.callbacks.version = cb->version;
   vmm.callbacks.write_fence = cb->write_fence;
   if (cb->version >= 3)
      vmm.callbacks.write_context_fence = cb->write_context_fence;
   vmm.initialized = true;
   unlock();
   pv_log(PV_LOG_INFO, "virgl: initialized (flags 0x%x, callbacks v%d), contexts %s%s", flags,
          cb->version, vmm.in_process ? "in this process" : "in processes of their own",
          flags & VIRGL_RENDERER_VENUS ? "" : "; Venus not asked for");
   return 0;
}

static void
destroy_resource(struct vmm_resource *r)
{
   if (r->map)
      munmap(r->map, r->size);
   if (r->fd >= 0)
      close(r->fd);
   struct vmm_context *c = r->kind == RESOURCE_BLOB ? find_context(r->ctx_id) : NULL;
   if (c && c->pv)
      pv_context_unref_resource(c->pv, r->id);
   else if (c)
      pv_remote_unref(&c->remote, r->id);
   free(r);
}

static void
context_free(struct vmm_context *c)
{
   if (c->pv)
      pv_context_destroy(c->pv);
   else
      pv_remote_stop(&c->remote);
   free(c);
}

static void
reset_locked(void)
{
   while (vmm.resources) {
      struct vmm_resource *r = vmm.resources;
      vmm.resources = r->next;
      destroy_resource(r);
   }
   while (vmm.contexts) {
      struct vmm_context *c = vmm.contexts;
      vmm.contexts = c->next;
      context_free(c);
   }
   vmm.fence_count = 0;
   vmm.retired_count = 0;
   vmm.pending_count = 0;
}

VIRGL_EXPORT void
virgl_renderer_reset(void)
{
   lock();
   reset_locked();
   unlock();
}

VIRGL_EXPORT void
virgl_renderer_cleanup(void *cookie)
{
   (void)cookie;
   lock();
   reset_locked();
   if (vmm.renderer)
      pv_renderer_destroy(vmm.renderer);
   vmm.renderer = NULL;
   free(vmm.fences);
   free(vmm.retired);
   free(vmm.pending);
   vmm.fences = NULL;
   vmm.retired = NULL;
   vmm.pending = NULL;
   vmm.fence_capacity = vmm.retired_capacity = vmm.pending_capacity = 0;
   vmm.initialized = false;
   unlock();
}

VIRGL_EXPORT void
virgl_renderer_force_ctx_0(void)
{
   /* no GL context to make current */
}

/* -- fences -------------------------------------------------------------------- */

VIRGL_EXPORT int
virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id)
{
   (void)ctx_id; /* QEMU 10.0 passes the command type here */
   lock();
   /* A guest waits on such a fence before it reads the replies of what it
    * submitted: an isolated context must have run its streams before the
    * fence retires (in-process streams run inside submit_cmd). */
   for (struct vmm_context *c = vmm.contexts; c; c = c->next) {
      if (c->unsynced)
         pv_remote_sync(&c->remote);
      c->unsynced = false;
   }
   const bool ok = grow((void **)&vmm.fences, &vmm.fence_capacity, vmm.fence_count,
                        sizeof(*vmm.fences));
   if (ok)
      vmm.fences[vmm.fence_count++] = (uint32_t)client_fence_id;
   unlock();
   return ok ? 0 : -ENOMEM;
}

/* From the core's fence threads: queued for the VMM's thread. */
static void
context_fence_retired(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   const uint32_t ctx_id = (uint32_t)(uintptr_t)data;
   lock();
   if (grow((void **)&vmm.retired, &vmm.retired_capacity, vmm.retired_count,
            sizeof(*vmm.retired)))
      vmm.retired[vmm.retired_count++] = (struct context_fence){ ctx_id, ring_idx, fence_id };
   else
      pv_error("virgl: out of memory; fence %llu of context %u lost",
               (unsigned long long)fence_id, ctx_id);
   unlock();
}

VIRGL_EXPORT int
virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags, uint32_t ring_idx,
                                    uint64_t fence_id)
{
   (void)flags;
   lock();
   struct vmm_context *c = find_context(ctx_id);
   int ret = -EINVAL;
   if (c && c->pv) {
      ret = pv_context_submit_fence(c->pv, ring_idx, fence_id) ? -EINVAL : 0;
   } else if (c && grow((void **)&vmm.pending, &vmm.pending_capacity, vmm.pending_count,
                        sizeof(*vmm.pending))) {
      uint32_t sync_id;
      ret = pv_remote_fence(&c->remote, ring_idx, &sync_id);
      if (!ret)
         vmm.pending[vmm.pending_count++] =
            (struct context_fence){ ctx_id, ring_idx, fence_id, sync_id };
   }
   unlock();
   return ret;
}

/* Moves the isolated contexts' fences that retired to the retired list, in
 * order per context and timeline (a later one waits for the earlier). */
static void
check_pending_locked(void)
{
   size_t kept = 0;
   for (size_t i = 0; i < vmm.pending_count; i++) {
      const struct context_fence f = vmm.pending[i];
      bool earlier_waits = false;
      for (size_t j = 0; j < kept; j++) {
         if (vmm.pending[j].ctx_id == f.ctx_id && vmm.pending[j].ring_idx == f.ring_idx)
            earlier_waits = true;
      }
      struct vmm_context *c = find_context(f.ctx_id);
      const bool retired = !earlier_waits && (!c || pv_remote_fence_retired(&c->remote,
                                                                            f.sync_id));
      if (retired && grow((void **)&vmm.retired, &vmm.retired_capacity, vmm.retired_count,
                          sizeof(*vmm.retired)))
         vmm.retired[vmm.retired_count++] = f;
      else
         vmm.pending[kept++] = f;
   }
   vmm.pending_count = kept;
}

VIRGL_EXPORT void
virgl_renderer_poll(void)
{
   lock();
   check_pending_locked();
   /* report outside the lock: a callback may call back into the library */
   const size_t fence_count = vmm.fence_count;
   uint32_t *fences = fence_count ? malloc(fence_count * sizeof(*fences)) : NULL;
   if (fences) {
      memcpy(fences, vmm.fences, fence_count * sizeof(*fences));
      vmm.fence_count = 0;
   }
   const size_t retired_count = vmm.retired_count;
   struct context_fence *retired = retired_count ? malloc(retired_count * sizeof(*retired)) : NULL;
   if (retired) {
      memcpy(retired, vmm.retired, retired_count * sizeof(*retired));
      vmm.retired_count = 0;
   }
   const struct virgl_renderer_callbacks cb = vmm.callbacks;
   void *cookie = vmm.cookie;
   unlock();
   for (size_t i = 0; retired && i < retired_count; i++) {
      if (cb.write_context_fence)
         cb.write_context_fence(cookie, retired[i].ctx_id, retired[i].ring_idx,
                                retired[i].fence_id);
   }
   for (size_t i = 0; fences && i < fence_count; i++) {
      if (cb.write_fence)
         cb.write_fence(cookie, fences[i]);
   }
   free(fences);
   free(retired);
}

VIRGL_EXPORT void
virgl_renderer_context_poll(uint32_t ctx_id)
{
   (void)ctx_id;
   virgl_renderer_poll();
}

VIRGL_EXPORT int
virgl_renderer_get_poll_fd(void)
{
   return -1; /* fences are reported from virgl_renderer_poll() */
}

VIRGL_EXPORT int
virgl_renderer_context_get_poll_fd(uint32_t ctx_id)
{
   (void)ctx_id;
   return -1;
}

/* -- contexts ------------------------------------------------------------------- */

VIRGL_EXPORT int
virgl_renderer_context_create_with_flags(uint32_t ctx_id, uint32_t ctx_flags, uint32_t nlen,
                                         const char *name)
{
   const uint32_t capset = ctx_flags & VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK;
   if (capset != PV_CAPSET_VENUS) {
      pv_warn("virgl: context %u asks for capset %u; only Venus (4) is served", ctx_id, capset);
      return -EINVAL;
   }
   char label[CONTEXT_NAME_MAX];
   const uint32_t n = name && nlen < sizeof(label) ? nlen : (name ? sizeof(label) - 1 : 0);
   memcpy(label, name ? name : "", n);
   label[n] = '\0';
   lock();
   if (!vmm.initialized || !ctx_id || find_context(ctx_id)) {
      unlock();
      return -EINVAL;
   }
   struct vmm_context *c = calloc(1, sizeof(*c));
   const struct pv_context_callbacks callbacks = {
      .data = (void *)(uintptr_t)ctx_id,
      .retire_fence = context_fence_retired,
   };
   int ret = c ? 0 : -ENOMEM;
   if (c && vmm.in_process)
      ret = pv_context_create(vmm.renderer, ctx_id, label[0] ? label : "guest", &callbacks,
                              &c->pv);
   else if (c)
      ret = pv_remote_start(&c->remote, vmm.helper, ctx_id, label[0] ? label : "guest");
   pv_log_set_label(NULL); /* creation may have labelled this thread with the guest */
   if (ret) {
      free(c);
      unlock();
      return ret;
   }
   c->id = ctx_id;
   snprintf(c->label, sizeof(c->label), "ctx %u %s", ctx_id, label[0] ? label : "guest");
   c->next = vmm.contexts;
   vmm.contexts = c;
   unlock();
   return 0;
}

VIRGL_EXPORT int
virgl_renderer_context_create(uint32_t handle, uint32_t nlen, const char *name)
{
   (void)nlen;
   (void)name;
   pv_warn("virgl: context %u without a capset is an OpenGL context; not served", handle);
   return -EINVAL;
}

VIRGL_EXPORT void
virgl_renderer_context_destroy(uint32_t handle)
{
   lock();
   for (struct vmm_context **p = &vmm.contexts; *p; p = &(*p)->next) {
      if ((*p)->id != handle)
         continue;
      struct vmm_context *c = *p;
      *p = c->next;
      /* its blobs stay the VMM's resources; the core keeps their memory
       * alive while they are referenced */
      for (struct vmm_resource *r = vmm.resources; r; r = r->next) {
         if (r->kind == RESOURCE_BLOB && r->ctx_id == handle)
            r->ctx_id = 0;
      }
      /* fences of the context that never retired will not be reported */
      size_t kept = 0;
      for (size_t i = 0; i < vmm.pending_count; i++) {
         if (vmm.pending[i].ctx_id != handle)
            vmm.pending[kept++] = vmm.pending[i];
      }
      vmm.pending_count = kept;
      context_free(c);
      break;
   }
   unlock();
}

VIRGL_EXPORT int
virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw)
{
   if (ndw < 0 || (ndw && !buffer))
      return -EINVAL;
   lock();
   struct vmm_context *c = find_context((uint32_t)ctx_id);
   unlock();
   /* contexts are destroyed from the VMM's thread, which is this one */
   if (!c)
      return -EINVAL;
   if (!c->pv) {
      /* the context's process checks it and, on a bad stream, logs why and
       * ends; the VMM and other contexts go on */
      lock();
      const int ret = pv_remote_submit(&c->remote, buffer, (uint32_t)ndw);
      c->unsynced = true;
      unlock();
      return ret;
   }
   /* the VMM's thread runs the stream: its log lines name the guest */
   pv_log_set_label(c->label);
   pv_context_submit_cmd(c->pv, buffer, (size_t)ndw * 4);
   pv_log_set_label(NULL);
   /* a fatal context has logged why; the others go on */
   return pv_context_is_fatal(c->pv) ? -EINVAL : 0;
}

VIRGL_EXPORT void
virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle)
{
   lock();
   struct vmm_resource *r = find_resource((uint32_t)res_handle);
   if (r && r->kind == RESOURCE_BLOB && r->ctx_id != (uint32_t)ctx_id)
      pv_warn("virgl: resource %d of context %u attached to context %d: not shared", res_handle,
              r->ctx_id, ctx_id);
   unlock();
}

VIRGL_EXPORT void
virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle)
{
   (void)ctx_id;
   (void)res_handle;
}

/* -- resources ------------------------------------------------------------------ */

static struct vmm_resource *
new_resource(uint32_t id, enum resource_kind kind)
{
   if (!id || find_resource(id))
      return NULL;
   struct vmm_resource *r = calloc(1, sizeof(*r));
   if (!r)
      return NULL;
   r->id = id;
   r->kind = kind;
   r->fd = -1;
   r->next = vmm.resources;
   vmm.resources = r;
   return r;
}

VIRGL_EXPORT int
virgl_renderer_resource_create(struct virgl_renderer_resource_create_args *args,
                               struct iovec *iov, uint32_t num_iovs)
{
   if (!args)
      return -EINVAL;
   lock();
   struct vmm_resource *r = new_resource(args->handle, RESOURCE_CLASSIC);
   if (r) {
      r->args = *args;
      r->iov = iov;
      r->iov_count = (int)num_iovs;
   }
   unlock();
   return r ? 0 : -EINVAL;
}

VIRGL_EXPORT int
virgl_renderer_resource_create_blob(const struct virgl_renderer_resource_create_blob_args *args)
{
   if (!args)
      return -EINVAL;
   if (args->blob_mem != VIRGL_RENDERER_BLOB_MEM_HOST3D) {
      pv_warn("virgl: blob %u of memory type %u: only HOST3D blobs are served",
              args->res_handle, args->blob_mem);
      return -EINVAL;
   }
   lock();
   struct vmm_context *c = find_context(args->ctx_id);
   struct vmm_resource *r = c ? new_resource(args->res_handle, RESOURCE_BLOB) : NULL;
   if (!r) {
      unlock();
      return -EINVAL;
   }
   struct pv_blob blob = { .fd = -1 };
   int ret;
   if (c->pv) {
      ret = pv_context_create_blob(c->pv, args->res_handle, PV_BLOB_TYPE_HOST3D,
                                   args->blob_flags, args->blob_id, args->size, &blob);
   } else {
      ret = pv_remote_create_blob(&c->remote, args->res_handle, PV_BLOB_TYPE_HOST3D,
                                  args->blob_flags, args->size, args->blob_id, &blob.fd);
      blob.size = args->size;
   }
   if (ret) {
      vmm.resources = r->next;
      free(r);
      unlock();
      return -EINVAL;
   }
   r->ctx_id = args->ctx_id;
   r->fd = blob.fd;
   r->size = blob.size;
   unlock();
   return 0;
}

VIRGL_EXPORT void
virgl_renderer_resource_unref(uint32_t res_handle)
{
   lock();
   for (struct vmm_resource **p = &vmm.resources; *p; p = &(*p)->next) {
      if ((*p)->id == res_handle) {
         struct vmm_resource *r = *p;
         *p = r->next;
         destroy_resource(r);
         break;
      }
   }
   unlock();
}

VIRGL_EXPORT int
virgl_renderer_resource_attach_iov(int res_handle, struct iovec *iov, int num_iovs)
{
   lock();
   struct vmm_resource *r = find_resource((uint32_t)res_handle);
   if (r) {
      r->iov = iov;
      r->iov_count = num_iovs;
   }
   unlock();
   return r ? 0 : -EINVAL;
}

VIRGL_EXPORT void
virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov, int *num_iovs)
{
   lock();
   struct vmm_resource *r = find_resource((uint32_t)res_handle);
   if (iov)
      *iov = r ? r->iov : NULL;
   if (num_iovs)
      *num_iovs = r ? r->iov_count : 0;
   if (r) {
      r->iov = NULL;
      r->iov_count = 0;
   }
   unlock();
}

VIRGL_EXPORT int
virgl_renderer_resource_get_info(int res_handle, struct virgl_renderer_resource_info *info)
{
   if (!info)
      return -EINVAL;
   lock();
   struct vmm_resource *r = find_resource((uint32_t)res_handle);
   if (r) {
      memset(info, 0, sizeof(*info));
      info->handle = r->id;
      info->virgl_format = r->args.format;
      info->width = r->args.width;
      info->height = r->args.height;
      info->depth = r->args.depth;
      info->flags = r->args.flags;
      info->fd = -1; /* a memfd is no dma-buf: nothing to scan out */
   }
   unlock();
   return r ? 0 : -EINVAL;
}

VIRGL_EXPORT int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info)
{
   (void)res_handle;
   (void)info;
   return -EINVAL; /* no GL texture to scan out */
}

static int
map_resource(uint32_t res_handle, void *fixed, void **map, uint64_t *size)
{
   lock();
   struct vmm_resource *r = find_resource(res_handle);
   int ret = 0;
   if (!r || r->kind != RESOURCE_BLOB || r->fd < 0 || r->map) {
      ret = -EINVAL;
   } else {
      /* the blob's memfd maps the very pages the host driver uses */
      void *p = mmap(fixed, r->size, PROT_READ | PROT_WRITE, MAP_SHARED | (fixed ? MAP_FIXED : 0),
                     r->fd, 0);
      if (p == MAP_FAILED) {
         ret = -errno;
      } else {
         r->map = p;
         if (map)
            *map = p;
         if (size)
            *size = r->size;
      }
   }
   unlock();
   return ret;
}

VIRGL_EXPORT int
virgl_renderer_resource_map(uint32_t res_handle, void **map, uint64_t *out_size)
{
   return map_resource(res_handle, NULL, map, out_size);
}

VIRGL_EXPORT int
virgl_renderer_resource_map_fixed(uint32_t res_handle, void *map)
{
   return map ? map_resource(res_handle, map, NULL, NULL) : -EINVAL;
}

VIRGL_EXPORT int
virgl_renderer_resource_unmap(uint32_t res_handle)
{
   lock();
   struct vmm_resource *r = find_resource(res_handle);
   const int ret = r && r->map ? munmap(r->map, r->size) : -EINVAL;
   if (r && !ret)
      r->map = NULL;
   unlock();
   return ret;
}

VIRGL_EXPORT int
virgl_renderer_resource_get_map_info(uint32_t res_handle, uint32_t *map_info)
{
   lock();
   struct vmm_resource *r = find_resource(res_handle);
   if (r && map_info)
      *map_info = VIRGL_RENDERER_MAP_CACHE_CACHED; /* ordinary shared memory */
   unlock();
   return r ? 0 : -EINVAL;
}

VIRGL_EXPORT int
virgl_renderer_resource_export_blob(uint32_t res_id, uint32_t *fd_type, int *fd)
{
   lock();
   struct vmm_resource *r = find_resource(res_id);
   const int copy = r && r->fd >= 0 ? dup(r->fd) : -1;
   unlock();
   if (copy < 0)
      return -EINVAL;
   *fd_type = VIRGL_RENDERER_BLOB_FD_TYPE_SHM;
   *fd = copy;
   return 0;
}

VIRGL_EXPORT int
virgl_renderer_transfer_read_iov(uint32_t handle, uint32_t ctx_id, uint32_t level,
                                 uint32_t stride, uint32_t layer_stride, struct virgl_box *box,
                                 uint64_t offset, struct iovec *iov, int iovec_cnt)
{
   (void)ctx_id, (void)level, (void)stride, (void)layer_stride, (void)box, (void)offset,
      (void)iov, (void)iovec_cnt;
   lock();
   const bool known = find_resource(handle) != NULL;
   unlock();
   return known ? 0 : -EINVAL; /* no GL copy of the pixels to read */
}

VIRGL_EXPORT int
virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level, uint32_t stride,
                                  uint32_t layer_stride, struct virgl_box *box, uint64_t offset,
                                  struct iovec *iovec, unsigned int iovec_cnt)
{
   (void)ctx_id, (void)level, (void)stride, (void)layer_stride, (void)box, (void)offset,
      (void)iovec, (void)iovec_cnt;
   lock();
   const bool known = find_resource(handle) != NULL;
   unlock();
   return known ? 0 : -EINVAL; /* the pixels stay in the VMM's backing */
}

VIRGL_EXPORT void *
virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width, uint32_t *height)
{
   (void)resource_id;
   if (width)
      *width = 0;
   if (height)
      *height = 0;
   return NULL;
}
