/**
 * The fast CPU path: what a careful JavaScript implementation of LayerNorm costs, the baseline
 * the benchmark compares the GPU against. Same results as the reference up to float rounding (JS
 * arithmetic is float64 and the two-pass variance is kept), without the reference's compensated
 * sums, closures and float64 output arrays.
 */
import { checkLayerNormArrays, type LayerNormOptions, type LayerNormResult } from '../kernels/layer-norm-options.js';

/**
 * @example
 * ```ts
 * const { y } = cpu.fast.layerNorm(x, { cols: 1024 });
 * ```
 */
export function layerNorm(x: Float32Array, options: LayerNormOptions): LayerNormResult {
  const { rows, cols, epsilon } = checkLayerNormArrays(x, options);
  const { gamma, beta } = options;
  const y = new Float32Array(rows * cols);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[base + j]!;
    const m = sum / cols;
    let sq = 0;
    for (let j = 0; j < cols; j++) {
      const d = x[base + j]! - m;
      sq += d * d;
    }
    const s = 1 / Math.sqrt(sq / cols + epsilon);
    mean[r] = m;
    rstd[r] = s;
    if (gamma && beta) {
      for (let j = 0; j < cols; j++) y[base + j] = (x[base + j]! - m) * s * gamma[j]! + beta[j]!;
    } else if (gamma) {
      for (let j = 0; j < cols; j++) y[base + j] = (x[base + j]! - m) * s * gamma[j]!;
    } else if (beta) {
      for (let j = 0; j < cols; j++) y[base + j] = (x[base + j]! - m) * s + beta[j]!;
    } else {
      for (let j = 0; j < cols; j++) y[base + j] = (x[base + j]! - m) * s;
    }
  }
  return { y, mean, rstd };
}
