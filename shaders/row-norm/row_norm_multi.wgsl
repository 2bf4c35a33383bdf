// Several rows per invocation (ROWS_PER_INVOCATION = 2 or 4, THREADS_PER_ROW = 1): the layout for
// CPU implementations of WebGPU (SwiftShader), included by common/row_norm.wgsl and entered from
// common/reduce_workgroup.wgsl's `main`.
//
// Why: where an invocation is a SIMD lane of a CPU core, what costs is the number of memory
// instructions and loop iterations, not bandwidth. gamma and beta cost as much to load as x, so
// one row per invocation spends 4 of its 6 vector memory operations per chunk on x and y and 2 on
// gamma/beta; with four rows per invocation each gamma/beta chunk is loaded once and used four
// times, and one loop iteration carries four rows (measured on SwiftShader at 4096 x 1024:
// ~1.45x faster than one row per invocation). The four rows' code is written out slot by slot:
// a loop over an array of per-row state would put that state in memory there.
//
// Numerics are those of row_norm for one row per invocation: per-row pivot, blocked shifted sums,
// the guarded one-pass statistics with the exact second pass for rows that need it.
//
// The last invocation may get fewer than ROWS_PER_INVOCATION rows: its spare slots repeat its first
// row. They then load, compute and store exactly what slot 0 does, from the same invocation, so
// loops stay free of per-slot tests and nothing is written that slot 0 does not write too.
//
// On rows that alias in L1, each invocation starts its four rows at its own chunk and wraps round
// (common/chunk_rotation.wgsl).

override ROWS_PER_INVOCATION: u32 = 1u;

// One row's (center, corr, rstd) from its pass-1 sums, as row_norm_team computes them with
// THREADS_PER_ROW = 1 (including the exact second pass when the guard asks for it).
fn single_row_stats(base: u32, full: u32, tail: bool, pivot: f32, sums: vec2<f32>) -> vec3<f32> {
  let exact = needs_exact_pass(sums);
  var dev = vec2<f32>(0.0);
  if (exact) { dev = deviation_sums(base, 0u, full, tail, pivot + sums.x / f32(params.cols)); }
  return stats_from(pivot, sums, exact, dev);
}

fn sums_of(d: vec4<f32>, d2: vec4<f32>) -> vec2<f32> {
  return vec2<f32>(horizontal(d), horizontal(d2));
}

