// The input side of the fused residual add + LayerNorm / RMSNorm, f32 of any width (see
// add_input_vec4.wgsl).
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"
// #include "add_io.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read> residual: array<f32>;
@group(0) @binding(6) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read_write> sum: array<f32>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }
fn io_row_start(base: u32) -> u32 { return base; }

// Element j of the row: x at base + j, the residual at rbase + j (see residual_base).
fn sum_at(base: u32, rbase: u32, j: u32) -> f32 {
  var v = x[base + j] + residual[rbase + j];
  if (HAS_BIAS) { v += bias[j]; }
  return v;
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, residual_base(base, params.cols), 0u); }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base, residual_base(base, params.cols), 4u * c); }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let rbase = residual_base(base, params.cols);
  for (var k = 0u; k < 4u; k += 1u) {
    let j = 4u * c + k;
    if (j < params.cols) {
      v[k] = sum_at(base, rbase, j);
      if (WRITE_SUM) { sum[base + j] = v[k]; }
    }
  }
  return v;
}
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  if (!WRITE_SUM) { return io_load(base, c); }
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = sum[g + k]; }
  }
  return v;
}
