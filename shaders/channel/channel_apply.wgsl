// Elementwise per-channel normalization of a (batch, channels, spatial) tensor:
//
//   y = ((x - pivot) - mean_d) * scale + shift
//
// with (pivot, mean_d, scale, shift) per (image, channel) for GroupNorm / InstanceNorm (written by
// channel_merge.wgsl's merge pass: mean = pivot + mean_d, scale = rstd * gamma, shift = beta), or
// per channel for BatchNorm inference (RUNNING_STATS: pivot = runningMean, mean_d = 0,
// scale = gamma / sqrt(runningVar + eps), recomputed per element because four cached loads and an
// inverseSqrt are cheaper than another dispatch on a memory-bound kernel).
//
// Keeping the mean split as pivot + mean_d means the cancelling subtraction (x - pivot) is exact
// for data with a large common offset; folding it into y = x * a + b would round the 1e4-sized
// x * a and lose about 1e-3 absolutely.
//
// Entry points (each uses its own view of bindings 1 and 2, which WGSL allows):
// - apply_vec4: f32, four elements per invocation; needs the four to share a coefficient row
//   (NCHW: spatial % 4 == 0) or to be four consecutive channels (NHWC: channels % 4 == 0).
// - apply_scalar: f32, any shape.
// - apply_f16: binary16 pairs packed in u32 words (no `shader-f16` needed). Each invocation owns
//   one whole word, both halves, even when they belong to different channels, images or groups
//   (odd spatial sizes put such boundaries mid-word). So no two invocations ever write parts of
//   one word and plain stores are race-free, with no atomics. The one partial word is the last
//   one of an odd-length tensor: its high half lies outside the tensor (but inside the bound
//   range, which WebGPU sizes in whole words), so the owner rewrites only the low half and keeps
//   the high half as it was.
//
// Span layout (CPU adapters such as SwiftShader, where per-invocation and per-loop-iteration
// overhead dominate; picked by src/ops/channel/apply.ts): each invocation applies a contiguous
// run of the tensor, loads each coefficient row once per run, and handles several 16-byte vectors
// per loop iteration (the shape of bench/copy.wgsl's copy_span).
// - apply_span (NCHW, f32, elements % 4 == 0): invocation u owns vectors [u * span, u * span + span).
//   A span walks the (image, channel) maps it crosses: whole vectors of one map share its
//   coefficients; a vector that straddles two maps (spatial % 4 != 0) is applied lane by lane.
// - apply_span_f16 (NCHW, f16): the same over packed words (invocation u owns words
//   [u * span, u * span + span), so every word still has exactly one writer); a word straddling
//   two maps and the half-outside last word go through apply_word, the apply_f16 logic.
// - apply_columns (NHWC, f32, channels % 4 == 0) / apply_columns_scalar (NHWC, f32, any channels) /
//   apply_columns_f16 (NHWC, f16, even channels): invocation u = (n * chunks + p) * blocks + b
//   owns channels 4b .. 4b + 3 over positions [p * span, p * span + span) of image n. Per-channel
//   coefficients vary along a row, so the invocation loads its four channels' coefficients once,
//   transposes them into four vectors, and walks down the positions (row stride: channels), four
//   positions per iteration; side-by-side invocations touch side-by-side memory.
// All of them compute exactly what the one-vector-per-invocation entry points compute, element by
// element (same fma order), so the layouts are bit-identical.
//
// SILU (GroupNorm / InstanceNorm `activation: 'silu'`): every entry point passes each final f32
// value through activation.wgsl's silu before storing (and rounding, f16). CHANNEL_COEFFICIENTS
// (BatchNorm training): per-channel coefficients from the merge's batch statistics.

// #include "../common/f16.wgsl"
// #include "activation.wgsl"

