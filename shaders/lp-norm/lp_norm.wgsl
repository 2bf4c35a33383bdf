// Lp normalization of each row of a rows × cols tensor (ONNX LpNormalization, PyTorch's
// F.normalize, ggml's L2_NORM): y = x / max(‖x‖_p, ε) with p = 1 or 2, f32 or packed f16 storage
// (src/ops/lp-norm/).
//
// Five entry points on one set of bindings:
// - `rows_fused` / `rows_fused_vec4`: one invocation normalizes a whole row, reading it twice and
//   writing it once, in a single dispatch (CPU adapters, whose barriers and extra passes cost most;
//   rows must start on a word, i.e. f32, or f16 of even width; vec4 for f32 widths divisible by 4);
// otherwise a norms pass, then `apply`:
// - `row_norms`: one invocation reduces a whole row (no barriers);
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
  // Element stride within a row: x is (outer, cols, inner), row r = x[r / inner, :, r % inner]
  // (ONNX LpNormalization along a middle axis). 1: contiguous rows, the only case the fused
  // entry points take.
  inner: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// f32 bits, or two binary16 per word (element 2k in the low half).
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
// Each row's norm as (n, e) with ‖x‖_p = n · 2^e: the norm of a row of huge values may exceed
// f32's range while y = x / ‖x‖_p is still representable, so `apply` divides scaled values.
@group(0) @binding(3) var<storage, read_write> scaled_norms: array<vec2<f32>>;
// x and y as vec4 words, for `rows_fused_vec4` (f32 rows of a width divisible by 4): one 16-byte
// access instead of four per-lane gathers, which is what costs on CPU adapters.
@group(0) @binding(5) var<storage, read> x4: array<vec4<u32>>;
@group(0) @binding(6) var<storage, read_write> y4: array<vec4<u32>>;
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
    let a = abs(element(base + j * params.inner)) * scale;
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

// The row's norm from its scaled sum: n = (Σ|x·2^-e|^p)^(1/p), ‖x‖_p = n · 2^e.
fn root(sum_p: f32) -> f32 {
  return select(sum_p, sqrt(sum_p), P == 2u);
}

// Writes n · 2^e to the caller's `norm` output, if there is one.
fn store_norm(row: u32, n: f32, e: i32) {
  if (WRITE_NORM) {
    // n · 2^e beyond f32's range is +Inf (built at run time: a constant Inf is a shader error).
    let inf = bitcast<f32>(0x7f800000u | (bitcast<u32>(n) & 0u));
    let fits = e <= 0 || n < ldexp(0x1.fffffep+127f, -e);
    norm_out[row] = select(inf, ldexp(n, e), fits);
  }
}

// This invocation's index across the grid, which the encoder folds into 2D when there are more
// workgroups than one dimension holds (src/core/dispatch.ts foldWorkgroups).
fn invocation_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid;
}

// The first element of row `row`: r / inner blocks of cols · inner elements, then r % inner.
fn row_base(row: u32) -> u32 {
  return (row / params.inner) * params.cols * params.inner + row % params.inner;
}

