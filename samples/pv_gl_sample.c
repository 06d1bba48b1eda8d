/* SPDX-License-Identifier: MIT */
#include "pv_gl_sample.h"

#include <EGL/eglext.h>
#include <stdio.h>
#include <stdlib.h>

void
gl_sample_init(struct gl_sample *s, const char *name, int major, int minor)
{
   PFNEGLGETPLATFORMDISPLAYEXTPROC get_display =
      (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
   s->display = get_display
                   ? get_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL)
                   : EGL_NO_DISPLAY;
   EGLint egl_major, egl_minor;
   if (s->display == EGL_NO_DISPLAY || !eglInitialize(s->display, &egl_major, &egl_minor)) {
      fprintf(stderr, "%s: no surfaceless EGL display (0x%x)\n", name, eglGetError());
      exit(2);
   }
   eglBindAPI(EGL_OPENGL_ES_API);
   const EGLint attribs[] = { EGL_CONTEXT_MAJOR_VERSION, major, EGL_CONTEXT_MINOR_VERSION, minor,
                              EGL_NONE };
   s->context = eglCreateContext(s->display, EGL_NO_CONFIG_KHR, EGL_NO_CONTEXT, attribs);
   if (s->context == EGL_NO_CONTEXT ||
       !eglMakeCurrent(s->display, EGL_NO_SURFACE, EGL_NO_SURFACE, s->context)) {
      fprintf(stderr, "%s: no OpenGL ES %d.%d context (0x%x)\n", name, major, minor,
              eglGetError());
      exit(2);
   }
   printf("renderer: %s\n", (const char *)glGetString(GL_RENDERER));
}

void
gl_sample_fini(struct gl_sample *s)
{
   eglMakeCurrent(s->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
   eglDestroyContext(s->display, s->context);
   eglTerminate(s->display);
}

GLuint
gl_sample_shader(GLenum type, const char *src)
{
   GLuint shader = glCreateShader(type);
   glShaderSource(shader, 1, &src, NULL);
   glCompileShader(shader);
   GLint ok = 0;
   glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
   if (!ok) {
      char log[512];
      glGetShaderInfoLog(shader, sizeof(log), NULL, log);
      fprintf(stderr, "shader: %s\n", log);
   }
   return shader;
}

uint64_t
gl_sample_hash(uint64_t hash, const void *data, size_t size)
{
   const uint8_t *p = data;
   for (size_t i = 0; i < size; i++) {
      hash ^= p[i];
      hash *= 0x100000001b3ull;
   }
   return hash;
}
