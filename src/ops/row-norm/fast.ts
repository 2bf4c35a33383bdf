/**
 * The fast CPU path: what a careful JavaScript implementation costs, the baseline the benchmark
 * compares the GPU against. f32 in and out; same results as the reference up to float rounding
 * (JS arithmetic is float64 and the two-pass variance is kept), without the reference's
 * compensated sums, closures and float64 outputs.
 */
import { NormError } from '../../core/errors.js';
import { resolveRowNormArrays, type LayerNormOptions, type LayerNormResult, type RmsNormOptions, type RmsNormResult } from './options.js';

function f32Only(dtype: string, outputDtype: string): void {
  if (dtype !== 'f32') throw new NormError('invalid-argument', 'the fast CPU path handles f32 only; use cpu.layerNorm for f16', 'dtype');
  if (outputDtype !== 'f32') throw new NormError('invalid-argument', 'the fast CPU path writes f32 only; use cpu.layerNorm for an f16 y', 'outputDtype');
}

/**
 * @example
 * ```ts
 * const { y } = cpu.fast.layerNorm(x, { cols: 1024 });
 * ```
 */
export function layerNorm(x: Float32Array, options: LayerNormOptions): LayerNormResult {
  const { rows, cols, epsilon, epsilonMode, unbiased, dtype, outputDtype } = resolveRowNormArrays('layerNorm', x, options);
  f32Only(dtype, outputDtype);
  const { gamma, beta } = options;
  // The conventions are honoured, not ignored: Bessel's N - 1 and epsilon added to the std.
  const divisor = unbiased ? cols - 1 : cols;
  const addToStd = epsilonMode === 'add-to-std';
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
    const variance = sq / divisor;
    const s = addToStd ? 1 / (Math.sqrt(variance) + epsilon) : 1 / Math.sqrt(variance + epsilon);
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

/**
 * @example
 * ```ts
 * const { y } = cpu.fast.rmsNorm(x, { cols: 4096, gamma });
 * ```
 */
export function rmsNorm(x: Float32Array, options: RmsNormOptions): RmsNormResult {
  const { rows, cols, epsilon, dtype, outputDtype, gammaOffset } = resolveRowNormArrays('rmsNorm', x, options);
  f32Only(dtype, outputDtype);
  const { gamma } = options;
  const y = new Float32Array(rows * cols);
  const rstd = new Float32Array(rows);
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    let sq = 0;
    for (let j = 0; j < cols; j++) sq += x[base + j]! * x[base + j]!;
    const s = 1 / Math.sqrt(sq / cols + epsilon);
    rstd[r] = s;
    if (gamma) for (let j = 0; j < cols; j++) y[base + j] = x[base + j]! * s * (gamma[j]! + gammaOffset);
    else for (let j = 0; j < cols; j++) y[base + j] = x[base + j]! * s * (1 + gammaOffset);
  }
  return { y, rstd };
}
