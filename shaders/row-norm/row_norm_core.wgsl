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
// Numerics: all sums in f32, never E[x^2] - mean^2 on raw data.
//   pass 1  d = x - pivot, sums of d and d^2. pivot = the row's first element; for the usual
//           activation with a large common offset x - pivot is exact (Sterbenz), so the offset
//           never enters the rounding. m = pivot + sum(d) / n.
//   pass 2  (the corrected two-pass algorithm of Chan, Golub & LeVeque) e = x - m,
//           c = sum(e) / n, var = sum(e^2) / n - c^2: m is already within rounding of the mean,
//           so c is tiny and c^2 cancels nothing; c recovers the digits m lost when rounded.
//           Skipped when pass 1's shifted sums are already safe (see the guard in row_norm_team).
//   pass 3  y = ((x - m) - c) * rstd * (gamma + GAMMA_OFFSET) + beta
// RMSNorm (RMS = true) needs only pass 1 (sum of x^2) and the output pass.
// Large f16 activations (|x| near 65504) are safe: squares and sums are f32 (max ~3.4e38).
//
// Registers: with CACHED_CHUNKS > 0 each invocation keeps its first CACHED_CHUNKS chunks of the
// row in a private array between passes, so x is read from memory once when the row fits
// (ceil(chunks / THREADS_PER_ROW) <= CACHED_CHUNKS); chunks beyond are re-read.
//
// Interface the including file provides:
//   fn io_base(row: u32) -> u32                   the row's first index in the kernel's view;
//                                                 the functions below take it as `base`, so the
//                                                 row offset is computed once, not per chunk
//   fn io_row_start(base: u32) -> u32             the row's first element (output sides index
//                                                 elements whatever the input's view)
//   fn io_pivot(base: u32) -> f32                 the row's first (input) element
//   fn io_first(base: u32, c: u32) -> f32         the first (input) element of chunk c (split
//                                                 rows' local pivots; no side effects)
//   fn io_load(base: u32, c: u32) -> vec4<f32>    chunk c of the row's input, zeros past the end;
//                                                 fused residual kernels also write sum here
//   fn io_reload(base: u32, c: u32) -> vec4<f32>  chunk c again, in later passes without cache
//   fn io_gamma(c: u32) -> vec4<f32>, fn io_beta(c: u32) -> vec4<f32>
//   fn io_store(base: u32, c: u32, y: vec4<f32>)  writes the valid lanes of chunk c
//   fn io_stats(row: u32, mean: f32, rstd: f32)   per-row statistics (may do nothing)
// and the linked reduction (common/reduce_*.wgsl) provides
// reduce_row2(v: vec2<f32>, lid, t, second: bool) (a row-wide sum; the first and second
// reduction of a row use separate memory) and the entry point `main`, which calls row_norm (or,
// in the workgroup build, row_norm_multi from common/row_norm_multi.wgsl for several rows per
// invocation). Split rows (one row over several workgroups, two dispatches) are in
// common/row_norm_split.wgsl.

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
  // Rows of the fused kernels' residual (add_io.wgsl); the plain kernels get rows.
  residual_rows: u32,
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
// Per-invocation sums run in blocks of BLOCK chunks, BLOCK blocks to a super-block, super-blocks
// then added to the total (three-level summation): an invocation that owns a long row (65539 wide
// with 4 invocations is 4096 chunks each; one lane of a 2^25-wide row split in two is 2^21) would
// otherwise accumulate rounding ~n times, and once a large term (an outlier) is in the total, every
// small block added after it would lose its low bits; this keeps it ~(2·BLOCK + n / BLOCK²).
// Up to BLOCK² chunks per invocation this is bit-identical to two levels (0 + sum is exact).
const BLOCK: u32 = 32u;

// Lanes of chunk c that lie inside the row, as 1.0 / 0.0 (only the last chunk of a row whose
// width is not a multiple of 4 has lanes outside).
fn chunk_mask(c: u32) -> vec4<f32> {
  let j = vec4<u32>(4u * c) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<f32>(0.0), vec4<f32>(1.0), j < vec4<u32>(params.cols));
}

