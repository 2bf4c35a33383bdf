/**
 * The tolerances every f32 result of the row-norm family is held to (stated in the README); f16
 * outputs must be within 1 f16 ULP of the reference rounded to f16 (or, near zero where f16
 * subnormals are finer than f32 arithmetic, within the f32 absolute tolerance below), and the
 * fused residual sum h must match the reference to the bit:
 * - y:    |gpu − ref| ≤ 1e-5 · max(1, |gamma_j + gammaOffset|) + 1e-5 · |ref|
 * - mean: |gpu − ref| ≤ 1e-5 · std_ref + 1e-5 · |ref|   (std_ref = 1 / rstd_ref)
 * - rstd: |gpu − ref| ≤ 1e-5 · |ref|
 * A kernel with f32 accumulation and the pivot shift lands around 1e-7 relative; 1e-5 leaves room
 * for WGSL's 2-ULP inverseSqrt and reduction-order differences without hiding a real bug, which
 * shows up as 1e-3 or worse (e.g. E[x²] − mean² at mean 1e4).
 */
import type { Tolerance } from './compare.js';

export const RTOL = 1e-5;
export const ATOL = 1e-5;

export function yTolerance(cols: number, gamma?: Float32Array, gammaOffset = 0): Tolerance {
  const flat = ATOL * Math.max(1, Math.abs(1 + gammaOffset));
  return { rtol: RTOL, atol: gamma ? (i) => ATOL * Math.max(1, Math.abs(gamma[i % cols]! + gammaOffset)) : () => flat };
}

export function meanTolerance(rstdRef: ArrayLike<number>): Tolerance {
  return { rtol: RTOL, atol: (r) => (Number.isFinite(rstdRef[r]!) && rstdRef[r]! > 0 ? ATOL / rstdRef[r]! : 0) };
}

export const rstdTolerance: Tolerance = { rtol: RTOL, atol: 0 };
