/**
 * The float64 reference: what every GPU result is checked against. Written for clarity and
 * exactness, not speed: statistics accumulate in float64 with compensated summation, variance is
 * the two-pass sum of squared deviations, and outputs are rounded to float32 only at the end.
 */
import {
  checkLayerNormArrays,
  type LayerNormOptions,
  type LayerNormResult,
} from '../kernels/layer-norm-options.js';

/** Neumaier-compensated sum of `f(i)` for i in [0, n). */
function compensatedSum(n: number, f: (i: number) => number): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const v = f(i);
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * LayerNorm in float64, unrounded: `y = (x - mean) / sqrt(var + epsilon) * gamma + beta` with the
 * biased (1/N) variance, as PyTorch's `layer_norm`.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = cpu.layerNormF64(new Float32Array([1, 2, 3, 4]), { cols: 4 });
 * mean[0]; // 2.5
 * ```
 */
export function layerNormF64(x: Float32Array, options: LayerNormOptions): LayerNormResult<Float64Array> {
  const { rows, cols, epsilon } = checkLayerNormArrays(x, options);
  const { gamma, beta } = options;
  const y = new Float64Array(rows * cols);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const m = compensatedSum(cols, (j) => x[base + j]!) / cols;
    const variance = compensatedSum(cols, (j) => (x[base + j]! - m) ** 2) / cols;
    const s = 1 / Math.sqrt(variance + epsilon);
    mean[r] = m;
    rstd[r] = s;
    for (let j = 0; j < cols; j++) {
      y[base + j] = (x[base + j]! - m) * s * (gamma ? gamma[j]! : 1) + (beta ? beta[j]! : 0);
    }
  }
  return { y, mean, rstd };
}

/**
 * The reference with float32 outputs: the same signature and results as `norm.layerNorm`,
 * synchronous.
 *
 * @example
 * ```ts
 * const { y } = cpu.layerNorm(x, { cols: 768, gamma, beta, epsilon: 1e-5 });
 * ```
 */
export function layerNorm(x: Float32Array, options: LayerNormOptions): LayerNormResult {
  const r = layerNormF64(x, options);
  return { y: Float32Array.from(r.y), mean: Float32Array.from(r.mean), rstd: Float32Array.from(r.rstd) };
}