// gamma (+ GAMMA_OFFSET) and beta of one chunk. Several-rows-per-invocation kernels load them once
// for all their rows (common/row_norm_multi.wgsl).
struct Affine {
  g: vec4<f32>,
  b: vec4<f32>,
}

fn affine_at(c: u32) -> Affine {
  var a = Affine(vec4<f32>(1.0 + GAMMA_OFFSET), vec4<f32>(0.0));
  if (HAS_GAMMA) {
    a.g = io_gamma(c);
    if (GAMMA_OFFSET != 0.0) { a.g += vec4<f32>(GAMMA_OFFSET); }
  }
  if (HAS_BETA) { a.b = io_beta(c); }
  return a;
}

// One output chunk from the row's st = (center, corr, rstd) and the chunk's gamma/beta:
// normalize, then scale and shift. Each step only when its override asks for it (the compiler
// cannot drop `+ 0.0` or `* 1.0` itself under IEEE rules), which matters where every instruction
// costs, as on CPU adapters.
fn finish_with(v: vec4<f32>, st: vec3<f32>, a: Affine) -> vec4<f32> {
  var out: vec4<f32>;
  if (RMS) { out = v * st.z; } else { out = ((v - vec4<f32>(st.x)) - vec4<f32>(st.y)) * st.z; }
  if (HAS_GAMMA) {
    if (HAS_BETA) { return fma(out, a.g, a.b); }
    return out * a.g;
  }
  if (GAMMA_OFFSET != 0.0) { out *= a.g; }
  if (HAS_BETA) { out += a.b; }
  return out;
}

// finish_with for chunk c, loading its gamma/beta.
fn finish_chunk(c: u32, v: vec4<f32>, center: f32, corr: f32, r: f32) -> vec4<f32> {
  return finish_with(v, vec3<f32>(center, corr, r), affine_at(c));
}

// The invocation's chunks of its row, kept between passes (module scope so helpers can read it).
var<private> cache: array<vec4<f32>, MAX_CACHED>;

// Chunk k (the invocation's k-th chunk, c = t + k * THREADS_PER_ROW) for passes after the first.
fn chunk_again(base: u32, c: u32, k: u32) -> vec4<f32> {
  if (k < CACHED_CHUNKS) { return cache[k]; }
  return io_reload(base, c);
}

// This invocation's (sum(e), sum(e^2)) with e = x - center over its chunks: the second pass of the
// corrected two-pass algorithm. `full` = chunks with four valid lanes (0 for rows out of range);
// the one partial chunk (index `full`, when cols % 4 != 0) is masked after the loop, so the hot
// loop has no per-chunk test. Sums are blocked (see BLOCK).
fn deviation_sums(base: u32, t: u32, full: u32, tail: bool, center: f32) -> vec2<f32> {
  var se = vec4<f32>(0.0);
  var se2 = vec4<f32>(0.0);
  var k = 0u;
  var c = t;
  while (c < full) {
    let super_end = min(c + BLOCK * BLOCK * THREADS_PER_ROW, full);
    var te = vec4<f32>(0.0);
    var te2 = vec4<f32>(0.0);
    while (c < super_end) {
      let end = min(c + BLOCK * THREADS_PER_ROW, super_end);
      var be = vec4<f32>(0.0);
      var be2 = vec4<f32>(0.0);
      for (; c < end; c += THREADS_PER_ROW) {
        let e = chunk_again(base, c, k) - vec4<f32>(center);
        be += e;
        be2 = fma(e, e, be2);
        k += 1u;
      }
      te += be;
      te2 += be2;
    }
    se += te;
    se2 += te2;
  }
  if (tail && c == full) {
    let e = (chunk_again(base, c, k) - vec4<f32>(center)) * chunk_mask(c);
    se += e;
    se2 = fma(e, e, se2);
  }
  return vec2<f32>(horizontal(se), horizontal(se2));
}

