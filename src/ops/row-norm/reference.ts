/**
 * The float64 reference of the row-normalization family: what every GPU result is checked
 * against. Written for clarity and exactness, not speed: statistics accumulate in float64 with
 * compensated summation, variance is the two-pass sum of squared deviations, and outputs are
 * rounded to the storage type (f32, or f16 exactly as the GPU rounds) only at the end.
 *
 * Inputs are taken exactly as the GPU sees them: f16 inputs are decoded bit-exactly, and the fused
 * residual sum is formed in f32 (and rounded to f16 for f16 storage) in the GPU's order, so the
 * reference normalizes the very same sum.
 */
import { f16ToF32, f32ToF16 } from '../../core/f16.js';
import {
  resolveRowNormArrays,
  type RowNormArrayOptions,
  type AddLayerNormOptions,
  type AddLayerNormResult,
  type AddRmsNormOptions,
  type AddRmsNormResult,
  type LayerNormOptions,
  type LayerNormResult,
  type OutputData,
  type RmsNormOptions,
  type RmsNormResult,
} from './options.js';
import { OPS, type RowNormOpName } from '../table.js';
import { decodeValues, type Dtype, encodeValues, type SameData, type TensorData } from '../../core/tensor.js';

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
 * sum = x + residual (+ bias) formed as the GPU forms it: f32 additions, then f16 rounding for
 * f16. Row r of x adds residual row r % residualRows.
 */
function residualSum(x: Float64Array, residual: Float64Array, cols: number, dtype: Dtype, residualRows: number, bias?: Float32Array): Float64Array {
  const sum = new Float64Array(x.length);
  const period = residualRows * cols;
  for (let i = 0; i < x.length; i++) {
    let v = Math.fround(x[i]! + residual[i % period]!);
    if (bias) v = Math.fround(v + bias[i % cols]!);
    sum[i] = dtype === 'f16' ? f16ToF32(f32ToF16(v)) : v;
  }
  return sum;
}

interface Full {
  y: Float64Array;
  mean: Float64Array;
  rstd: Float64Array;
  sum: Float64Array | undefined;
  dtype: Dtype;
  outputDtype: Dtype;
}

function rowNormF64(op: RowNormOpName, xIn: TensorData, options: RowNormArrayOptions, residualIn?: TensorData): Full {
  const { rows, cols, dtype, outputDtype, residualRows, epsilon, epsilonMode, unbiased, gammaOffset } = resolveRowNormArrays(op, xIn, options, residualIn);
  const { gamma, beta } = options;
  let x = decodeValues(xIn);
  const sum = OPS[op].fusedAdd ? residualSum(x, decodeValues(residualIn!), cols, dtype, residualRows, options.bias) : undefined;
  if (sum) x = sum;
  const y = new Float64Array(rows * cols);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = 0;
    let s: number;
    if (OPS[op].statistic === 'mean-square') {
      s = 1 / Math.sqrt(compensatedSum(cols, (j) => x[base + j]! ** 2) / cols + epsilon);
    } else {
      m = compensatedSum(cols, (j) => x[base + j]!) / cols;
      const ss = compensatedSum(cols, (j) => (x[base + j]! - m) ** 2);
      const variance = ss / (unbiased ? cols - 1 : cols);
      s = epsilonMode === 'add-to-std' ? 1 / (Math.sqrt(variance) + epsilon) : 1 / Math.sqrt(variance + epsilon);
    }
    mean[r] = m;
    rstd[r] = s;
    for (let j = 0; j < cols; j++) {
      const g = gamma ? gamma[j]! + gammaOffset : 1 + gammaOffset;
      y[base + j] = (x[base + j]! - m) * s * g + (beta ? beta[j]! : 0);
    }
  }
  return { y, mean, rstd, sum, dtype, outputDtype };
}

/**
 * LayerNorm in float64, unrounded: `y = (x − mean) / sqrt(var + eps) · gamma + beta` with the
 * biased (1/N) variance, as PyTorch's `layer_norm` (options select the other conventions).
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = cpu.layerNormF64(new Float32Array([1, 2, 3, 4]), { cols: 4 });
 * mean[0]; // 2.5
 * ```
 */
export function layerNormF64(x: TensorData, options: LayerNormOptions<Dtype | undefined>): LayerNormResult<Float64Array, Float64Array> {
  const r = rowNormF64('layerNorm', x, options);
  return { y: r.y, mean: r.mean, rstd: r.rstd };
}

/**
 * The LayerNorm reference with outputs in the storage type: the same signature and results as
 * `norm.layerNorm`, synchronous. `y` is a Float32Array, or Uint16Array half bits for f16
 * (`outputDtype`, default x's).
 *
 * @example
 * ```ts
 * const { y } = cpu.layerNorm(x, { cols: 768, gamma, beta, epsilon: 1e-5 });
 * const { y: half } = cpu.layerNorm(x, { cols: 768, outputDtype: 'f16' }); // Uint16Array
 * ```
 */
