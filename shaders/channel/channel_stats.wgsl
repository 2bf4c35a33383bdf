// Mean and variance over large, possibly strided subsets of a (batch, channels, spatial) tensor,
// split across many workgroups: the statistics of GroupNorm / InstanceNorm (one per image and
// group) and of BatchNorm (one per channel, over batch and positions).
//
// A diffusion UNet's GroupNorm reduces 10 channels x 128 x 128 = 163840 elements per group, and a
// BatchNorm channel can span millions: one workgroup per statistic would leave the GPU idle. So:
//   pass 1 (`partials_contiguous` for NCHW, `partials_channels` for NHWC): each workgroup reduces
//          one chunk to a partial (count, mean, M2) in the `partials` scratch buffer;
//   pass 2 (`merge`): one workgroup per statistic merges its partials (Chan et al.), derives the
//          mean, variance and rstd, writes the requested outputs and, for GroupNorm, the
//          per-(image, channel) coefficients that pass 3 (norm_apply.wgsl) applies.
// Dispatches in one pass or encoder run in order and WebGPU makes pass 1's storage writes visible
// to pass 2, so no extra synchronization is needed.
//
// Two layouts of passes 1 and 2, picked per adapter by src/kernels/channel-stats.ts:
// - workgroup layout (GPUs): `partials_contiguous` / `partials_channels` / `merge`; a workgroup of
//   32..256 invocations owns a chunk (or a statistic), strided loads stay coalesced, and the
//   invocations combine in workgroup memory (four barriers).
// - invocation layout (CPU adapters such as SwiftShader, where every workgroupBarrier() costs a
//   fibre switch per invocation): `partials_span` / `partials_columns` / `merge_each`; each
//   invocation owns a whole chunk (a contiguous span of up to a few thousand elements in NCHW, four
//   channel columns over a range of positions in NHWC), reads it as 16-byte vectors, and writes
//   its own partial; one invocation merges each statistic. No barrier and no workgroup memory.
//
// Numerics:
// - Every element is shifted by its statistic's pivot (the statistic's first element, in memory
//   order) before anything is accumulated. With a large common offset (mean 1e4, std 1) x - pivot
//   is exact, and every partial of one statistic shares the pivot, so the partial means are small
//   numbers relative to one origin; the mean never carries ulp(1e4)/2 = 5e-4 of rounding into the
//   outputs. For f16 data near +-65504 the shift keeps squares around (x - pivot)^2 <= 1.7e10,
//   far inside f32's range, and M2 sums stay in f32 even for millions of elements.
// - Variance is never E[x^2] - mean^2 of raw data. Workgroup layout: each invocation folds four
//   values at a time into (count, mean, M2) (exact two-pass over four registers) and merges states
//   with Chan's formula, within the workgroup (two fan-in stages in workgroup memory) and across
//   workgroups (pass 2). Invocation layout: each invocation shifts its chunk by the chunk's own
//   first element (a local pivot: x - local pivot is exact for offset data) and sums d and d^2; it
//   keeps those one-pass sums only when the local pivot lies within about 2.6 standard deviations
//   of the chunk's mean (m1^2 <= 7 var, where M2 = sum(d^2) - n m1^2 amplifies rounding at most 8x,
//   the same guard as the one-row-per-invocation row norms), and otherwise (an outlier pivot,
//   NaN) re-reads the chunk for the exact corrected two-pass sums around pivot + m1. The partial's
//   mean is then re-expressed relative to the statistic's pivot ((local pivot - pivot) + m1, the
//   subtraction exact for offset data) and partials merge with Chan's formula as above.
// - Counts are f32: exact up to 2^24 elements per statistic; beyond that the merge weights carry
//   relative errors of ~6e-8, far below what they could change in the results.
//
// Storage: `x` is read as raw 32-bit words. F16 = false: one f32 per word (bitcast). F16 = true:
// binary16 pairs, element 2k in the low half (common/f16.wgsl), which works without the
// `shader-f16` feature. Element indices are global, so groups and rows that start mid-word need
// no special case.
//
// Grids larger than maxComputeWorkgroupsPerDimension fold into 2D; the linear workgroup index is
// workgroup_id.y * num_workgroups.x + workgroup_id.x and the surplus leaves at once (the exit is
// workgroup-uniform, so the barriers below stay in uniform control flow).

// #include "../common/f16.wgsl"
// #include "../common/rstd.wgsl"
// #include "../common/shifted_sums.wgsl"
// #include "../common/horizontal.wgsl"

