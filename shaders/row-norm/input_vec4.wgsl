// The input side of LayerNorm / RMSNorm forward for f32 storage read as vec4<f32> (needs
// cols % 4 == 0, so every row starts 16-byte aligned); y is written by a linked or included
// output side (output_*.wgsl). The algorithm is in row_norm_core.wgsl.
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"

@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }
// The row's first element, for output sides that index elements.
fn io_row_start(base: u32) -> u32 { return base * 4u; }

fn io_pivot(base: u32) -> f32 { return x[base].x; }
fn io_first(base: u32, c: u32) -> f32 { return x[base + c].x; }
fn io_load(base: u32, c: u32) -> vec4<f32> { return x[base + c]; }
fn io_reload(base: u32, c: u32) -> vec4<f32> { return x[base + c]; }
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
