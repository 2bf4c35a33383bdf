// LayerNorm / RMSNorm forward, f32 storage of any width: chunk c is elements 4c..4c+3 of the row,
// loaded and stored as scalars (rows of odd width do not start 16-byte aligned).
// #include "common/row_norm.wgsl"
// #include "common/affine_scalar.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

fn io_pivot(row: u32) -> f32 { return x[row * params.cols]; }
fn io_load(row: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let base = row * params.cols + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = x[base + k]; }
  }
  return v;
}
fn io_reload(row: u32, c: u32) -> vec4<f32> { return io_load(row, c); }
fn io_store(row: u32, c: u32, v: vec4<f32>) {
  let base = row * params.cols + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { y[base + k] = v[k]; }
  }
}
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