// Pass 1's view of the tensor and which statistic (and pivot) each element belongs to.
struct PartialParams {
  // NCHW: number of contiguous segments (GroupNorm: image x group; BatchNorm: image x channel).
  // NHWC: batch.
  segments: u32,
  // NCHW: elements per segment. NHWC: spatial positions per image.
  segment_len: u32,
  // NHWC: channels (the row width); NCHW: unused.
  channels: u32,
  // NCHW: elements per chunk; NHWC: spatial positions per chunk.
  chunk: u32,
  // Chunks per segment (NCHW) or per image (NHWC).
  chunks: u32,
  // NHWC: ceil(channels / CHANNEL_LANES); NCHW: 1.
  channel_blocks: u32,
  // Total pass-1 workgroups (the folded grid may hold a few more).
  workgroups: u32,
  // Invocation layout: invocations with a chunk (the grid holds a few more).
  units: u32,
  // A statistic id q maps to its pivot element (q / stat_groups) * pivot_outer +
  // (q % stat_groups) * pivot_inner; see stat_pivot().
  stat_groups: u32,
  pivot_outer: u32,
  pivot_inner: u32,
  // NHWC: channels sharing one statistic (GroupNorm: channels per group; BatchNorm: 1).
  channels_per_stat: u32,
}

// Pass 2: which partials each statistic merges and what to write.
struct MergeParams {
  // Number of statistics.
  outputs: u32,
  stat_groups: u32,
  pivot_outer: u32,
  pivot_inner: u32,
  // Statistic o merges partials[(o / stat_groups) * base_outer + (o % stat_groups) * base_inner
  //                             + i * stride_a + j * stride_b] for i < count_a, j < count_b.
  base_outer: u32,
  base_inner: u32,
  count_a: u32,
  stride_a: u32,
  count_b: u32,
  stride_b: u32,
  // GroupNorm coefficients: statistic o = n * groups + g covers channels g * cpg .. g * cpg + cpg - 1.
  groups: u32,
  channels_per_group: u32,
  // N, or N - 1 for the unbiased variance.
  divisor: f32,
  epsilon: f32,
}

// Invocations per workgroup; a power of two (tree reduction).
override WORKGROUP_SIZE: u32 = 256u;
// partials_channels: invocations side by side along the channels (a power of two <= WORKGROUP_SIZE);
// the other WORKGROUP_SIZE / CHANNEL_LANES walk down the positions. 1 for the other entry points.
override CHANNEL_LANES: u32 = 1u;
// Storage of x: packed binary16 pairs instead of f32.
override F16: bool = false;
// partials_columns: channels % 4 == 0, so four channels of one position are one aligned vector.
override ALIGNED: bool = false;
// merge: which outputs to write (absent ones are bound to dummies and never touched).
override WRITE_MEAN: bool = false;
override WRITE_RSTD: bool = false;
override WRITE_VARIANCE: bool = false;
override WRITE_COEFFICIENTS: bool = false;
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
// rstd = 1 / (sqrt(var) + eps) instead of 1 / sqrt(var + eps).
override ADD_TO_STD: bool = false;

@group(0) @binding(0) var<uniform> pass1: PartialParams;
@group(0) @binding(0) var<uniform> pass2: MergeParams;
@group(0) @binding(1) var<storage, read> x: array<u32>;
// The invocation layout's second view of x (the same range bound again, read-only both times):
// 16 bytes per load, four f32 or eight f16 elements. Scalars still go through `x`, since a range
// that is not a multiple of 16 bytes ends in a partial vector this view cannot reach. Its minimum
// binding size is 16 bytes, so smaller tensors use the workgroup layout.
@group(0) @binding(9) var<storage, read> x4: array<vec4<u32>>;
// One (count, mean - pivot, M2, unused) per chunk (and per channel in NHWC).
@group(0) @binding(2) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> variance: array<f32>;
// GroupNorm, per (image, channel): (pivot, mean - pivot, rstd * gamma, beta); see norm_apply.wgsl.
@group(0) @binding(6) var<storage, read_write> coefficients: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read> beta: array<f32>;

fn load_x(e: u32) -> f32 {
  if (F16) { return f16_select(x[e >> 1u], e); }
  return bitcast<f32>(x[e]);
}

// Running statistics of a set of values: how many, their mean, and the sum of squared deviations.
struct Stats {
  n: f32,
  mean: f32,
  m2: f32,
}

// Chan et al.'s pairwise merge. Empty states pass the other side through unchanged, so
// invocations that own no element do not inject 0/0.
fn merge_stats(a: Stats, b: Stats) -> Stats {
  if (b.n == 0.0) { return a; }
  if (a.n == 0.0) { return b; }
  let n = a.n + b.n;
  let delta = b.mean - a.mean;
  let fb = b.n / n;
  return Stats(n, fma(delta, fb, a.mean), a.m2 + b.m2 + delta * delta * a.n * fb);
}

// Exact statistics of four values: mean, then squared deviations from it.
fn stats4(v: vec4<f32>) -> Stats {
  let m = (v.x + v.y + v.z + v.w) * 0.25;
  let d = v - vec4<f32>(m);
  return Stats(4.0, m, dot(d, d));
}