// This invocation's shifted sums (sum(d), sum(d^2)) with d = x - pivot over its chunks first,
// first + THREADS_PER_ROW, ... below `full`, and the partial chunk `full` when `tail` (masked after
// the loop, so the hot loop has no per-chunk test): pass 1 of row_norm_team and of split rows'
// segments. Keeps the first CACHED_CHUNKS chunks in `cache`. Sums are blocked (see BLOCK).
fn shifted_sums(base: u32, first: u32, full: u32, tail: bool, pivot: f32) -> vec2<f32> {
  var sd = vec4<f32>(0.0);
  var sd2 = vec4<f32>(0.0);
  var k = 0u;
  var c = first;
  while (c < full) {
    let super_end = min(c + BLOCK * BLOCK * THREADS_PER_ROW, full);
    var td = vec4<f32>(0.0);
    var td2 = vec4<f32>(0.0);
    while (c < super_end) {
      let end = min(c + BLOCK * THREADS_PER_ROW, super_end);
      var bd = vec4<f32>(0.0);
      var bd2 = vec4<f32>(0.0);
      // Two chunks per iteration: half the loop overhead, two independent loads in flight.
      for (; c + THREADS_PER_ROW < end; c += 2u * THREADS_PER_ROW) {
        let v0 = io_load(base, c);
        let v1 = io_load(base, c + THREADS_PER_ROW);
        if (k < CACHED_CHUNKS) { cache[k] = v0; }
        if (k + 1u < CACHED_CHUNKS) { cache[k + 1u] = v1; }
        let d0 = v0 - vec4<f32>(pivot);
        let d1 = v1 - vec4<f32>(pivot);
        bd += d0 + d1;
        bd2 = fma(d0, d0, fma(d1, d1, bd2));
        k += 2u;
      }
      if (c < end) {
        let v = io_load(base, c);
        if (k < CACHED_CHUNKS) { cache[k] = v; }
        let d = v - vec4<f32>(pivot);
        bd += d;
        bd2 = fma(d, d, bd2);
        k += 1u;
        c += THREADS_PER_ROW;
      }
      td += bd;
      td2 += bd2;
    }
    sd += td;
    sd2 += td2;
  }
  if (tail && c == full) {
    let v = io_load(base, c);
    if (k < CACHED_CHUNKS) { cache[k] = v; }
    let d = (v - vec4<f32>(pivot)) * chunk_mask(c);
    sd += d;
    sd2 = fma(d, d, sd2);
  }
  return vec2<f32>(horizontal(sd), horizontal(sd2));
}

// rstd from a row's sum of squared deviations (common/rstd.wgsl: non-finite sums give NaN).
fn rstd_of(ss: f32) -> f32 {
  let n = f32(params.cols);
  let var_n = ss / select(n, n - 1.0, UNBIASED);
  return rstd_from_variance(select(var_n, 0.0, var_n < 0.0), params.epsilon, EPS_ADD_TO_STD);
}

// The guard (common/shifted_sums.wgsl): pass 1's shifted sums are kept unless the pivot is an
// outlier (or NaN), when the row takes the exact second pass of the corrected two-pass algorithm.
// This saves a full pass over memory wherever the row is not held in registers. RMSNorm never
// needs it.
fn needs_exact_pass(sums: vec2<f32>) -> bool {
  let n = f32(params.cols);
  return !RMS && !shifted_sums_kept(sums.x / n, sums.y / n);
}

// A row's statistics as (center, corr, rstd), so that y = ((x - center) - corr) * rstd, from pass
// 1's shifted sums and, when `exact`, the second pass's sums of e = x - (pivot + m1) and e^2.
fn stats_from(pivot: f32, sums: vec2<f32>, exact: bool, dev: vec2<f32>) -> vec3<f32> {
  let n = f32(params.cols);
  let m1 = sums.x / n;
  if (RMS) { return vec3<f32>(0.0, 0.0, rstd_of(sums.y)); }
  if (exact) {
    let c = dev.x / n;
    return vec3<f32>(pivot + m1, c, rstd_of(dev.y - n * c * c));
  }
  return vec3<f32>(pivot, m1, rstd_of(sums.y - n * m1 * m1));
}

