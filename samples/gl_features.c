/* SPDX-License-Identifier: MIT */
/* OpenGL ES 3.1 features that zink turns into Vulkan paths of their own, run
 * offscreen on EGL surfaceless (LIBGL_ALWAYS_SOFTWARE=1 GALLIUM_DRIVER=zink):
 *
 *   transform feedback    VK_EXT_transform_feedback
 *   a 3D texture          3D images, sampled
 *   4x multisampling      multisampled images, resolved by glBlitFramebuffer
 *   indirect, instanced   vkCmdDrawIndexedIndirect with instances
 *   an occlusion query    occlusion queries
 *   a compute shader      compute pipelines, storage buffers
 *
 * Each result is checked against what it must be, and everything read back
 * is hashed: the hash must be the same natively and through PearVisor. */
#include <GLES3/gl31.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pv_gl_sample.h"

#define SIZE 64

static uint64_t hash = GL_SAMPLE_HASH_START;
static bool all_ok = true;

static void
hash_bytes(const void *data, size_t n)
{
   hash = gl_sample_hash(hash, data, n);
}

static void
report(const char *what, bool ok)
{
   printf("  %-22s %s\n", what, ok ? "ok" : "FAILED");
   all_ok = all_ok && ok;
}

static GLuint
program_of(const char *vs, const char *fs, const char *const *varyings, int varying_count)
{
   GLuint program = glCreateProgram();
   glAttachShader(program, gl_sample_shader(GL_VERTEX_SHADER, vs));
   glAttachShader(program, gl_sample_shader(GL_FRAGMENT_SHADER, fs));
   if (varying_count)
      glTransformFeedbackVaryings(program, varying_count, varyings, GL_INTERLEAVED_ATTRIBS);
   glLinkProgram(program);
   GLint ok = 0;
   glGetProgramiv(program, GL_LINK_STATUS, &ok);
   if (!ok)
      fprintf(stderr, "link failed\n");
   return program;
}

static GLuint
framebuffer(GLsizei samples, GLuint *color)
{
   GLuint fbo;
   glGenFramebuffers(1, &fbo);
   glBindFramebuffer(GL_FRAMEBUFFER, fbo);
   glGenRenderbuffers(1, color);
   glBindRenderbuffer(GL_RENDERBUFFER, *color);
   glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_RGBA8, SIZE, SIZE);
   glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, *color);
   return fbo;
}

static const char *const passthrough_fs = "#version 310 es\n"
                                          "precision mediump float;\n"
                                          "in vec4 v_color;\n"
                                          "out vec4 color;\n"
                                          "void main() { color = v_color; }\n";