// Welford's single-value update, for tails.
fn push1(s: Stats, v: f32) -> Stats {
  let n = s.n + 1.0;
  let delta = v - s.mean;
  let m = s.mean + delta / n;
  return Stats(n, m, fma(delta, v - m, s.m2));
}

var<workgroup> wg_n: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_mean: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_m2: array<f32, WORKGROUP_SIZE>;

// Merge over the invocations of one lane (invocations lid, lid + CHANNEL_LANES, lid + 2 * ...,
// the "rows" of the lane), in two serial fan-in stages instead of a log2(rows)-level tree:
// four barriers instead of up to nine. Barriers are cheap on GPUs but costly on CPU
// implementations (SwiftShader), and 2 x 15 serial merges cost about what 8 tree levels do.
// Every invocation gets its lane's total.
const FAN_IN: u32 = 16u;

fn read_slot(i: u32) -> Stats {
  return Stats(wg_n[i], wg_mean[i], wg_m2[i]);
}

fn write_slot(i: u32, s: Stats) {
  wg_n[i] = s.n;
  wg_mean[i] = s.mean;
  wg_m2[i] = s.m2;
}

fn reduce_lanes(s: Stats, lid: u32) -> Stats {
  let rows = WORKGROUP_SIZE / CHANNEL_LANES;
  let row = lid / CHANNEL_LANES;
  let lane = lid % CHANNEL_LANES;
  let heads = min(rows, FAN_IN);
  write_slot(lid, s);
  workgroupBarrier();
  // Stage 1: row r < heads folds in rows r + heads, r + 2 * heads, ... (reads only rows >= heads,
  // writes only its own row, so no invocation reads a slot another one is writing).
  if (row < heads && rows > heads) {
    var t = s;
    for (var r = row + heads; r < rows; r += heads) {
      t = merge_stats(t, read_slot(r * CHANNEL_LANES + lane));
    }
    write_slot(lid, t);
  }
  workgroupBarrier();
  // Stage 2: row 0 folds in rows 1 .. heads - 1.
  if (row == 0u) {
    var t = read_slot(lid);
    for (var r = 1u; r < heads; r++) {
      t = merge_stats(t, read_slot(r * CHANNEL_LANES + lane));
    }
    write_slot(lid, t);
  }
  workgroupBarrier();
  return read_slot(lane);
}

fn linear_workgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// The pivot of statistic q (see PartialParams).
fn stat_pivot(q: u32, stat_groups: u32, outer: u32, inner: u32) -> f32 {
  return load_x((q / stat_groups) * outer + (q % stat_groups) * inner);
}

// Pass 1, NCHW: segments are contiguous (a GroupNorm group is channels_per_group whole channel
// maps; a BatchNorm segment is one channel map of one image). Workgroup w reduces chunk
// w % chunks of segment w / chunks; its partial is partials[w].
@compute @workgroup_size(WORKGROUP_SIZE)
fn partials_contiguous(@builtin(workgroup_id) wid: vec3<u32>,
                       @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
  let w = linear_workgroup(wid, nwg);
  if (w >= pass1.workgroups) { return; }
  let k = w / pass1.chunks;
  let p = w - k * pass1.chunks;
  let segment = k * pass1.segment_len;
  let begin = segment + p * pass1.chunk;
  let end = segment + min((p + 1u) * pass1.chunk, pass1.segment_len);
  let pivot = stat_pivot(k, pass1.stat_groups, pass1.pivot_outer, pass1.pivot_inner);

  // Four strided elements per step: loads stay coalesced across the workgroup and each step
  // costs one division in the merge; the remainder goes one by one.
  var s = Stats(0.0, 0.0, 0.0);
  let stride = WORKGROUP_SIZE;
  var e = begin + lid;
  for (; e + 3u * stride < end; e += 4u * stride) {
    let v = vec4<f32>(load_x(e), load_x(e + stride), load_x(e + 2u * stride), load_x(e + 3u * stride));
    s = merge_stats(s, stats4(v - vec4<f32>(pivot)));
  }
  for (; e < end; e += stride) {
    s = push1(s, load_x(e) - pivot);
  }
  let total = reduce_lanes(s, lid);
  if (lid == 0u) {
    partials[w] = vec4<f32>(total.n, total.mean, total.m2, 0.0);
  }
}

