// LayerNorm / RMSNorm forward, f16 storage as WGSL's own f16 (`shader-f16`), any width: one f16
// element at a time, so a row of odd width needs no shared words and no atomics (each f16 is its
// own memory location). f32 arithmetic and one rounding per store, as in row_norm_f16x4.wgsl.
enable f16;
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"

@group(0) @binding(1) var<storage, read> x: array<f16>;
@group(0) @binding(2) var<storage, read_write> y: array<f16>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }

fn io_pivot(base: u32) -> f32 { return f32(x[base]); }
fn io_first(base: u32, c: u32) -> f32 { return f32(x[base + 4u * c]); }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { v[k] = f32(x[g + k]); }
  }
  return v;
}
fn io_reload(base: u32, c: u32) -> vec4<f32> { return io_load(base, c); }
fn io_store(base: u32, c: u32, v: vec4<f32>) {
  let g = base + 4u * c;
  for (var k = 0u; k < 4u; k += 1u) {
    if (4u * c + k < params.cols) { y[g + k] = f16(v[k]); }
  }
}
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
