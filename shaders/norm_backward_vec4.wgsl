// LayerNorm / RMSNorm backward (dx), f32 storage read and written as vec4<f32> (needs
// cols % 4 == 0). The algorithm is in common/norm_backward.wgsl.
// #include "common/norm_backward.wgsl"

@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> gamma: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> dsum: array<vec4<f32>>;

fn io_dy(row: u32, c: u32) -> vec4<f32> { return dy[row * (params.cols / 4u) + c]; }
fn io_x(row: u32, c: u32) -> vec4<f32> { return x[row * (params.cols / 4u) + c]; }
fn io_dsum(row: u32, c: u32) -> vec4<f32> { return dsum[row * (params.cols / 4u) + c]; }
fn io_gamma(c: u32) -> vec4<f32> { return gamma[c]; }
fn io_mean(row: u32) -> f32 { return mean[row]; }
fn io_rstd(row: u32) -> f32 { return rstd[row]; }
fn io_store(row: u32, c: u32, v: vec4<f32>) { dx[row * (params.cols / 4u) + c] = v; }
