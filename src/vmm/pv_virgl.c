/* SPDX-License-Identifier: MIT */
/* The virglrenderer-compatible front end (vmm/virglrenderer.h): what a VMM's
 * virtio-gpu device calls, mapped onto the renderer core's C API.
 *
 * Venus contexts (capset 4) become renderer contexts; HOST3D blobs become
 * the core's shared-memory blobs, which the VMM maps straight into the
 * guest's host-memory window (the very memory the host driver uses).
 * Contexts of the OpenGL (virgl) capsets are refused: there is no GL
 * renderer.  2D resources (the guest's console and cursor: create, backing,
 * transfers, the scanout's texture, cursor data) are pv_virgl_2d.c's, in a
 * table of their own under a lock of their own, the display lock, since
 * they call the VMM's GL callbacks.
 *
 * Each context runs in a process of its own by default (pv_virgl_remote.c:
 * `pearvisor-gpu serve-fd` on a socket pair, spoken to in vtest by a worker
 * thread of the context's own), so that a host-driver crash a guest
 * provokes ends that process and not the VMM, and a host driver that hangs
 * holds up that context alone; PV_VIRGL_IN_PROCESS=1 runs them in the VMM's
 * process instead, for debugging (docs/vmm.md).  The library's lock guards
 * its tables and is never held across I/O to a context's process.
 *
 * Fences: the global fences of virtio-gpu (virgl_renderer_create_fence)
 * retire in creation order, with the ids the VMM gave them, once every
 * context that was sent streams before the fence has run them; per-context
 * fences (virgl_renderer_context_create_fence) retire in order per context
 * and ring_idx, when the host finished the work before them.  Retirements
 * are queued as they happen (from the contexts' workers, or the core's
 * fence threads) and reported as the VMM asked at init:
 *   - no flag (QEMU): from virgl_renderer_poll(), on the VMM's thread;
 *   - VIRGL_RENDERER_THREAD_SYNC: the same, and virgl_renderer_get_poll_fd()
 *     is an eventfd that is readable while retirements wait to be polled;
 *   - VIRGL_RENDERER_ASYNC_FENCE_CB (crosvm, libkrun): from the library's
 *     fence thread, as they retire, without any poll.
 * No callback is made for a context once virgl_renderer_context_destroy()
 * returned, nor at all once virgl_renderer_cleanup() returned.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <threads.h>
#include <unistd.h>

#include "pearvisor/pv_renderer.h"
#include "pv_virgl_2d.h"
#include "pv_virgl_remote.h"
#include "util/pv_log.h"
#include "virglrenderer.h"

#ifndef PV_VIRGL_HELPER
#define PV_VIRGL_HELPER "pearvisor-gpu"
#endif

#define CONTEXT_NAME_MAX 64

struct vmm_context {
   uint32_t id;
   uint64_t serial;                 /* never reused: what queued fences name it by,
                                       since the VMM may reuse its id */
   struct pv_context *pv;           /* in the VMM's process, or */
   struct pv_remote *remote;        /* in a process of its own */
   /* under vmm.lock */
   bool unsynced;                   /* streams sent since the last global fence */
   uint64_t syncs_asked, syncs_done; /* sync points queued for its process / reached */
   bool destroyed;                  /* destroy began: nothing of it is reported */
   unsigned refs;                   /* calls using it outside the lock */
   char label[CONTEXT_NAME_MAX + 16]; /* names the guest on log lines */
   struct vmm_context *next;
};

/* A blob.  2D resources are pv_virgl_2d.c's. */
struct vmm_resource {
   uint32_t id;
   bool creating;                   /* its context is still making it */
   uint32_t ctx_id;                 /* the context it was made in */
   int fd;                          /* its memfd */
   uint64_t size;
   void *map;                       /* where the VMM mapped it, if it did */
   struct vmm_resource *next;
};

/* A global fence waits for these contexts to reach these sync points. */
struct fence_dep {
   uint64_t serial, seq;
};

