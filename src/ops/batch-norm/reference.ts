/**
 * The float64 reference of BatchNorm: inference with running statistics, and the per-channel
 * batch statistics of training mode. Same conventions as `../group-norm/reference.ts`: exact decoding,
 * compensated float64 sums, two-pass variance, one rounding at the end.
 */
import {
  checkBatchNormInferenceArrays,
  checkBatchNormStatsArrays,
  checkBatchNormTrainingArrays,
  type BatchNormTrainingOptions,
  type BatchNormTrainingResult,
  type BatchNormInferenceOptions,
  type BatchNormInferenceResult,
  type BatchNormInferenceShape,
  type BatchNormStatsOptions,
  type BatchNormStatsResult,
} from './options.js';
import { elementIndex } from '../channel/options.js';
import { CompensatedSum, rstdOf } from '../group-norm/reference.js';
import { decodeValues, encodeValues, type TensorData } from '../../core/tensor.js';
import type { TensorShape } from '../channel/options.js';

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

/** Per-channel values the elementwise pass reads: running statistics (inference) or the batch's (training). */
type ChannelValues = { readonly [K in 'runningMean' | 'runningVar' | 'gamma' | 'beta']?: ArrayLike<number> | undefined };

function inferenceShaped(x: TensorData, s: BatchNormInferenceShape, options: ChannelValues & Pick<ChannelValues, 'runningMean' | 'runningVar'>): BatchNormInferenceResult<Float64Array> {
  const { gamma, beta } = options;
  const runningMean = options.runningMean!;
  const runningVar = options.runningVar!;
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
  return statsShaped(x, checkBatchNormStatsArrays(x, options));
}

function statsShaped(x: TensorData, s: TensorShape & { readonly unbiased: boolean }): BatchNormStatsResult<Float64Array> {
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

/**
 * BatchNorm in training mode in float64, unrounded: the batch statistics (mean, biased variance),
 * y normalized with them, and the updated running statistics
 * `(1 − momentum) · running + momentum · batch` (the variance × N / (N − 1) when
 * `runningVarUnbiased`, the default).
 *
 * @example
 * ```ts
 * const { y, mean, var: variance, runningMean, runningVar } = cpu.batchNormTrainingF64(x, { batch: 4, channels: 3, spatial: 49, layout: 'NCHW', runningMean: rm, runningVar: rv });
 * ```
 */
export function batchNormTrainingF64(x: TensorData, options: BatchNormTrainingOptions): BatchNormTrainingResult<Float64Array, Float64Array> {
  const s = checkBatchNormTrainingArrays(x, options);
  const { mean, var: variance } = statsShaped(x, { ...s, unbiased: false });
  const { y } = inferenceShaped(x, s, { gamma: options.gamma, beta: options.beta, runningMean: mean, runningVar: variance });
  const count = s.batch * s.spatial;
  const m = s.momentum;
  const correction = s.runningVarUnbiased ? count / (count - 1) : 1;
  const runningMean = Float64Array.from(mean, (b, c) => (1 - m) * options.runningMean[c]! + m * b);
  const runningVar = Float64Array.from(variance, (b, c) => (1 - m) * options.runningVar[c]! + m * b * correction);
  return { y, mean, var: variance, runningMean, runningVar };
}

/**
 * BatchNorm training with the GPU's output types: `y` f32 or f16 bits (rounded like the GPU), the
 * statistics f32. The running statistics given are not modified; the updated ones are returned.
 *
 * @example
 * ```ts
 * const r = cpu.batchNormTraining(x, { batch: 4, channels: 3, spatial: 49, layout: 'NHWC', runningMean: rm, runningVar: rv, momentum: 0.1 });
 * rm.set(r.runningMean);
 * ```
 */
export function batchNormTraining<X extends TensorData>(x: X, options: BatchNormTrainingOptions): BatchNormTrainingResult<X extends Uint16Array ? Uint16Array : Float32Array> {
  const s = checkBatchNormTrainingArrays(x, options);
  const r = batchNormTrainingF64(x, options);
  return {
    y: encodeValues(r.y, s.dtype),
    mean: Float32Array.from(r.mean),
    var: Float32Array.from(r.var),
    runningMean: Float32Array.from(r.runningMean),
    runningVar: Float32Array.from(r.runningVar),
  } as BatchNormTrainingResult<X extends Uint16Array ? Uint16Array : Float32Array>;
}
