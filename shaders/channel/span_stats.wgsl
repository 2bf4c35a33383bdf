// Shifted sums over a contiguous span of x, with the guard and the exact second pass: pass 1's
// invocation layout (`partials_span`, channel_partials.wgsl) and the fused GroupNorm
// (group-norm/group_norm_fused.wgsl), which owns a whole group. The including module declares
// `x4: array<vec4<u32>>` (the same range as `x`, 16 bytes per load) and includes stats_x.wgsl.

// #include "../common/horizontal.wgsl"
// #include "../common/shifted_sums.wgsl"

// Loop steps (vectors or positions) per separately summed block in the invocation layout.
const SUM_BLOCK: u32 = 32u;

// Sums of d = x - center and d^2 over elements [begin, end): scalars up to a 16-byte boundary, then
// whole vectors (four of four f32, or one of eight f16, per iteration), then scalars again.
fn span_sums(begin: u32, end: u32, center: f32) -> vec2<f32> {
  let per = select(4u, 8u, F16);
  var a1 = 0.0;
  var a2 = 0.0;
  var e = begin;
  let head = min(end, (begin + per - 1u) / per * per);
  for (; e < head; e++) {
    let d = load_x(e) - center;
    a1 += d;
    a2 = fma(d, d, a2);
  }
  let c4 = vec4<f32>(center);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  let wend = end / per;
  var w = e / per;
  // Two levels of blocks: SUM_BLOCK vectors per block, SUM_BLOCK blocks per super-block, so a whole
  // group (group_norm_fused: 40k-160k elements) accumulates rounding over a few dozen additions per
  // level rather than over (elements / 128) block sums. Spans of partials_span (at most 4096
  // elements, 1024 vectors) fit one super-block, where this is bit-identical to one level
  // (0 + sum is exact).
  if (F16) {
    while (w < wend) {
      let super_end = min(w + SUM_BLOCK * SUM_BLOCK, wend);
      var t1 = vec4<f32>(0.0);
      var t2 = vec4<f32>(0.0);
      while (w < super_end) {
        let block_end = min(w + SUM_BLOCK, super_end);
        var b1 = vec4<f32>(0.0);
        var b2 = vec4<f32>(0.0);
        for (; w < block_end; w++) {
          let v = x4[w];
          let d0 = f16_unpack4(v.x, v.y) - c4;
          let d1 = f16_unpack4(v.z, v.w) - c4;
          b1 += d0 + d1;
          b2 = fma(d0, d0, fma(d1, d1, b2));
        }
        t1 += b1;
        t2 += b2;
      }
      s1 += t1;
      s2 += t2;
    }
  } else {
    while (w + 3u < wend) {
      let super_end = min(w + SUM_BLOCK * SUM_BLOCK, wend);
      var t1 = vec4<f32>(0.0);
      var t2 = vec4<f32>(0.0);
      while (w + 3u < super_end) {
        let block_end = min(w + SUM_BLOCK, super_end);
        var b1 = vec4<f32>(0.0);
        var b2 = vec4<f32>(0.0);
        for (; w + 3u < block_end; w += 4u) {
          let d0 = bitcast<vec4<f32>>(x4[w]) - c4;
          let d1 = bitcast<vec4<f32>>(x4[w + 1u]) - c4;
          let d2 = bitcast<vec4<f32>>(x4[w + 2u]) - c4;
          let d3 = bitcast<vec4<f32>>(x4[w + 3u]) - c4;
          b1 += (d0 + d1) + (d2 + d3);
          b2 += fma(d0, d0, d1 * d1) + fma(d2, d2, d3 * d3);
        }
        t1 += b1;
        t2 += b2;
      }
      s1 += t1;
      s2 += t2;
    }
    for (; w < wend; w++) {
      let d = bitcast<vec4<f32>>(x4[w]) - c4;
      s1 += d;
      s2 = fma(d, d, s2);
    }
  }
  for (e = max(e, wend * per); e < end; e++) {
    let d = load_x(e) - center;
    a1 += d;
    a2 = fma(d, d, a2);
  }
  return vec2<f32>(horizontal(s1) + a1, horizontal(s2) + a2);
}

// M2 = sum(d^2) - n m1^2 can round slightly below zero; select() clamps it and keeps NaN (max()
// may turn NaN into 0 on some implementations).
fn clamp_m2(m2: vec4<f32>) -> vec4<f32> {
  return select(m2, vec4<f32>(0.0), m2 < vec4<f32>(0.0));
}

// (center, m1, M2) of elements [begin, end): shifted sums around the span's first element, kept
// when common/shifted_sums.wgsl's guard allows, else summed again around center = pivot + m1 (the
// exact second pass). The mean is center + m1; M2 is clamped at 0.
fn span_stats(begin: u32, end: u32) -> vec3<f32> {
  let n = f32(end - begin);
  let pivot = load_x(begin);
  var center = pivot;
  var t = span_sums(begin, end, center);
  var m1 = t.x / n;
  if (!shifted_sums_kept(m1, t.y / n)) {
    center = pivot + m1;
    t = span_sums(begin, end, center);
    m1 = t.x / n;
  }
  return vec3<f32>(center, m1, clamp_m2(vec4<f32>(t.y - t.x * m1)).x);
}

