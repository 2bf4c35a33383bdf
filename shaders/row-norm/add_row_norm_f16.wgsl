// Fused residual add + LayerNorm / RMSNorm with packed f16 storage (see add_row_norm_vec4.wgsl and
// row_norm_f16.wgsl). sum is rounded to f16 before it is normalized, so y = norm(sum as stored):
// the next block reads exactly the residual stream this one normalized.
// #include "row_norm_core.wgsl"
// #include "affine_scalar.wgsl"
// #include "../common/f16_chunk.wgsl"

override HAS_BIAS: bool = false;

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read> residual: array<u32>;
@group(0) @binding(6) var<storage, read> bias: array<f32>;
@group(0) @binding(7) var<storage, read_write> sum: array<atomic<u32>>;

// First index of a row in this kernel's view of x (vec4s or elements), computed once per row.
fn io_base(row: u32) -> u32 { return row * params.cols; }

fn sum_at(g: u32, j: u32) -> f32 {
  var v = f16_select(x[g >> 1u], g) + f16_select(residual[g >> 1u], g);
  if (HAS_BIAS) { v += bias[j]; }
  return f16_to_f32(f32_to_f16(v));
}
fn io_pivot(base: u32) -> f32 { return sum_at(base, 0u); }
fn io_first(base: u32, c: u32) -> f32 { return sum_at(base + 4u * c, 4u * c); }

fn store_chunk(to_sum: bool, g0: u32, n: u32, v: vec4<f32>) {
  let writes = f16_chunk_writes(g0, n, v);
  for (var i = 0u; i < writes.count; i += 1u) {
    let w = writes.w[i];
    if (to_sum) {
      if (w.mask == 0xffffffffu) { atomicStore(&sum[w.index], w.bits); } else { atomicAnd(&sum[w.index], ~w.mask); atomicOr(&sum[w.index], w.bits); }
    } else {
      if (w.mask == 0xffffffffu) { atomicStore(&y[w.index], w.bits); } else { atomicAnd(&y[w.index], ~w.mask); atomicOr(&y[w.index], w.bits); }
    }
  }
}

fn io_load(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  let n = min(4u, params.cols - 4u * c);
  for (var k = 0u; k < n; k += 1u) { v[k] = sum_at(g + k, 4u * c + k); }
  store_chunk(true, g, n, v);
  return v;
}
// Recomputed rather than read back from sum: its shared half-words may still be in flight from the
// neighbouring invocation, and recomputing from x and residual gives the identical rounded value.
fn io_reload(base: u32, c: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  let g = base + 4u * c;
  let n = min(4u, params.cols - 4u * c);
  for (var k = 0u; k < n; k += 1u) { v[k] = sum_at(g + k, 4u * c + k); }
  return v;
}
fn io_store(base: u32, c: u32, v: vec4<f32>) {
  store_chunk(false, base + 4u * c, min(4u, params.cols - 4u * c), v);
}
fn io_stats(row: u32, m: f32, r: f32) {}
