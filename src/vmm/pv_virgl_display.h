/* SPDX-License-Identifier: MIT */
/* GL textures for scanouts, made in a GL context the VMM creates for the
 * library through its callbacks (create_gl_context, make_current), which
 * shares its objects with the VMM's display: QEMU's virtio-gpu-gl shows a
 * scanout by attaching the texture named by resource_get_info's tex_id to
 * a framebuffer of its own context.
 *
 * Every function is called with the display lock of pv_virgl_2d.c held,
 * from the VMM thread that made the 2D call.  Without a GL context (the
 * VMM gave no create_gl_context, or it failed) textures are 0 and nothing
 * is uploaded; the log says so once. */
#ifndef PV_VIRGL_DISPLAY_H
#define PV_VIRGL_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "virglrenderer.h"

/* at virgl_renderer_init: the VMM's cookie and GL callbacks (copied) */
void pv_display_setup(void *cookie, const struct virgl_renderer_callbacks *callbacks);
/* at virgl_renderer_cleanup: the context is given back to the VMM */
void pv_display_teardown(void);
/* virgl_renderer_force_ctx_0: the library's context current again, if it
 * has one (the VMM expects that of a renderer before it draws) */
void pv_display_make_current(void);

/* A texture of width x height, filled from `rgba` (tightly packed rows,
 * R, G, B, A bytes, in the texture's row order); 0 without GL. */
uint32_t pv_display_texture_create(uint32_t width, uint32_t height, const uint8_t *rgba);
/* rows [y, y + h) and columns [x, x + w) of the texture, from tightly
 * packed R, G, B, A rows */
void pv_display_texture_update(uint32_t texture, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                               const uint8_t *rgba);
void pv_display_texture_delete(uint32_t texture);

#endif /* PV_VIRGL_DISPLAY_H */
