// The input side of the fused residual add + LayerNorm / RMSNorm with packed f16 storage (see
// add_input_vec4.wgsl and input_f16.wgsl). sum is rounded to f16 before it is normalized, so
// y = norm(sum as stored): the next block reads exactly the residual stream this one normalized.
// With ROUND_SUM = false (ONNX's Skip* nodes, whose sum is the exact f32 x + skip + bias) the
// statistics and y use the unrounded f32 sum; the sum output is still rounded once, when stored.
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"
// #include "add_io.wgsl"
// #include "../common/f16_chunk.wgsl"

// Off only through the internal `exactSum` of encodeRowNorm (src/ops/row-norm/encode.ts).
override ROUND_SUM: bool = true;

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(5) var<storage, read> residual: array<u32>;
@group(0) @binding(6) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read_write> sum: array<atomic<u32>>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }
fn io_row_start(base: u32) -> u32 { return base; }

// Element j of the row: x at base + j, the residual at rbase + j (see residual_base).
fn sum_at(base: u32, rbase: u32, j: u32) -> f32 {
  let g = base + j;
  let h = rbase + j;
  var v = f16_select(x[g >> 1u], g) + f16_select(residual[h >> 1u], h);
  if (HAS_BIAS) { v += bias[j]; }
  if (!ROUND_SUM) { return v; }
  return f16_to_f32(f32_to_f16(v));
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, residual_base(base, params.cols), 0u); }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base, residual_base(base, params.cols), 4u * c); }

// Recomputed (never read back from sum): sum's shared half-words may still be in flight from the
// neighbouring invocation, and recomputing from x and residual gives the identical value (rounded
// or, with ROUND_SUM off, exact, which sum as stored would not be).
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let rbase = residual_base(base, params.cols);
  let n = min(4u, params.cols - 4u * c);
  for (var k = 0u; k < n; k += 1u) { v[k] = sum_at(base, rbase, 4u * c + k); }
  return v;
}
fn io_load(base: u32, c: u32) -> vec4<f32> {
  let v = io_reload(base, c);
  if (WRITE_SUM) {
    let writes = f16_chunk_writes(base + 4u * c, min(4u, params.cols - 4u * c), v);
    for (var i = 0u; i < writes.count; i += 1u) {
      let w = writes.w[i];
      if (w.mask == 0xffffffffu) { atomicStore(&sum[w.index], w.bits); } else { atomicAnd(&sum[w.index], ~w.mask); atomicOr(&sum[w.index], w.bits); }
    }
  }
  return v;
}
