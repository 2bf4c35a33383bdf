// Pass 1 of the statistics over large, possibly strided subsets of a (batch, channels, spatial)
// tensor: the partial (count, mean, M2) states of GroupNorm / InstanceNorm (one statistic per
// image and group) and of BatchNorm (one per channel, over batch and positions).
//
// A diffusion UNet's GroupNorm reduces 10 channels x 128 x 128 = 163840 elements per group, and a
// BatchNorm channel can span millions: one workgroup per statistic would leave the GPU idle. So:
//   pass 1 (this file): each workgroup (or invocation) reduces one chunk to a partial
//          (count, mean, M2) in the `partials` scratch buffer;
//   pass 2 (channel_merge.wgsl): one workgroup (or invocation) per statistic merges its partials
//          (Chan et al.), derives the mean, variance and rstd, writes the requested outputs and,
//          for GroupNorm, the per-(image, channel) coefficients that pass 3 (channel_apply.wgsl)
//          applies.
// Dispatches in one pass or encoder run in order and WebGPU makes pass 1's storage writes visible
// to pass 2, so no extra synchronization is needed. On CPU adapters an NCHW GroupNorm with enough
// groups skips all three for one dispatch (group-norm/group_norm_fused.wgsl).
//
// Two layouts of passes 1 and 2, picked per adapter by src/ops/channel/stats.ts:
// - workgroup layout (GPUs): `partials_contiguous` (NCHW) / `partials_channels` (NHWC) / `merge`;
//   a workgroup of 32..256 invocations owns a chunk (or a statistic), strided loads stay
//   coalesced, and the invocations combine in workgroup memory (four barriers).
// - invocation layout (CPU adapters such as SwiftShader, where every workgroupBarrier() costs a
//   fibre switch per invocation): `partials_span` (NCHW) / `partials_columns` (NHWC) /
//   `merge_each`; each invocation owns a whole chunk (a contiguous span of up to a few thousand
//   elements in NCHW, four channel columns over a range of positions in NHWC), reads it as 16-byte
//   vectors, and writes its own partial; one invocation merges each statistic. No barrier and no
//   workgroup memory.
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

// #include "stats_x.wgsl"
// #include "stats_state.wgsl"
// #include "span_stats.wgsl"

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

// Invocations per workgroup; a power of two (tree reduction).
override WORKGROUP_SIZE: u32 = 256u;
// partials_channels: invocations side by side along the channels (a power of two <= WORKGROUP_SIZE);
// the other WORKGROUP_SIZE / CHANNEL_LANES walk down the positions. 1 for the other entry points.
override CHANNEL_LANES: u32 = 1u;
// Storage of x: packed binary16 pairs instead of f32.
override F16: bool = false;
// partials_columns: channels % 4 == 0, so four channels of one position are one aligned vector.
override ALIGNED: bool = false;

@group(0) @binding(0) var<uniform> pass1: PartialParams;
@group(0) @binding(1) var<storage, read> x: array<u32>;
// The invocation layout's second view of x (the same range bound again, read-only both times):
// 16 bytes per load, four f32 or eight f16 elements. Scalars still go through `x`, since a range
// that is not a multiple of 16 bytes ends in a partial vector this view cannot reach. Its minimum
// binding size is 16 bytes, so smaller tensors use the workgroup layout.
@group(0) @binding(9) var<storage, read> x4: array<vec4<u32>>;
// One (count, mean - pivot, M2, unused) per chunk (and per channel in NHWC).
@group(0) @binding(2) var<storage, read_write> partials: array<vec4<f32>>;

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

// ---- Invocation layout -----------------------------------------------------------------------

fn stat_pivot_v(q: u32) -> f32 {
  return stat_pivot(q, pass1.stat_groups, pass1.pivot_outer, pass1.pivot_inner);
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