struct global_fence {
   struct global_fence *next;
   uint32_t fence_id;
   uint32_t dep_count;
   struct fence_dep deps[];
};

/* A retirement waiting to be reported. */
struct retired_fence {
   uint64_t serial; /* the context's; 0: a global fence */
   uint32_t ctx_id, ring_idx;
   uint64_t fence_id;
};

static struct {
   mtx_t lock;
   once_flag once;
   bool initialized;
   struct pv_renderer *renderer;
   void *cookie;
   struct virgl_renderer_callbacks callbacks; /* the part of the VMM's its version has */
   struct vmm_context *contexts;
   struct vmm_context *dying;      /* destroyed; their process or threads not yet joined */
   uint64_t next_serial;
   struct vmm_resource *resources;
   /* global fences created and not yet retired, oldest first */
   struct global_fence *globals, *globals_last;
   /* retirements not yet reported, [retired_head, retired_count) */
   struct retired_fence *retired;
   size_t retired_head, retired_count, retired_capacity;
   /* how they are reported (see the top of this file) */
   bool async;
   int poll_fd;                    /* THREAD_SYNC's eventfd, or -1 */
   thrd_t fence_thread;
   bool fence_thread_running, fence_thread_stop;
   cnd_t fence_cond;               /* queued, or the fence thread must stop */
   bool delivering;                /* a callback runs, outside the lock */
   uint64_t delivering_serial;
   thrd_t delivering_thread;
   cnd_t delivered;                /* that callback returned */
   bool in_process;
   char helper[4096];
} vmm;

