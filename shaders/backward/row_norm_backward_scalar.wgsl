// LayerNorm / RMSNorm backward (dx and the dgamma/dbeta partial rows), f32 storage of any width,
// scalar loads and stores (rows of odd width do not start 16-byte aligned). The algorithm is in
// common/norm_backward.wgsl.
// #include "row_norm_backward_core.wgsl"

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;

fn io_base(row: u32) -> u32 { return row * params.cols; }
fn io_dy(row_base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let base = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = dy[base + k]; }
  }
  return v;
}
fn io_x(row_base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let base = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = x[base + k]; }
  }
  return v;
}
fn io_gamma(c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = gamma[4u * c + k]; }
  }
  return v;
}
fn io_mean(row: u32) -> f32 { return mean[row]; }
fn io_rstd(row: u32) -> f32 { return rstd[row]; }
fn io_store(row_base: u32, c: u32, v: vec4<f32>) {
  let base = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { dx[base + k] = v[k]; }
  }
}
