// Fused residual add + LayerNorm / RMSNorm, f16 storage as WGSL's own f16 (`shader-f16`), any
// width, one element at a time (no shared words, no atomics). sum is rounded to f16 before it is
// normalized, by the same bit routine as there (see add_row_norm_f16x4.wgsl for why).
enable f16;
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"
// #include "../common/f16.wgsl"

override HAS_BIAS: bool = false;

@group(0) @binding(1) var<storage, read> x: array<f16>;
@group(0) @binding(2) var<storage, read_write> y: array<f16>;
@group(0) @binding(5) var<storage, read> residual: array<f16>;
@group(0) @binding(6) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read_write> sum: array<f16>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }

// x + residual (+ bias) of element g (feature j) in f32, rounded once to f16 (nearest-even, on the
// bits), as f32: exactly representable in f16, so storing it converts exactly.
fn sum_at(g: u32, j: u32) -> f32 {
  var v = f32(x[g]) + f32(residual[g]);
  if (HAS_BIAS) { v += bias[j]; }
  return f16_to_f32(f32_to_f16(v));
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, 0u); }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base + 4u * c, 4u * c); }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) {
      v[k] = sum_at(g + k, 4u * c + k);
      sum[g + k] = f16(v[k]);
    }
  }
  return v;
}
// Each invocation reads back only the elements it wrote itself, so no barrier is needed.
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = f32(sum[g + k]); }
  }
  return v;
}
fn io_store(base: u32, c: u32, v: vec4<f32>) {
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { y[g + k] = f16(v[k]); }
  }
}
fn io_stats(row: u32, m: f32, r: f32) {}