fn row_norm_multi(group: u32, lid: u32) {
  let first = (group * WORKGROUP_SIZE + lid) * ROWS_PER_INVOCATION;
  // No barrier or subgroup operation below, so out-of-range invocations may leave at once.
  if (first >= params.rows) { return; }
  let row1 = select(first, first + 1u, first + 1u < params.rows);
  let row2 = select(first, first + 2u, first + 2u < params.rows && ROWS_PER_INVOCATION > 2u);
  let row3 = select(first, first + 3u, first + 3u < params.rows && ROWS_PER_INVOCATION > 2u);
  let b0 = io_base(first);
  let b1 = io_base(row1);
  let b2 = io_base(row2);
  let b3 = io_base(row3);
  let full = params.cols / 4u;
  let tail = (params.cols % 4u) != 0u;
  let chunks = select(full, full + 1u, tail);
  let four = ROWS_PER_INVOCATION > 2u;
  // Where this invocation starts along its rows (common/chunk_rotation.wgsl): pass 1 walks the
  // full chunks, the output every chunk.
  let invocation = group * WORKGROUP_SIZE + lid;
  let rot = rotation_start(invocation, full);
  let rot_out = rotation_start(invocation, chunks);

  var p = vec4<f32>(0.0);
  if (!RMS) {
    p.x = io_pivot(b0);
    p.y = io_pivot(b1);
    if (four) {
      p.z = io_pivot(b2);
      p.w = io_pivot(b3);
    }
  }
  // Per-row sums of d and d^2 over the full chunks (blocks of BLOCK chunks, BLOCK blocks to a
  // super-block: see BLOCK in row_norm_core.wgsl); the partial last chunk, if any, is added after
  // the loop so the hot loop has no test.
  var s0 = vec2<f32>(0.0);
  var s1 = vec2<f32>(0.0);
  var s2 = vec2<f32>(0.0);
  var s3 = vec2<f32>(0.0);
  var c = 0u;
  while (c < full) {
    let super_end = min(c + BLOCK * BLOCK, full);
    var t0 = vec2<f32>(0.0);
    var t1 = vec2<f32>(0.0);
    var t2 = vec2<f32>(0.0);
    var t3 = vec2<f32>(0.0);
    while (c < super_end) {
      let end = min(c + BLOCK, super_end);
      var a0 = vec4<f32>(0.0);
      var q0 = vec4<f32>(0.0);
      var a1 = vec4<f32>(0.0);
      var q1 = vec4<f32>(0.0);
      var a2 = vec4<f32>(0.0);
      var q2 = vec4<f32>(0.0);
      var a3 = vec4<f32>(0.0);
      var q3 = vec4<f32>(0.0);
      for (; c < end; c += 1u) {
        let k = rotated(c, rot, full);
        let d0 = io_load(b0, k) - vec4<f32>(p.x);
        a0 += d0;
        q0 = fma(d0, d0, q0);
        let d1 = io_load(b1, k) - vec4<f32>(p.y);
        a1 += d1;
        q1 = fma(d1, d1, q1);
        if (four) {
          let d2 = io_load(b2, k) - vec4<f32>(p.z);
          a2 += d2;
          q2 = fma(d2, d2, q2);
          let d3 = io_load(b3, k) - vec4<f32>(p.w);
          a3 += d3;
          q3 = fma(d3, d3, q3);
        }
      }
      t0 += sums_of(a0, q0);
      t1 += sums_of(a1, q1);
      t2 += sums_of(a2, q2);
      t3 += sums_of(a3, q3);
    }
    s0 += t0;
    s1 += t1;
    s2 += t2;
    s3 += t3;
  }
  if (tail) {
    let mask = chunk_mask(full);
    let d0 = (io_load(b0, full) - vec4<f32>(p.x)) * mask;
    s0 += sums_of(d0, d0 * d0);
    let d1 = (io_load(b1, full) - vec4<f32>(p.y)) * mask;
    s1 += sums_of(d1, d1 * d1);
    if (four) {
      let d2 = (io_load(b2, full) - vec4<f32>(p.z)) * mask;
      s2 += sums_of(d2, d2 * d2);
      let d3 = (io_load(b3, full) - vec4<f32>(p.w)) * mask;
      s3 += sums_of(d3, d3 * d3);
    }
  }

  let st0 = single_row_stats(b0, full, tail, p.x, s0);
  let st1 = single_row_stats(b1, full, tail, p.y, s1);
  var st2 = vec3<f32>(0.0);
  var st3 = vec3<f32>(0.0);
  if (four) {
    st2 = single_row_stats(b2, full, tail, p.z, s2);
    st3 = single_row_stats(b3, full, tail, p.w, s3);
  }
  if (WRITE_STATS) {
    io_stats(first, st0.x + st0.y, st0.z);
    io_stats(row1, st1.x + st1.y, st1.z);
    if (four) {
      io_stats(row2, st2.x + st2.y, st2.z);
      io_stats(row3, st3.x + st3.y, st3.z);
    }
  }

  // Output: gamma/beta once per chunk for all rows.
  for (var ci = 0u; ci < chunks; ci += 1u) {
    let co = rotated(ci, rot_out, chunks);
    let a = affine_at(co);
    io_store(b0, co, finish_with(io_reload(b0, co), st0, a));
    io_store(b1, co, finish_with(io_reload(b1, co), st1, a));
    if (four) {
      io_store(b2, co, finish_with(io_reload(b2, co), st2, a));
      io_store(b3, co, finish_with(io_reload(b3, co), st3, a));
    }
  }
}

// #include "../common/chunk_rotation.wgsl"