// `group` is the linear workgroup index (grids beyond maxComputeWorkgroupsPerDimension fold
// into 2D); `lid` the local invocation index. The override-constant branch is uniform, so the
// team path's barriers stay in uniform control flow.
fn row_norm(group: u32, lid: u32) {
  if (SPLIT_PHASE == 1u) {
    split_partials(group, lid);
  } else if (SPLIT_PHASE == 2u) {
    split_apply(group, lid);
  } else if (ROWS_PER_INVOCATION > 1u) {
    row_norm_multi(group, lid);
  } else {
    row_norm_team(group, lid);
  }
}

// THREADS_PER_ROW invocations per row (1 = one row per invocation).
fn row_norm_team(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let row = group * ROWS_PER_WORKGROUP + lid / THREADS_PER_ROW;
  // No early return: reductions below need every invocation (barriers and subgroup operations
  // must stay in uniform control flow). Out-of-range rows just skip memory accesses.
  let in_range = row < params.rows;
  // Rows out of range own no chunks (the loops below contain no barriers, so skipping them keeps
  // the reductions after them in uniform control flow).
  let full = select(0u, params.cols / 4u, in_range);
  let tail = in_range && (params.cols % 4u) != 0u;
  let n = f32(params.cols);

  // Pass 1: load (and cache) the row; shifted sums sum(d), sum(d^2) with d = x - pivot.
  var pivot = 0.0;
  let base = io_base(row);
  if (in_range && !RMS) { pivot = io_pivot(base); }
  let tot1 = reduce_row2(shifted_sums(base, t, full, tail, pivot), lid, t, false);
  // The exact second pass, when the guard asks for it (see needs_exact_pass).
  let exact = needs_exact_pass(tot1);
  let center2 = pivot + tot1.x / n;
  var tot2 = vec2<f32>(0.0);
  if (THREADS_PER_ROW > 1u && !RMS) {
    // Teams: every invocation of the row derives the same `exact` from the same reduced sums,
    // but WGSL cannot know that, and the reduction must stay in uniform control flow: so the
    // second pass runs over no chunks when it is not needed, and the reduction always runs.
    let mine = deviation_sums(base, t, select(0u, full, exact), tail && exact, center2);
    tot2 = reduce_row2(mine, lid, t, true);
  } else if (exact) {
    tot2 = deviation_sums(base, t, full, tail, center2);
  }
  let st = stats_from(pivot, tot1, exact, tot2);
  let center = st.x;
  let corr = st.y;
  let r = st.z;
  if (in_range && WRITE_STATS && t == 0u) { io_stats(row, center + corr, r); }

  // Last pass: normalize, scale, shift, store (the partial chunk's store writes its valid lanes).
  let n_mine = select(full, full + 1u, tail);
  var k = 0u;
  var co = t;
  for (; co + THREADS_PER_ROW < n_mine; co += 2u * THREADS_PER_ROW) {
    let c1 = co + THREADS_PER_ROW;
    let v0 = chunk_again(base, co, k);
    let v1 = chunk_again(base, c1, k + 1u);
    io_store(base, co, finish_chunk(co, v0, center, corr, r));
    io_store(base, c1, finish_chunk(c1, v1, center, corr, r));
    k += 2u;
  }
  if (co < n_mine) {
    io_store(base, co, finish_chunk(co, chunk_again(base, co, k), center, corr, r));
  }
}

// #include "../common/rstd.wgsl"
// #include "../common/shifted_sums.wgsl"
// #include "../common/horizontal.wgsl"
// #include "row_norm_multi.wgsl"
// #include "row_norm_split.wgsl"
