/* SPDX-License-Identifier: MIT */
/* OpenGL ES 3 offscreen, on whatever EGL gives on the surfaceless platform:
 * run with LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=zink, Mesa's zink renders
 * it through Vulkan (natively on lavapipe, or on Venus through PearVisor).
 *
 * Draws a textured, depth-tested pair of overlapping triangles into a
 * framebuffer object, reads it back, checks what must be there and prints
 * the renderer and a hash of the pixels, which must be the same both ways. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pv_gl_sample.h"

#define SIZE 128

static const char *const vertex_src =
   "#version 300 es\n"
   "layout(location = 0) in vec3 pos;\n"
   "layout(location = 1) in vec2 uv;\n"
   "out vec2 v_uv;\n"
   "void main() { gl_Position = vec4(pos, 1.0); v_uv = uv; }\n";

static const char *const fragment_src =
   "#version 300 es\n"
   "precision mediump float;\n"
   "in vec2 v_uv;\n"
   "uniform sampler2D tex;\n"
   "uniform float shade;\n"
   "out vec4 color;\n"
   "void main() { color = vec4(texture(tex, v_uv).rgb * shade, 1.0); }\n";

int
main(void)
{
   struct gl_sample gl;
   gl_sample_init(&gl, "gl-offscreen", 3, 0);

   GLuint fbo, color, depth;
   glGenFramebuffers(1, &fbo);
   glBindFramebuffer(GL_FRAMEBUFFER, fbo);
   glGenRenderbuffers(1, &color);
   glBindRenderbuffer(GL_RENDERBUFFER, color);
   glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, SIZE, SIZE);
   glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color);
   glGenRenderbuffers(1, &depth);
   glBindRenderbuffer(GL_RENDERBUFFER, depth);
   glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, SIZE, SIZE);
   glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth);
   if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
      fprintf(stderr, "gl-offscreen: incomplete framebuffer\n");
      return 1;
   }

   /* a checkerboard texture with mipmaps */
   uint8_t texels[32 * 32 * 4];
   for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
         const bool dark = ((x / 4) ^ (y / 4)) & 1;
         uint8_t *t = &texels[(y * 32 + x) * 4];
         t[0] = dark ? 30 : (uint8_t)(120 + x * 4);
         t[1] = dark ? 30 : (uint8_t)(120 + y * 4);
         t[2] = dark ? 80 : 220;
         t[3] = 255;
      }
   }
   GLuint tex;
   glGenTextures(1, &tex);
   glBindTexture(GL_TEXTURE_2D, tex);
   glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, 32, 32, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels);
   glGenerateMipmap(GL_TEXTURE_2D);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR_MIPMAP_LINEAR);
   glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);

   GLuint program = glCreateProgram();
   glAttachShader(program, gl_sample_shader(GL_VERTEX_SHADER, vertex_src));
   glAttachShader(program, gl_sample_shader(GL_FRAGMENT_SHADER, fragment_src));
   glLinkProgram(program);
   glUseProgram(program);
   glUniform1i(glGetUniformLocation(program, "tex"), 0);

   /* two triangles crossing in depth: the depth test decides who is in front */
   static const float vertices[] = {
      /* x, y, z, u, v */
      -0.9f, -0.8f, 0.2f,  0.0f, 0.0f, 0.8f, -0.6f, -0.2f, 3.0f, 0.0f, -0.1f, 0.9f, 0.2f, 1.5f, 3.0f,
      -0.8f, 0.6f,  -0.3f, 0.0f, 3.0f, 0.9f, 0.7f,  0.3f,  3.0f, 3.0f, 0.1f,  -0.9f, -0.3f, 1.5f, 0.0f,
   };
   GLuint vbo;
   glGenBuffers(1, &vbo);
   glBindBuffer(GL_ARRAY_BUFFER, vbo);
   glBufferData(GL_ARRAY_BUFFER, sizeof(vertices), vertices, GL_STATIC_DRAW);
   glVertexAttribPointer(0, 3, GL_FLOAT, GL_FALSE, 5 * sizeof(float), (void *)0);
   glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 5 * sizeof(float), (void *)(3 * sizeof(float)));
   glEnableVertexAttribArray(0);
   glEnableVertexAttribArray(1);

   glViewport(0, 0, SIZE, SIZE);
   glClearColor(0.1f, 0.15f, 0.2f, 1.0f);
   glClearDepthf(1.0f);
   glEnable(GL_DEPTH_TEST);
   glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
   glUniform1f(glGetUniformLocation(program, "shade"), 1.0f);
   glDrawArrays(GL_TRIANGLES, 0, 3);
   glUniform1f(glGetUniformLocation(program, "shade"), 0.6f);
   glDrawArrays(GL_TRIANGLES, 3, 3);

   static uint8_t pixels[SIZE * SIZE * 4];
   glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
   const GLenum error = glGetError();
   const uint8_t *corner = &pixels[0];
   const uint8_t *middle = &pixels[((SIZE / 2) * SIZE + SIZE / 2) * 4];
   const bool clear_ok = corner[0] == 26 && corner[1] == 38 && corner[2] == 51;
   const bool drawn = !(middle[0] == 26 && middle[1] == 38 && middle[2] == 51);
   printf("gl-offscreen: %dx%d, output hash %016llx\n", SIZE, SIZE,
          (unsigned long long)gl_sample_hash(GL_SAMPLE_HASH_START, pixels, sizeof(pixels)));
   const bool ok = !error && clear_ok && drawn;
   printf("gl-offscreen: %s (error 0x%x%s%s)\n", ok ? "OK" : "FAILED", error,
          clear_ok ? "" : ", wrong clear colour", drawn ? "" : ", nothing drawn");
   gl_sample_fini(&gl);
   return ok ? 0 : 1;
}
