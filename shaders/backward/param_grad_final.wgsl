// dgamma / dbeta, the final stage, one f32 column per invocation (any width). The algorithm is in
// common/param_grad_final.wgsl.
// #include "param_grad_final_core.wgsl"

alias item = f32;

@group(0) @binding(1) var<storage, read> partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;
