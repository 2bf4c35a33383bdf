/**
 * BatchNorm's options and results (inference with running statistics, and the per-channel batch
 * statistics of training mode), and the validation of typed-array calls, shared by the GPU
 * convenience forms and the CPU reference.
 */
import { checkEpsilon } from '../../core/errors.js';
import { DEFAULT_EPSILON, checkChannelArray, checkTensorData, checkUnbiased, type TensorShape, type TensorShapeOptions } from '../channel/options.js';
import { checkEpsilonMode, type EpsilonMode, type TensorData } from '../../core/tensor.js';

/**
 * Options of BatchNorm inference: `y = (x − runningMean[c]) / sqrt(runningVar[c] + ε) · γ[c] + β[c]`.
 *
 * @example
 * ```ts
 * const options: BatchNormInferenceOptions = { batch: 8, channels: 64, spatial: 56 * 56, layout: 'NCHW', runningMean, runningVar };
 * ```
 */
export interface BatchNormInferenceOptions extends TensorShapeOptions {
  /** Per-channel mean, length `channels`, f32. */
  readonly runningMean: Float32Array;
  /** Per-channel variance, length `channels`, f32. */
  readonly runningVar: Float32Array;
  /** Per-channel scale, f32. Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** Per-channel shift, f32. Absent means 0. */
  readonly beta?: Float32Array | undefined;
  /** Default `1e-5`. */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`; `'add-to-std'` gives `(x − μ) / (sqrt(var) + ε)`. */
  readonly epsilonMode?: EpsilonMode | undefined;
}

/**
 * Output of BatchNorm inference.
 *
 * @example
 * ```ts
 * const { y }: BatchNormInferenceResult = await norm.batchNormInference(x, options);
 * ```
 */
export interface BatchNormInferenceResult<Y extends TensorData | Float64Array = Float32Array> {
  /** Same layout and dtype as `x`. */
  readonly y: Y;
}

/**
 * Options of the batch statistics: per-channel mean and variance over batch × spatial.
 *
 * @example
 * ```ts
 * const options: BatchNormStatsOptions = { batch: 8, channels: 64, spatial: 56 * 56, layout: 'NHWC' };
 * ```
 */
export interface BatchNormStatsOptions extends TensorShapeOptions {
  /** Divide by N − 1 (N = batch · spatial) instead of N. Default false: the biased variance the
   * training-mode forward pass normalizes with (PyTorch's running_var update uses unbiased). */
  readonly unbiased?: boolean | undefined;
}

/**
 * Per-channel statistics over batch × spatial.
 *
 * @example
 * ```ts
 * const { mean, var: variance }: BatchNormStatsResult = await norm.batchNormStats(x, options);
 * ```
 */
export interface BatchNormStatsResult<S extends Float32Array | Float64Array = Float32Array> {
  /** Length `channels`. */
  readonly mean: S;
  /** Length `channels`; biased unless `unbiased: true`. */
  readonly var: S;
}

/**
 * A validated BatchNorm inference call.
 *
 * @example
 * ```ts
 * const s: BatchNormInferenceShape = checkBatchNormInferenceArrays(x, options); // s.epsilonMode === 'inside-sqrt'
 * ```
 */
export interface BatchNormInferenceShape extends TensorShape {
  readonly epsilon: number;
  readonly epsilonMode: EpsilonMode;
}

/**
 * A validated BatchNorm statistics call.
 *
 * @example
 * ```ts
 * const s: BatchNormStatsShape = checkBatchNormStatsArrays(x, { batch: 8, channels: 64, spatial: 49, layout: 'NHWC' }); // s.unbiased === false
 * ```
 */
export interface BatchNormStatsShape extends TensorShape {
  readonly unbiased: boolean;
}

/**
 * @example
 * ```ts
 * checkBatchNormInferenceArrays(x, { batch: 1, channels: 3, spatial: 49, layout: 'NCHW', runningMean, runningVar }).epsilon; // 1e-5
 * ```
 */
export function checkBatchNormInferenceArrays(x: unknown, options: BatchNormInferenceOptions): BatchNormInferenceShape {
  const shape = checkTensorData(x, options);
  checkChannelArray(options.runningMean, shape.channels, 'runningMean', true);
  checkChannelArray(options.runningVar, shape.channels, 'runningVar', true);
  checkChannelArray(options.gamma, shape.channels, 'gamma', false);
  checkChannelArray(options.beta, shape.channels, 'beta', false);
  return { ...shape, epsilon: checkEpsilon(options.epsilon ?? DEFAULT_EPSILON), epsilonMode: checkEpsilonMode(options.epsilonMode) };
}

/**
 * @example
 * ```ts
 * checkBatchNormStatsArrays(x, { batch: 4, channels: 3, spatial: 49, layout: 'NHWC', unbiased: true }).unbiased; // true
 * ```
 */
export function checkBatchNormStatsArrays(x: unknown, options: BatchNormStatsOptions): BatchNormStatsShape {
  const shape = checkTensorData(x, options);
  return { ...shape, unbiased: checkUnbiased(options.unbiased, shape.batch * shape.spatial) };
}
