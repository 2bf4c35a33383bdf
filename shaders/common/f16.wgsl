// IEEE binary16 storage for devices without `shader-f16`: halves travel packed two per u32
// (element 2k in the low 16 bits, 2k+1 in the high bits, i.e. little-endian Uint16Array order)
// and all arithmetic happens in f32.
//
// The conversions are done on the bits rather than with pack2x16float/unpack2x16float because
// WGSL leaves those indeterminate out of range and lets implementations flush subnormals or pick
// either neighbour when rounding. Here f32 -> f16 rounds to nearest-even, overflows to +-Inf
// (|v| >= 65520), keeps NaN and produces subnormals: bit-identical to src/f16.ts.

// True where WGSL's unpack2x16float gives every half exactly on this device, subnormals included
// (probed once per device by src/core/f16-probe.ts: all 65536 halves against f16_to_f32 with
// this left false). Then every conversion from f16 below is the built-in, bare. The row norms,
// GroupNorm/BatchNorm and the backward passes set it where the probe passed; lpNorm does not: its
// element-wise reads measured 1.5-1.6x slower with it on llvmpipe (docs/cpu-adapter-experiments.md).
// False, the default, is exact everywhere. A pipeline constant: the branches on it are resolved
// when the pipeline is made.
override F16_UNPACK_EXACT: bool = false;

// binary16 bits (low 16 bits of `bits`) -> f32, exact for every value including subnormals.
fn f16_to_f32(bits: u32) -> f32 {
  if (F16_UNPACK_EXACT) { return unpack2x16float(bits).x; }
  let sign = (bits & 0x8000u) << 16u;
  let e = (bits >> 10u) & 0x1fu;
  let m = bits & 0x3ffu;
  if (e == 0u) {
    // zero or subnormal: m * 2^-24
    let mag = f32(m) * 5.9604644775390625e-8;
    return select(mag, -mag, sign != 0u);
  }
  if (e == 31u) {
    return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
  }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

// f32 -> binary16 bits (in the low 16 bits), round to nearest, ties to even.
fn f32_to_f16(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  let sign = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return sign | 0x7e00u; }          // NaN (quiet)
  if (a >= 0x477ff000u) { return sign | 0x7c00u; }         // >= 65520 rounds to Inf
  if (a >= 0x38800000u) {                                   // normal: >= 2^-14
    let r = a - 0x38000000u;                                // rebias exponent 127 -> 15
    return sign | ((r + 0xfffu + ((r >> 13u) & 1u)) >> 13u);
  }
  if (a < 0x33000000u) { return sign; }                     // < 2^-25 rounds to +-0
  let e = a >> 23u;                                         // 102..112
  let mant = (a & 0x7fffffu) | 0x800000u;
  let shift = 126u - e;                                     // 14..24
  var q = mant >> shift;
  let rem = mant & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (q & 1u) == 1u)) { q += 1u; }
  return sign | q;
}

// Element `i` of a packed f16 array, given the word holding it.
fn f16_select(word: u32, i: u32) -> f32 {
  return f16_to_f32(select(word & 0xffffu, word >> 16u, (i & 1u) == 1u));
}

// Two f32 values as one packed word (lo = element 2k).
fn f16_pack(lo: f32, hi: f32) -> u32 {
  return f32_to_f16(lo) | (f32_to_f16(hi) << 16u);
}

// Four binary16 values (low 16 bits of each lane) -> f32, branch-free; same results as f16_to_f32.
fn f16x4_to_f32(bits: vec4<u32>) -> vec4<f32> {
  if (F16_UNPACK_EXACT) {
    return vec4<f32>(unpack2x16float(bits.x).x, unpack2x16float(bits.y).x, unpack2x16float(bits.z).x, unpack2x16float(bits.w).x);
  }
  let sign = (bits & vec4<u32>(0x8000u)) << vec4<u32>(16u);
  let e = (bits >> vec4<u32>(10u)) & vec4<u32>(0x1fu);
  let m = bits & vec4<u32>(0x3ffu);
  let normal = bitcast<vec4<f32>>(sign | ((e + vec4<u32>(112u)) << vec4<u32>(23u)) | (m << vec4<u32>(13u)));
  let special = bitcast<vec4<f32>>(sign | vec4<u32>(0x7f800000u) | (m << vec4<u32>(13u)));
  let mag = vec4<f32>(m) * 5.9604644775390625e-8;
  let sub = select(mag, -mag, sign != vec4<u32>(0u));
  return select(select(normal, special, e == vec4<u32>(31u)), sub, e == vec4<u32>(0u));
}

