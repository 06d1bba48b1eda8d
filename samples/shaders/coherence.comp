#version 450
// Checks what the host wrote into `a` this round and answers in `b`.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer A { uint a[]; };
layout(std430, binding = 1) writeonly buffer B { uint b[]; };
layout(std430, binding = 2) buffer Count { uint mismatches; };
layout(push_constant) uniform Params { uint round; uint n; } p;

void main()
{
   uint i = gl_GlobalInvocationID.x;
   if (i >= p.n)
      return;
   uint want = p.round * 2654435761u + i;
   if (a[i] != want)
      atomicAdd(mismatches, 1u);
   b[i] = ~want ^ p.round;
}