static void
init_lock(void)
{
   mtx_init(&vmm.lock, mtx_plain);
   cnd_init(&vmm.fence_cond);
   cnd_init(&vmm.delivered);
   vmm.poll_fd = -1;
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

static struct vmm_context *
find_serial(uint64_t serial)
{
   for (struct vmm_context *c = vmm.contexts; c; c = c->next) {
      if (c->serial == serial)
         return c;
   }
   return NULL;
}

/* A context for a call that uses it outside the lock; put_context() after. */
static struct vmm_context *
get_context(uint32_t id)
{
   lock();
   struct vmm_context *c = find_context(id);
   if (c)
      c->refs++;
   unlock();
   return c;
}

static void
put_context(struct vmm_context *c)
{
   lock();
   c->refs--;
   unlock();
}

/* Any resource of that id, one being made included. */
static struct vmm_resource *
find_any_resource(uint32_t id)
{
   for (struct vmm_resource *r = vmm.resources; r; r = r->next) {
      if (r->id == id)
         return r;
   }
   return NULL;
}

/* A resource the VMM may use: not one still being made. */
static struct vmm_resource *
find_resource(uint32_t id)
{
   struct vmm_resource *r = find_any_resource(id);
   return r && !r->creating ? r : NULL;
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

/* -- reporting fences ---------------------------------------------------------- */

/* Queues a retirement and wakes whoever reports it. */
static void
queue_retired_locked(uint64_t serial, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)
{
   if (vmm.retired_head == vmm.retired_count) {
      vmm.retired_head = vmm.retired_count = 0;
   } else if (vmm.retired_count == vmm.retired_capacity && vmm.retired_head) {
      memmove(vmm.retired, vmm.retired + vmm.retired_head,
              (vmm.retired_count - vmm.retired_head) * sizeof(*vmm.retired));
      vmm.retired_count -= vmm.retired_head;
      vmm.retired_head = 0;
   }
   if (!grow((void **)&vmm.retired, &vmm.retired_capacity, vmm.retired_count,
             sizeof(*vmm.retired))) {
      pv_error("virgl: out of memory; fence %llu of context %u lost", (unsigned long long)fence_id,
               ctx_id);
      return;
   }
   vmm.retired[vmm.retired_count++] =
      (struct retired_fence){ .serial = serial, .ctx_id = ctx_id, .ring_idx = ring_idx,
                              .fence_id = fence_id };
   if (vmm.async) {
      cnd_signal(&vmm.fence_cond);
   } else if (vmm.poll_fd >= 0) {
      const uint64_t one = 1;
      ssize_t unused = write(vmm.poll_fd, &one, sizeof(one));
      (void)unused;
   }
}

/* Reports the oldest queued retirement; false when there is none.  Called
 * and returns with the lock held, but calls the VMM without it: a callback
 * may call back into the library. */
static bool
deliver_one_locked(void)
{
   if (vmm.retired_head == vmm.retired_count)
      return false;
   const struct retired_fence f = vmm.retired[vmm.retired_head++];
   const struct virgl_renderer_callbacks cb = vmm.callbacks;
   void *cookie = vmm.cookie;
   vmm.delivering = true;
   vmm.delivering_serial = f.serial;
   vmm.delivering_thread = thrd_current();
   unlock();
   if (f.serial && cb.write_context_fence)
      cb.write_context_fence(cookie, f.ctx_id, f.ring_idx, f.fence_id);
   else if (!f.serial && cb.write_fence)
      cb.write_fence(cookie, (uint32_t)f.fence_id);
   lock();
   vmm.delivering = false;
   cnd_broadcast(&vmm.delivered);
   return true;
}

/* Returns once no callback for context `serial` (any, with 0) runs on
 * another thread: what the VMM frees after destroy or cleanup stays unused.
 * (One on this thread is the VMM calling us from its callback.) */
static void
wait_delivery_locked(uint64_t serial)
{
   while (vmm.delivering && (!serial || vmm.delivering_serial == serial) &&
          !thrd_equal(vmm.delivering_thread, thrd_current()))
      cnd_wait(&vmm.delivered, &vmm.lock);
}

/* VIRGL_RENDERER_ASYNC_FENCE_CB: reports retirements as they are queued,
 * so that the VMM's device thread never needs to poll. */
static int
fence_thread(void *arg)
{
   (void)arg;
   pthread_setname_np(pthread_self(), "pv-virgl-fence");
   lock();
   while (!vmm.fence_thread_stop) {
      if (!deliver_one_locked())
         cnd_wait(&vmm.fence_cond, &vmm.lock);
   }
   unlock();
   return 0;
}

/* Retires the global fences, oldest first, whose contexts have all run
 * what they were sent before it (a destroyed context has nothing left). */
static void
check_globals_locked(void)
{
   while (vmm.globals) {
      struct global_fence *f = vmm.globals;
      for (uint32_t i = 0; i < f->dep_count; i++) {
         const struct vmm_context *c = find_serial(f->deps[i].serial);
         if (c && c->syncs_done < f->deps[i].seq)
            return;
      }
      vmm.globals = f->next;
      if (!vmm.globals)
         vmm.globals_last = NULL;
      queue_retired_locked(0, 0, 0, f->fence_id);
      free(f);
   }
}

/* From an isolated context's worker. */
static void
remote_retired(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct vmm_context *c = data;
   lock();
   if (!c->destroyed)
      queue_retired_locked(c->serial, c->id, ring_idx, fence_id);
   unlock();
}

static void
remote_synced(void *data, uint64_t seq)
{
   struct vmm_context *c = data;
   lock();
   if (!c->destroyed) {
      c->syncs_done = seq;
      check_globals_locked();
   }
   unlock();
}

/* From the core's fence threads (contexts in the VMM's process). */
static void
context_fence_retired(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   remote_retired(data, ring_idx, fence_id);
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
   vmm.async = flags & VIRGL_RENDERER_ASYNC_FENCE_CB;
   if (vmm.async) {
      vmm.fence_thread_stop = false;
      vmm.fence_thread_running = thrd_create(&vmm.fence_thread, fence_thread, NULL) ==
                                 thrd_success;
      if (!vmm.fence_thread_running) {
         unlock();
         return -ENOMEM;
      }
   } else if (flags & VIRGL_RENDERER_THREAD_SYNC) {
      /* a hint, as in virglrenderer: without the eventfd get_poll_fd says
       * -1 and the VMM polls */
      vmm.poll_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
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
   pv_2d_setup(cookie, cb);
   pv_log(PV_LOG_INFO, "virgl: initialized (flags 0x%x, callbacks v%d), contexts %s, fences %s%s",
          flags, cb->version, vmm.in_process ? "in this process" : "in processes of their own",
          vmm.async ? "reported from the library's thread"
                    : (vmm.poll_fd >= 0 ? "polled when the poll fd is readable" : "polled"),
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
   struct vmm_context *c = find_context(r->ctx_id);
   if (c && c->pv)
      pv_context_unref_resource(c->pv, r->id);
   else if (c)
      pv_remote_unref(c->remote, r->id); /* queued: no I/O under the lock */
   free(r);
}

/* Takes a context out of the live list: nothing of it is reported from now
 * on, and its process (or the core's threads) are ended later, outside the
 * lock, by collect_dying(). */
static void
retire_context_locked(struct vmm_context *c)
{
   for (struct vmm_context **p = &vmm.contexts; *p; p = &(*p)->next) {
      if (*p == c) {
         *p = c->next;
         break;
      }
   }
   c->destroyed = true;
   /* its blobs stay the VMM's resources; the core keeps their memory alive
    * while they are referenced */
   for (struct vmm_resource *r = vmm.resources; r; r = r->next) {
      if (r->ctx_id == c->id)
         r->ctx_id = 0;
   }
   /* global fences stop waiting for it */
   check_globals_locked();
   /* its fences that retired and were not reported yet never will be, and
    * one being reported has returned before the VMM frees what it names */
   size_t kept = vmm.retired_head;
   for (size_t i = vmm.retired_head; i < vmm.retired_count; i++) {
      if (vmm.retired[i].serial != c->serial)
         vmm.retired[kept++] = vmm.retired[i];
   }
   vmm.retired_count = kept;
   wait_delivery_locked(c->serial);
   /* non-blocking: its worker reaps the process */
   if (c->remote)
      pv_remote_stop(c->remote);
   c->next = vmm.dying;
   vmm.dying = c;
}

/* Frees destroyed contexts whose teardown is done (with `wait`, all of
 * them, waiting for it) and that no call still uses.  Never under the lock:
 * joining a worker or the core's threads waits for callbacks that take it. */
static void
collect_dying(bool wait)
{
   for (;;) {
      lock();
      struct vmm_context *found = NULL;
      for (struct vmm_context **p = &vmm.dying; *p; p = &(*p)->next) {
         struct vmm_context *c = *p;
         if (c->refs || (!wait && c->remote && !pv_remote_finished(c->remote)))
            continue;
         *p = c->next;
         found = c;
         break;
      }
      unlock();
      if (!found)
         return;
      if (found->pv)
         pv_context_destroy(found->pv);
      else
         pv_remote_free(found->remote);
      free(found);
   }
}

static void
reset_locked(void)
{
   while (vmm.resources) {
      struct vmm_resource *r = vmm.resources;
      vmm.resources = r->next;
      destroy_resource(r);
   }
   while (vmm.contexts)
      retire_context_locked(vmm.contexts);
   /* what was not retired or reported is dropped, as the VMM resets its
    * own fence queues too */
   while (vmm.globals) {
      struct global_fence *f = vmm.globals;
      vmm.globals = f->next;
      free(f);
   }
   vmm.globals_last = NULL;
   vmm.retired_head = vmm.retired_count = 0;
   wait_delivery_locked(0);
}

VIRGL_EXPORT void
virgl_renderer_reset(void)
{
   lock();
   reset_locked();
   unlock();
   collect_dying(true);
   pv_2d_reset();
}

VIRGL_EXPORT void
virgl_renderer_cleanup(void *cookie)
{
   (void)cookie;
   lock();
   reset_locked();
   vmm.initialized = false;
   const bool join = vmm.fence_thread_running;
   vmm.fence_thread_stop = true;
   vmm.fence_thread_running = false;
   cnd_broadcast(&vmm.fence_cond);
   unlock();
   /* no callback after cleanup: the fence thread is gone, and the
    * contexts' workers and processes are ended */
   if (join)
      thrd_join(vmm.fence_thread, NULL);
   collect_dying(true);
   pv_2d_cleanup();
   lock();
   if (vmm.renderer)
      pv_renderer_destroy(vmm.renderer);
   vmm.renderer = NULL;
   free(vmm.retired);
   vmm.retired = NULL;
   vmm.retired_capacity = 0;
   if (vmm.poll_fd >= 0)
      close(vmm.poll_fd);
   vmm.poll_fd = -1;
   vmm.async = false;
   unlock();
}

VIRGL_EXPORT void
virgl_renderer_force_ctx_0(void)
{
   /* QEMU calls it before each command and before it draws a scanout: the
    * library's GL context current, as virglrenderer leaves its own */
   pv_2d_make_current();
}

/* -- fences -------------------------------------------------------------------- */

VIRGL_EXPORT int
virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id)
{
   (void)ctx_id; /* QEMU 10.0 passes the command type here */
   lock();
   if (!vmm.initialized) {
      unlock();
      return -EINVAL;
   }
   /* A guest waits on such a fence before it reads the replies of what it
    * submitted: an isolated context must have run its streams before the
    * fence retires (in-process streams run inside submit_cmd).  Each such
    * context is asked for a sync point, answered by its worker: nothing
    * here waits for a process. */
   uint32_t waits = 0;
   for (struct vmm_context *c = vmm.contexts; c; c = c->next)
      waits += c->remote && c->unsynced;
   struct global_fence *f = malloc(sizeof(*f) + waits * sizeof(f->deps[0]));
   if (!f) {
      unlock();
      return -ENOMEM;
   }
   f->next = NULL;
   f->fence_id = (uint32_t)client_fence_id;
   f->dep_count = 0;
   for (struct vmm_context *c = vmm.contexts; c; c = c->next) {
      if (!c->remote || !c->unsynced)
         continue;
      c->unsynced = false;
      const uint64_t seq = c->syncs_asked + 1;
      /* refused only for a context being ended: nothing to wait for */
      if (!pv_remote_sync(c->remote, seq)) {
         c->syncs_asked = seq;
         f->deps[f->dep_count++] = (struct fence_dep){ c->serial, seq };
      }
   }
   if (vmm.globals_last)
      vmm.globals_last->next = f;
   else
      vmm.globals = f;
   vmm.globals_last = f;
   check_globals_locked();
   unlock();
   return 0;
}

VIRGL_EXPORT int
virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags, uint32_t ring_idx,
                                    uint64_t fence_id)
{
   (void)flags; /* MERGEABLE lets us skip a report; every fence is reported */
   struct vmm_context *c = get_context(ctx_id);
   if (!c)
      return -EINVAL;
   int ret;
   if (c->pv)
      ret = pv_context_submit_fence(c->pv, ring_idx, fence_id) ? -EINVAL : 0;
   else
      ret = pv_remote_fence(c->remote, ring_idx, fence_id);
   put_context(c);
   return ret;
}

VIRGL_EXPORT void
virgl_renderer_poll(void)
{
   lock();
   if (!vmm.async) {
      /* emptied before the queue is looked at: what is queued later makes
       * it readable again */
      if (vmm.poll_fd >= 0) {
         uint64_t count;
         ssize_t unused = read(vmm.poll_fd, &count, sizeof(count));
         (void)unused;
      }
      /* what is queued now; later ones are for the next poll */
      for (size_t n = vmm.retired_count - vmm.retired_head; n && deliver_one_locked(); n--)
         ;
   }
   /* with ASYNC_FENCE_CB the fence thread reports them */
   unlock();
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
   lock();
   /* THREAD_SYNC alone; with ASYNC_FENCE_CB there is nothing to watch */
   const int fd = vmm.poll_fd;
   unlock();
   return fd;
}

VIRGL_EXPORT int
virgl_renderer_context_get_poll_fd(uint32_t ctx_id)
{
   (void)ctx_id;
   return -1; /* one poll fd for all contexts: virgl_renderer_get_poll_fd() */
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
   collect_dying(false);
   lock();
   if (!vmm.initialized || !ctx_id || find_context(ctx_id)) {
      unlock();
      return -EINVAL;
   }
   struct vmm_context *c = calloc(1, sizeof(*c));
   if (!c) {
      unlock();
      return -ENOMEM;
   }
   c->id = ctx_id;
   c->serial = ++vmm.next_serial;
   snprintf(c->label, sizeof(c->label), "ctx %u %s", ctx_id, label[0] ? label : "guest");
   int ret;
   if (vmm.in_process) {
      const struct pv_context_callbacks callbacks = {
         .data = c,
         .retire_fence = context_fence_retired,
      };
      ret = pv_context_create(vmm.renderer, ctx_id, label[0] ? label : "guest", &callbacks,
                              &c->pv);
   } else {
      const struct pv_remote_callbacks callbacks = {
         .data = c,
         .retired = remote_retired,
         .synced = remote_synced,
      };
      /* starts the process and its worker; nothing waits for it here */
      ret = pv_remote_start(vmm.helper, ctx_id, label[0] ? label : "guest", &callbacks,
                            &c->remote);
   }
   pv_log_set_label(NULL); /* creation may have labelled this thread with the guest */
   if (ret) {
      free(c);
      unlock();
      return ret;
   }
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
   struct vmm_context *c = find_context(handle);
   if (c)
      retire_context_locked(c);
   unlock();
   /* a process that ends at once is reaped now; a hung one is killed by
    * its worker after a grace period, without the VMM waiting */
   collect_dying(false);
}

VIRGL_EXPORT int
virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw)
{
   if (ndw < 0 || (ndw && !buffer))
      return -EINVAL;
   struct vmm_context *c = get_context((uint32_t)ctx_id);
   if (!c)
      return -EINVAL;
   if (c->remote) {
      /* queued for the context's worker: the context's process checks it
       * and, on a bad stream, logs why and ends; the VMM and other
       * contexts go on */
      const int ret = pv_remote_submit(c->remote, buffer, (uint32_t)ndw);
      lock();
      if (!ret)
         c->unsynced = true;
      c->refs--;
      unlock();
      return ret;
   }
   /* the VMM's thread runs the stream: its log lines name the guest */
   pv_log_set_label(c->label);
   pv_context_submit_cmd(c->pv, buffer, (size_t)ndw * 4);
   pv_log_set_label(NULL);
   /* a fatal context has logged why; the others go on */
   const int ret = pv_context_is_fatal(c->pv) ? -EINVAL : 0;
   put_context(c);
   return ret;
}

VIRGL_EXPORT void
virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle)
{
   lock();
   struct vmm_resource *r = find_resource((uint32_t)res_handle);
   if (r && r->ctx_id != (uint32_t)ctx_id)
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
new_resource(uint32_t id)
{
   if (!id || find_any_resource(id))
      return NULL;
   struct vmm_resource *r = calloc(1, sizeof(*r));
   if (!r)
      return NULL;
   r->id = id;
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
   const bool blob = find_any_resource(args->handle) != NULL;
   unlock();
   /* the 2D table is checked under its own lock: the two are never held
    * together (the display lock is held across the VMM's GL callbacks) */
   return blob ? -EINVAL : pv_2d_create(args, iov, num_iovs);
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
   if (pv_2d_exists(args->res_handle))
      return -EINVAL;
   lock();
   struct vmm_context *c = find_context(args->ctx_id);
   struct vmm_resource *r = c ? new_resource(args->res_handle) : NULL;
   if (!r) {
      unlock();
      return -EINVAL;
   }
   /* made outside the lock (an isolated context's process answers it, and
    * must not hold up the other contexts while it does): the id is taken,
    * and the resource unusable until it is made */
   r->creating = true;
   r->ctx_id = args->ctx_id;
   c->refs++;
   unlock();
   struct pv_blob blob = { .fd = -1 };
   int ret;
   if (c->pv) {
      ret = pv_context_create_blob(c->pv, args->res_handle, PV_BLOB_TYPE_HOST3D,
                                   args->blob_flags, args->blob_id, args->size, &blob);
   } else {
      ret = pv_remote_create_blob(c->remote, args->res_handle, PV_BLOB_TYPE_HOST3D,
                                  args->blob_flags, args->size, args->blob_id, &blob.fd);
      blob.size = args->size;
   }
   lock();
   c->refs--;
   /* still there, unless a reset dropped it meanwhile */
   struct vmm_resource **p = &vmm.resources;
   while (*p && !((*p)->id == args->res_handle && (*p)->creating))
      p = &(*p)->next;
   r = *p;
   if (r && ret) {
      *p = r->next;
      free(r);
   } else if (r) {
      r->fd = blob.fd;
      r->size = blob.size;
      r->creating = false;
   } else if (!ret) {
      close(blob.fd);
   }
   unlock();
   return r && !ret ? 0 : -EINVAL;
}

VIRGL_EXPORT void
virgl_renderer_resource_unref(uint32_t res_handle)
{
   if (pv_2d_unref(res_handle))
      return;
   lock();
   for (struct vmm_resource **p = &vmm.resources; *p; p = &(*p)->next) {
      if ((*p)->id == res_handle && !(*p)->creating) {
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
   return pv_2d_attach_iov((uint32_t)res_handle, iov, num_iovs);
}

VIRGL_EXPORT void
virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov, int *num_iovs)
{
   pv_2d_detach_iov((uint32_t)res_handle, iov, num_iovs); /* blobs have no backing */
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
      info->fd = -1; /* a memfd is no dma-buf */
   }
   unlock();
   /* not a blob: a 2D resource, whose texture is made when it is asked */
   return r ? 0 : pv_2d_get_info((uint32_t)res_handle, info);
}

VIRGL_EXPORT int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info)
{
   if (!info)
      return -EINVAL;
   /* QEMU 10.0 asks this one at SET_SCANOUT: the members of version 0 */
   const int ret = virgl_renderer_resource_get_info(res_handle, &info->base);
   if (!ret) {
      info->version = VIRGL_RENDERER_RESOURCE_INFO_EXT_VERSION;
      info->has_dmabuf_export = false;
      info->planes = 0;
      info->modifiers = 0;
      info->d3d_tex2d = NULL;
   }
   return ret;
}

