// LayerNorm / RMSNorm backward (dx and the dgamma/dbeta partial rows), f16 storage packed two
// halves per u32 (no `shader-f16` needed), f32 arithmetic. Rows of odd width start mid-word, so
// dx is written through common/f16_chunk.wgsl (whole words stored, shared halves merged
// atomically) as in the forward kernels. The algorithm is in common/norm_backward.wgsl.
// #include "row_norm_backward_core.wgsl"
// #include "../common/f16_chunk.wgsl"

@group(0) @binding(1) var<storage, read> dy: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<u32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> mean: array<f32>;
@group(0) @binding(5) var<storage, read> rstd: array<f32>;
@group(0) @binding(6) var<storage, read_write> dx: array<atomic<u32>>;

fn io_base(row: u32) -> u32 { return row * params.cols; }
fn io_dy(row_base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = f16_select(dy[(g + k) >> 1u], g + k); }
  }
  return v;
}
fn io_x(row_base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = row_base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = f16_select(x[(g + k) >> 1u], g + k); }
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
  let writes = f16_chunk_writes(row_base + 4u * c, min(4u, params.cols - 4u * c), v);
  for (var i = 0u; i < writes.count; i += 1u) {
    let w = writes.w[i];
    if (w.mask == 0xffffffffu) {
      atomicStore(&dx[w.index], w.bits);
    } else {
      atomicAnd(&dx[w.index], ~w.mask);
      atomicOr(&dx[w.index], w.bits);
    }
  }
}
