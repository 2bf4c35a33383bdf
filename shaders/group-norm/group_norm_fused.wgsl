// GroupNorm / InstanceNorm in one dispatch (CPU adapters, NCHW), instead of the three of
// channel/channel_partials.wgsl (partials), channel/channel_merge.wgsl (merge) and
// channel/channel_apply.wgsl (normalize).
//
// In NCHW a group is channels_per_group whole channel maps, i.e. group_len = channels_per_group *
// spatial consecutive elements, so one invocation per (image, group) can own it entirely: the
// statistics (channel/span_stats.wgsl over the group, pivot = the group's first element; its guard,
// and the exact second pass around pivot + m1 when it fails), then the normalization of the
// group, gamma/beta loaded once per channel map. No partials, no merge, no coefficient buffer, no
// barrier. Used by src/ops/group-norm/fused.ts on CPU adapters when there are enough groups to
// keep every core busy (see selectGroupNormLayout).
// - group_norm_fused_vec4: f32, spatial % 4 == 0: every map is whole aligned vectors, four per
//   iteration. group_norm_fused_scalar: f32, any spatial, element by element (four per iteration).
// - group_norm_fused_f16: binary16 pairs, group_len even (so every group starts on a word and no
//   two invocations share a word); a word straddling two channel maps of the group (odd spatial)
//   takes each half's own coefficients. Odd group lengths keep the three-dispatch layout.
// y = ((x - center) - corr) * (rstd * gamma) + beta, the same split of the mean as
// channel_apply.wgsl; the vector path folds corr into the shift, y = (x - center) * a +
// (beta - corr * a) with a = rstd * gamma, one vector operation less per vector: x - center stays
// exact for offset data, and |corr| <= 2.65 std when the one-pass sums are kept (tiny after the
// exact pass), so beta - corr * a rounds by at most ~6e-8 (|beta| + 2.65 |gamma|) absolutely.

// With SILU (activation.wgsl) each final value goes through silu before it is stored.

// #include "../common/rstd.wgsl"
// #include "../channel/stats_x.wgsl"
// #include "../channel/span_stats.wgsl"
// #include "../channel/activation.wgsl"

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

// Invocations per workgroup.
override WORKGROUP_SIZE: u32 = 256u;
// Storage of x and y: packed binary16 pairs instead of f32.
override F16: bool = false;
// Which statistics to write (absent ones are bound to dummies and never touched).
override WRITE_MEAN: bool = false;
override WRITE_RSTD: bool = false;
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
// rstd = 1 / (sqrt(var) + eps) instead of 1 / sqrt(var + eps).
override ADD_TO_STD: bool = false;

@group(0) @binding(0) var<uniform> fused: FusedParams;
@group(0) @binding(1) var<storage, read> x: array<u32>;
// The same range as x, 16 bytes per load (span_stats.wgsl, group_norm_fused_vec4).
@group(0) @binding(9) var<storage, read> x4: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> mean: array<f32>;
@group(0) @binding(4) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read> beta: array<f32>;
// y, one view per entry point.
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
      y4[w] = activate4(fma(v0 - ce, a, b));
      y4[w + 1u] = activate4(fma(v1 - ce, a, b));
      y4[w + 2u] = activate4(fma(v2 - ce, a, b));
      y4[w + 3u] = activate4(fma(v3 - ce, a, b));
    }
    for (; w < stop; w++) {
      y4[w] = activate4(fma(bitcast<vec4<f32>>(x4[w]) - ce, a, b));
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
      let o = activate4(fma((v - ce) - co, vec4<f32>(k.x), vec4<f32>(k.y)));
      y[e] = o.x;
      y[e + 1u] = o.y;
      y[e + 2u] = o.z;
      y[e + 3u] = o.w;
    }
    for (; e < stop; e++) {
      y[e] = activate(fma((bitcast<f32>(x[e]) - st.x) - st.y, k.x, k.y));
    }
  }
}

fn fused_word(word: u32, st: vec3<f32>, k: vec2<f32>) -> u32 {
  let v = vec2<f32>(f16_to_f32(word & 0xffffu), f16_to_f32(word >> 16u));
  let r = activate2(fma((v - vec2<f32>(st.x)) - vec2<f32>(st.y), vec2<f32>(k.x), vec2<f32>(k.y)));
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
      let lo = activate(fma((f16_to_f32(word & 0xffffu) - st.x) - st.y, prev.x, prev.y));
      let hi = activate(fma((f16_to_f32(word >> 16u) - st.x) - st.y, k.x, k.y));
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