// Pass 1, NHWC: a statistic is a set of channel columns, so the workgroup is laid out as
// CHANNEL_LANES invocations across consecutive channels (each load instruction of the workgroup
// reads contiguous memory) times WORKGROUP_SIZE / CHANNEL_LANES invocations down the positions.
// Workgroup w = (n * chunks + p) * channel_blocks + b reduces positions of chunk p of image n for
// channel block b, and writes one partial per channel: partials[(n * chunks + p) * channels + c].
@compute @workgroup_size(WORKGROUP_SIZE)
fn partials_channels(@builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let w = linear_workgroup(wid, nwg);
  if (w >= pass1.workgroups) { return; }
  let b = w % pass1.channel_blocks;
  let np = w / pass1.channel_blocks;
  let p = np % pass1.chunks;
  let n = np / pass1.chunks;
  let lane = lid % CHANNEL_LANES;
  let rows = WORKGROUP_SIZE / CHANNEL_LANES;
  let c = b * CHANNEL_LANES + lane;
  let C = pass1.channels;

  var s = Stats(0.0, 0.0, 0.0);
  if (c < C) {
    let pivot = stat_pivot(n * pass1.stat_groups + c / pass1.channels_per_stat,
                           pass1.stat_groups, pass1.pivot_outer, pass1.pivot_inner);
    let first = p * pass1.chunk;
    let last = min(first + pass1.chunk, pass1.segment_len);
    let image = n * pass1.segment_len;
    var r = first + lid / CHANNEL_LANES;
    for (; r + 3u * rows < last; r += 4u * rows) {
      let e = (image + r) * C + c;
      let step = rows * C;
      let v = vec4<f32>(load_x(e), load_x(e + step), load_x(e + 2u * step), load_x(e + 3u * step));
      s = merge_stats(s, stats4(v - vec4<f32>(pivot)));
    }
    for (; r < last; r += rows) {
      s = push1(s, load_x((image + r) * C + c) - pivot);
    }
  }
  let total = reduce_lanes(s, lid);
  if (lid < CHANNEL_LANES && c < C) {
    partials[np * C + c] = vec4<f32>(total.n, total.mean, total.m2, 0.0);
  }
}

// Partial states of statistic o, from partials[first], partials[first + step], ... (see MergeParams).
fn merge_partials(o: u32, first: u32, step: u32) -> Stats {
  let base = (o / pass2.stat_groups) * pass2.base_outer + (o % pass2.stat_groups) * pass2.base_inner;
  let parts = pass2.count_a * pass2.count_b;
  var s = Stats(0.0, 0.0, 0.0);
  for (var t = first; t < parts; t += step) {
    s = merge_stats(s, partial_state(base, t));
  }
  return s;
}

// Partial t of the statistic whose partials start at `base` (see MergeParams).
fn partial_state(base: u32, t: u32) -> Stats {
  let i = t / pass2.count_b;
  let j = t - i * pass2.count_b;
  let v = partials[base + i * pass2.stride_a + j * pass2.stride_b];
  return Stats(v.x, v.y, v.z);
}

// All partials of statistic o in one invocation, in two levels: blocks of about sqrt(parts)
// consecutive partials are merged serially, then the block totals. A serial merge of k states
// accumulates rounding in proportion to k (a BatchNorm channel over millions of elements has about
// a thousand partials); two levels of sqrt(k) each cut that to about 2 sqrt(k), in a fixed order.
fn merge_partials_two_level(o: u32) -> Stats {
  let base = (o / pass2.stat_groups) * pass2.base_outer + (o % pass2.stat_groups) * pass2.base_inner;
  let parts = pass2.count_a * pass2.count_b;
  let run = max(1u, u32(ceil(sqrt(f32(parts)))));
  var s = Stats(0.0, 0.0, 0.0);
  for (var t0 = 0u; t0 < parts; t0 += run) {
    let t1 = min(t0 + run, parts);
    var b = Stats(0.0, 0.0, 0.0);
    for (var t = t0; t < t1; t++) {
      b = merge_stats(b, partial_state(base, t));
    }
    s = merge_stats(s, b);
  }
  return s;
}

// Writes statistic o's outputs from its merged state; `lane` of `lanes` invocations share the
// coefficient writes and lane 0 writes the rest.
fn finish_stat(o: u32, total: Stats, lane: u32, lanes: u32) {
  let pivot = stat_pivot(o, pass2.stat_groups, pass2.pivot_outer, pass2.pivot_inner);
  let var_o = total.m2 / pass2.divisor;
  let r = rstd_from_variance(var_o, pass2.epsilon, ADD_TO_STD);
  if (lane == 0u) {
    if (WRITE_MEAN) { mean[o] = pivot + total.mean; }
    if (WRITE_RSTD) { rstd[o] = r; }
    if (WRITE_VARIANCE) { variance[o] = var_o; }
  }
  if (WRITE_COEFFICIENTS) {
    // The mean stays split as (pivot, mean - pivot): pass 3 computes (x - pivot) - (mean - pivot),
    // where the cancelling subtraction is exact for offset data.
    let cpg = pass2.channels_per_group;
    let g = o % pass2.groups;
    for (var j = lane; j < cpg; j += lanes) {
      let c = g * cpg + j;
      var a = r;
      if (HAS_GAMMA) { a *= gamma[c]; }
      var b = 0.0;
      if (HAS_BETA) { b = beta[c]; }
      coefficients[o * cpg + j] = vec4<f32>(pivot, total.mean, a, b);
    }
  }
}

