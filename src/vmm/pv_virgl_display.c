/* SPDX-License-Identifier: MIT */
/* Scanout textures in the VMM's GL context (pv_virgl_display.h).
 *
 * GL entry points come from libepoxy, which the VMM's display loads too:
 * it resolves them for whichever context is current (GLX or EGL, desktop
 * GL or GLES), so the library needs no window system of its own.  Pixels
 * arrive as R, G, B, A bytes, the one upload format that desktop GL and
 * GLES both take without extensions. */
#include "pv_virgl_display.h"

#include <stdio.h>

#include "util/pv_log.h"

#ifdef PV_VIRGL_HAVE_EPOXY
#include <epoxy/gl.h>
#endif

static struct {
   void *cookie;
   virgl_renderer_gl_context (*create)(void *cookie, int scanout_idx,
                                       struct virgl_renderer_gl_ctx_param *param);
   void (*destroy)(void *cookie, virgl_renderer_gl_context ctx);
   int (*make_current)(void *cookie, int scanout_idx, virgl_renderer_gl_context ctx);
   virgl_renderer_gl_context context;
   bool asked;           /* the VMM was asked for a context (once: it may fail) */
   bool said_unavailable; /* the log said there is no GL (once) */
} display;

void
pv_display_setup(void *cookie, const struct virgl_renderer_callbacks *callbacks)
{
   display.cookie = cookie;
   /* version 1 of the struct has the GL members already */
   display.create = callbacks->create_gl_context;
   display.destroy = callbacks->destroy_gl_context;
   display.make_current = callbacks->make_current;
   display.context = NULL;
   display.asked = false;
   display.said_unavailable = false;
}

static void
say_unavailable(const char *why)
{
   if (display.said_unavailable)
      return;
   display.said_unavailable = true;
   pv_warn("virgl: %s: 2D resources keep their pixels and transfers copy them, but scanouts "
           "get no texture (tex_id 0: the VMM's GL display shows nothing)", why);
}

#ifdef PV_VIRGL_HAVE_EPOXY

/* The library's context, current on this thread; false without one. */
static bool
make_current(void)
{
   if (!display.asked) {
      display.asked = true;
      if (!display.create || !display.make_current) {
         say_unavailable("the VMM gave no GL context callbacks");
         return false;
      }
      /* the lowest versions that have all the calls used here, newest
       * first: a core-profile display (QEMU's gl=on) wants 3.x, a GLES one
       * (gl=es) may only make 2.0 */
      static const int versions[][2] = { { 3, 3 }, { 3, 0 }, { 2, 0 } };
      for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]) && !display.context; i++) {
         struct virgl_renderer_gl_ctx_param param = {
            .version = 1,
            .shared = true, /* the display samples the textures made here */
            .major_ver = versions[i][0],
            .minor_ver = versions[i][1],
         };
         display.context = display.create(display.cookie, 0, &param);
      }
      if (!display.context) {
         say_unavailable("the VMM made no GL context for the library");
         return false;
      }
      if (display.make_current(display.cookie, 0, display.context)) {
         say_unavailable("the VMM's GL context for the library cannot be made current");
         return false;
      }
      pv_info("virgl: scanouts shown through textures in the VMM's GL context (%s %d.%d)",
              epoxy_is_desktop_gl() ? "OpenGL" : "OpenGL ES", epoxy_gl_version() / 10,
              epoxy_gl_version() % 10);
      return true;
   }
   if (!display.context)
      return false;
   return display.make_current(display.cookie, 0, display.context) == 0;
}

void
pv_display_teardown(void)
{
   if (display.context && display.destroy)
      display.destroy(display.cookie, display.context);
   display.context = NULL;
   display.asked = false;
}

void
pv_display_make_current(void)
{
   if (display.context)
      make_current();
}

uint32_t
pv_display_texture_create(uint32_t width, uint32_t height, const uint8_t *rgba)
{
   if (!make_current())
      return 0;
   GLint max_size = 0;
   glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
   if (width > (uint32_t)max_size || height > (uint32_t)max_size) {
      pv_warn("virgl: a %ux%u scanout is larger than this GL's textures (%d): not shown", width,
              height, max_size);
      return 0;
   }
   while (glGetError() != GL_NO_ERROR) {
      /* errors left by others do not count against this texture */
   }
   GLuint texture = 0;
   glGenTextures(1, &texture);
   glBindTexture(GL_TEXTURE_2D, texture);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
   glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
   glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, (GLsizei)width, (GLsizei)height, 0, GL_RGBA,
                GL_UNSIGNED_BYTE, rgba);
   const GLenum error = glGetError();
   glBindTexture(GL_TEXTURE_2D, 0);
   if (error != GL_NO_ERROR) {
      pv_warn("virgl: a %ux%u scanout texture could not be made (GL error 0x%x)", width, height,
              error);
      glDeleteTextures(1, &texture);
      return 0;
   }
   /* the display's context reads it next: what was written must reach it */
   glFlush();
   return texture;
}

void
pv_display_texture_update(uint32_t texture, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                          const uint8_t *rgba)
{
   if (!texture || !make_current())
      return;
   glBindTexture(GL_TEXTURE_2D, texture);
   glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
   glTexSubImage2D(GL_TEXTURE_2D, 0, (GLint)x, (GLint)y, (GLsizei)w, (GLsizei)h, GL_RGBA,
                   GL_UNSIGNED_BYTE, rgba);
   glBindTexture(GL_TEXTURE_2D, 0);
   glFlush();
}

void
pv_display_texture_delete(uint32_t texture)
{
   if (!texture || !make_current())
      return;
   GLuint name = texture;
   glDeleteTextures(1, &name);
}

#else /* no libepoxy at build time: the pixels are kept, nothing is shown */

void
pv_display_teardown(void)
{
}

void
pv_display_make_current(void)
{
}

uint32_t
pv_display_texture_create(uint32_t width, uint32_t height, const uint8_t *rgba)
{
   (void)width, (void)height, (void)rgba;
   say_unavailable("the library was built without libepoxy (no GL)");
   return 0;
}

void
pv_display_texture_update(uint32_t texture, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
                          const uint8_t *rgba)
{
   (void)texture, (void)x, (void)y, (void)w, (void)h, (void)rgba;
}

void
pv_display_texture_delete(uint32_t texture)
{
   (void)texture;
}

#endif
