// The row-normalization core shared by LayerNorm, RMSNorm and their fused residual-add forms:
// every kernel file defines its bindings and a small I/O interface, includes this file, and is
// linked with one reduction (common/reduce_workgroup.wgsl or common/reduce_subgroup.wgsl).
//
// Layout of the work: each workgroup of WORKGROUP_SIZE invocations handles ROWS_PER_WORKGROUP
// rows; the THREADS_PER_ROW invocations of one row stride over its chunks (4 consecutive
// elements each) and combine partial sums with reduce_row*. THREADS_PER_ROW = 1 gives one row per
// invocation and no barriers at all (best where barriers are costly, e.g. SwiftShader); one row
// per workgroup (THREADS_PER_ROW = WORKGROUP_SIZE) is the coalesced layout real GPUs want.
//
// Numerics: the corrected two-pass algorithm (Chan, Golub & LeVeque), all sums in f32.
//   pass 1  m = pivot + sum(x - pivot) / n      pivot = the row's first element; for the usual
//           activation with a large common offset, x - pivot is exact (Sterbenz), so the
//           offset never enters the rounding.
//   pass 2  e = x - m,  c = sum(e) / n,  var = sum(e^2) / n - c^2
//           m is already within rounding of the mean, so c is tiny and c^2 cancels nothing: this
//           is not E[x^2] - mean^2 (which loses every digit at mean 1e4), c is the correction
//           that recovers the digits m lost when it was rounded to f32.
//   pass 3  y = ((x - m) - c) * rstd * (gamma + GAMMA_OFFSET) + beta
// RMSNorm (RMS = true) skips pass 1 and the centring: rstd = 1 / sqrt(sum(x^2) / n + eps).
// Large f16 activations (|x| near 65504) are safe: squares and sums are f32 (max ~3.4e38).
//
// Registers: with CACHED_CHUNKS > 0 each invocation keeps its first CACHED_CHUNKS chunks of the
// row in a private array between passes, so x is read from memory once when the row fits
// (ceil(chunks / THREADS_PER_ROW) <= CACHED_CHUNKS); chunks beyond are re-read.
//
// Interface the including file provides:
//   fn io_pivot(row: u32) -> f32                  the row's first (input) element
//   fn io_load(row: u32, c: u32) -> vec4<f32>     chunk c of the row's input, zeros past the end;
//                                                 fused residual kernels also write h here
//   fn io_reload(row: u32, c: u32) -> vec4<f32>   chunk c again, in later passes without cache
//   fn io_gamma(c: u32) -> vec4<f32>, fn io_beta(c: u32) -> vec4<f32>
//   fn io_store(row: u32, c: u32, y: vec4<f32>)   writes the valid lanes of chunk c
//   fn io_stats(row: u32, mean: f32, rstd: f32)   per-row statistics (may do nothing)
// and the linked reduction (common/reduce_*.wgsl) provides reduce_row1(v: f32, lid, t),
// reduce_row2(v: vec2<f32>, lid, t) and the entry point `main`, which calls row_norm.

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;

// Invocations per workgroup (power of two).
override WORKGROUP_SIZE: u32 = 64u;
// Invocations per row (power of two, <= WORKGROUP_SIZE).
override THREADS_PER_ROW: u32 = 64u;
override ROWS_PER_WORKGROUP: u32 = WORKGROUP_SIZE / THREADS_PER_ROW;
// Chunks kept in registers per invocation (0 = re-read from memory; at most MAX_CACHED).
override CACHED_CHUNKS: u32 = 0u;
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
// Gemma-style scale (1 + gamma) with GAMMA_OFFSET = 1.
override GAMMA_OFFSET: f32 = 0.0;
// RMSNorm: no centring, mean is reported as 0.
override RMS: bool = false;
override WRITE_STATS: bool = false;
// (x - mean) / (std + eps) instead of (x - mean) / sqrt(var + eps), as in the Annotated Transformer.
override EPS_ADD_TO_STD: bool = false;
// Variance with n - 1 (Bessel), as torch.std's default.
override UNBIASED: bool = false;

