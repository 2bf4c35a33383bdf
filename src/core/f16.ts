/**
 * IEEE binary16 conversions in TypeScript, bit-identical to `shaders/common/f16.wgsl`: f16 data is
 * exchanged as `Uint16Array` bit patterns, and the CPU reference rounds through these exactly as
 * the GPU does.
 */

// Pure: `f32.buffer` is a property read a bundler must otherwise assume has effects, which would
// keep these two arrays in apps that never convert a half.
const f32 = /* @__PURE__ */ new Float32Array(1);
const u32 = /* @__PURE__ */ new Uint32Array(f32.buffer);

/**
 * binary16 bits → number (exact).
 *
 * @example
 * ```ts
 * f16ToF32(0x3c00); // 1
 * f16ToF32(0x0001); // 5.960464477539063e-8 (smallest subnormal)
 * ```
 */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * number → binary16 bits: first rounded to float32 (as the GPU holds it), then to nearest-even
 * half; |v| >= 65520 becomes ±Inf, NaN stays NaN (0x7e00).
 *
 * @example
 * ```ts
 * f32ToF16(1);      // 0x3c00
 * f32ToF16(65519);  // 0x7bff (65504)
 * f32ToF16(65520);  // 0x7c00 (Inf)
 * ```
 */
export function f32ToF16(v: number): number {
  f32[0] = v;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00;
  if (a >= 0x477ff000) return sign | 0x7c00;
  if (a >= 0x38800000) {
    const r = a - 0x38000000;
    return (sign | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13)) & 0xffff;
  }
  if (a < 0x33000000) return sign;
  const e = a >>> 23;
  const mant = (a & 0x7fffff) | 0x800000;
  const shift = 126 - e;
  let q = mant >>> shift;
  const rem = mant & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && (q & 1) === 1)) q += 1;
  return sign | q;
}

/**
 * Rounds `v` to the nearest half-precision value, returned as a number.
 *
 * @example
 * ```ts
 * roundF16(0.1); // 0.0999755859375
 * ```
 */
export function roundF16(v: number): number {
  return f16ToF32(f32ToF16(v));
}

/**
 * Converts numbers to f16 bits (round to nearest even), e.g. to feed the f16 forms.
 *
 * @example
 * ```ts
 * toF16Array([1, 65504, 1e6]); // Uint16Array [0x3c00, 0x7bff, 0x7c00]
 * ```
 */
export function toF16Array(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16(values[i]!);
  return out;
}

/**
 * Converts f16 bits to a Float32Array (exact).
 *
 * @example
 * ```ts
 * fromF16Array(new Uint16Array([0x3c00, 0xc000])); // Float32Array [1, -2]
 * ```
 */
export function fromF16Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = f16ToF32(bits[i]!);
  return out;
}
