/**
 * The float64 reference of Lp normalization: what every GPU result is checked against. The norm
 * is a compensated float64 sum of |x|^p (exact for any f32 or f16 magnitudes: their squares cannot
 * overflow float64), y = x / max(‖x‖_p, ε) in float64, rounded to the storage dtype once. A row
 * holding NaN or ±Inf has a non-finite norm and is poisoned: every y of it is NaN, as on the GPU.
 */
import { decodeValues, encodeValues, type SameData, type TensorData } from '../../core/tensor.js';
import { checkLpNormArrays, type LpNormOptions, type LpNormResult } from './options.js';

/**
 * Lp normalization in float64, unrounded (f16 inputs decoded exactly).
 *
 * @example
 * ```ts
 * lpNormF64(new Float32Array([3, 4]), { cols: 2 }).y; // Float64Array [0.6, 0.8]
 * ```
 */
export function lpNormF64(x: TensorData, options: LpNormOptions): LpNormResult<Float64Array, Float64Array> {
  const { rows, cols, p, epsilon, inner } = checkLpNormArrays(x, options);
  // Element j of row r: rows are interleaved `inner` apart within blocks of cols · inner.
  const at = (r: number, j: number) => Math.floor(r / inner) * cols * inner + (r % inner) + j * inner;
  const v = decodeValues(x);
  const y = new Float64Array(v.length);
  const norm = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    let c = 0; // Neumaier compensation
    for (let j = 0; j < cols; j++) {
      const a = Math.abs(v[at(r, j)]!);
      const t = p === 2 ? a * a : a;
      const next = sum + t;
      c += Math.abs(sum) >= Math.abs(t) ? sum - next + t : t - next + sum;
      sum = next;
    }
    // A NaN or ±Inf makes the compensation NaN: such a sum is used as it is.
    const total = Number.isFinite(sum) ? sum + c : sum;
    const n = p === 2 ? Math.sqrt(total) : total;
    norm[r] = n;
    const d = Number.isFinite(n) ? Math.max(n, epsilon) : NaN;
    for (let j = 0; j < cols; j++) y[at(r, j)] = v[at(r, j)]! / d;
  }
  return { y, norm };
}

/**
 * Lp normalization with outputs in the storage dtype (`y` rounded once; `norm` as f32).
 *
 * @example
 * ```ts
 * cpu.lpNorm(new Float32Array([3, 4]), { cols: 2, p: 1 }).y; // Float32Array [0.42857, 0.57143]
 * ```
 */
export function lpNorm<X extends TensorData>(x: X, options: LpNormOptions): LpNormResult<SameData<X>> {
  const r = lpNormF64(x, options);
  return { y: encodeValues(r.y, x instanceof Uint16Array ? 'f16' : 'f32') as SameData<X>, norm: Float32Array.from(r.norm) };
}
