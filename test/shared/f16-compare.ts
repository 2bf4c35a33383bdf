/**
 * Comparison of f16 GPU results (binary16 bits) with the float64 reference rounded to f16: the
 * distance is counted in f16 ULPs (adjacent bit patterns), so "within 1 ULP" means the GPU picked
 * the correctly rounded value or its neighbour.
 *
 * An optional absolute floor covers outputs that are small only through cancellation (y ≈ 0 while
 * β and γ·x̂ are O(1)): an f32 kernel carries an absolute error of a few 2^-24·|β| there, which
 * near zero exceeds the f16 spacing (6e-8 below 2^-14), so no f32 implementation can promise 1 ULP
 * for them. Elements accepted only through the floor are counted (`floorUsed`).
 */
import { f16ToF32, f32ToF16 } from '../../src/core/f16.js';
import type { Worst } from './compare.js';

export interface F16Comparison {
  readonly count: number;
  /** Elements more than `maxUlp` away and beyond the absolute floor (or finite where the reference is not, or vice versa). */
  readonly failures: number;
  /** Elements more than `maxUlp` away but within the absolute floor. */
  readonly floorUsed: number;
  readonly worstUlp: number;
  readonly worst: readonly Worst[];
}

/** Ordered integer image of binary16 bits: ULP distance is a subtraction, and ±0 coincide. */
function ordered(h: number): number {
  return h & 0x8000 ? -(h & 0x7fff) : h;
}

const isNaN16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** ULP distance between two binary16 bit patterns (Infinity when exactly one is NaN). */
export function f16UlpDistance(a: number, b: number): number {
  if (isNaN16(a) || isNaN16(b)) return isNaN16(a) && isNaN16(b) ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}

export function compareF16(
  actual: Uint16Array,
  expected: ArrayLike<number>,
  maxUlp = 1,
  atol: (index: number) => number = () => 0,
  indices?: Iterable<number>,
): F16Comparison {
  let count = 0;
  let failures = 0;
  let floorUsed = 0;
  let worstUlp = 0;
  const worst: (Worst & { ulp: number })[] = [];
  const visit = (i: number) => {
    count++;
    const want = f32ToF16(expected[i]!);
    const got = actual[i]!;
    const ulp = f16UlpDistance(got, want);
    if (ulp > maxUlp) {
      const error = Math.abs(f16ToF32(got) - expected[i]!);
      if (error <= atol(i)) floorUsed++;
      else failures++;
    }
    if (ulp > worstUlp) worstUlp = ulp;
    if (ulp > 0 && (worst.length < 8 || ulp > worst[7]!.ulp)) {
      worst.push({ index: i, expected: expected[i]!, actual: f16ToF32(got), error: ulp, allowed: maxUlp, ulp });
      worst.sort((p, q) => q.ulp - p.ulp);
      if (worst.length > 8) worst.pop();
    }
  };
  if (indices) for (const i of indices) visit(i);
  else for (let i = 0; i < actual.length; i++) visit(i);
  return { count, failures, floorUsed, worstUlp, worst: worst.map(({ ulp: _, ...w }) => w) };
}
