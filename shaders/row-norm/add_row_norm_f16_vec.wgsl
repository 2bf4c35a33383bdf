// Fused residual add + LayerNorm / RMSNorm, packed f16 in and out (two halves per u32, no
// `shader-f16` needed) for widths with cols % 4 == 0: the chunk-at-a-time form of
// add_row_norm_f16.wgsl, as row_norm_f16_vec.wgsl is of row_norm_f16.wgsl. A chunk of four halves
// is one vec2<u32> of x, residual, sum and y (every row starts 8-byte aligned and no word is
// shared between chunks or rows), so no per-element bounds tests and no atomics; bias, gamma and
// beta are vec4<f32>. Every option of the element-wise kernel, with its arithmetic lane by lane
// (x + residual, then + bias, in f32; rounded to f16 unless ROUND_SUM is off) and conversions
// with the same results (the branch-free f16_unpack4_fast / f16_pack4_fast of common/f16.wgsl),
// so y, sum, mean and rstd are the same bits (a NaN's sign aside on lavapipe, whose LLVM may
// commute a NaN-meets-NaN operation, as between layouts). Statistics go through add_io.wgsl.
// Measured on SwiftShader through Dawn (2048 x 768, f16 sum written): ~0.13x the element-wise
// kernel's time, which pays per-element bounds tests and atomic merges of sum's shared words.
// #include "row_norm_core.wgsl"
// #include "affine_vec4.wgsl"
// #include "add_io.wgsl"
// #include "../common/f16.wgsl"

// Off only through the internal `exactSum` of encodeRowNorm (src/ops/row-norm/encode.ts): the
// statistics and y use the exact f32 sum; the sum output is still rounded once, when stored.
override ROUND_SUM: bool = true;

@group(0) @binding(1) var<storage, read> x: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> y: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read> residual: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> sum: array<vec2<u32>>;

// First index of a row in this kernel's view of x, residual, sum and y (chunks), once per row.
fn io_base(row: u32) -> u32 { return row * (params.cols / 4u); }
fn io_row_start(base: u32) -> u32 { return base * 4u; }

// Chunk c of x + residual (+ bias), exact in f32 (the residual's row per residual_base).
fn exact_sum(base: u32, c: u32) -> vec4<f32> {
  let a = x[base + c];
  let r = residual[residual_base(base, params.cols / 4u) + c];
  var v = f16_unpack4_fast(a.x, a.y) + f16_unpack4_fast(r.x, r.y);
  if (HAS_BIAS) { v += bias[c]; }
  return v;
}

// The sum the statistics and y use, from its exact value and its f16 bits: the bits widened back
// (exact) when ROUND_SUM, else the exact f32 sum.
fn used_sum(v: vec4<f32>, bits: vec2<u32>) -> vec4<f32> {
  if (!ROUND_SUM) { return v; }
  return f16_unpack4_fast(bits.x, bits.y);
}

fn sum_at(base: u32, c: u32) -> vec4<f32> {
  let v = exact_sum(base, c);
  return used_sum(v, f16_pack4_fast(v));
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, 0u).x; }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base, c).x; }
fn io_load(base: u32, c: u32) -> vec4<f32> {
  let v = exact_sum(base, c);
  let bits = f16_pack4_fast(v);
  if (WRITE_SUM) { sum[base + c] = bits; }
  return used_sum(v, bits);
}
// The rounded sum is read back from sum, one word pair instead of two plus the arithmetic: each
// invocation reads back only the chunks it wrote itself (or, split rows' second dispatch, chunks
// the first dispatch wrote), so no barrier is needed. Without sum, or with the exact sum (which
// sum as stored is not), it is recomputed.
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  if (WRITE_SUM && ROUND_SUM) {
    let bits = sum[base + c];
    return f16_unpack4_fast(bits.x, bits.y);
  }
  return sum_at(base, c);
}
fn io_store(base: u32, c: u32, v: vec4<f32>) { y[base + c] = f16_pack4_fast(v); }
