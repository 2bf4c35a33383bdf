/**
 * BatchNorm's options and results (inference with running statistics, and the per-channel batch
 * statistics of training mode), and their one validation per op: every form (typed arrays on the
 * GPU, encode, CPU reference) runs `check…Options`; the typed-array forms and the reference add
 * the data checks of `check…Arrays`, the encode forms their operand checks (encode.ts).
 */
import {
  checkChannelArray,
  checkChannelCall,
  checkChannelData,
  checkChannelEpsilon,
  checkUnbiased,
  type AdmittedKeys,
  type Assert,
  type CallForm,
  type ChannelOpKeys,
  type SameKeys,
  type TensorShape,
  type TensorShapeOptions,
} from '../channel/options.js';
import type { EpsilonMode, TensorData } from '../../core/tensor.js';
import type { OpsOf } from '../table.js';

/**
 * The ops of this family: inference with running statistics, and the batch statistics.
 *
 * @example
 * ```ts
 * const op: BatchNormOpName = 'batchNormStats';
 * ```
 */
export type BatchNormOpName = OpsOf<'batch-norm'>;

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
  /** Default `1e-5` (`OPS.batchNormInference.defaultEpsilon`). */
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

const inferenceOnly = (key: string) => `batchNormStats only computes statistics; ${key} is an option of batchNormInference`;

/**
 * What each op takes beyond the shape, per form, and its siblings' keys it refuses with a reason.
 *
 * @example
 * ```ts
 * BATCH_NORM_KEYS.batchNormStats.params; // ['unbiased']
 * ```
 */
export const BATCH_NORM_KEYS = {
  batchNormInference: {
    params: ['epsilon', 'epsilonMode'],
    arrays: ['runningMean', 'runningVar', 'gamma', 'beta'],
    operands: ['x', 'y', 'runningMean', 'runningVar', 'gamma', 'beta'],
    misplaced: {
      groups: 'batchNormInference normalizes per channel; use groupNorm for groups',
      unbiased: 'batchNormInference normalizes with the runningVar it is given; unbiased is an option of batchNormStats, which computes the variance',
      mean: 'batchNormInference takes the statistics to normalize with as runningMean and runningVar',
      var: 'batchNormInference takes the statistics to normalize with as runningMean and runningVar',
    },
  },
  batchNormStats: {
    params: ['unbiased'],
    arrays: [],
    operands: ['x', 'mean', 'var'],
    misplaced: {
      groups: 'batchNormStats computes one statistic per channel; use groupNorm for groups',
      epsilon: 'batchNormStats returns the variance itself; epsilon applies where it normalizes (batchNormInference)',
      epsilonMode: 'batchNormStats returns the variance itself; epsilonMode applies where it normalizes (batchNormInference)',
      gamma: inferenceOnly('gamma'),
      beta: inferenceOnly('beta'),
      runningMean: 'batchNormStats computes the batch statistics; runningMean is an input of batchNormInference',
      runningVar: 'batchNormStats computes the batch statistics; runningVar is an input of batchNormInference',
      y: 'batchNormStats writes only mean and var; normalize with batchNormInference',
      rstd: 'batchNormStats writes the variance (var), not rstd',
    },
  },
} as const satisfies Record<BatchNormOpName, ChannelOpKeys>;

/** Compile-time only: the key lists and the typed-array option interfaces name the same keys (encode.ts checks its own). */
type BatchNormKeysMatch = [
  Assert<SameKeys<keyof BatchNormInferenceOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormInference'], 'arrays'>>>,
  Assert<SameKeys<keyof BatchNormStatsOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormStats'], 'arrays'>>>,
];

/**
 * The one check of every non-tensor option of a BatchNorm inference call, in any form: option
 * keys, shape, epsilon (default from the op table) and `epsilonMode`.
 *
 * @example
 * ```ts
 * checkBatchNormInferenceOptions({ batch: 8, channels: 64, spatial: 49, layout: 'NHWC', x, y, runningMean, runningVar }, 'operands').epsilon; // 1e-5
 * ```
 */
export function checkBatchNormInferenceOptions(options: unknown, form: CallForm): BatchNormInferenceShape {
  const shape = checkChannelCall('batchNormInference', options, form, BATCH_NORM_KEYS.batchNormInference);
  return { ...shape, ...checkChannelEpsilon('batchNormInference', options as BatchNormInferenceOptions) };
}

/**
 * The one check of every non-tensor option of a batch statistics call, in any form: option keys,
 * shape and `unbiased`.
 *
 * @example
 * ```ts
 * checkBatchNormStatsOptions({ batch: 4, channels: 3, spatial: 49, layout: 'NHWC', unbiased: true }, 'arrays').unbiased; // true
 * ```
 */
export function checkBatchNormStatsOptions(options: unknown, form: CallForm): BatchNormStatsShape {
  const shape = checkChannelCall('batchNormStats', options, form, BATCH_NORM_KEYS.batchNormStats);
  return { ...shape, unbiased: checkUnbiased((options as BatchNormStatsOptions).unbiased, shape.batch * shape.spatial) };
}

/**
 * Checks a typed-array BatchNorm inference call (GPU or CPU reference): the options, then x (its
 * dtype decides the call's) and the per-channel arrays.
 *
 * @example
 * ```ts
 * checkBatchNormInferenceArrays(x, { batch: 1, channels: 3, spatial: 49, layout: 'NCHW', runningMean, runningVar }).epsilon; // 1e-5
 * ```
 */
export function checkBatchNormInferenceArrays(x: unknown, options: BatchNormInferenceOptions): BatchNormInferenceShape {
  const shape = checkBatchNormInferenceOptions(options, 'arrays');
  const dtype = checkChannelData(x, shape, options.dtype);
  checkChannelArray(options.runningMean, shape.channels, 'runningMean', true);
  checkChannelArray(options.runningVar, shape.channels, 'runningVar', true);
  checkChannelArray(options.gamma, shape.channels, 'gamma', false);
  checkChannelArray(options.beta, shape.channels, 'beta', false);
  return { ...shape, dtype };
}

/**
 * Checks a typed-array batch statistics call (GPU or CPU reference): the options, then x.
 *
 * @example
 * ```ts
 * checkBatchNormStatsArrays(x, { batch: 4, channels: 3, spatial: 49, layout: 'NHWC', unbiased: true }).unbiased; // true
 * ```
 */
export function checkBatchNormStatsArrays(x: unknown, options: BatchNormStatsOptions): BatchNormStatsShape {
  const shape = checkBatchNormStatsOptions(options, 'arrays');
  return { ...shape, dtype: checkChannelData(x, shape, options.dtype) };
}
