/* SPDX-License-Identifier: MIT */
#include "pv_resource.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/pv_log.h"

struct pv_resource *
pv_resource_create_shm(uint32_t id, size_t size)
{
   if (!size)
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
   res->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, res->fd, 0);
   if (res->map == MAP_FAILED) {
      pv_error("mmap(%zu): %m", size);
      goto fail_fd;
   }
   res->id = id;
   res->kind = PV_RESOURCE_SHM;
   res->size = size;
   atomic_init(&res->refcount, 1);
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
   munmap(res->map, res->size);
   close(res->fd);
   free(res);
}
