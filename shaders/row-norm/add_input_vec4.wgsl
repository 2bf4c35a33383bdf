// The input side of the fused residual add + LayerNorm / RMSNorm, f32 as vec4 (cols % 4 == 0):
//   sum = x + residual (+ bias);  y = norm(sum);  sum is written out in the same pass,
// so a transformer block reads its residual stream once (Pre-LN: the next sublayer's input is
// norm(sum) and sum goes on; Post-LN: y is the block output). y is written by a linked or
// included output side (output_*.wgsl).
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"
// #include "add_io.wgsl"

@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> residual: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> sum: array<vec4<f32>>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }
fn io_row_start(base: u32) -> u32 { return base * 4u; }

fn sum_at(base: u32, c: u32) -> vec4<f32> {
  var v = x[base + c] + residual[residual_base(base, params.cols / 4u) + c];
  if (HAS_BIAS) { v += bias[c]; }
  return v;
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, 0u).x; }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base, c).x; }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  let v = sum_at(base, c);
  if (WRITE_SUM) { sum[base + c] = v; }
  return v;
}
// Each invocation reads back only the chunks it wrote itself, so no barrier is needed.
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  if (WRITE_SUM) { return sum[base + c]; }
  return sum_at(base, c);
}