// Pass 2, workgroup layout: one workgroup per statistic merges its partials, then writes mean /
// rstd / variance and, for GroupNorm, the coefficients of the statistic's channels.
@compute @workgroup_size(WORKGROUP_SIZE)
fn merge(@builtin(workgroup_id) wid: vec3<u32>,
         @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let o = linear_workgroup(wid, nwg);
  if (o >= pass2.outputs) { return; }
  let total = reduce_lanes(merge_partials(o, lid, WORKGROUP_SIZE), lid);
  finish_stat(o, total, lid, WORKGROUP_SIZE);
}

// Pass 2, invocation layout: one invocation per statistic, Chan merges in two serial levels
// (merge_partials_two_level), no barrier.
@compute @workgroup_size(WORKGROUP_SIZE)
fn merge_each(@builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let o = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (o >= pass2.outputs) { return; }
  finish_stat(o, merge_partials_two_level(o), 0u, 1u);
}

// ---- Invocation layout, pass 1 -------------------------------------------------------------

fn stat_pivot_v(q: u32) -> f32 {
  return stat_pivot(q, pass1.stat_groups, pass1.pivot_outer, pass1.pivot_inner);
}

// Loop steps (vectors or positions) per separately summed block in the invocation layout.
const SUM_BLOCK: u32 = 32u;

// Sums of d = x - center and d^2 over elements [begin, end): scalars up to a 16-byte boundary, then
// whole vectors (four of four f32, or one of eight f16, per iteration), then scalars again.
fn span_sums(begin: u32, end: u32, center: f32) -> vec2<f32> {
  let per = select(4u, 8u, F16);
  var a1 = 0.0;
  var a2 = 0.0;
  var e = begin;
  let head = min(end, (begin + per - 1u) / per * per);
  for (; e < head; e++) {
    let d = load_x(e) - center;
    a1 += d;
    a2 = fma(d, d, a2);
  }
  let c4 = vec4<f32>(center);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  let wend = end / per;
  var w = e / per;
  // Two levels of blocks: SUM_BLOCK vectors per block, SUM_BLOCK blocks per super-block, so a whole
  // group (group_norm_fused: 40k-160k elements) accumulates rounding over a few dozen additions per
  // level rather than over (elements / 128) block sums. Spans of partials_span (at most 4096
  // elements, 1024 vectors) fit one super-block, where this is bit-identical to one level
  // (0 + sum is exact).
  if (F16) {
    while (w < wend) {
      let super_end = min(w + SUM_BLOCK * SUM_BLOCK, wend);
      var t1 = vec4<f32>(0.0);
      var t2 = vec4<f32>(0.0);
      while (w < super_end) {
        let block_end = min(w + SUM_BLOCK, super_end);
        var b1 = vec4<f32>(0.0);
        var b2 = vec4<f32>(0.0);
        for (; w < block_end; w++) {
          let v = x4[w];
          let d0 = f16_unpack4(v.x, v.y) - c4;
          let d1 = f16_unpack4(v.z, v.w) - c4;
          b1 += d0 + d1;
          b2 = fma(d0, d0, fma(d1, d1, b2));
        }
        t1 += b1;
        t2 += b2;
      }
      s1 += t1;
      s2 += t2;
    }
  } else {
    while (w + 3u < wend) {
      let super_end = min(w + SUM_BLOCK * SUM_BLOCK, wend);
      var t1 = vec4<f32>(0.0);
      var t2 = vec4<f32>(0.0);
      while (w + 3u < super_end) {
        let block_end = min(w + SUM_BLOCK, super_end);
        var b1 = vec4<f32>(0.0);
        var b2 = vec4<f32>(0.0);
        for (; w + 3u < block_end; w += 4u) {
          let d0 = bitcast<vec4<f32>>(x4[w]) - c4;
          let d1 = bitcast<vec4<f32>>(x4[w + 1u]) - c4;
          let d2 = bitcast<vec4<f32>>(x4[w + 2u]) - c4;
          let d3 = bitcast<vec4<f32>>(x4[w + 3u]) - c4;
          b1 += (d0 + d1) + (d2 + d3);
          b2 += fma(d0, d0, d1 * d1) + fma(d2, d2, d3 * d3);
        }
        t1 += b1;
        t2 += b2;
      }
      s1 += t1;
      s2 += t2;
    }
    for (; w < wend; w++) {
      let d = bitcast<vec4<f32>>(x4[w]) - c4;
      s1 += d;
      s2 = fma(d, d, s2);
    }
  }
  for (e = max(e, wend * per); e < end; e++) {
    let d = load_x(e) - center;
    a1 += d;
    a2 = fma(d, d, a2);
  }
  return vec2<f32>(horizontal(s1) + a1, horizontal(s2) + a2);
}

