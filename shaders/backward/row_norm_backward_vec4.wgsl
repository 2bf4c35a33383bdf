// LayerNorm / RMSNorm backward (dx and the dgamma/dbeta partial rows), f32 storage read and
// written as vec4<f32> (needs cols % 4 == 0). The algorithm is in common/norm_backward.wgsl.
// #include "row_norm_backward_core.wgsl"

@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<vec4<f32>>;

fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }
fn io_dy(base: u32, c: u32) -> vec4<f32> { return dy[base + c]; }
fn io_x(base: u32, c: u32) -> vec4<f32> { return x[base + c]; }
fn io_gamma(c: u32) -> vec4<f32> { return gamma[c]; }
fn io_mean(row: u32) -> f32 { return mean[row]; }
fn io_rstd(row: u32) -> f32 { return rstd[row]; }
fn io_store(base: u32, c: u32, v: vec4<f32>) { dx[base + c] = v; }