const MAX_CACHED: u32 = 32u;

// Lanes of chunk c that lie inside the row, as 1.0 / 0.0.
fn chunk_mask(c: u32) -> vec4<f32> {
  let j = vec4<u32>(4u * c) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<f32>(0.0), vec4<f32>(1.0), j < vec4<u32>(params.cols));
}

fn scale_shift_of(c: u32) -> array<vec4<f32>, 2> {
  var scale = vec4<f32>(1.0);
  if (HAS_GAMMA) { scale = io_gamma(c) + vec4<f32>(GAMMA_OFFSET); }
  var shift = vec4<f32>(0.0);
  if (HAS_BETA) { shift = io_beta(c); }
  return array<vec4<f32>, 2>(scale, shift);
}

// `group` is the linear workgroup index (grids beyond maxComputeWorkgroupsPerDimension fold
// into 2D); `lid` the local invocation index.
fn row_norm(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let row = group * ROWS_PER_WORKGROUP + lid / THREADS_PER_ROW;
  // No early return: reductions below need every invocation (barriers and subgroup operations
  // must stay in uniform control flow). Out-of-range rows just skip memory accesses.
  let in_range = row < params.rows;
  let n_chunks = (params.cols + 3u) / 4u;
  let n = f32(params.cols);
  var cache: array<vec4<f32>, MAX_CACHED>;

  // Pass 1: load (and cache) the row; the shifted sum gives an approximate mean m.
  var m = 0.0;
  var pivot = 0.0;
  if (in_range && !RMS) { pivot = io_pivot(row); }
  var s1 = 0.0;
  var k = 0u;
  for (var c = t; c < n_chunks; c += THREADS_PER_ROW) {
    var v = vec4<f32>(0.0);
    if (in_range) { v = io_load(row, c); }
    if (k < CACHED_CHUNKS) { cache[k] = v; }
    if (!RMS) { s1 += dot(v - vec4<f32>(pivot), chunk_mask(c)); }
    k += 1u;
  }
  if (!RMS) { m = pivot + reduce_row1(s1, lid, t) / n; }

  // Pass 2: deviations from m (or raw values for RMS).
  var s2 = vec2<f32>(0.0);
  k = 0u;
  for (var c = t; c < n_chunks; c += THREADS_PER_ROW) {
    var v: vec4<f32>;
    if (k < CACHED_CHUNKS) { v = cache[k]; } else if (in_range) { v = io_reload(row, c); }
    let e = (v - vec4<f32>(m)) * chunk_mask(c);
    s2 += vec2<f32>(e.x + e.y + e.z + e.w, dot(e, e));
    k += 1u;
  }
  let tot = reduce_row2(s2, lid, t);
  let corr = select(tot.x / n, 0.0, RMS);
  // Clamp rounding below zero without max(): max(NaN, 0) is 0 on some implementations, which
  // would turn a poisoned row into finite garbage instead of NaN.
  var variance = tot.y / n - corr * corr;
  if (UNBIASED) { variance = (tot.y - n * corr * corr) / (n - 1.0); }
  variance = select(variance, 0.0, variance < 0.0);
  var r: f32;
  if (EPS_ADD_TO_STD) { r = 1.0 / (sqrt(variance) + params.epsilon); } else { r = inverseSqrt(variance + params.epsilon); }
  let center = vec4<f32>(m);
  if (in_range && WRITE_STATS && t == 0u) { io_stats(row, m + corr, r); }

  // Pass 3: normalize, scale, shift, store.
  k = 0u;
  for (var c = t; c < n_chunks; c += THREADS_PER_ROW) {
    if (in_range) {
      var v: vec4<f32>;
      if (k < CACHED_CHUNKS) { v = cache[k]; } else { v = io_reload(row, c); }
      let ss = scale_shift_of(c);
      io_store(row, c, fma(((v - center) - vec4<f32>(corr)) * r, ss[0], ss[1]));
    }
    k += 1u;
  }
}