export function layerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: LayerNormOptions<O>): LayerNormResult<OutputData<X, O>> {
  const r = rowNormF64('layerNorm', x, options);
  return { y: encodeValues(r.y, r.outputDtype) as OutputData<X, O>, mean: Float32Array.from(r.mean), rstd: Float32Array.from(r.rstd) };
}

/**
 * RMSNorm in float64: `y = x / sqrt(mean(x²) + eps) · (gamma + gammaOffset)`.
 *
 * @example
 * ```ts
 * cpu.rmsNormF64(new Float32Array([3, 4]), { cols: 2, epsilon: 0 }).rstd[0]; // 1 / sqrt(12.5)
 * ```
 */
export function rmsNormF64(x: TensorData, options: RmsNormOptions<Dtype | undefined>): RmsNormResult<Float64Array, Float64Array> {
  const r = rowNormF64('rmsNorm', x, options);
  return { y: r.y, rstd: r.rstd };
}

/**
 * RMSNorm with outputs in the storage type, as `norm.rmsNorm`.
 *
 * @example
 * ```ts
 * const { y, rstd } = cpu.rmsNorm(x, { cols: 4096, gamma, gammaOffset: 1 }); // Gemma
 * ```
 */
export function rmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: RmsNormOptions<O>): RmsNormResult<OutputData<X, O>> {
  const r = rowNormF64('rmsNorm', x, options);
  return { y: encodeValues(r.y, r.outputDtype) as OutputData<X, O>, rstd: Float32Array.from(r.rstd) };
}

/**
 * Fused residual add + LayerNorm in float64: sum = x + residual (+ bias) formed as the GPU forms
 * it, then LayerNorm(sum) unrounded. Also returns sum's statistics.
 *
 * @example
 * ```ts
 * const { y, sum } = cpu.addLayerNormF64(x, sublayerOut, { cols: 768, gamma, beta });
 * ```
 */
export function addLayerNormF64(x: TensorData, residual: TensorData, options: AddLayerNormOptions<Dtype | undefined>): LayerNormResult<Float64Array, Float64Array> & { readonly sum: Float64Array } {
  const r = rowNormF64('addLayerNorm', x, options, residual);
  return { y: r.y, sum: r.sum!, mean: r.mean, rstd: r.rstd };
}

/**
 * Fused residual add + LayerNorm with outputs in the storage type, as `norm.addLayerNorm`: y (in
 * `outputDtype`), sum (in x's dtype) and sum's per-row mean and rstd.
 *
 * @example
 * ```ts
 * const { y, sum, mean, rstd } = cpu.addLayerNorm(x, residual, { cols: 768 });
 * ```
 */
export function addLayerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(
  x: X,
  residual: SameData<X>,
  options: AddLayerNormOptions<O>,
): AddLayerNormResult<OutputData<X, O>, SameData<X>> {
  const r = rowNormF64('addLayerNorm', x, options, residual);
  return {
    y: encodeValues(r.y, r.outputDtype) as OutputData<X, O>,
    sum: encodeValues(r.sum!, r.dtype) as SameData<X>,
    mean: Float32Array.from(r.mean),
    rstd: Float32Array.from(r.rstd),
  };
}

/**
 * Fused residual add + RMSNorm in float64.
 *
 * @example
 * ```ts
 * const { y, sum, rstd } = cpu.addRmsNormF64(x, residual, { cols: 4096 });
 * ```
 */
export function addRmsNormF64(x: TensorData, residual: TensorData, options: AddRmsNormOptions<Dtype | undefined>): RmsNormResult<Float64Array, Float64Array> & { readonly sum: Float64Array } {
  const r = rowNormF64('addRmsNorm', x, options, residual);
  return { y: r.y, sum: r.sum!, rstd: r.rstd };
}

/**
 * Fused residual add + RMSNorm with outputs in the storage type, as `norm.addRmsNorm`: y (in
 * `outputDtype`), sum (in x's dtype) and sum's per-row rstd.
 *
 * @example
 * ```ts
 * const { y, sum, rstd } = cpu.addRmsNorm(x, residual, { cols: 4096, gamma });
 * ```
 */
export function addRmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(
  x: X,
  residual: SameData<X>,
  options: AddRmsNormOptions<O>,
): AddRmsNormResult<OutputData<X, O>, SameData<X>> {
  const r = rowNormF64('addRmsNorm', x, options, residual);
  return { y: encodeValues(r.y, r.outputDtype) as OutputData<X, O>, sum: encodeValues(r.sum!, r.dtype) as SameData<X>, rstd: Float32Array.from(r.rstd) };
}
