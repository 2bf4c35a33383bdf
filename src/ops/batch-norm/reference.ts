/**
 * The float64 reference of BatchNorm: inference with running statistics, and the per-channel
 * batch statistics of training mode. Same conventions as `../group-norm/reference.ts`: exact decoding,
 * compensated float64 sums, two-pass variance, one rounding at the end.
 */
import {
  checkBatchNormInferenceArrays,
  checkBatchNormStatsArrays,
  type BatchNormInferenceOptions,
  type BatchNormInferenceResult,
  type BatchNormInferenceShape,
  type BatchNormStatsOptions,
  type BatchNormStatsResult,
} from './options.js';
import { elementIndex } from '../channel/options.js';
import { CompensatedSum, rstdOf } from '../group-norm/reference.js';
import { decodeValues, encodeValues, type TensorData } from '../../core/tensor.js';

/**
 * BatchNorm inference in float64, unrounded.
 *
 * @example
 * ```ts
 * const { y } = cpu.batchNormInferenceF64(x, { batch: 2, channels: 3, spatial: 49, layout: 'NCHW', runningMean, runningVar });
 * ```
 */
export function batchNormInferenceF64(x: TensorData, options: BatchNormInferenceOptions): BatchNormInferenceResult<Float64Array> {
  return inferenceShaped(x, checkBatchNormInferenceArrays(x, options), options);
}

function inferenceShaped(x: TensorData, s: BatchNormInferenceShape, options: BatchNormInferenceOptions): BatchNormInferenceResult<Float64Array> {
  const { runningMean, runningVar, gamma, beta } = options;
  const v = decodeValues(x);
  const y = new Float64Array(v.length);
  for (let c = 0; c < s.channels; c++) {
    const r = rstdOf(runningVar[c]!, s.epsilon, s.epsilonMode);
    const m = runningMean[c]!;
    const scale = gamma ? gamma[c]! : 1;
    const shift = beta ? beta[c]! : 0;
    for (let n = 0; n < s.batch; n++) {
      for (let p = 0; p < s.spatial; p++) {
        const i = elementIndex(s, n, c, p);
        y[i] = (v[i]! - m) * r * scale + shift;
      }
    }
  }
  return { y };
}

/**
 * BatchNorm inference with the GPU's output type (`y` f32, or f16 bits rounded like the GPU).
 *
 * @example
 * ```ts
 * const { y } = cpu.batchNormInference(x, { batch: 2, channels: 3, spatial: 49, layout: 'NHWC', runningMean, runningVar, gamma, beta });
 * ```
 */
export function batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): BatchNormInferenceResult<X extends Uint16Array ? Uint16Array : Float32Array> {
  const s = checkBatchNormInferenceArrays(x, options);
  return { y: encodeValues(inferenceShaped(x, s, options).y, s.dtype) } as BatchNormInferenceResult<X extends Uint16Array ? Uint16Array : Float32Array>;
}

/**
 * Per-channel mean and variance over batch × spatial in float64, unrounded.
 *
 * @example
 * ```ts
 * const { mean, var: variance } = cpu.batchNormStatsF64(x, { batch: 4, channels: 3, spatial: 49, layout: 'NCHW' });
 * ```
 */
export function batchNormStatsF64(x: TensorData, options: BatchNormStatsOptions): BatchNormStatsResult<Float64Array> {
  const s = checkBatchNormStatsArrays(x, options);
  const v = decodeValues(x);
  const count = s.batch * s.spatial;
  const mean = new Float64Array(s.channels);
  const variance = new Float64Array(s.channels);
  for (let c = 0; c < s.channels; c++) {
    const each = (f: (value: number) => void) => {
      for (let n = 0; n < s.batch; n++) for (let p = 0; p < s.spatial; p++) f(v[elementIndex(s, n, c, p)]!);
    };
    const sum = new CompensatedSum();
    each((value) => sum.add(value));
    const m = sum.value / count;
    const sq = new CompensatedSum();
    each((value) => sq.add((value - m) ** 2));
    mean[c] = m;
    variance[c] = sq.value / (s.unbiased ? count - 1 : count);
  }
  return { mean, var: variance };
}

/**
 * Per-channel batch statistics as f32, like `norm.batchNormStats`.
 *
 * @example
 * ```ts
 * const { mean, var: variance } = cpu.batchNormStats(x, { batch: 4, channels: 3, spatial: 49, layout: 'NHWC' });
 * ```
 */
export function batchNormStats(x: TensorData, options: BatchNormStatsOptions): BatchNormStatsResult {
  const r = batchNormStatsF64(x, options);
  return { mean: Float32Array.from(r.mean), var: Float32Array.from(r.var) };
}