/* Transform feedback: the vertex shader's outputs captured into a buffer. */
static void
transform_feedback(void)
{
   static const char *const vs = "#version 310 es\n"
                                 "layout(location = 0) in vec4 pos;\n"
                                 "out vec4 v_color;\n"
                                 "out vec4 doubled;\n"
                                 "void main() {\n"
                                 "   doubled = pos * 2.0 + vec4(float(gl_VertexID));\n"
                                 "   v_color = vec4(1.0);\n"
                                 "   gl_Position = pos;\n"
                                 "}\n";
   static const char *const varyings[] = { "doubled" };
   GLuint program = program_of(vs, passthrough_fs, varyings, 1);
   glUseProgram(program);
   /* surfaceless: a draw needs a framebuffer even with rasterization off */
   GLuint color, fbo = framebuffer(0, &color);
   static const float input[] = { 0.1f, 0.2f, 0.3f, 1.0f, -0.5f, 0.25f, 0.0f, 1.0f,
                                  0.75f, -0.125f, 0.5f, 1.0f };
   GLuint vbo, out;
   glGenBuffers(1, &vbo);
   glBindBuffer(GL_ARRAY_BUFFER, vbo);
   glBufferData(GL_ARRAY_BUFFER, sizeof(input), input, GL_STATIC_DRAW);
   glVertexAttribPointer(0, 4, GL_FLOAT, GL_FALSE, 0, NULL);
   glEnableVertexAttribArray(0);
   glGenBuffers(1, &out);
   glBindBuffer(GL_TRANSFORM_FEEDBACK_BUFFER, out);
   glBufferData(GL_TRANSFORM_FEEDBACK_BUFFER, sizeof(input), NULL, GL_STATIC_READ);
   glBindBufferBase(GL_TRANSFORM_FEEDBACK_BUFFER, 0, out);
   glEnable(GL_RASTERIZER_DISCARD);
   glBeginTransformFeedback(GL_POINTS);
   glDrawArrays(GL_POINTS, 0, 3);
   glEndTransformFeedback();
   glDisable(GL_RASTERIZER_DISCARD);
   const float *got = glMapBufferRange(GL_TRANSFORM_FEEDBACK_BUFFER, 0, sizeof(input),
                                       GL_MAP_READ_BIT);
   bool ok = got != NULL;
   for (int i = 0; ok && i < 12; i++)
      ok = got[i] == input[i] * 2.0f + (float)(i / 4);
   if (got)
      hash_bytes(got, sizeof(input));
   glUnmapBuffer(GL_TRANSFORM_FEEDBACK_BUFFER);
   report("transform feedback", ok);
   glDisableVertexAttribArray(0);
   glDeleteFramebuffers(1, &fbo);
}

/* A 3D texture sampled at three depths, on three bands of the screen. */
static void
texture_3d(void)
{
   static const char *const vs = "#version 310 es\n"
                                 "layout(location = 0) in vec2 pos;\n"
                                 "out vec2 v_uv;\n"
                                 "void main() { v_uv = pos * 0.5 + 0.5; gl_Position = vec4(pos, 0.0, 1.0); }\n";
   static const char *const fs = "#version 310 es\n"
                                 "precision mediump float;\n"
                                 "precision mediump sampler3D;\n"
                                 "in vec2 v_uv;\n"
                                 "uniform sampler3D volume;\n"
                                 "out vec4 color;\n"
                                 "void main() { color = texture(volume, vec3(v_uv, floor(v_uv.y * 3.0) / 3.0 + 1.0 / 6.0)); }\n";
   uint8_t texels[4 * 4 * 3 * 4];
   for (int z = 0; z < 3; z++)
      for (int i = 0; i < 16; i++) {
         uint8_t *t = &texels[(z * 16 + i) * 4];
         t[0] = (uint8_t)(z == 0 ? 255 : 0);
         t[1] = (uint8_t)(z == 1 ? 255 : 0);
         t[2] = (uint8_t)(z == 2 ? 255 : 0);
         t[3] = 255;
      }
   GLuint tex;
   glGenTextures(1, &tex);
   glBindTexture(GL_TEXTURE_3D, tex);
   glTexImage3D(GL_TEXTURE_3D, 0, GL_RGBA8, 4, 4, 3, 0, GL_RGBA, GL_UNSIGNED_BYTE, texels);
   glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
   glTexParameteri(GL_TEXTURE_3D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
   GLuint color, fbo = framebuffer(0, &color);
   GLuint program = program_of(vs, fs, NULL, 0);
   glUseProgram(program);
   static const float quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
   GLuint vbo;
   glGenBuffers(1, &vbo);
   glBindBuffer(GL_ARRAY_BUFFER, vbo);
   glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad, GL_STATIC_DRAW);
   glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
   glEnableVertexAttribArray(0);
   glViewport(0, 0, SIZE, SIZE);
   glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
   static uint8_t pixels[SIZE * SIZE * 4];
   glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
   hash_bytes(pixels, sizeof(pixels));
   const uint8_t *low = &pixels[(4 * SIZE + 4) * 4];
   const uint8_t *mid = &pixels[((SIZE / 2) * SIZE + 4) * 4];
   const uint8_t *high = &pixels[((SIZE - 4) * SIZE + 4) * 4];
   report("3D texture", low[0] == 255 && mid[1] == 255 && high[2] == 255 && low[1] == 0);
   glDisableVertexAttribArray(0);
   glDeleteFramebuffers(1, &fbo);
}

