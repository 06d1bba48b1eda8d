/* SPDX-License-Identifier: MIT */
#ifndef PV_GL_SAMPLE_H
#define PV_GL_SAMPLE_H

/* Shared set-up of the OpenGL ES samples: a context on EGL's surfaceless
 * platform (no window; zink renders it through Vulkan when run with
 * LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=zink), shader compilation, and the
 * FNV-1a hash the tests compare. */

#include <EGL/egl.h>
#include <GLES3/gl3.h>
#include <stddef.h>
#include <stdint.h>

struct gl_sample {
   EGLDisplay display;
   EGLContext context;
};

/* An OpenGL ES major.minor context made current, or exit(2) naming `name`. */
void gl_sample_init(struct gl_sample *s, const char *name, int major, int minor);
void gl_sample_fini(struct gl_sample *s);

/* A compiled shader; a compile log goes to stderr. */
GLuint gl_sample_shader(GLenum type, const char *src);

#define GL_SAMPLE_HASH_START 0xcbf29ce484222325ull
/* FNV-1a over bytes, continuing from `hash`. */
uint64_t gl_sample_hash(uint64_t hash, const void *data, size_t size);

#endif /* PV_GL_SAMPLE_H */