// The four halves packed in two words (element 2k in the low half of each), as f32.
fn f16_unpack4(a: u32, b: u32) -> vec4<f32> {
  return f16x4_to_f32(vec4<u32>(a & 0xffffu, a >> 16u, b & 0xffffu, b >> 16u));
}

// The four halves packed in two words, as f32: f16_unpack4's results bit for bit, branch-free and
// cheaper. WGSL's unpack2x16float (a hardware conversion where there is one) is exact for normal
// halves, zeros and infinities; subnormal halves, which an implementation may flush to zero, are
// recomputed exactly (m * 2^-24) and selected in. No branch: on CPU implementations a divergent
// branch costs both sides. No shift either: each half is tested and scaled where it lies in its
// word (the high half's mantissa times 2^-40), and the mantissa converts as i32. With these forms
// and f16_pack4_fast's below, f16 LayerNorm/RMSNorm took ~10 % less time on SwiftShader than with
// shifts and a u32 conversion, and the same on llvmpipe (docs/cpu-adapter-experiments.md). Our
// reading, not checked in its code: SwiftShader's JIT does 4-wide shifts and u32 -> f32 lane by lane.
fn f16_unpack4_fast(a: u32, b: u32) -> vec4<f32> {
  if (F16_UNPACK_EXACT) { return vec4<f32>(unpack2x16float(a), unpack2x16float(b)); }
  let w = vec4<u32>(a, a, b, b);
  let m = w & vec4<u32>(0x3ffu, 0x3ff0000u, 0x3ffu, 0x3ff0000u);
  let sub = ((w & vec4<u32>(0x7c00u, 0x7c000000u, 0x7c00u, 0x7c000000u)) == vec4<u32>(0u)) & (m != vec4<u32>(0u));
  let mag = vec4<f32>(vec4<i32>(m)) * vec4<f32>(5.9604644775390625e-8, 9.094947017729282e-13, 5.9604644775390625e-8, 9.094947017729282e-13);
  let neg = (w & vec4<u32>(0x8000u, 0x80000000u, 0x8000u, 0x80000000u)) != vec4<u32>(0u);
  return select(vec4<f32>(unpack2x16float(a), unpack2x16float(b)), select(mag, -mag, neg), sub);
}

// Four f32 values as two packed words, bit-identical to f32_to_f16 lane by lane (round to
// nearest-even, +-Inf from 65520, quiet NaN, subnormals kept), branch-free. Normal results round
// on the bits; subnormal ones (|v| < 2^-14) by adding 0.5, whose ulp is 2^-24, the f16
// subnormal step, so the f32 addition (round to nearest-even) does the rounding.
fn f16_pack4_fast(v: vec4<f32>) -> vec2<u32> {
  let b = bitcast<vec4<u32>>(v);
  let a = b & vec4<u32>(0x7fffffffu);
  let r = a - vec4<u32>(0x38000000u);
  // + 0xfff, + 1 more when the kept mantissa is odd (bit 13): ties to even. A select, not a shift.
  let normal = (r + select(vec4<u32>(0xfffu), vec4<u32>(0x1000u), (r & vec4<u32>(0x2000u)) != vec4<u32>(0u))) >> vec4<u32>(13u);
  let sub = bitcast<vec4<u32>>(bitcast<vec4<f32>>(a) + vec4<f32>(0.5)) - vec4<u32>(0x3f000000u);
  var h = select(normal, sub, a < vec4<u32>(0x38800000u));
  h = select(h, vec4<u32>(0x7c00u), a >= vec4<u32>(0x477ff000u));
  h = select(h, vec4<u32>(0x7e00u), a > vec4<u32>(0x7f800000u));
  h |= select(vec4<u32>(0u), vec4<u32>(0x8000u), a != b);
  // The high halves move up by a multiplication: one shift per element in all (see f16_unpack4_fast).
  return vec2<u32>(h.x | (h.y * 65536u), h.z | (h.w * 65536u));
}