static int
map_resource(uint32_t res_handle, void *fixed, void **map, uint64_t *size)
{
   lock();
   struct vmm_resource *r = find_resource(res_handle);
   int ret = 0;
   if (!r || r->fd < 0 || r->map) {
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
   (void)ctx_id, (void)layer_stride; /* 2D resources have one layer */
   return pv_2d_transfer(handle, PV_TRANSFER_FROM_HOST, level, stride,
                         (const struct pv_transfer_box *)box, offset, iov, iovec_cnt);
}

VIRGL_EXPORT int
virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level, uint32_t stride,
                                  uint32_t layer_stride, struct virgl_box *box, uint64_t offset,
                                  struct iovec *iovec, unsigned int iovec_cnt)
{
   (void)ctx_id, (void)layer_stride;
   return pv_2d_transfer(handle, PV_TRANSFER_TO_HOST, (uint32_t)level, stride,
                         (const struct pv_transfer_box *)box, offset, iovec,
                         iovec_cnt > INT32_MAX ? -1 : (int)iovec_cnt);
}

VIRGL_EXPORT void *
virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width, uint32_t *height)
{
   uint32_t w, h;
   void *data = pv_2d_cursor_data(resource_id, &w, &h);
   if (width)
      *width = w;
   if (height)
      *height = h;
   return data;
}
