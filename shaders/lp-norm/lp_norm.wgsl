// Lp normalization of each row of a rows × cols tensor (ONNX LpNormalization, PyTorch's
// F.normalize, ggml's L2_NORM): y = x / max(‖x‖_p, ε) with p = 1 or 2, f32 or packed f16 storage
// (src/ops/lp-norm/).
//
// Three entry points on one set of bindings; the encoder records a norms pass, then `apply`:
// - `row_norms`: one invocation reduces a whole row (no barriers: what CPU adapters want);
// - `row_norms_team`: a workgroup reduces one row (strided loads, then a tree in workgroup memory:
//   what GPUs want for wide rows);
// - `apply`: y = x / max(norm, ε), one 32-bit word per invocation: an f32 element, or two packed
//   f16 elements that may belong to two rows (odd widths start rows mid-word), so every word has
//   exactly one writer and no atomics are needed.
//
// Exactness: |x|^p is summed in two levels of blocks, so the rounding error stays near
// 2·BLOCK + cols / BLOCK² ulps rather than growing with cols. If the f32 sum overflows
// (|x| beyond ~1e19 for p = 2) or would lose precision to underflow (rows whose max |x| is below
// 2^-50 for p = 2), the row is summed again with every element multiplied by a power of two taken
// from max |x|: the scaling is exact, so the norm is what float64 gives, rounded, whatever the
// magnitudes (kept as n · 2^e: it may exceed f32's range while y does not). A row holding NaN or
// ±Inf keeps that as its norm, and every output of it is NaN.
// #include "../common/f16.wgsl"

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
// f32 bits, or two binary16 per word (element 2k in the low half).
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
// Each row's norm as (n, e) with ‖x‖_p = n · 2^e: the norm of a row of huge values may exceed
// f32's range while y = x / ‖x‖_p is still representable, so `apply` divides scaled values.
@group(0) @binding(3) var<storage, read_write> scaled_norms: array<vec2<f32>>;
// ‖x‖_p of each row for the caller (+Inf where it exceeds f32's range); bound only with WRITE_NORM.
@group(0) @binding(4) var<storage, read_write> norm_out: array<f32>;

override WORKGROUP_SIZE: u32 = 64u;
// 1 or 2.
override P: u32 = 2u;
override F16: bool = false;
override WRITE_NORM: bool = false;

const BLOCK: u32 = 64u;
// Below this max |x| the squares of the row's elements risk the f32 subnormal range.
const SMALL_FOR_SQUARES: f32 = 0x1p-50f;

var<workgroup> team: array<vec2<f32>, WORKGROUP_SIZE>;
var<workgroup> team_rescale: u32;

fn element(i: u32) -> f32 {
  if (F16) {
    return f16_select(x[i >> 1u], i & 1u);
  }
  return bitcast<f32>(x[i]);
}

fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// (Σ |x_j · scale|^p, max |x_j · scale|) over the row's elements first, first + stride, ...
// Summed in two levels of blocks (BLOCK terms, then BLOCK block sums), so that for any width the
// rounding error stays near 2·BLOCK + cols / BLOCK² ulps instead of cols.
fn strided_sum(base: u32, first: u32, stride: u32, scale: f32) -> vec2<f32> {
  var total = 0.0;
  var blocks = 0.0; // up to BLOCK block sums
  var run = 0.0;    // the current block's sum ("block" trips wgsl_reflect's parser)
  var count = 0u;
  var largest = 0.0;
  for (var j = first; j < params.cols; j += stride) {
    let a = abs(element(base + j)) * scale;
    largest = max(largest, a);
    run += select(a, a * a, P == 2u);
    count += 1u;
    if ((count % BLOCK) == 0u) {
      blocks += run;
      run = 0.0;
      if (count == BLOCK * BLOCK) {
        total += blocks;
        blocks = 0.0;
        count = 0u;
      }
    }
  }
  return vec2<f32>(total + (blocks + run), largest);
}

// Whether the unscaled (sum, max) of a row must be recomputed with an exact power-of-two scale.
// Rows with NaN/Inf (max not finite) keep their sum; an all-zero row is exact as it is.
fn needs_rescale(s: vec2<f32>) -> bool {
  let largest = s.y;
  if (!is_finite(largest) || largest == 0.0) {
    return false;
  }
  return !is_finite(s.x) || (P == 2u && largest < SMALL_FOR_SQUARES);
}

