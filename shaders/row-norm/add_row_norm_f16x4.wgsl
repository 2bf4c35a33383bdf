// Fused residual add + LayerNorm / RMSNorm, f16 storage as WGSL's own f16 (`shader-f16`) read and
// written as vec4<f16> (cols % 4 == 0). As in the packed kernel (add_row_norm_f16.wgsl), sum is
// rounded to f16 before it is normalized, so y = norm(sum as stored), and it is rounded by the
// same bit routine (common/f16.wgsl), so sum is bit-identical to the packed kernel's: rounding
// with f16(v) and widening back lets the compiler fold f32(f16(v)) into v (Mesa's NIR does), and
// the statistics would then be of the unrounded sum (measured on lavapipe: y off by up to 200 ULP).
enable f16;
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"
// #include "../common/f16.wgsl"

override HAS_BIAS: bool = false;

@group(0) @binding(1) var<storage, read> x: array<vec4<f16>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f16>>;
@group(0) @binding(5) var<storage, read> residual: array<vec4<f16>>;
@group(0) @binding(6) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> sum: array<vec4<f16>>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }

// x + residual (+ bias) in f32, rounded once to f16 (nearest-even, on the bits), as f32: exactly
// representable in f16, so storing it converts exactly.
fn sum_at(i: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(x[i]) + vec4<f32>(residual[i]);
  if (HAS_BIAS) { v += bias[c]; }
  return f16x4_to_f32(vec4<u32>(f32_to_f16(v.x), f32_to_f16(v.y), f32_to_f16(v.z), f32_to_f16(v.w)));
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, 0u).x; }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base + c, c).x; }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  let i = base + c;
  let v = sum_at(i, c);
  sum[i] = vec4<f16>(v);
  return v;
}
// Each invocation reads back only the chunks it wrote itself, so no barrier is needed.
fn io_reload(base: u32, c: u32) -> vec4<f32> { return vec4<f32>(sum[base + c]); }
fn io_store(base: u32, c: u32, v: vec4<f32>) { y[base + c] = vec4<f16>(v); }
fn io_stats(row: u32, m: f32, r: f32) {}
