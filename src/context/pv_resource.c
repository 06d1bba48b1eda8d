/* SPDX-License-Identifier: MIT */
#include "pv_resource.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/pv_log.h"

/* Maps `fd` at an address aligned to `align`: reserve a larger range, place
 * the mapping inside it, give the rest back. */
static void *
map_aligned(int fd, size_t size, size_t align)
{
   const size_t page = (size_t)sysconf(_SC_PAGESIZE);
   if (align <= page)
      return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   uint8_t *area = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   if (area == MAP_FAILED)
      return MAP_FAILED;
   uint8_t *start = (uint8_t *)(((uintptr_t)area + align - 1) & ~(uintptr_t)(align - 1));
   void *map = mmap(start, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
   if (map == MAP_FAILED) {
      munmap(area, size + align);
      return MAP_FAILED;
   }
   if (start > area)
      munmap(area, (size_t)(start - area));
   const size_t tail = (size_t)(area + size + align - (start + size));
   if (tail)
      munmap(start + size, tail);
   return map;
}

struct pv_resource *
pv_resource_create(enum pv_resource_kind kind, uint32_t id, size_t size, size_t align)
{
   if (!size || (align & (align - 1)))
      return NULL;
   struct pv_resource *res = calloc(1, sizeof(*res));
   if (!res)
      return NULL;

   res->fd = memfd_create("pearvisor-shmem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
   if (res->fd < 0) {
      pv_error("memfd_create: %m");
      goto fail;
   }
   if (ftruncate(res->fd, (off_t)size) < 0) {
      pv_error("ftruncate(%zu): %m", size);
      goto fail_fd;
   }
   /* the guest gets this fd: seal its size so that it cannot shrink the file
    * under our mapping (a SIGBUS in the renderer) */
   if (fcntl(res->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
      pv_error("sealing shared memory: %m");
      goto fail_fd;
   }
   res->map = map_aligned(res->fd, size, align);
   if (res->map == MAP_FAILED) {
      pv_error("mmap(%zu): %m", size);
      goto fail_fd;
   }
   res->id = id;
   res->kind = kind;
   res->size = size;
   atomic_init(&res->refcount, 1);
   atomic_init(&res->shared, false);
   return res;

fail_fd:
   close(res->fd);
fail:
   free(res);
   return NULL;
}

void
pv_resource_unref(struct pv_resource *res)
{
   if (!res || atomic_fetch_sub_explicit(&res->refcount, 1, memory_order_acq_rel) != 1)
      return;
   if (res->charged_to)
      atomic_fetch_sub_explicit(res->charged_to, res->size, memory_order_relaxed);
   munmap(res->map, res->size);
   close(res->fd);
   free(res);
}

int
pv_resource_refused_fd(uint64_t size)
{
   /* sealed against writes: a shared writable mapping of it fails (EPERM),
    * which Mesa turns into VK_ERROR_MEMORY_MAP_FAILED at vkMapMemory */
   const int fd = memfd_create("pearvisor-refused", MFD_CLOEXEC | MFD_ALLOW_SEALING);
   if (fd < 0)
      return -1;
   /* as large as asked (sparse: nothing is allocated), so that only the
    * seal refuses the mapping */
   if (size <= (uint64_t)INT64_MAX && ftruncate(fd, (off_t)size) < 0)
      pv_debug(PV_CAT_VTEST, "refused blob of %" PRIu64 " bytes left empty: %m", size);
   if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
      close(fd);
      return -1;
   }
   return fd;
}
