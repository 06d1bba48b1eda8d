#version 450
// 3x3 weighted blur of an RGBA8 integer image; the weights come from a
// texel buffer, the source through a sampler, the result into a storage image.
layout(local_size_x = 8, local_size_y = 8) in;
layout(binding = 0) uniform usampler2D src;
layout(binding = 1, rgba8ui) writeonly uniform uimage2D dst;
layout(binding = 2) uniform utextureBuffer weights;

void main()
{
   ivec2 size = textureSize(src, 0);
   ivec2 p = ivec2(gl_GlobalInvocationID.xy);
   if (p.x >= size.x || p.y >= size.y)
      return;
   uvec4 sum = uvec4(0);
   uint total = 0u;
   for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
         ivec2 q = clamp(p + ivec2(dx, dy), ivec2(0), size - 1);
         uint w = texelFetch(weights, (dy + 1) * 3 + (dx + 1)).r;
         sum += w * texelFetch(src, q, 0);
         total += w;
      }
   }
   imageStore(dst, p, sum / total);
}