// M2 = sum(d^2) - n m1^2 can round slightly below zero; select() clamps it and keeps NaN (max()
// may turn NaN into 0 on some implementations).
fn clamp_m2(m2: vec4<f32>) -> vec4<f32> {
  return select(m2, vec4<f32>(0.0), m2 < vec4<f32>(0.0));
}

// (center, m1, M2) of elements [begin, end): shifted sums around the span's first element, kept
// when common/shifted_sums.wgsl's guard allows, else summed again around center = pivot + m1 (the
// exact second pass). The mean is center + m1; M2 is clamped at 0.
fn span_stats(begin: u32, end: u32) -> vec3<f32> {
  let n = f32(end - begin);
  let pivot = load_x(begin);
  var center = pivot;
  var t = span_sums(begin, end, center);
  var m1 = t.x / n;
  if (!shifted_sums_kept(m1, t.y / n)) {
    center = pivot + m1;
    t = span_sums(begin, end, center);
    m1 = t.x / n;
  }
  return vec3<f32>(center, m1, clamp_m2(vec4<f32>(t.y - t.x * m1)).x);
}

// Pass 1, NCHW, invocation layout: invocation u reduces chunk u % chunks of segment u / chunks, a
// contiguous span, into partials[u] (the same order as partials_contiguous).
@compute @workgroup_size(WORKGROUP_SIZE)
fn partials_span(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let u = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (u >= pass1.units) { return; }
  let k = u / pass1.chunks;
  let p = u - k * pass1.chunks;
  let segment = k * pass1.segment_len;
  let begin = segment + p * pass1.chunk;
  let end = segment + min((p + 1u) * pass1.chunk, pass1.segment_len);
  let st = span_stats(begin, end);
  partials[u] = vec4<f32>(f32(end - begin), (st.x - stat_pivot_v(k)) + st.y, st.z, 0.0);
}

// Four consecutive channels of one position, starting at element e (channel c0 of its row):
// one aligned f32 vector (or two f16 words) when ALIGNED, else four scalar loads with lanes past the last channel
// repeating it (`lanes` = min(i, channels - 1 - c0)).
fn load_quad(e: u32, lanes: vec4<u32>) -> vec4<f32> {
  if (ALIGNED) {
    if (F16) {
      // Two whole words (half a vector, which at the end of the tensor may be a partial one).
      let w = e >> 1u;
      return f16_unpack4(x[w], x[w + 1u]);
    }
    return bitcast<vec4<f32>>(x4[e >> 2u]);
  }
  return vec4<f32>(load_x(e + lanes.x), load_x(e + lanes.y), load_x(e + lanes.z), load_x(e + lanes.w));
}

// Sums of d = x - center and d^2 for four channel columns over positions [first, last) of rows
// `row0 + r` (row stride: channels), two positions per iteration.
fn column_sums(row0: u32, first: u32, last: u32, c0: u32, lanes: vec4<u32>, center: vec4<f32>) -> array<vec4<f32>, 2> {
  let C = pass1.channels;
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var e = (row0 + first) * C + c0;
  var r = first;
  // Blocks of SUM_BLOCK positions summed separately, so rounding grows with the block and block
  // count rather than with the whole chunk.
  while (r + 1u < last) {
    let block_end = min(r + SUM_BLOCK, last);
    var b1 = vec4<f32>(0.0);
    var b2 = vec4<f32>(0.0);
    for (; r + 1u < block_end; r += 2u) {
      let d0 = load_quad(e, lanes) - center;
      let d1 = load_quad(e + C, lanes) - center;
      b1 += d0 + d1;
      b2 = fma(d0, d0, fma(d1, d1, b2));
      e += 2u * C;
    }
    s1 += b1;
    s2 += b2;
  }
  if (r < last) {
    let d = load_quad(e, lanes) - center;
    s1 += d;
    s2 = fma(d, d, s2);
  }
  return array<vec4<f32>, 2>(s1, s2);
}

