#version 450
// C = A * B for n x n matrices of floats, one invocation per element of C
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Params { uint n; } p;

void main()
{
   uint row = gl_GlobalInvocationID.y, col = gl_GlobalInvocationID.x;
   if (row >= p.n || col >= p.n)
      return;
   float sum = 0.0;
   for (uint k = 0; k < p.n; k++)
      sum += a[row * p.n + k] * b[k * p.n + col];
   c[row * p.n + col] = sum;
}
