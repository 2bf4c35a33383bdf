// LayerNorm / RMSNorm forward, f16 storage as WGSL's own f16 (`shader-f16`), read and written as
// vec4<f16> (needs cols % 4 == 0, so every row starts 8-byte aligned); all arithmetic in f32, as
// in the packed kernel (row_norm_f16.wgsl), so the statistics are the same sums of the same
// values. Loads widen exactly; a store rounds once, by the implementation's f32 -> f16 conversion
// (WGSL lets it pick either neighbour, so y is within 1 f16 ULP of the packed kernel's).
enable f16;
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"

@group(0) @binding(1) var<storage, read> x: array<vec4<f16>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4<f16>>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }

fn io_pivot(base: u32) -> f32 { return f32(x[base].x); }
fn io_first(base: u32, c: u32) -> f32 { return f32(x[base + c].x); }
fn io_load(base: u32, c: u32) -> vec4<f32> { return vec4<f32>(x[base + c]); }
fn io_reload(base: u32, c: u32) -> vec4<f32> { return vec4<f32>(x[base + c]); }
fn io_store(base: u32, c: u32, v: vec4<f32>) { y[base + c] = vec4<f16>(v); }
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
