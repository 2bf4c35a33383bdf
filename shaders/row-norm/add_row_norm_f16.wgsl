// Fused residual add + LayerNorm / RMSNorm, packed f16 in and out: the input side (add_input_f16.wgsl) with the output side of the same dtype
// (output_f16.wgsl). An outputDtype other than the input's links another output side instead
// (src/ops/row-norm/shaders.ts).
// #include "add_input_f16.wgsl"
// #include "output_f16.wgsl"
