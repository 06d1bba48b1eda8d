/* SPDX-License-Identifier: MIT */
#include "pv_vtest_sync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "util/pv_time.h"

struct pv_vtest_sync {
   uint32_t id;
   uint64_t value;
};

struct pv_vtest_wait {
   struct pv_list link;
   int signal_fd;           /* owned: the write end of the pipe the client polls */
   bool any;
   uint64_t deadline_ns;    /* UINT64_MAX: none */
   uint32_t count;
   struct pv_vtest_sync_value entries[];
};

struct pv_vtest_fence {
   struct pv_list link;
   uint64_t fence_id;
   uint32_t count;
   struct pv_vtest_sync_value entries[];
};

bool
pv_vtest_syncs_init(struct pv_vtest_syncs *s)
{
   memset(s, 0, sizeof(*s));
   if (!pv_id_map_init(&s->syncs))
      return false;
   if (mtx_init(&s->mutex, mtx_plain) != thrd_success) {
      pv_id_map_fini(&s->syncs);
      return false;
   }
   pv_list_init(&s->waits);
   for (uint32_t i = 0; i < PV_MAX_TIMELINES; i++)
      pv_list_init(&s->timelines[i]);
   s->next_id = 1;
   s->next_fence_id = 1;
   return true;
}

static void
free_wait(struct pv_vtest_wait *wait)
{
   pv_list_del(&wait->link);
   close(wait->signal_fd);
   free(wait);
}

void
pv_vtest_syncs_fini(struct pv_vtest_syncs *s)
{
   while (!pv_list_empty(&s->waits))
      free_wait(pv_container_of(s->waits.next, struct pv_vtest_wait, link));
   for (uint32_t i = 0; i < PV_MAX_TIMELINES; i++) {
      while (!pv_list_empty(&s->timelines[i])) {
         struct pv_vtest_fence *f =
            pv_container_of(s->timelines[i].next, struct pv_vtest_fence, link);
         pv_list_del(&f->link);
         free(f);
      }
   }
   uint64_t key;
   void *value;
   for (uint32_t it = 0; pv_id_map_next(&s->syncs, &it, &key, &value);)
      free(value);
   pv_id_map_fini(&s->syncs);
   mtx_destroy(&s->mutex);
}

uint32_t
pv_vtest_sync_create(struct pv_vtest_syncs *s, uint64_t value)
{
   mtx_lock(&s->mutex);
   uint32_t id = 0;
   struct pv_vtest_sync *sync = NULL;
   if (s->syncs.count < PV_VTEST_MAX_SYNCS && (sync = malloc(sizeof(*sync)))) {
      /* ids are never 0 and skip ids still in use after wrap-around */
      do {
         id = s->next_id++;
      } while (!id || pv_id_map_get(&s->syncs, id));
      sync->id = id;
      sync->value = value;
      if (!pv_id_map_put(&s->syncs, id, sync)) {
         free(sync);
         id = 0;
      }
   }
   mtx_unlock(&s->mutex);
   return id;
}

bool
pv_vtest_sync_unref(struct pv_vtest_syncs *s, uint32_t id)
{
   mtx_lock(&s->mutex);
   struct pv_vtest_sync *sync = pv_id_map_remove(&s->syncs, id);
   mtx_unlock(&s->mutex);
   free(sync);
   return sync != NULL;
}

bool
pv_vtest_sync_read(struct pv_vtest_syncs *s, uint32_t id, uint64_t *value)
{
   mtx_lock(&s->mutex);
   struct pv_vtest_sync *sync = pv_id_map_get(&s->syncs, id);
   if (sync)
      *value = sync->value;
   mtx_unlock(&s->mutex);
   return sync != NULL;
}

/* A sync that is gone counts as signalled: nothing can raise it any more,
 * and a waiter must not hang on it. */
static bool
wait_satisfied_locked(struct pv_vtest_syncs *s, const struct pv_vtest_sync_value *entries,
                      uint32_t count, bool any)
{
   if (!count)
      return true;
   for (uint32_t i = 0; i < count; i++) {
      const struct pv_vtest_sync *sync = pv_id_map_get(&s->syncs, entries[i].id);
      const bool done = !sync || sync->value >= entries[i].value;
      if (any && done)
         return true;
      if (!any && !done)
         return false;
   }
   return !any;
}

/* One byte makes the client's end readable; a pipe closed without it
 * hangs up instead, which Mesa reports as VK_ERROR_DEVICE_LOST. */
static void
signal_pipe(int fd)
{
   const uint8_t one = 1;
   ssize_t unused = write(fd, &one, sizeof(one));
   (void)unused;
}

static void
check_waits_locked(struct pv_vtest_syncs *s)
{
   for (struct pv_list *l = s->waits.next; l != &s->waits;) {
      struct pv_vtest_wait *wait = pv_container_of(l, struct pv_vtest_wait, link);
      l = l->next;
      if (wait_satisfied_locked(s, wait->entries, wait->count, wait->any)) {
         signal_pipe(wait->signal_fd);
         free_wait(wait);
         s->wait_count--;
      }
   }
}

