#version 450
// An input attachment, and a uniform buffer only a function nobody calls
// would read (glslang keeps the variable, not the function).
layout(input_attachment_index = 0, set = 0, binding = 2) uniform subpassInput previous;
layout(set = 1, binding = 0) uniform Never { vec4 v; } never;
layout(location = 0) out vec4 color;

vec4 not_called() { return never.v; }

void main()
{
   color = subpassLoad(previous);
}
