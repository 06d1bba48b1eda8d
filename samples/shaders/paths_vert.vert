#version 450
// A quad from the vertex index, placed and coloured by push constants.
layout(push_constant) uniform Quad {
   vec2 offset;
   vec2 scale;
   vec4 color;
} quad;
layout(location = 0) out vec4 v_color;
void main() {
   const vec2 corners[6] = vec2[](vec2(0, 0), vec2(1, 0), vec2(0, 1),
                                  vec2(1, 0), vec2(1, 1), vec2(0, 1));
   gl_Position = vec4(quad.offset + corners[gl_VertexIndex % 6] * quad.scale, 0.0, 1.0);
   v_color = quad.color;
}
