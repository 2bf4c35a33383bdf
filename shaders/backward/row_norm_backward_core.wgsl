// The LayerNorm / RMSNorm backward pass (dx, and the per-team dgamma/dbeta partial sums), shared
// by the storage-access kernels (norm_backward_{vec4,scalar,f16}.wgsl), linked with one reduction
// (common/reduce_workgroup.wgsl or common/reduce_subgroup.wgsl) exactly like the forward kernels:
// same team layout, same override names, same reduce_row2 interface. The reductions' entry point
// `main` calls row_norm(group, lid), so this file's entry function carries that name.
//
// Per row, with g = dy * (gamma + GAMMA_OFFSET) and xh = (x - mean) * rstd (RMS: xh = x * rstd):
//   pass 1  S1 = sum(g), S2 = sum(g * xh)   (f32, blocked three-level sums, one row-wide reduction)
//   pass 2  dx = rstd * ((g - S1/n) - xh * (S2/n))   (RMS: S1 term omitted), plus dsum if given;
//           and, in the same loop, dgamma += dy * xh, dbeta += dy for the team's partial row.
// dy and x are re-read in pass 2 rather than cached: on CPU adapters private arrays are memory
// too, and on GPUs the second read of a row just loaded mostly hits cache.
// mean and rstd are the forward pass's outputs; nothing here depends on epsilon.
//
// Layout: a team of THREADS_PER_ROW invocations owns `params.rows_per_team` consecutive rows
// (TEAMS_PER_WORKGROUP teams per workgroup) and walks them ROWS_AT_ONCE at a time (several rows
// at once only for one-row-per-invocation teams: gamma is then loaded once per chunk for all of
// them, and the dgamma/dbeta partials are written once per group of rows). Team k's partial row
// is slots 2k (dgamma) and 2k + 1 (dbeta) of the scratch buffer: the first group of rows stores
// it, later groups add to it (the same invocation, the same addresses: no barrier, fixed order).
// norm_param_grad_final.wgsl then adds the teams' partials in team order, so dgamma/dbeta are
// bit-identical from run to run (no float atomics).
//
// Interface the including file provides:
//   fn io_base(row) -> u32                the row's first index in the kernel's view; the
//                                         functions below take it as `base`
//   fn io_dy(base, c) -> vec4<f32>, fn io_x(base, c) -> vec4<f32>, fn io_dsum(base, c) -> vec4<f32>
//       chunk c (elements 4c..4c+3) of the row, zeros past the end of the row
//   fn io_gamma(c) -> vec4<f32>, fn io_mean(row) -> f32, fn io_rstd(row) -> f32
//   fn io_store(base, c, v: vec4<f32>)    writes the valid lanes of chunk c of dx
//   fn io_partial_get(slot, c) -> vec4<f32>, fn io_partial_set(slot, c, v: vec4<f32>)
//       chunk c of partial row `slot` (cols f32 each); only valid lanes need be kept