// The exponent e with `largest` · 2^-e in [1, 2) (at least -126: 2^-e stays a normal f32).
fn pow2_exponent(largest: f32) -> i32 {
  return max(i32((bitcast<u32>(largest) >> 23u) & 0xffu) - 127, -126);
}

// Stores the row's norm: (Σ|x·2^-e|^p)^(1/p) with its exponent, and for the caller n · 2^e.
fn store_norm(row: u32, sum_p: f32, e: i32) {
  let n = select(sum_p, sqrt(sum_p), P == 2u);
  scaled_norms[row] = vec2<f32>(n, f32(e));
  if (WRITE_NORM) {
    // n · 2^e beyond f32's range is +Inf (built at run time: a constant Inf is a shader error).
    let inf = bitcast<f32>(0x7f800000u | (bitcast<u32>(n) & 0u));
    let fits = e <= 0 || n < ldexp(0x1.fffffep+127f, -e);
    norm_out[row] = select(inf, ldexp(n, e), fits);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn row_norms(@builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  var s = strided_sum(base, 0u, 1u, 1.0);
  var e = 0;
  if (needs_rescale(s)) {
    e = pow2_exponent(s.y);
    s = strided_sum(base, 0u, 1u, ldexp(1.0, -e));
  }
  store_norm(row, s.x, e);
}

// Tree reduction of `team` (sum, max); every invocation gets the row's total.
fn reduce_team(lid: u32) -> vec2<f32> {
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (lid < half) {
      let other = team[lid + half];
      team[lid] = vec2<f32>(team[lid].x + other.x, max(team[lid].y, other.y));
    }
  }
  workgroupBarrier();
  return team[0];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn row_norms_team(@builtin(workgroup_id) wid: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  // One row per workgroup: `row` is uniform, so the early return keeps the barriers uniform.
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  team[lid] = strided_sum(base, lid, WORKGROUP_SIZE, 1.0);
  let s = reduce_team(lid);
  if (lid == 0u) {
    team_rescale = select(0u, 1u, needs_rescale(s));
  }
  // Also the barrier after which `team` may be overwritten: everyone has read team[0].
  let rescale = workgroupUniformLoad(&team_rescale) == 1u;
  var sum_p = s.x;
  var e = 0;
  if (rescale) {
    e = pow2_exponent(s.y);
    team[lid] = strided_sum(base, lid, WORKGROUP_SIZE, ldexp(1.0, -e));
    sum_p = reduce_team(lid).x;
  }
  if (lid == 0u) {
    store_norm(row, sum_p, e);
  }
}

// x / max(‖x‖_p, ε), computed as (x · 2^-e) / max(n, ε · 2^-e): exact power-of-two scaling, so a
// norm beyond f32's range still gives the right y. A row whose norm is not finite (it holds a NaN
// or ±Inf) is poisoned: every output of it is NaN, the library's contract for every op (x / Inf = 0
// would turn it into plausible zeros, and WGSL leaves non-finite arithmetic to the implementation).
fn normalized(i: u32) -> f32 {
  let v = element(i);
  let s = scaled_norms[i / params.cols];
  // A NaN built at run time (a constant NaN is a shader-creation error in WGSL).
  let nan = bitcast<f32>(0x7fc00000u | (bitcast<u32>(v) & 0u));
  let e = i32(s.y);
  return select(nan, ldexp(v, -e) / max(s.x, ldexp(params.epsilon, -e)), is_finite(s.x));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply(@builtin(workgroup_id) wid: vec3<u32>,
         @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let w = (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
  let n = params.rows * params.cols;
  if (F16) {
    if (w >= (n + 1u) / 2u) {
      return;
    }
    // An odd-length tensor owns the high half of its last word: it is written as +0.
    let hi = select(0.0, normalized(2u * w + 1u), 2u * w + 1u < n);
    y[w] = f16_pack(normalized(2u * w), hi);
    return;
  }
  if (w >= n) {
    return;
  }
  y[w] = bitcast<u32>(normalized(w));
}