/* Instanced, indexed, indirect triangles into a 4x multisampled target,
 * resolved by a blit, with an occlusion query over a hidden and a visible
 * draw. */
static void
multisampled_indirect(void)
{
   static const char *const vs = "#version 310 es\n"
                                 "layout(location = 0) in vec2 pos;\n"
                                 "uniform float depth;\n"
                                 "out vec4 v_color;\n"
                                 "void main() {\n"
                                 "   float i = float(gl_InstanceID);\n"
                                 "   v_color = vec4(0.25 * i + 0.25, 1.0 - 0.2 * i, 0.5, 1.0);\n"
                                 "   gl_Position = vec4(pos * 0.4 + vec2(i * 0.45 - 0.7, i * 0.3 - 0.45), depth, 1.0);\n"
                                 "}\n";
   GLuint ms_color, ms = framebuffer(4, &ms_color);
   GLuint ms_depth;
   glGenRenderbuffers(1, &ms_depth);
   glBindRenderbuffer(GL_RENDERBUFFER, ms_depth);
   glRenderbufferStorageMultisample(GL_RENDERBUFFER, 4, GL_DEPTH_COMPONENT24, SIZE, SIZE);
   glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, ms_depth);
   const bool complete = glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE;

   GLuint program = program_of(vs, passthrough_fs, NULL, 0);
   glUseProgram(program);
   GLuint vao;
   glGenVertexArrays(1, &vao);
   glBindVertexArray(vao);
   static const float tri[] = { -1.0f, -1.0f, 1.0f, -0.6f, -0.3f, 1.0f };
   static const uint16_t indices[] = { 0, 1, 2 };
   GLuint vbo, ibo, indirect;
   glGenBuffers(1, &vbo);
   glBindBuffer(GL_ARRAY_BUFFER, vbo);
   glBufferData(GL_ARRAY_BUFFER, sizeof(tri), tri, GL_STATIC_DRAW);
   glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
   glEnableVertexAttribArray(0);
   glGenBuffers(1, &ibo);
   glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, ibo);
   glBufferData(GL_ELEMENT_ARRAY_BUFFER, sizeof(indices), indices, GL_STATIC_DRAW);
   /* count, instances, first index, base vertex, base instance */
   static const uint32_t command[5] = { 3, 4, 0, 0, 0 };
   glGenBuffers(1, &indirect);
   glBindBuffer(GL_DRAW_INDIRECT_BUFFER, indirect);
   glBufferData(GL_DRAW_INDIRECT_BUFFER, sizeof(command), command, GL_STATIC_DRAW);

   glViewport(0, 0, SIZE, SIZE);
   glEnable(GL_DEPTH_TEST);
   glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
   glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
   glUniform1f(glGetUniformLocation(program, "depth"), 0.0f);
   glDrawElementsIndirect(GL_TRIANGLES, GL_UNSIGNED_SHORT, NULL);

   /* behind what was drawn: no sample passes; in front: some do */
   GLuint queries[2];
   glGenQueries(2, queries);
   glUniform1f(glGetUniformLocation(program, "depth"), 0.5f);
   glBeginQuery(GL_ANY_SAMPLES_PASSED, queries[0]);
   glDrawElementsInstanced(GL_TRIANGLES, 1 * 3, GL_UNSIGNED_SHORT, NULL, 1);
   glEndQuery(GL_ANY_SAMPLES_PASSED);
   glUniform1f(glGetUniformLocation(program, "depth"), -0.5f);
   glBeginQuery(GL_ANY_SAMPLES_PASSED, queries[1]);
   glDrawElementsInstanced(GL_TRIANGLES, 3, GL_UNSIGNED_SHORT, NULL, 1);
   glEndQuery(GL_ANY_SAMPLES_PASSED);
   GLuint hidden = 1, visible = 0;
   glGetQueryObjectuiv(queries[0], GL_QUERY_RESULT, &hidden);
   glGetQueryObjectuiv(queries[1], GL_QUERY_RESULT, &visible);

   GLuint color, resolved = framebuffer(0, &color);
   glBindFramebuffer(GL_READ_FRAMEBUFFER, ms);
   glBindFramebuffer(GL_DRAW_FRAMEBUFFER, resolved);
   glBlitFramebuffer(0, 0, SIZE, SIZE, 0, 0, SIZE, SIZE, GL_COLOR_BUFFER_BIT, GL_NEAREST);
   glBindFramebuffer(GL_FRAMEBUFFER, resolved);
   static uint8_t pixels[SIZE * SIZE * 4];
   glReadPixels(0, 0, SIZE, SIZE, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
   hash_bytes(pixels, sizeof(pixels));
   /* resolved edges are blends: values strictly between 0 and full */
   int lit = 0, blended = 0;
   for (int i = 0; i < SIZE * SIZE; i++) {
      const uint8_t g = pixels[i * 4 + 1];
      lit += g != 0;
      blended += pixels[i * 4 + 2] > 0 && pixels[i * 4 + 2] < 127;
   }
   report("multisample framebuffer", complete);
   report("indirect instanced draw", lit > SIZE * SIZE / 20);
   report("multisample resolve", blended > 0);
   report("occlusion query", hidden == 0 && visible == 1);
   glDisable(GL_DEPTH_TEST);
   glBindVertexArray(0);
}

