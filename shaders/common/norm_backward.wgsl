// The dx part of the LayerNorm / RMSNorm backward pass, shared by the storage-access kernels
// (norm_backward_{vec4,scalar,f16}.wgsl), linked with one reduction (common/reduce_workgroup.wgsl
// or common/reduce_subgroup.wgsl) exactly like the forward kernels: same row/team layout, same
// override names, same reduce_row2 interface. The reductions' entry point `main` calls
// row_norm(group, lid), so this file's per-row function carries that name.
//
// Per row, with g = dy * (gamma + GAMMA_OFFSET) and xh = (x - mean) * rstd (RMS: xh = x * rstd):
//   pass 1  S1 = sum(g), S2 = sum(g * xh)   (f32, blocked two-level sums, one row-wide reduction)
//   pass 2  dx = rstd * ((g - S1/n) - xh * (S2/n))   (RMS: S1 term omitted), plus dsum if given
// dy and x are re-read in pass 2 rather than cached: on CPU adapters private arrays are memory
// too, and on GPUs the second read of a row just loaded mostly hits cache.
// mean and rstd are the forward pass's outputs; nothing here depends on epsilon.
//
// Interface the including file provides:
//   fn io_dy(row, c) -> vec4<f32>, fn io_x(row, c) -> vec4<f32>, fn io_dsum(row, c) -> vec4<f32>
//       chunk c (elements 4c..4c+3) of the row, zeros past the end of the row
//   fn io_gamma(c) -> vec4<f32>, fn io_mean(row) -> f32, fn io_rstd(row) -> f32
//   fn io_store(row, c, v: vec4<f32>)   writes the valid lanes of chunk c of dx

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

override WORKGROUP_SIZE: u32 = 64u;
override THREADS_PER_ROW: u32 = 64u;
override ROWS_PER_WORKGROUP: u32 = WORKGROUP_SIZE / THREADS_PER_ROW;
override HAS_GAMMA: bool = false;
override GAMMA_OFFSET: f32 = 0.0;
override RMS: bool = false;
// Fused add ops: dx also receives the gradient that reached the forward op's `sum` output.
override HAS_DSUM: bool = false;

// Blocked per-invocation sums (see common/row_norm.wgsl): rounding grows ~(BLOCK + n / BLOCK).
const BLOCK: u32 = 32u;

fn horizontal(v: vec4<f32>) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

fn scale_of(c: u32) -> vec4<f32> {
  if (HAS_GAMMA) { return io_gamma(c) + vec4<f32>(GAMMA_OFFSET); }
  return vec4<f32>(1.0 + GAMMA_OFFSET);
}

fn row_norm(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let row = group * ROWS_PER_WORKGROUP + lid / THREADS_PER_ROW;
  // No early return: the reduction needs every invocation in uniform control flow. Rows out of
  // range own no chunks.
  let in_range = row < params.rows;
  let chunks = select(0u, (params.cols + 3u) / 4u, in_range);
  var m = 0.0;
  var r = 0.0;
  if (in_range) {
    if (!RMS) { m = io_mean(row); }
    r = io_rstd(row);
  }

  // Pass 1. Lanes past the row's end have dy = 0, so g and g * xh vanish there without a mask.
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var c = t;
  while (c < chunks) {
    let end = min(c + BLOCK * THREADS_PER_ROW, chunks);
    var b1 = vec4<f32>(0.0);
    var b2 = vec4<f32>(0.0);
    for (; c < end; c += THREADS_PER_ROW) {
      let g = io_dy(row, c) * scale_of(c);
      let xh = (io_x(row, c) - vec4<f32>(m)) * r;
      b1 += g;
      b2 = fma(g, xh, b2);
    }
    s1 += b1;
    s2 += b2;
  }
  let tot = reduce_row2(vec2<f32>(horizontal(s1), horizontal(s2)), lid, t, false);
  let n = f32(params.cols);
  let mg = select(tot.x / n, 0.0, RMS);
  let mgx = tot.y / n;

  // Pass 2.
  for (var c = t; c < chunks; c += THREADS_PER_ROW) {
    let g = io_dy(row, c) * scale_of(c);
    let xh = (io_x(row, c) - vec4<f32>(m)) * r;
    var d = ((g - vec4<f32>(mg)) - xh * mgx) * r;
    if (HAS_DSUM) { d += io_dsum(row, c); }
    io_store(row, c, d);
  }
}
