// Where the backward dx kernel (common/norm_backward.wgsl) puts its dgamma/dbeta sums, vec4
// storage: one partial row pair per block in the scratch buffer `partial` (dgamma then dbeta,
// cols f32 each), added up by the final stage (norm_param_grad_final_vec4.wgsl); and the
// residual-stream gradient dsum of the fused add ops. Linked by src/kernels/norm-backward-shaders.ts
// next to norm_backward_vec4.wgsl; common/param_grad_direct_vec4.wgsl is the one-block alternative.

@group(0) @binding(7) var<storage, read> dsum: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> partial: array<vec4<f32>>;

fn io_dsum(base: u32, c: u32) -> vec4<f32> { return dsum[base + c]; }
fn io_partial_get(slot: u32, c: u32) -> vec4<f32> { return partial[slot * (params.cols / 4u) + c]; }
fn io_partial_set(slot: u32, c: u32, v: vec4<f32>) { partial[slot * (params.cols / 4u) + c] = v; }
