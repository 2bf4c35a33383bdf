// Split rows (SPLIT_SEGMENTS > 1): a row is cut into SPLIT_SEGMENTS segments of whole chunks and
// each segment gets its own team (THREADS_PER_ROW invocations, ROWS_PER_WORKGROUP segments per
// workgroup), so a few very wide rows (decode: 1 token x 4096+) spread over many workgroups
// instead of leaving most of the device idle behind one workgroup per row. Two dispatches of the
// same module, told apart by SPLIT_PHASE, recorded back to back (WebGPU makes the first one's
// storage writes visible to the second):
//   phase 1 (split_partials): each segment's partial statistic into `partials`
//            (row-major, SPLIT_SEGMENTS per row): (count, hi, lo, M2), the segment's mean being
//            hi + lo; RMSNorm: (count, 0, 0, sum of x^2). The fused add kernels also write sum here
//            (io_load).
//   phase 2 (split_apply): each segment's team merges its row's partials in segment order (so
//            every team of a row derives bit-identical statistics, deterministically), writes
//            mean/rstd once per row (segment 0) and normalizes its own segment.
//
// Numerics of a partial (the guarded statistics of row_norm_team, on a segment): the segment is
// shifted by a local pivot, its first element (x - local pivot is exact for data with a large
// common offset); the shifted one-pass sums are kept when m1^2 <= 0.875 q, otherwise the segment
// takes the exact corrected second pass around center2 = local pivot + m1 (the reduction always
// runs, over no chunks when not needed, so control flow stays uniform). The mean is kept as the
// pair (hi, lo) = (local pivot, m1) or (center2, corr): one f32 relative to a far reference (a
// pivot 100 standard deviations out, say) would lose ulp(100 sigma), the digits the exact pass
// recovered. The merge takes segment 0's hi as the row's reference and merges the means
// (hi - ref) + lo with Chan's formula; y = ((x - ref) - mean) * rstd. RMSNorm's partials have mean
// 0, so the merge reduces to adding the sums of squares. A NaN or Inf anywhere in a row makes its
// merged M2 (or its reference) non-finite, and rstd_of gives that row NaN; partials are per row,
// so no other row is touched.
// Requires CACHED_CHUNKS = 0 and ROWS_PER_INVOCATION = 1 (checked in src/kernels/variant.ts).

// 0: the single-dispatch kernel; 1: partials; 2: merge + apply.
override SPLIT_PHASE: u32 = 0u;
override SPLIT_SEGMENTS: u32 = 1u;

// Binding 8: after every kernel file's own bindings (the fused add kernels use 1..7).
@group(0) @binding(8) var<storage, read_write> partials: array<vec4<f32>>;

// A segment's place: its row, its chunk range [start, stop), the end of its full chunks and
// whether it holds the row's partial last chunk.
struct Segment {
  row: u32,
  seg: u32,
  in_range: bool,
  start: u32,
  stop: u32,
  full: u32,
  tail: bool,
}

fn segment_of(unit: u32) -> Segment {
  var s: Segment;
  s.row = unit / SPLIT_SEGMENTS;
  s.seg = unit % SPLIT_SEGMENTS;
  s.in_range = s.row < params.rows;
  let chunks = (params.cols + 3u) / 4u;
  let per = (chunks + SPLIT_SEGMENTS - 1u) / SPLIT_SEGMENTS;
  s.start = min(s.seg * per, chunks);
  // Rows out of range own no chunks (the loops contain no barriers).
  s.stop = select(s.start, min(s.start + per, chunks), s.in_range);
  let full_row = params.cols / 4u;
  s.full = min(s.stop, full_row);
  s.tail = s.stop > full_row;
  return s;
}

fn split_partials(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let s = segment_of(group * ROWS_PER_WORKGROUP + lid / THREADS_PER_ROW);
  let base = io_base(select(0u, s.row, s.in_range));
  let count = f32(min(4u * s.stop, params.cols) - min(4u * s.start, params.cols));
  var lp = 0.0;
  if (s.stop > s.start && !RMS) { lp = io_first(base, s.start); }
  let tot1 = reduce_row2(shifted_sums(base, s.start + t, s.full, s.tail, lp), lid, t, false);
  // An empty segment (more segments than chunks) keeps count 0 and is skipped by the merge.
  let n = max(count, 1.0);
  let m1 = tot1.x / n;
  let q = tot1.y / n;
  // (count, hi, lo, M2): the segment's mean is hi + lo, hi an f32 near it, lo a small correction.
  var p = vec4<f32>(count, 0.0, 0.0, tot1.y);
  if (!RMS) {
    p = vec4<f32>(count, lp, m1, tot1.y - n * m1 * m1);
    let exact = !shifted_sums_kept(m1, q);
    let center2 = lp + m1;
    let mine = deviation_sums(base, s.start + t, select(s.start, s.full, exact), s.tail && exact, center2);
    let tot2 = reduce_row2(mine, lid, t, true);
    if (exact) {
      let corr = tot2.x / n;
      p = vec4<f32>(count, center2, corr, tot2.y - n * corr * corr);
    }
  }
  if (s.in_range && t == 0u) { partials[s.row * SPLIT_SEGMENTS + s.seg] = p; }
}

fn split_apply(group: u32, lid: u32) {
  let t = lid % THREADS_PER_ROW;
  let s = segment_of(group * ROWS_PER_WORKGROUP + lid / THREADS_PER_ROW);
  // No barrier or subgroup operation below, so out-of-range invocations may leave at once.
  if (!s.in_range) { return; }
  let base = io_base(s.row);
  let first = s.row * SPLIT_SEGMENTS;
  // The row's reference: segment 0's hi (segment 0 is never empty), within a few standard
  // deviations of the row's mean for all but strongly drifting rows. Each segment's mean relative
  // to it is (hi - ref) + lo, the subtraction exact for offset data.
  var center = 0.0;
  if (!RMS) { center = partials[first].y; }
  // Chan et al.'s merge, in segment order.
  var cnt = 0.0;
  var merged = 0.0;
  var m2 = 0.0;
  for (var i = 0u; i < SPLIT_SEGMENTS; i += 1u) {
    let p = partials[first + i];
    if (p.x > 0.0) {
      let total = cnt + p.x;
      let delta = ((p.y - center) + p.z) - merged;
      merged += delta * (p.x / total);
      m2 += p.w + delta * delta * (cnt * (p.x / total));
      cnt = total;
    }
  }
  let r = rstd_of(m2);
  if (WRITE_STATS && s.seg == 0u && t == 0u) { io_stats(s.row, center + merged, r); }
  let n_mine = select(s.full, s.full + 1u, s.tail);
  var c = s.start + t;
  for (; c + THREADS_PER_ROW < n_mine; c += 2u * THREADS_PER_ROW) {
    let c1 = c + THREADS_PER_ROW;
    let v0 = io_reload(base, c);
    let v1 = io_reload(base, c1);
    io_store(base, c, finish_chunk(c, v0, center, merged, r));
    io_store(base, c1, finish_chunk(c1, v1, center, merged, r));
  }
  if (c < n_mine) {
    io_store(base, c, finish_chunk(c, io_reload(base, c), center, merged, r));
  }
}
