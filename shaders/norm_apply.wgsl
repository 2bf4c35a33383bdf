// Elementwise per-channel normalization of a (batch, channels, spatial) tensor:
//
//   y = ((x - pivot) - mean_d) * scale + shift
//
// with (pivot, mean_d, scale, shift) per (image, channel) for GroupNorm / InstanceNorm (written by
// norm_stats.wgsl's merge pass: mean = pivot + mean_d, scale = rstd * gamma, shift = beta), or
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

// #include "common/f16.wgsl"

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

// Which coefficient element e uses: its channel (RUNNING_STATS) or its (image, channel) row.
fn coefficient_index(e: u32) -> u32 {
  if (NHWC) {
    let c = e % params.channels;
    if (RUNNING_STATS) { return c; }
    return (e / params.image) * params.channels + c;
  }
  let row = e / params.spatial;
  if (RUNNING_STATS) { return row % params.channels; }
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
  return fma((v - k.x) - k.y, k.z, k.w);
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
    let k = coefficients_at(i);
    out = fma((v - vec4<f32>(k.x)) - vec4<f32>(k.y), vec4<f32>(k.z), vec4<f32>(k.w));
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
  let word = xh[w];
  let e = 2u * w;
  let lo = f32_to_f16(apply_one(f16_to_f32(word & 0xffffu), coefficients_at(coefficient_index(e))));
  if (e + 1u < params.elements) {
    let hi = f32_to_f16(apply_one(f16_to_f32(word >> 16u), coefficients_at(coefficient_index(e + 1u))));
    yh[w] = lo | (hi << 16u);
  } else {
    // Last word of an odd-length tensor; this invocation is its only writer (see the header).
    yh[w] = (yh[w] & 0xffff0000u) | lo;
  }
}
