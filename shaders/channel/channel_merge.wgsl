// Pass 2 of the statistics (see channel_partials.wgsl for the passes, the layouts and the
// numerics): statistic o merges its partial (count, mean - pivot, M2) states with Chan et al.'s
// formula, derives the mean, the variance and rstd, and writes the outputs that were asked for:
// GroupNorm / InstanceNorm mean and rstd, and the per-(image, channel) coefficients pass 3
// (channel_apply.wgsl) applies; BatchNorm's per-channel mean and variance.
// - merge (workgroup layout, GPUs): one workgroup per statistic, lanes combined in workgroup
//   memory.
// - merge_each (invocation layout, CPU adapters): one invocation per statistic, no barrier.

// #include "../common/rstd.wgsl"
// #include "stats_x.wgsl"
// #include "stats_state.wgsl"

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
// Lanes of reduce_lanes (stats_state.wgsl): 1, every invocation of the workgroup merges for one
// statistic.
override CHANNEL_LANES: u32 = 1u;
// Storage of x (read for the pivots): packed binary16 pairs instead of f32.
override F16: bool = false;
// Which outputs to write (absent ones are bound to dummies and never touched).
override WRITE_MEAN: bool = false;
override WRITE_RSTD: bool = false;
override WRITE_VARIANCE: bool = false;
override WRITE_COEFFICIENTS: bool = false;
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
// rstd = 1 / (sqrt(var) + eps) instead of 1 / sqrt(var + eps).
override ADD_TO_STD: bool = false;

@group(0) @binding(0) var<uniform> pass2: MergeParams;
@group(0) @binding(1) var<storage, read> x: array<u32>;
// One (count, mean - pivot, M2, unused) per chunk (and per channel in NHWC), from pass 1.
@group(0) @binding(2) var<storage, read_write> partials: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> variance: array<f32>;
// GroupNorm, per (image, channel): (pivot, mean - pivot, rstd * gamma, beta); see channel_apply.wgsl.
@group(0) @binding(6) var<storage, read_write> coefficients: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read> beta: array<f32>;

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
