#version 450
// Sums a buffer of uints: each workgroup reduces its slice in shared memory,
// then adds its partial sum to the total.  The workgroup size is a
// specialization constant; the element count a push constant.
layout(local_size_x_id = 0) in;
layout(constant_id = 0) const uint WG = 128;
layout(std430, binding = 0) readonly buffer In { uint data[]; };
layout(std430, binding = 1) buffer Out { uint total; uint partial[]; };
layout(push_constant) uniform Params { uint n; } p;
shared uint sums[WG];

void main()
{
   uint i = gl_GlobalInvocationID.x;
   uint l = gl_LocalInvocationID.x;
   sums[l] = i < p.n ? data[i] : 0u;
   barrier();
   for (uint s = WG / 2u; s > 0u; s >>= 1u) {
      if (l < s)
         sums[l] += sums[l + s];
      barrier();
   }
   if (l == 0u) {
      partial[gl_WorkGroupID.x] = sums[0];
      atomicAdd(total, sums[0]);
   }
}