/* A compute shader squaring a storage buffer in place. */
static void
compute(void)
{
   static const char *const cs = "#version 310 es\n"
                                 "layout(local_size_x = 64) in;\n"
                                 "layout(std430, binding = 0) buffer Data { uint v[]; };\n"
                                 "void main() { uint i = gl_GlobalInvocationID.x; v[i] = v[i] * v[i] + i; }\n";
   GLuint program = glCreateProgram();
   glAttachShader(program, gl_sample_shader(GL_COMPUTE_SHADER, cs));
   glLinkProgram(program);
   glUseProgram(program);
   uint32_t data[256];
   for (uint32_t i = 0; i < 256; i++)
      data[i] = i * 7u + 3u;
   GLuint ssbo;
   glGenBuffers(1, &ssbo);
   glBindBuffer(GL_SHADER_STORAGE_BUFFER, ssbo);
   glBufferData(GL_SHADER_STORAGE_BUFFER, sizeof(data), data, GL_DYNAMIC_COPY);
   glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, ssbo);
   glDispatchCompute(256 / 64, 1, 1);
   glMemoryBarrier(GL_BUFFER_UPDATE_BARRIER_BIT);
   const uint32_t *got = glMapBufferRange(GL_SHADER_STORAGE_BUFFER, 0, sizeof(data),
                                          GL_MAP_READ_BIT);
   bool ok = got != NULL;
   for (uint32_t i = 0; ok && i < 256; i++)
      ok = got[i] == data[i] * data[i] + i;
   if (got)
      hash_bytes(got, sizeof(data));
   glUnmapBuffer(GL_SHADER_STORAGE_BUFFER);
   report("compute shader", ok);
}

int
main(void)
{
   struct gl_sample gl;
   gl_sample_init(&gl, "gl-features", 3, 1);
   transform_feedback();
   texture_3d();
   multisampled_indirect();
   compute();
   const GLenum error = glGetError();
   report("no GL error", error == GL_NO_ERROR);
   printf("gl-features: output hash %016llx\n", (unsigned long long)hash);
   printf("gl-features: %s\n", all_ok ? "OK" : "FAILED");
   gl_sample_fini(&gl);
   return all_ok ? 0 : 1;
}