// Pass 1, NHWC, invocation layout: invocation u = (n * chunks + p) * channel_blocks + b reduces
// channels 4b .. 4b + 3 over positions of chunk p of image n and writes one partial per channel,
// partials[(n * chunks + p) * channels + c] (the same order as partials_channels).
@compute @workgroup_size(WORKGROUP_SIZE)
fn partials_columns(@builtin(workgroup_id) wid: vec3<u32>,
                    @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
  let u = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (u >= pass1.units) { return; }
  let b = u % pass1.channel_blocks;
  let np = u / pass1.channel_blocks;
  let p = np % pass1.chunks;
  let img = np / pass1.chunks;
  let C = pass1.channels;
  let c0 = 4u * b;
  let lanes = min(vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(C - 1u - c0));
  let first = p * pass1.chunk;
  let last = min(first + pass1.chunk, pass1.segment_len);
  let row0 = img * pass1.segment_len;
  let n = f32(last - first);
  let local = load_quad((row0 + first) * C + c0, lanes);
  var center = local;
  var t = column_sums(row0, first, last, c0, lanes, center);
  var m1 = t[0] / n;
  if (!shifted_sums_kept4(m1, t[1] / n)) {
    center = local + m1;
    t = column_sums(row0, first, last, c0, lanes, center);
    m1 = t[0] / n;
  }
  let m2 = clamp_m2(t[1] - t[0] * m1);
  let q0 = img * pass1.stat_groups;
  let cps = pass1.channels_per_stat;
  let cl = vec4<u32>(c0) + lanes;
  let pivot = vec4<f32>(stat_pivot_v(q0 + cl.x / cps), stat_pivot_v(q0 + cl.y / cps),
                        stat_pivot_v(q0 + cl.z / cps), stat_pivot_v(q0 + cl.w / cps));
  let mean_d = (center - pivot) + m1;
  let out = np * C + c0;
  for (var i = 0u; i < 4u; i++) {
    if (c0 + i < C) {
      partials[out + i] = vec4<f32>(n, mean_d[i], m2[i], 0.0);
    }
  }
}

// ---- Fused layout (CPU adapters, NCHW GroupNorm / InstanceNorm) ------------------------------
//
// One dispatch instead of three: in NCHW a group is channels_per_group whole channel maps, i.e.
// group_len = channels_per_group * spatial consecutive elements, so one invocation per (image,
// group) can own it entirely: the statistics (span_sums over the group with the statistic's pivot,
// the group's first element; the guard above, and the exact second pass around pivot + m1 when it
// fails), then the normalization of the group, gamma/beta loaded once per channel map. No partials,
// no merge, no coefficient buffer, no barrier. Used by src/kernels/group-norm.ts on CPU adapters
// when there are enough groups to keep every core busy (see selectGroupNormLayout).
// - group_norm_fused_vec4: f32, spatial % 4 == 0: every map is whole aligned vectors, four per
//   iteration. group_norm_fused_scalar: f32, any spatial, element by element (four per iteration).
// - group_norm_fused_f16: binary16 pairs, group_len even (so every group starts on a word and no
//   two invocations share a word); a word straddling two channel maps of the group (odd spatial)
//   takes each half's own coefficients. Odd group lengths keep the three-dispatch layout.
// y = ((x - center) - corr) * (rstd * gamma) + beta, the same split of the mean as norm_apply.wgsl;
// the vector path folds corr into the shift, y = (x - center) * a + (beta - corr * a) with
// a = rstd * gamma, one vector operation less per vector: x - center stays exact for offset data,
// and |corr| <= 2.65 std when the one-pass sums are kept (tiny after the exact pass), so
// beta - corr * a rounds by at most ~6e-8 (|beta| + 2.65 |gamma|) absolutely.

