/* SPDX-License-Identifier: MIT */
/* Runs inside the test VM: opens a Venus context on the virtio-gpu render
 * node, the way Mesa does, and submits a command stream of garbage through
 * it.  The host must end that context alone; the VM and the guests after it
 * go on (tests/vm/test_vm.py checks). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <virtgpu_drm.h>

/* context creation with a capset (Linux 5.16 and later; older libdrm
 * headers lack it) */
#define PV_VIRTGPU_CONTEXT_INIT 0x0b
#define PV_VIRTGPU_CONTEXT_PARAM_CAPSET_ID 0x0001
#define PV_CAPSET_VENUS 4

struct pv_virtgpu_context_set_param {
   uint64_t param;
   uint64_t value;
};

struct pv_virtgpu_context_init {
   uint32_t num_params;
   uint32_t pad;
   uint64_t ctx_set_params;
};

#define PV_IOCTL_VIRTGPU_CONTEXT_INIT                                                        \
   DRM_IOWR(DRM_COMMAND_BASE + PV_VIRTGPU_CONTEXT_INIT, struct pv_virtgpu_context_init)

int
main(void)
{
   const int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   if (fd < 0) {
      perror("garbage: /dev/dri/renderD128");
      return 1;
   }
   struct pv_virtgpu_context_set_param param = { PV_VIRTGPU_CONTEXT_PARAM_CAPSET_ID,
                                                 PV_CAPSET_VENUS };
   struct pv_virtgpu_context_init init = { 1, 0, (uint64_t)(uintptr_t)&param };
   if (ioctl(fd, PV_IOCTL_VIRTGPU_CONTEXT_INIT, &init)) {
      perror("garbage: VIRTGPU_CONTEXT_INIT");
      return 1;
   }
   uint32_t garbage[64];
   memset(garbage, 0xff, sizeof(garbage));
   struct drm_virtgpu_execbuffer exec = {
      .size = sizeof(garbage),
      .command = (uint64_t)(uintptr_t)garbage,
   };
   if (ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &exec)) {
      perror("garbage: VIRTGPU_EXECBUFFER");
      return 1;
   }
   printf("garbage: %zu bytes of garbage submitted to a Venus context\n", sizeof(garbage));
   close(fd);
   return 0;
}
