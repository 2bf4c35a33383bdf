// dgamma / dbeta, the final stage, four columns per invocation as vec4<f32> (cols % 4 == 0): a
// quarter of the invocations and load instructions. The algorithm is in
// common/param_grad_final.wgsl.
// #include "param_grad_final_core.wgsl"

alias item = vec4<f32>;

@group(0) @binding(1) var<storage, read> partial: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<vec4<f32>>;
