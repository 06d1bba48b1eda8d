#version 450
// textured, shaded by a per-draw factor
layout(location = 0) in vec2 v_uv;
layout(location = 1) in float v_shade;
layout(location = 0) out vec4 out_color;
layout(set = 0, binding = 0) uniform sampler2D tex;

void main()
{
   out_color = vec4(texture(tex, v_uv).rgb * v_shade, 1.0);
}
