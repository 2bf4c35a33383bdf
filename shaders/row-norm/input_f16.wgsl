// The input side of LayerNorm / RMSNorm forward for f16 storage packed two halves per u32 (no
// `shader-f16` needed), f32 arithmetic, any width; y is written by a linked or included output
// side (output_*.wgsl).
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"
// #include "../common/f16.wgsl"

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }
fn io_row_start(base: u32) -> u32 { return base; }

fn io_pivot(base: u32) -> f32 {
  let g = base;
  return f16_select(x[g >> 1u], g);
}
fn io_first(base: u32, c: u32) -> f32 {
  let g = base + 4u * c;
  return f16_select(x[g >> 1u], g);
}
fn io_load(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = f16_select(x[(g + k) >> 1u], g + k); }
  }
  return v;
}
fn io_reload(base: u32, c: u32) -> vec4<f32> { return io_load(base, c); }
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
