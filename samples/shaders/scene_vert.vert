#version 450
// the scene's vertices: position and texture coordinates, one transform
layout(location = 0) in vec3 in_pos;
layout(location = 1) in vec2 in_uv;
layout(location = 0) out vec2 v_uv;
layout(location = 1) out float v_shade;
layout(push_constant) uniform Params { mat4 mvp; float shade; } p;

void main()
{
   gl_Position = p.mvp * vec4(in_pos, 1.0);
   v_uv = in_uv;
   v_shade = p.shade;
}