struct Params {
  rows: u32,
  cols: u32,
  // Rows per team (a multiple of ROWS_AT_ONCE except perhaps for the last team's share).
  rows_per_team: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

override WORKGROUP_SIZE: u32 = 64u;
override THREADS_PER_ROW: u32 = 64u;
override TEAMS_PER_WORKGROUP: u32 = WORKGROUP_SIZE / THREADS_PER_ROW;
// Rows one invocation works on together: 1, 2 or 4 (one-row-per-invocation teams only; a team of
// several invocations always takes one row at a time, GROUP_ROWS = 1).
override ROWS_AT_ONCE: u32 = 1u;
override GROUP_ROWS: u32 = select(1u, ROWS_AT_ONCE, THREADS_PER_ROW == 1u);
override HAS_GAMMA: bool = false;
override GAMMA_OFFSET: f32 = 0.0;
override RMS: bool = false;
// Fused add ops: dx also receives the gradient that reached the forward op's `sum` output.
override HAS_DSUM: bool = false;
// Accumulate the dgamma (sum dy * xh) / dbeta (sum dy) partial rows.
override DGAMMA: bool = false;
override DBETA: bool = false;

// Per-invocation sums run in blocks of BLOCK chunks, BLOCK blocks to a super-block, super-blocks
// then added to the total (three-level summation, as in ../row-norm/row_norm_core.wgsl): an
// invocation that owns a long row (each of a lone 2^25-wide row's team of 4 has 2^21 chunks) would
// otherwise add thousands of blocks to one running total, and once a large term (an outlier of g
// or g * xh) is in it, every small block added after it would lose its low bits; this keeps
// rounding ~(2·BLOCK + n / BLOCK²). Up to BLOCK² chunks per invocation this is bit-identical to
// two levels (0 + sum is exact).
const BLOCK: u32 = 32u;

// total + u with Kahan's compensation `e` (what the previous additions lost): the super-blocks of
// one invocation of a very wide row all round the same way when the outliers' total dwarfs them
// (2048 super-blocks each for the team of 4 of a lone 2^25-wide row), and three levels alone then
// left LayerNorm's dx at 1.3x its tolerance (dy = x̂ + 0.01 noise); compensated, the top level adds
// no error of its own. The first addition to a zero total is exact with e = 0, so up to BLOCK²
// chunks per invocation this is bit-identical to a plain sum.
fn add_compensated(total: vec2<f32>, u: vec2<f32>, e: ptr<function, vec2<f32>>) -> vec2<f32> {
  let v = u - *e;
  let sum = total + v;
  *e = (sum - total) - v;
  return sum;
}

// gamma (+ offset) for chunk c, loaded once per chunk for all rows of a group.
// (`+ 0.0` is only added when the offset is not 0: the compiler may not drop it under IEEE rules.)
fn scale_of(c: u32) -> vec4<f32> {
  if (HAS_GAMMA) {
    if (GAMMA_OFFSET != 0.0) { return io_gamma(c) + vec4<f32>(GAMMA_OFFSET); }
    return io_gamma(c);
  }
  return vec4<f32>(1.0 + GAMMA_OFFSET);
}

// g = dy * scale, skipping the multiply when the scale is 1 (no gamma, no offset).
fn scaled(upstream: vec4<f32>, s: vec4<f32>) -> vec4<f32> {
  if (!HAS_GAMMA && GAMMA_OFFSET == 0.0) { return upstream; }
  return upstream * s;
}

// x - mean (RMS: x).
fn centered(v: vec4<f32>, m: f32) -> vec4<f32> {
  if (RMS) { return v; }
  return v - vec4<f32>(m);
}

// A row of a group: its storage base, statistics, and its weight in the dgamma/dbeta sums (0 for
// the duplicates that pad a short last group: they recompute and rewrite a real row's dx, which
// stores the same bits, but must not be counted twice).
struct Slot {
  base: u32,
  m: f32,
  r: f32,
  w: f32,
}

fn slot_of(r0: u32, k: u32, live: u32) -> Slot {
  var s: Slot;
  let row = r0 + min(k, live - 1u);
  s.base = io_base(row);
  s.m = 0.0;
  if (!RMS) { s.m = io_mean(row); }
  s.r = io_rstd(row);
  s.w = select(0.0, 1.0, k < live);
  return s;
}

// Coefficients of pass 2 for one row: dx = ((g - mg) - xh * mgx) * r.
fn coefficients(sg: f32, sgx: f32, s: Slot) -> vec2<f32> {
  let n = f32(params.cols);
  return vec2<f32>(select(sg / n, 0.0, RMS), s.r * sgx / n);
}

// Writes chunk c of one row's dx from its dy and xh.
fn dx_chunk(upstream: vec4<f32>, xhat: vec4<f32>, scale: vec4<f32>, s: Slot, k: vec2<f32>, c: u32) {
  var d = ((scaled(upstream, scale) - vec4<f32>(k.x)) - xhat * k.y) * s.r;
  if (HAS_DSUM) { d += io_dsum(s.base, c); }
  io_store(s.base, c, d);
}

// Rows r0 .. r0 + live - 1 (live <= GROUP_ROWS; 0 = none: the invocation only joins the
// reduction).
// `fresh`: the team's first group, which stores its partial row instead of adding to it.
// `second`: which of the reduction's two buffers (alternating between groups, so that one group's
// reduction never overwrites what a slower invocation still reads of the previous one).
fn rows_group(team: u32, r0: u32, live: u32, fresh: bool, t: u32, lid: u32, second: bool) {
  let chunks = select(0u, (params.cols + 3u) / 4u, live > 0u);
  var s0: Slot;
  var s1: Slot;
  var s2: Slot;
  var s3: Slot;
  if (live > 0u) {
    s0 = slot_of(r0, 0u, live);
    if (GROUP_ROWS > 1u) { s1 = slot_of(r0, 1u, live); }
    if (GROUP_ROWS > 2u) {
      s2 = slot_of(r0, 2u, live);
      s3 = slot_of(r0, 3u, live);
    }
  }

  // Where a one-invocation team starts along its rows (common/chunk_rotation.wgsl); a team of
  // several invocations walks from chunk t in steps of THREADS_PER_ROW and is never rotated. The
  // per-column dgamma/dbeta partials add the same terms in the same row order either way.
  let rot = select(0u, rotation_start(team, chunks), THREADS_PER_ROW == 1u);

  // Pass 1: per row, sum(g) and sum(g * (x - mean)) (rstd applied to the total). Lanes past the
  // row's end have dy = 0, so both vanish there without a mask.
  var t0 = vec2<f32>(0.0);
  var t1 = vec2<f32>(0.0);
  var t2 = vec2<f32>(0.0);
  var t3 = vec2<f32>(0.0);
  // The totals' compensations (see add_compensated).
  var e0 = vec2<f32>(0.0);
  var e1 = vec2<f32>(0.0);
  var e2 = vec2<f32>(0.0);
  var e3 = vec2<f32>(0.0);
  var c = t;
  while (c < chunks) {
    // A super-block: up to BLOCK blocks of BLOCK of this invocation's chunks, summed apart from
    // the total (see BLOCK).
    let super_end = min(c + BLOCK * BLOCK * THREADS_PER_ROW, chunks);
    var u0 = vec2<f32>(0.0);
    var u1 = vec2<f32>(0.0);
    var u2 = vec2<f32>(0.0);
    var u3 = vec2<f32>(0.0);
    while (c < super_end) {
      let end = min(c + BLOCK * THREADS_PER_ROW, super_end);
      var a0 = vec4<f32>(0.0);
      var b0 = vec4<f32>(0.0);
      var a1 = vec4<f32>(0.0);
      var b1 = vec4<f32>(0.0);
      var a2 = vec4<f32>(0.0);
      var b2 = vec4<f32>(0.0);
      var a3 = vec4<f32>(0.0);
      var b3 = vec4<f32>(0.0);
      for (; c < end; c += THREADS_PER_ROW) {
        let k = rotated(c, rot, chunks);
        let sc = scale_of(k);
        let g0 = scaled(io_dy(s0.base, k), sc);
        a0 += g0;
        b0 = fma(g0, centered(io_x(s0.base, k), s0.m), b0);
        if (GROUP_ROWS > 1u) {
          let g1 = scaled(io_dy(s1.base, k), sc);
          a1 += g1;
          b1 = fma(g1, centered(io_x(s1.base, k), s1.m), b1);
        }
        if (GROUP_ROWS > 2u) {
          let g2 = scaled(io_dy(s2.base, k), sc);
          a2 += g2;
          b2 = fma(g2, centered(io_x(s2.base, k), s2.m), b2);
          let g3 = scaled(io_dy(s3.base, k), sc);
          a3 += g3;
          b3 = fma(g3, centered(io_x(s3.base, k), s3.m), b3);
        }
      }
      u0 += vec2<f32>(horizontal(a0), horizontal(b0));
      if (GROUP_ROWS > 1u) { u1 += vec2<f32>(horizontal(a1), horizontal(b1)); }
      if (GROUP_ROWS > 2u) {
        u2 += vec2<f32>(horizontal(a2), horizontal(b2));
        u3 += vec2<f32>(horizontal(a3), horizontal(b3));
      }
    }
    t0 = add_compensated(t0, u0, &e0);
    if (GROUP_ROWS > 1u) { t1 = add_compensated(t1, u1, &e1); }
    if (GROUP_ROWS > 2u) {
      t2 = add_compensated(t2, u2, &e2);
      t3 = add_compensated(t3, u3, &e3);
    }
  }
  // Several rows at once only without a team (GROUP_ROWS > 1 implies THREADS_PER_ROW = 1), where
  // reduce_row2 returns its argument: rows 1-3 need no reduction.
  t0 = reduce_row2(t0, lid, t, second);
  let k0 = coefficients(t0.x, t0.y, s0);
  let k1 = coefficients(t1.x, t1.y, s1);
  let k2 = coefficients(t2.x, t2.y, s2);
  let k3 = coefficients(t3.x, t3.y, s3);

  // Pass 2: dx, and the group's contribution to the partial rows (padding rows weigh 0).
  let slot = 2u * team;
  for (var ci = t; ci < chunks; ci += THREADS_PER_ROW) {
    let c = rotated(ci, rot, chunks);
    let sc = scale_of(c);
    let dy0 = io_dy(s0.base, c);
    let xh0 = centered(io_x(s0.base, c), s0.m) * s0.r;
    dx_chunk(dy0, xh0, sc, s0, k0, c);
    var pg = dy0 * xh0;
    var pb = dy0;
    if (GROUP_ROWS > 1u) {
      let dy1 = io_dy(s1.base, c);
      let xh1 = centered(io_x(s1.base, c), s1.m) * s1.r;
      dx_chunk(dy1, xh1, sc, s1, k1, c);
      let w1 = dy1 * s1.w;
      pg = fma(w1, xh1, pg);
      pb += w1;
    }
    if (GROUP_ROWS > 2u) {
      let dy2 = io_dy(s2.base, c);
      let xh2 = centered(io_x(s2.base, c), s2.m) * s2.r;
      dx_chunk(dy2, xh2, sc, s2, k2, c);
      let w2 = dy2 * s2.w;
      pg = fma(w2, xh2, pg);
      pb += w2;
      let dy3 = io_dy(s3.base, c);
      let xh3 = centered(io_x(s3.base, c), s3.m) * s3.r;
      dx_chunk(dy3, xh3, sc, s3, k3, c);
      let w3 = dy3 * s3.w;
      pg = fma(w3, xh3, pg);
      pb += w3;
    }
    if (DGAMMA) {
      if (!fresh) { pg = io_partial_get(slot, c) + pg; }
      io_partial_set(slot, c, pg);
    }
    if (DBETA) {
      if (!fresh) { pb = io_partial_get(slot + 1u, c) + pb; }
      io_partial_set(slot + 1u, c, pb);
    }
  }
}

// `group` is the linear workgroup index (grids beyond maxComputeWorkgroupsPerDimension fold
// into 2D); `lid` the local invocation index.
fn row_norm(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let team = group * TEAMS_PER_WORKGROUP + lid / THREADS_PER_ROW;
  let first = team * params.rows_per_team;
  let end = min(first + params.rows_per_team, params.rows);
  // The loop bound is uniform (a team past the last row, or one with a short share, still runs
  // every group with live = 0): the reductions inside need every invocation in uniform control
  // flow.
  var second = false;
  for (var i = 0u; i < params.rows_per_team; i += GROUP_ROWS) {
    let r0 = first + i;
    let live = select(0u, min(end - r0, GROUP_ROWS), r0 < end);
    rows_group(team, r0, live, i == 0u, t, lid, second);
    second = !second;
  }
}

// #include "../common/horizontal.wgsl"
// #include "../common/chunk_rotation.wgsl"
