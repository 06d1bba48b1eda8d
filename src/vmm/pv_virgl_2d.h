/* SPDX-License-Identifier: MIT */
/* The 2D resources of virtio-gpu (the guest's console, its cursor): pixels
 * kept in host memory, filled from the guest's pages by transfers, and shown
 * through a GL texture in the VMM's GL context (pv_virgl_display.c).
 *
 * These functions serve the virgl_renderer_* entry points of the same names
 * in pv_virgl.c; they keep their own table of resources under their own lock
 * (the display lock), so that the GL callbacks they make never run under the
 * library's main lock. */
#ifndef PV_VIRGL_2D_H
#define PV_VIRGL_2D_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "virglrenderer.h"

/* What a VMM passes as `struct virgl_box *` (virtio-gpu's struct
 * virtio_gpu_box: QEMU casts its own to it). */
struct pv_transfer_box {
   uint32_t x, y, z, w, h, d;
};

enum pv_transfer_direction {
   PV_TRANSFER_TO_HOST,   /* transfer_write_iov: guest pages -> host pixels */
   PV_TRANSFER_FROM_HOST, /* transfer_read_iov: host pixels -> guest pages */
};

/* A new resource of a VMM's id; -EINVAL if the id is taken here.  Formats
 * and sizes the host cannot keep (not one of virtio-gpu's 2D formats, over
 * the size limits) still make a resource, without pixels: transfers to it
 * are refused. */
int pv_2d_create(const struct virgl_renderer_resource_create_args *args, struct iovec *iov,
                 uint32_t iov_count);
bool pv_2d_exists(uint32_t id);
/* false if there was no such resource */
bool pv_2d_unref(uint32_t id);
int pv_2d_attach_iov(uint32_t id, struct iovec *iov, int iov_count);
/* hands the VMM its iovecs back; false if there was no such resource */
bool pv_2d_detach_iov(uint32_t id, struct iovec **iov, int *iov_count);
/* iov NULL (or iov_count 0): the backing attached to the resource */
int pv_2d_transfer(uint32_t id, enum pv_transfer_direction direction, uint32_t level,
                   uint32_t stride, const struct pv_transfer_box *box, uint64_t offset,
                   const struct iovec *iov, int iov_count);
/* Fills info; makes the resource's GL texture (tex_id) when the VMM gave
 * the library a GL context.  -EINVAL if there is no such resource. */
int pv_2d_get_info(uint32_t id, struct virgl_renderer_resource_info *info);
/* A malloc'd copy of the pixels as 32-bit ARGB words (QEMU's cursor
 * format), rows top first; NULL if the resource has no pixels or is too
 * large for a cursor. */
void *pv_2d_cursor_data(uint32_t id, uint32_t *width, uint32_t *height);
/* at virgl_renderer_init: the VMM's GL callbacks (pv_virgl_display.h) */
void pv_2d_setup(void *cookie, const struct virgl_renderer_callbacks *callbacks);
/* drops every resource (virgl_renderer_reset) */
void pv_2d_reset(void);
/* drops every resource and gives the GL context back (cleanup) */
void pv_2d_cleanup(void);
/* virgl_renderer_force_ctx_0 */
void pv_2d_make_current(void);

#endif /* PV_VIRGL_2D_H */
