#version 450
// Every kind of descriptor a compute shader can use, each named once, some
// through a called function; set 3 is declared and never used.
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) uniform sampler2D combined;
layout(set = 0, binding = 1) uniform texture2D separate_image;
layout(set = 0, binding = 2) uniform sampler separate_sampler;
layout(set = 0, binding = 3, rgba8) uniform image2D storage_image;
layout(set = 0, binding = 4) uniform samplerBuffer uniform_texels;
layout(set = 0, binding = 5, r32f) uniform imageBuffer storage_texels;
layout(set = 1, binding = 0) uniform Params { vec4 scale; } params;
layout(set = 1, binding = 1) buffer Out { vec4 values[]; } out_buffer;
layout(set = 2, binding = 7) buffer Many { vec4 v; } many[4];
layout(set = 3, binding = 0) uniform Unused { vec4 nothing; } unused;

vec4 sample_all(vec2 at)
{
   return texture(combined, at) + texture(sampler2D(separate_image, separate_sampler), at) +
          texelFetch(uniform_texels, 0);
}

void main()
{
   vec4 v = sample_all(vec2(0.5)) * params.scale + many[2].v;
   imageStore(storage_image, ivec2(0), v);
   imageStore(storage_texels, 0, v);
   out_buffer.values[0] = v;
}
