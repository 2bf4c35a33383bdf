// LayerNorm / RMSNorm forward, f32 in and out as vec4<f32>: the input side (input_vec4.wgsl) with the output side of the same dtype
// (output_vec4.wgsl). An outputDtype other than the input's links another output side instead
// (src/ops/row-norm/shaders.ts).
// #include "input_vec4.wgsl"
// #include "output_vec4.wgsl"
