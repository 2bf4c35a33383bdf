// LayerNorm / RMSNorm forward, f32 in and out as scalars (any width): the input side (input_scalar.wgsl) with the output side of the same dtype
// (output_scalar.wgsl). An outputDtype other than the input's links another output side instead
// (src/ops/row-norm/shaders.ts).
// #include "input_scalar.wgsl"
// #include "output_scalar.wgsl"