static bool
write_locked(struct pv_vtest_syncs *s, uint32_t id, uint64_t value)
{
   struct pv_vtest_sync *sync = pv_id_map_get(&s->syncs, id);
   if (!sync)
      return false;
   sync->value = value;
   return true;
}

bool
pv_vtest_sync_write(struct pv_vtest_syncs *s, uint32_t id, uint64_t value)
{
   mtx_lock(&s->mutex);
   const bool ok = write_locked(s, id, value);
   if (ok)
      check_waits_locked(s);
   mtx_unlock(&s->mutex);
   return ok;
}

int
pv_vtest_sync_wait(struct pv_vtest_syncs *s, bool any, uint32_t timeout_ms,
                   const struct pv_vtest_sync_value *entries, uint32_t count)
{
   /* a pipe rather than an eventfd: if this process ends or drops the
    * client before the wait is satisfied, the client's poll returns a
    * hang-up instead of blocking for ever */
   int fds[2];
   if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
      return -errno;
   mtx_lock(&s->mutex);
   int ret = fds[0];
   for (uint32_t i = 0; i < count; i++) {
      if (!pv_id_map_get(&s->syncs, entries[i].id))
         ret = -ENOENT;
   }
   if (ret < 0) {
      /* nothing */
   } else if (wait_satisfied_locked(s, entries, count, any)) {
      signal_pipe(fds[1]);
   } else if (s->wait_count >= PV_VTEST_MAX_WAITS) {
      ret = -ENOSPC;
   } else {
      struct pv_vtest_wait *wait = malloc(sizeof(*wait) + count * sizeof(entries[0]));
      if (!wait) {
         ret = -ENOMEM;
      } else {
         wait->signal_fd = fds[1];
         fds[1] = -1;
         wait->any = any;
         /* the client's own poll times out at timeout_ms; the pipe stays
          * open a while longer so that it sees a timeout, not a hang-up */
         wait->deadline_ns = timeout_ms == UINT32_MAX
                                ? UINT64_MAX
                                : pv_now_ns() + ((uint64_t)timeout_ms + PV_VTEST_WAIT_GRACE_MS) *
                                                1000000u;
         wait->count = count;
         memcpy(wait->entries, entries, count * sizeof(entries[0]));
         pv_list_add_tail(&s->waits, &wait->link);
         s->wait_count++;
      }
   }
   mtx_unlock(&s->mutex);
   if (fds[1] >= 0)
      close(fds[1]);
   if (ret < 0)
      close(fds[0]);
   return ret;
}

int
pv_vtest_sync_lost_fd(void)
{
   int fds[2];
   if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
      return -errno;
   close(fds[1]);
   return fds[0];
}

uint64_t
pv_vtest_fence_add(struct pv_vtest_syncs *s, uint32_t ring_idx,
                   const struct pv_vtest_sync_value *entries, uint32_t count)
{
   struct pv_vtest_fence *fence = malloc(sizeof(*fence) + count * sizeof(entries[0]));
   if (!fence || ring_idx >= PV_MAX_TIMELINES) {
      free(fence);
      return 0;
   }
   mtx_lock(&s->mutex);
   if (s->pending_fences >= PV_VTEST_MAX_PENDING_FENCES) {
      mtx_unlock(&s->mutex);
      free(fence);
      return 0;
   }
   fence->fence_id = s->next_fence_id++;
   fence->count = count;
   memcpy(fence->entries, entries, count * sizeof(entries[0]));
   pv_list_add_tail(&s->timelines[ring_idx], &fence->link);
   s->pending_fences++;
   const uint64_t id = fence->fence_id;
   mtx_unlock(&s->mutex);
   return id;
}

void
pv_vtest_fence_retire(struct pv_vtest_syncs *s, uint32_t ring_idx, uint64_t fence_id)
{
   if (ring_idx >= PV_MAX_TIMELINES)
      return;
   mtx_lock(&s->mutex);
   struct pv_list *timeline = &s->timelines[ring_idx];
   while (!pv_list_empty(timeline)) {
      struct pv_vtest_fence *f = pv_container_of(timeline->next, struct pv_vtest_fence, link);
      if (f->fence_id > fence_id)
         break;
      for (uint32_t i = 0; i < f->count; i++)
         write_locked(s, f->entries[i].id, f->entries[i].value);
      pv_list_del(&f->link);
      s->pending_fences--;
      free(f);
   }
   check_waits_locked(s);
   mtx_unlock(&s->mutex);
}

int
pv_vtest_syncs_expire(struct pv_vtest_syncs *s)
{
   const uint64_t now = pv_now_ns();
   uint64_t next = UINT64_MAX;
   mtx_lock(&s->mutex);
   for (struct pv_list *l = s->waits.next; l != &s->waits;) {
      struct pv_vtest_wait *wait = pv_container_of(l, struct pv_vtest_wait, link);
      l = l->next;
      if (wait->deadline_ns <= now) {
         free_wait(wait);
         s->wait_count--;
      } else if (wait->deadline_ns < next) {
         next = wait->deadline_ns;
      }
   }
   mtx_unlock(&s->mutex);
   if (next == UINT64_MAX)
      return -1;
   const uint64_t ms = (next - now + 999999) / 1000000;
   return ms > 60000 ? 60000 : (int)ms;
}
