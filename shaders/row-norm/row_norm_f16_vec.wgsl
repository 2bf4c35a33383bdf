// LayerNorm / RMSNorm forward, packed f16 in and out (two halves per u32, no `shader-f16` needed)
// for widths with cols % 4 == 0: a chunk of four halves is one vec2<u32>, every row starts 8-byte
// aligned and no word is shared between chunks or rows, so x and y are read and written a chunk
// at a time (no per-element bounds tests, no atomics) and gamma/beta as vec4<f32>. The same
// arithmetic as row_norm_f16.wgsl and conversions with the same results (the branch-free
// f16_unpack4_fast / f16_pack4_fast of common/f16.wgsl), so the same bits. Measured on
// SwiftShader (2048 x 768): the element-wise packed kernel took ~11x the f32 vec4 kernel's time,
// this one ~2.4x; of that, the exact subnormal select on load ~0.65x and the exact rounding on
// store ~0.4x over WGSL's built-ins, which are not exact enough to use bare (common/f16.wgsl).
// The shift-free conversions since took ~10 % off on SwiftShader (docs/cpu-adapter-experiments.md).
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"
// #include "../common/f16.wgsl"

@group(0) @binding(1) var<storage, read> x: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// First index of a row in this kernel's view of x and y (chunks), computed once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }
fn io_row_start(base: u32) -> u32 { return base * 4u; }

fn io_pivot(base: u32) -> f32 { return f16_to_f32(x[base].x & 0xffffu); }
fn io_first(base: u32, c: u32) -> f32 { return f16_to_f32(x[base + c].x & 0xffffu); }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  let w = x[base + c];
  return f16_unpack4_fast(w.x, w.y);
}
fn io_reload(base: u32, c: u32) -> vec4<f32> { return io_load(base, c); }
fn io_store(base: u32, c: u32, v: vec4<f32>) { y[base + c] = f16_pack4_fast(v); }
fn io_stats(row: u32, m: f32, r: f32) {
  mean[row] = m;
  rstd[row] = r;
}