// The norm of the row starting at element `base`, summed by one invocation, rescaled exactly when
// needed. Returns (n, e) with ‖x‖_p = n · 2^e.
fn serial_row_norm(base: u32) -> vec2<f32> {
  var s = strided_sum(base, 0u, 1u, 1.0);
  var e = 0;
  if (needs_rescale(s)) {
    e = pow2_exponent(s.y);
    s = strided_sum(base, 0u, 1u, ldexp(1.0, -e));
  }
  return vec2<f32>(root(s.x), f32(e));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn row_norms(@builtin(workgroup_id) wid: vec3<u32>,
             @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let row = invocation_index(wid, nwg, lid);
  if (row >= params.rows) {
    return;
  }
  let ne = serial_row_norm(row_base(row));
  scaled_norms[row] = ne;
  store_norm(row, ne.x, i32(ne.y));
}

// The per-row factors of y = x / max(n · 2^e, ε): (2^-e, max(n, ε · 2^-e)), so that
// y = (x · 2^-e) / d with an exact power-of-two scaling (n · 2^e may exceed f32's range while y
// does not). A row whose norm is not finite (it holds a NaN or ±Inf) gets d = NaN: every output
// of it is NaN, the library's contract for every op (x / Inf = 0 would turn it into plausible
// zeros, and WGSL leaves non-finite arithmetic to the implementation).
fn row_factors(n: f32, e: i32) -> vec2<f32> {
  let inv = ldexp(1.0, -e);
  // A NaN built at run time (a constant NaN is a shader-creation error in WGSL).
  let nan = bitcast<f32>(0x7fc00000u | (bitcast<u32>(n) & 0u));
  return vec2<f32>(inv, select(nan, max(n, params.epsilon * inv), is_finite(n)));
}

// The norm of a row of f32 vec4 words (base4 = its first vec4), with the same two-level blocks and
// exact rescaling as strided_sum. Returns (n, e).
fn row_norm_vec4(base4: u32, count4: u32) -> vec2<f32> {
  var s = sum_vec4(base4, count4, 1.0);
  var e = 0;
  if (needs_rescale(s)) {
    e = pow2_exponent(s.y);
    s = sum_vec4(base4, count4, ldexp(1.0, -e));
  }
  return vec2<f32>(root(s.x), f32(e));
}

fn sum_vec4(base4: u32, count4: u32, scale: f32) -> vec2<f32> {
  var total = 0.0;
  var blocks = 0.0;
  var run = vec4<f32>(0.0);
  var largest = vec4<f32>(0.0);
  for (var k = 0u; k < count4; k += 1u) {
    let a = abs(bitcast<vec4<f32>>(x4[base4 + k])) * scale;
    largest = max(largest, a);
    run += select(a, a * a, P == 2u);
    if (((k + 1u) % BLOCK) == 0u) {
      blocks += dot(run, vec4<f32>(1.0));
      run = vec4<f32>(0.0);
      if (((k + 1u) % (BLOCK * BLOCK)) == 0u) {
        total += blocks;
        blocks = 0.0;
      }
    }
  }
  return vec2<f32>(total + (blocks + dot(run, vec4<f32>(1.0))), max(max(largest.x, largest.y), max(largest.z, largest.w)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn rows_fused_vec4(@builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
  let row = invocation_index(wid, nwg, lid);
  if (row >= params.rows) {
    return;
  }
  let count4 = params.cols / 4u;
  let base4 = row * count4;
  let ne = row_norm_vec4(base4, count4);
  store_norm(row, ne.x, i32(ne.y));
  let f = row_factors(ne.x, i32(ne.y));
  for (var k = base4; k < base4 + count4; k += 1u) {
    y4[k] = bitcast<vec4<u32>>((bitcast<vec4<f32>>(x4[k]) * f.x) / f.y);
  }
}

// A row per invocation, in one dispatch: its norm, then y (whole words: the row starts on a word).
@compute @workgroup_size(WORKGROUP_SIZE)
fn rows_fused(@builtin(workgroup_id) wid: vec3<u32>,
              @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let row = invocation_index(wid, nwg, lid);
  if (row >= params.rows) {
    return;
  }
  let base = row * params.cols;
  let ne = serial_row_norm(base);
  store_norm(row, ne.x, i32(ne.y));
  let f = row_factors(ne.x, i32(ne.y));
  if (F16) {
    for (var w = base / 2u; w < (base + params.cols) / 2u; w += 1u) {
      y[w] = f16_pack(element(2u * w) * f.x / f.y, element(2u * w + 1u) * f.x / f.y);
    }
  } else {
    for (var i = base; i < base + params.cols; i += 1u) {
      y[i] = bitcast<u32>(element(i) * f.x / f.y);
    }
  }
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
  let base = row_base(row);
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
    scaled_norms[row] = vec2<f32>(root(sum_p), f32(e));
    store_norm(row, root(sum_p), e);
  }
}

fn normalized(i: u32) -> f32 {
  // Element i = (o, j, k) of (outer, cols, inner) belongs to row o · inner + k.
  let span = params.cols * params.inner;
  let s = scaled_norms[(i / span) * params.inner + i % params.inner];
  let f = row_factors(s.x, i32(s.y));
  return element(i) * f.x / f.y;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn apply(@builtin(workgroup_id) wid: vec3<u32>,
         @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let w = invocation_index(wid, nwg, lid);
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
