// The (count, mean, M2) state of a set of values and its merges, shared by pass 1's workgroup
// layout (channel_partials.wgsl) and pass 2 (channel_merge.wgsl). The including module declares
// `override WORKGROUP_SIZE: u32` and `override CHANNEL_LANES: u32` (the workgroup memory and the
// lanes of reduce_lanes).

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