struct Params {
  // Elements of x and y.
  elements: u32,
  // Invocations with work: vec4s, scalars or words.
  units: u32,
  spatial: u32,
  channels: u32,
  // spatial * channels (one image).
  image: u32,
  // BatchNorm inference only.
  epsilon: f32,
  // Span layout: vectors (apply_span), words (apply_span_f16) or positions (apply_columns*) per
  // invocation.
  span: u32,
  // apply_columns*: position chunks per image and channel quads per row (ceil(channels / 4)).
  chunks: u32,
  blocks: u32,
}

override WORKGROUP_SIZE: u32 = 256u;
// channels-last memory order (else channels-first).
override NHWC: bool = false;
// BatchNorm inference: per-channel coefficients from the running statistics (else per (image,
// channel) coefficients from the `coefficients` buffer).
override RUNNING_STATS: bool = false;
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
override ADD_TO_STD: bool = false;
// BatchNorm training: per-channel coefficients from the `coefficients` buffer (written by the merge
// from the batch statistics), indexed like the running statistics.
override CHANNEL_COEFFICIENTS: bool = false;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> xh: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> yh: array<u32>;
@group(0) @binding(3) var<storage, read> coefficients: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> running_mean: array<f32>;
@group(0) @binding(5) var<storage, read> running_var: array<f32>;
@group(0) @binding(6) var<storage, read> gamma: array<f32>;
@group(0) @binding(7) var<storage, read> beta: array<f32>;

// Coefficients per channel (BatchNorm), else per (image, channel) row.
fn per_channel() -> bool {
  return RUNNING_STATS || CHANNEL_COEFFICIENTS;
}

// Which coefficient element e uses: its channel (per_channel) or its (image, channel) row.
fn coefficient_index(e: u32) -> u32 {
  if (NHWC) {
    let c = e % params.channels;
    if (per_channel()) { return c; }
    return (e / params.image) * params.channels + c;
  }
  let row = e / params.spatial;
  if (per_channel()) { return row % params.channels; }
  return row;
}

// NCHW: the coefficient row of (image, channel) map `row`.
fn row_coefficient(row: u32) -> u32 {
  if (per_channel()) { return row % params.channels; }
  return row;
}

fn coefficients_at(i: u32) -> vec4<f32> {
  if (RUNNING_STATS) {
    var a: f32;
    if (ADD_TO_STD) {
      a = 1.0 / (sqrt(running_var[i]) + params.epsilon);
    } else {
      a = inverseSqrt(running_var[i] + params.epsilon);
    }
    if (HAS_GAMMA) { a *= gamma[i]; }
    var b = 0.0;
    if (HAS_BETA) { b = beta[i]; }
    return vec4<f32>(running_mean[i], 0.0, a, b);
  }
  return coefficients[i];
}

fn apply_one(v: f32, k: vec4<f32>) -> f32 {
  return activate(fma((v - k.x) - k.y, k.z, k.w));
}

// Four elements sharing one coefficient row.
fn apply4(v: vec4<f32>, k: vec4<f32>) -> vec4<f32> {
  return activate4(fma((v - vec4<f32>(k.x)) - vec4<f32>(k.y), vec4<f32>(k.z), vec4<f32>(k.w)));
}

