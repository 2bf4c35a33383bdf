// LayerNorm forward, f32 storage, f32 accumulation: one workgroup reduces one row (token).
//
//   y = (x - mean) * rstd * gamma + beta,   rstd = 1 / sqrt(var + epsilon)
//
// Numerics (why it is written this way):
// - Each row is first shifted by a pivot, its own first element. For the typical activation with
//   a large common offset (mean 1e4, unit variance) x - pivot is exact (Sterbenz), so the offset
//   never enters the rounding of the statistics or of y. Without it the f32 mean alone carries an
//   error of ulp(1e4)/2 = 5e-4, which lands directly on every output.
// - Variance is never E[x^2] - mean^2. Each invocation folds its elements into (count, mean, M2)
//   four at a time (exact two-pass over four registers, then Chan's parallel merge), and the
//   workgroup merges those states in a tree with the same formula.
// - y is computed as ((x - pivot) - mean_d) * (rstd * gamma) + beta, so the subtraction that
//   cancels happens between two small numbers.
//
// Two entry points share every binding number: `layer_norm_vec4` reads and writes vec4<f32> and
// needs cols % 4 == 0 (rows then start 16-byte aligned); `layer_norm_scalar` takes any width.
// Each entry point statically uses only its own view of a binding, which WGSL allows.
//
// Rows beyond maxComputeWorkgroupsPerDimension fold into a 2D grid: the row index is
// workgroup_id.y * num_workgroups.x + workgroup_id.x, and the surplus workgroups of the last grid
// row leave at once (the exit is workgroup-uniform, so the barriers below stay in uniform flow).

struct Params {
  rows: u32,
  cols: u32,
  epsilon: f32,
}

// Invocations per workgroup; a power of two (the tree reduction halves it each step).
override WORKGROUP_SIZE: u32 = 64u;
// Feature flags: absent operands are bound to small dummy buffers and never read or written.
override HAS_GAMMA: bool = false;
override HAS_BETA: bool = false;
override WRITE_STATS: bool = false;

@group(0) @binding(0) var<uniform> params: Params;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;

@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> gamma4: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> beta4: array<vec4<f32>>;

@group(0) @binding(5) var<storage, read_write> mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> rstd: array<f32>;

// Running statistics of a set of values: how many, their mean, and the sum of squared deviations.
struct Stats {
  n: f32,
  mean: f32,
  m2: f32,
}

// Chan et al.'s pairwise merge. Empty states (n == 0) pass the other side through unchanged, so
// invocations that own no element of a narrow row do not inject 0/0.
fn merge(a: Stats, b: Stats) -> Stats {
  let n = a.n + b.n;
  if (b.n == 0.0) { return a; }
  if (a.n == 0.0) { return b; }
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

// Welford's single-value update, for the scalar tail.
fn push1(s: Stats, v: f32) -> Stats {
  let n = s.n + 1.0;
  let delta = v - s.mean;
  let m = s.mean + delta / n;
  return Stats(n, m, fma(delta, v - m, s.m2));
}

var<workgroup> wg_n: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_mean: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_m2: array<f32, WORKGROUP_SIZE>;

// Tree merge of every invocation's state; every invocation gets the row's total.
fn reduce_workgroup(s: Stats, lid: u32) -> Stats {
  wg_n[lid] = s.n;
  wg_mean[lid] = s.mean;
  wg_m2[lid] = s.m2;
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half = half / 2u) {
    workgroupBarrier();
    if (lid < half) {
      let m = merge(Stats(wg_n[lid], wg_mean[lid], wg_m2[lid]),
                    Stats(wg_n[lid + half], wg_mean[lid + half], wg_m2[lid + half]));
      wg_n[lid] = m.n;
      wg_mean[lid] = m.mean;
      wg_m2[lid] = m.m2;
    }
  }
  workgroupBarrier();
  return Stats(wg_n[0], wg_mean[0], wg_m2[0]);
}

fn row_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.y * nwg.x + wid.x;
}

// Per-row results the output pass needs: the pivot, the mean of (x - pivot), and rstd.
struct RowNorm {
  pivot: f32,
  mean_d: f32,
  rstd: f32,
}

fn finish(row: u32, pivot: f32, total: Stats, lid: u32) -> RowNorm {
  let variance = total.m2 / f32(params.cols);
  let r = inverseSqrt(variance + params.epsilon);
  if (WRITE_STATS && lid == 0u) {
    mean[row] = pivot + total.mean;
    rstd[row] = r;
  }
  return RowNorm(pivot, total.mean, r);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn layer_norm_vec4(@builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; }
  let cols4 = params.cols / 4u;
  let base = row * cols4;
  let pivot = vec4<f32>(x4[base].x);

  var s = Stats(0.0, 0.0, 0.0);
  for (var c = lid; c < cols4; c += WORKGROUP_SIZE) {
    s = merge(s, stats4(x4[base + c] - pivot));
  }
  let rn = finish(row, pivot.x, reduce_workgroup(s, lid), lid);

  for (var c = lid; c < cols4; c += WORKGROUP_SIZE) {
    var scale = vec4<f32>(rn.rstd);
    if (HAS_GAMMA) { scale *= gamma4[c]; }
    var shift = vec4<f32>(0.0);
    if (HAS_BETA) { shift = beta4[c]; }
    y4[base + c] = fma((x4[base + c] - pivot) - vec4<f32>(rn.mean_d), scale, shift);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn layer_norm_scalar(@builtin(workgroup_id) wid: vec3<u32>,
                     @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let row = row_index(wid, nwg);
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let pivot = x[base];

  // Four strided elements per step keep loads coalesced across the workgroup and merge in groups
  // of four (one division per four elements); the remainder goes one by one.
  var s = Stats(0.0, 0.0, 0.0);
  let stride = WORKGROUP_SIZE;
  var c = lid;
  for (; c + 3u * stride < cols; c += 4u * stride) {
    let v = vec4<f32>(x[base + c], x[base + c + stride], x[base + c + 2u * stride],
                      x[base + c + 3u * stride]);
    s = merge(s, stats4(v - vec4<f32>(pivot)));
  }
  for (; c < cols; c += stride) {
    s = push1(s, x[base + c] - pivot);
  }
  let rn = finish(row, pivot, reduce_workgroup(s, lid), lid);

  for (var j = lid; j < cols; j += stride) {
    var scale = rn.rstd;
    if (HAS_GAMMA) { scale *= gamma[j]; }
    var shift = 0.0;
    if (HAS_BETA) { shift = beta[j]; }
    y[base + j] = fma((x[base + j] - pivot) - rn.mean_d, scale, shift);
  }
}