struct FusedParams {
  // batch * groups.
  stats: u32,
  group_len: u32,
  spatial: u32,
  channels_per_group: u32,
  groups: u32,
  // N or N - 1.
  divisor: f32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> fused: FusedParams;
@group(0) @binding(10) var<storage, read_write> y: array<f32>;
@group(0) @binding(10) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> yh: array<u32>;

// The group's (center, corr, rstd); writes mean / rstd when asked.
fn fused_stats(q: u32, begin: u32) -> vec3<f32> {
  let st = span_stats(begin, begin + fused.group_len);
  let r = rstd_from_variance(st.z / fused.divisor, fused.epsilon, ADD_TO_STD);
  if (WRITE_MEAN) { mean[q] = st.x + st.y; }
  if (WRITE_RSTD) { rstd[q] = r; }
  return vec3<f32>(st.x, st.y, r);
}

// Channel c's (scale, shift) for a group with rstd r.
fn fused_affine(c: u32, r: f32) -> vec2<f32> {
  var a = r;
  if (HAS_GAMMA) { a *= gamma[c]; }
  var b = 0.0;
  if (HAS_BETA) { b = beta[c]; }
  return vec2<f32>(a, b);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn group_norm_fused_vec4(@builtin(workgroup_id) wid: vec3<u32>,
                         @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
  let q = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (q >= fused.stats) { return; }
  let begin = q * fused.group_len;
  let st = fused_stats(q, begin);
  let ce = vec4<f32>(st.x);
  let S4 = fused.spatial / 4u;
  let c0 = (q % fused.groups) * fused.channels_per_group;
  var w = begin / 4u;
  for (var j = 0u; j < fused.channels_per_group; j++) {
    let k = fused_affine(c0 + j, st.z);
    let a = vec4<f32>(k.x);
    let b = vec4<f32>(fma(-st.y, k.x, k.y));
    let stop = w + S4;
    for (; w + 4u <= stop; w += 4u) {
      let v0 = bitcast<vec4<f32>>(x4[w]);
      let v1 = bitcast<vec4<f32>>(x4[w + 1u]);
      let v2 = bitcast<vec4<f32>>(x4[w + 2u]);
      let v3 = bitcast<vec4<f32>>(x4[w + 3u]);
      y4[w] = fma(v0 - ce, a, b);
      y4[w + 1u] = fma(v1 - ce, a, b);
      y4[w + 2u] = fma(v2 - ce, a, b);
      y4[w + 3u] = fma(v3 - ce, a, b);
    }
    for (; w < stop; w++) {
      y4[w] = fma(bitcast<vec4<f32>>(x4[w]) - ce, a, b);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn group_norm_fused_scalar(@builtin(workgroup_id) wid: vec3<u32>,
                           @builtin(num_workgroups) nwg: vec3<u32>,
                           @builtin(local_invocation_index) lid: u32) {
  let q = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (q >= fused.stats) { return; }
  let begin = q * fused.group_len;
  let st = fused_stats(q, begin);
  let ce = vec4<f32>(st.x);
  let co = vec4<f32>(st.y);
  let S = fused.spatial;
  let c0 = (q % fused.groups) * fused.channels_per_group;
  var e = begin;
  for (var j = 0u; j < fused.channels_per_group; j++) {
    let k = fused_affine(c0 + j, st.z);
    let stop = e + S;
    for (; e + 4u <= stop; e += 4u) {
      let v = vec4<f32>(bitcast<f32>(x[e]), bitcast<f32>(x[e + 1u]), bitcast<f32>(x[e + 2u]), bitcast<f32>(x[e + 3u]));
      let o = fma((v - ce) - co, vec4<f32>(k.x), vec4<f32>(k.y));
      y[e] = o.x;
      y[e + 1u] = o.y;
      y[e + 2u] = o.z;
      y[e + 3u] = o.w;
    }
    for (; e < stop; e++) {
      y[e] = fma((bitcast<f32>(x[e]) - st.x) - st.y, k.x, k.y);
    }
  }
}

fn fused_word(word: u32, st: vec3<f32>, k: vec2<f32>) -> u32 {
  let v = vec2<f32>(f16_to_f32(word & 0xffffu), f16_to_f32(word >> 16u));
  let r = fma((v - vec2<f32>(st.x)) - vec2<f32>(st.y), vec2<f32>(k.x), vec2<f32>(k.y));
  return f32_to_f16(r.x) | (f32_to_f16(r.y) << 16u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn group_norm_fused_f16(@builtin(workgroup_id) wid: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
  let q = linear_workgroup(wid, nwg) * WORKGROUP_SIZE + lid;
  if (q >= fused.stats) { return; }
  // group_len is even: the group is words [begin / 2, (begin + group_len) / 2), all its own.
  let begin = q * fused.group_len;
  let st = fused_stats(q, begin);
  let S = fused.spatial;
  let c0 = (q % fused.groups) * fused.channels_per_group;
  var prev = vec2<f32>(0.0);
  for (var j = 0u; j < fused.channels_per_group; j++) {
    let k = fused_affine(c0 + j, st.z);
    let first = begin + j * S;
    if ((first & 1u) == 1u) {
      // The word straddling maps j - 1 and j (j > 0: the group starts on a word).
      let w = first >> 1u;
      let word = x[w];
      let lo = fma((f16_to_f32(word & 0xffffu) - st.x) - st.y, prev.x, prev.y);
      let hi = fma((f16_to_f32(word >> 16u) - st.x) - st.y, k.x, k.y);
      yh[w] = f32_to_f16(lo) | (f32_to_f16(hi) << 16u);
    }
    // Words wholly inside map j.
    var w = (first + 1u) >> 1u;
    let stop = (first + S) >> 1u;
    for (; w + 4u <= stop; w += 4u) {
      let a = x[w];
      let b = x[w + 1u];
      let c = x[w + 2u];
      let d = x[w + 3u];
      yh[w] = fused_word(a, st, k);
      yh[w + 1u] = fused_word(b, st, k);
      yh[w + 2u] = fused_word(c, st, k);
      yh[w + 3u] = fused_word(d, st, k);
    }
    for (; w < stop; w++) {
      yh[w] = fused_word(x[w], st, k);
    }
    prev = k;
  }
}