fn unit_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_vec4(@builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let v = x4[u];
  let i = coefficient_index(4u * u);
  var out: vec4<f32>;
  if (NHWC) {
    // Four consecutive channels of one position.
    out = vec4<f32>(apply_one(v.x, coefficients_at(i)), apply_one(v.y, coefficients_at(i + 1u)),
                    apply_one(v.z, coefficients_at(i + 2u)), apply_one(v.w, coefficients_at(i + 3u)));
  } else {
    // Four positions of one channel map.
    out = apply4(v, coefficients_at(i));
  }
  y4[u] = out;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_scalar(@builtin(workgroup_id) wid: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let e = unit_index(wid, nwg, lid);
  if (e >= params.units) { return; }
  y[e] = apply_one(x[e], coefficients_at(coefficient_index(e)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_f16(@builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let w = unit_index(wid, nwg, lid);
  if (w >= params.units) { return; }
  apply_word(w);
}

// ---- Span layout (CPU adapters) -----------------------------------------------------------

// Lane by lane, for a vector whose elements (from element e) may belong to different maps.
fn apply4_lanes(v: vec4<f32>, e: u32) -> vec4<f32> {
  return vec4<f32>(apply_one(v.x, coefficients_at(coefficient_index(e))),
                   apply_one(v.y, coefficients_at(coefficient_index(e + 1u))),
                   apply_one(v.z, coefficients_at(coefficient_index(e + 2u))),
                   apply_one(v.w, coefficients_at(coefficient_index(e + 3u))));
}

// Vectors [w, stop) of one map, four per iteration.
fn run4(first: u32, stop: u32, k: vec4<f32>) {
  var w = first;
  for (; w + 4u <= stop; w += 4u) {
    let v0 = x4[w];
    let v1 = x4[w + 1u];
    let v2 = x4[w + 2u];
    let v3 = x4[w + 3u];
    y4[w] = apply4(v0, k);
    y4[w + 1u] = apply4(v1, k);
    y4[w + 2u] = apply4(v2, k);
    y4[w + 3u] = apply4(v3, k);
  }
  for (; w < stop; w++) {
    y4[w] = apply4(x4[w], k);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_span(@builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let S = params.spatial;
  let vectors = params.elements / 4u;
  let first = u * params.span;
  let end = min(first + params.span, vectors);
  var w = first;
  while (w < end) {
    let row = (4u * w) / S;
    // Vectors wholly inside map `row`: up to (row + 1) * S / 4, rounded down.
    let stop = min(end, ((row + 1u) * S) / 4u);
    if (stop > w) {
      run4(w, stop, coefficients_at(row_coefficient(row)));
      w = stop;
    } else {
      y4[w] = apply4_lanes(x4[w], 4u * w);
      w++;
    }
  }
}

// Word w of the f16 tensor, each half with its own coefficients; the half-outside last word of an
// odd-length tensor keeps its high half (see the header).
fn apply_word(w: u32) {
  let word = xh[w];
  let e = 2u * w;
  let lo = f32_to_f16(apply_one(f16_to_f32(word & 0xffffu), coefficients_at(coefficient_index(e))));
  if (e + 1u < params.elements) {
    let hi = f32_to_f16(apply_one(f16_to_f32(word >> 16u), coefficients_at(coefficient_index(e + 1u))));
    yh[w] = lo | (hi << 16u);
  } else {
    yh[w] = (yh[w] & 0xffff0000u) | lo;
  }
}

fn apply_word_k(word: u32, k: vec4<f32>) -> u32 {
  let v = vec2<f32>(f16_to_f32(word & 0xffffu), f16_to_f32(word >> 16u));
  let r = activate2(fma((v - vec2<f32>(k.x)) - vec2<f32>(k.y), vec2<f32>(k.z), vec2<f32>(k.w)));
  return f32_to_f16(r.x) | (f32_to_f16(r.y) << 16u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_span_f16(@builtin(workgroup_id) wid: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let S = params.spatial;
  // Words with both halves inside the tensor.
  let full = params.elements / 2u;
  let first = u * params.span;
  let end = min(first + params.span, (params.elements + 1u) / 2u);
  var w = first;
  while (w < end) {
    let row = (2u * w) / S;
    let stop = min(min(end, full), ((row + 1u) * S) / 2u);
    if (stop > w) {
      let k = coefficients_at(row_coefficient(row));
      for (; w + 4u <= stop; w += 4u) {
        let a = xh[w];
        let b = xh[w + 1u];
        let c = xh[w + 2u];
        let d = xh[w + 3u];
        yh[w] = apply_word_k(a, k);
        yh[w + 1u] = apply_word_k(b, k);
        yh[w + 2u] = apply_word_k(c, k);
        yh[w + 3u] = apply_word_k(d, k);
      }
      for (; w < stop; w++) {
        yh[w] = apply_word_k(xh[w], k);
      }
    } else {
      apply_word(w);
      w++;
    }
  }
}

// The four channel coefficients of quad c0 (lanes past the last channel repeat it), transposed:
// [pivot, mean_d, scale, shift], each a vector over the four channels.
fn quad_coefficients(n: u32, c0: u32) -> mat4x4<f32> {
  let last = params.channels - 1u;
  var base = 0u;
  if (!per_channel()) { base = n * params.channels; }
  let k0 = coefficients_at(base + c0);
  let k1 = coefficients_at(base + min(c0 + 1u, last));
  let k2 = coefficients_at(base + min(c0 + 2u, last));
  let k3 = coefficients_at(base + min(c0 + 3u, last));
  return transpose(mat4x4<f32>(k0, k1, k2, k3));
}

struct Columns {
  // First element of the invocation's first position (channel c0 of that row).
  e: u32,
  // Positions to walk.
  count: u32,
  c0: u32,
  k: mat4x4<f32>,
}

fn columns_of(u: u32) -> Columns {
  let b = u % params.blocks;
  let np = u / params.blocks;
  let p = np % params.chunks;
  let n = np / params.chunks;
  let first = p * params.span;
  let last = min(first + params.span, params.spatial);
  let c0 = 4u * b;
  return Columns((n * params.spatial + first) * params.channels + c0, last - first, c0, quad_coefficients(n, c0));
}

fn apply_quad(v: vec4<f32>, k: mat4x4<f32>) -> vec4<f32> {
  return activate4(fma((v - k[0]) - k[1], k[2], k[3]));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_columns(@builtin(workgroup_id) wid: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let q = columns_of(u);
  let step = params.channels / 4u;
  var w = q.e / 4u;
  var r = 0u;
  for (; r + 4u <= q.count; r += 4u) {
    let v0 = x4[w];
    let v1 = x4[w + step];
    let v2 = x4[w + 2u * step];
    let v3 = x4[w + 3u * step];
    y4[w] = apply_quad(v0, q.k);
    y4[w + step] = apply_quad(v1, q.k);
    y4[w + 2u * step] = apply_quad(v2, q.k);
    y4[w + 3u * step] = apply_quad(v3, q.k);
    w += 4u * step;
  }
  for (; r < q.count; r++) {
    y4[w] = apply_quad(x4[w], q.k);
    w += step;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_columns_scalar(@builtin(workgroup_id) wid: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let q = columns_of(u);
  let C = params.channels;
  let lanes = min(C - q.c0, 4u);
  var e = q.e;
  if (lanes == 4u) {
    for (var r = 0u; r < q.count; r++) {
      let v = apply_quad(vec4<f32>(x[e], x[e + 1u], x[e + 2u], x[e + 3u]), q.k);
      y[e] = v.x;
      y[e + 1u] = v.y;
      y[e + 2u] = v.z;
      y[e + 3u] = v.w;
      e += C;
    }
  } else {
    // The last, partial quad: lanes past the last channel are neither read nor written.
    for (var r = 0u; r < q.count; r++) {
      for (var i = 0u; i < lanes; i++) {
        y[e + i] = activate(fma((x[e + i] - q.k[0][i]) - q.k[1][i], q.k[2][i], q.k[3][i]));
      }
      e += C;
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply_columns_f16(@builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let u = unit_index(wid, nwg, lid);
  if (u >= params.units) { return; }
  let q = columns_of(u);
  // Even channels: every row starts on a word, so the quad's channels are one or two whole words.
  let step = params.channels / 2u;
  let two = q.c0 + 2u < params.channels;
  var w = q.e / 2u;
  for (var r = 0u; r < q.count; r++) {
    let a = xh[w];
    var bw = a;
    if (two) { bw = xh[w + 1u]; }
    let v = apply_quad(f16_unpack4(a, bw), q.k);
    yh[w] = f32_to_f16(v.x) | (f32_to_f16(v.y) << 16u);
    if (two) { yh[w + 1u] = f32_to_f16(v.z) | (f32_to_f16(v.w) << 16u); }
    w += step;
  }
}
