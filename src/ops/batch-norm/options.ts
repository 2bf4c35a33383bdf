/**
 * BatchNorm's options and results (inference with running statistics, and the per-channel batch
 * statistics of training mode), and their one validation per op: every form (typed arrays on the
 * GPU, encode, CPU reference) runs `check…Options`; the typed-array forms and the reference add
 * the data checks of `check…Arrays`, the encode forms their operand checks (encode.ts).
 */
import { NormError, checkF32Option, describe } from '../../core/errors.js';
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
 * Options of BatchNorm in training mode: y is normalized with the batch statistics (per-channel
 * mean and biased variance over batch × spatial), which are also returned, and the running
 * statistics are updated: `new = (1 − momentum) · running + momentum · batch`, with the batch
 * variance unbiased (× N / (N − 1), N = batch · spatial) when `runningVarUnbiased` (PyTorch's
 * `BatchNorm2d.train()` forward).
 *
 * @example
 * ```ts
 * const options: BatchNormTrainingOptions = { batch: 8, channels: 64, spatial: 56 * 56, layout: 'NCHW', runningMean, runningVar, momentum: 0.1 };
 * ```
 */
export interface BatchNormTrainingOptions extends TensorShapeOptions {
  /** Per-channel running mean before this batch, length `channels`, f32. Not modified (the typed forms return the update). */
  readonly runningMean: Float32Array;
  /** Per-channel running variance before this batch, length `channels`, f32. */
  readonly runningVar: Float32Array;
  /** Per-channel scale, f32. Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** Per-channel shift, f32. Absent means 0. */
  readonly beta?: Float32Array | undefined;
  /** Default `1e-5` (`OPS.batchNormTraining.defaultEpsilon`). */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`; `'add-to-std'` gives `(x − μ) / (sqrt(var) + ε)`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /**
   * Weight of the batch statistics in the running update, in [0, 1]: PyTorch's meaning
   * (`new = (1 − momentum) · old + momentum · batch`; ONNX's and Keras' momentum is 1 − this).
   * Default 0.1.
   */
  readonly momentum?: number | undefined;
  /**
   * Update the running variance with the unbiased batch variance (× N / (N − 1)), as PyTorch does.
   * Default true. With one value per channel (batch · spatial = 1) it is undefined, and refused:
   * pass `false` to update with the biased variance (0).
   */
  readonly runningVarUnbiased?: boolean | undefined;
}

/**
 * Outputs of BatchNorm training.
 *
 * @example
 * ```ts
 * const { y, mean, var: variance, runningMean, runningVar }: BatchNormTrainingResult = await norm.batchNormTraining(x, options);
 * ```
 */
export interface BatchNormTrainingResult<Y extends TensorData | Float64Array = Float32Array, S extends Float32Array | Float64Array = Float32Array> {
  /** Same layout and dtype as `x`. */
  readonly y: Y;
  /** Batch mean per channel, length `channels`. */
  readonly mean: S;
  /** Biased batch variance per channel (what y is normalized with), length `channels`. */
  readonly var: S;
  /** The updated running mean, length `channels`. */
  readonly runningMean: S;
  /** The updated running variance, length `channels`. */
  readonly runningVar: S;
}

/**
 * A validated BatchNorm training call.
 *
 * @example
 * ```ts
 * const s: BatchNormTrainingShape = checkBatchNormTrainingArrays(x, options); // s.momentum === 0.1
 * ```
 */
export interface BatchNormTrainingShape extends BatchNormInferenceShape {
  readonly momentum: number;
  readonly runningVarUnbiased: boolean;
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
const trainingOnly = (op: string, key: string) => `${op} does not update running statistics; ${key} is an option of batchNormTraining`;

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
      momentum: trainingOnly('batchNormInference', 'momentum'),
      runningVarUnbiased: trainingOnly('batchNormInference', 'runningVarUnbiased'),
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
      momentum: trainingOnly('batchNormStats', 'momentum'),
    },
  },
  batchNormTraining: {
    params: ['epsilon', 'epsilonMode', 'momentum', 'runningVarUnbiased'],
    arrays: ['runningMean', 'runningVar', 'gamma', 'beta'],
    operands: ['x', 'y', 'runningMean', 'runningVar', 'gamma', 'beta', 'mean', 'var', 'newRunningMean', 'newRunningVar'],
    misplaced: {
      groups: 'batchNormTraining normalizes per channel; use groupNorm for groups',
      unbiased:
        'batchNormTraining normalizes with the biased batch variance (and returns it); runningVarUnbiased decides whether the running update uses the unbiased one',
      rstd: 'batchNormTraining writes the batch variance (var), not rstd',
      newRunningMean: 'batchNormTraining(x, options) returns the updated statistics as runningMean and runningVar; newRunningMean is an output buffer of encodeBatchNormTraining',
      newRunningVar: 'batchNormTraining(x, options) returns the updated statistics as runningMean and runningVar; newRunningVar is an output buffer of encodeBatchNormTraining',
    },
  },
} as const satisfies Record<BatchNormOpName, ChannelOpKeys>;

/** Compile-time only: the key lists and the typed-array option interfaces name the same keys (encode.ts checks its own). */
type BatchNormKeysMatch = [
  Assert<SameKeys<keyof BatchNormInferenceOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormInference'], 'arrays'>>>,
  Assert<SameKeys<keyof BatchNormStatsOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormStats'], 'arrays'>>>,
  Assert<SameKeys<keyof BatchNormTrainingOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormTraining'], 'arrays'>>>,
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
  const { epsilon, epsilonMode } = checkChannelEpsilon('batchNormInference', options as BatchNormInferenceOptions);
  // Spelled out, not spread: V8 took about a microsecond per call over spreads into this literal.
  const { batch, channels, spatial, layout, dtype, elements } = shape;
  return { batch, channels, spatial, layout, dtype, elements, epsilon, epsilonMode };
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
  const unbiased = checkUnbiased((options as BatchNormStatsOptions).unbiased, shape.batch * shape.spatial);
  const { batch, channels, spatial, layout, dtype, elements } = shape;
  return { batch, channels, spatial, layout, dtype, elements, unbiased };
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

/**
 * The one check of every non-tensor option of a BatchNorm training call, in any form: option keys,
 * shape, epsilon (default from the op table), `epsilonMode`, `momentum` (a number in [0, 1],
 * default 0.1) and `runningVarUnbiased` (default true; refused with one value per channel, where
 * N / (N − 1) is undefined: PyTorch raises there too).
 *
 * @example
 * ```ts
 * checkBatchNormTrainingOptions({ batch: 8, channels: 64, spatial: 49, layout: 'NHWC', runningMean, runningVar }, 'arrays').momentum; // 0.1
 * ```
 */
export function checkBatchNormTrainingOptions(options: unknown, form: CallForm): BatchNormTrainingShape {
  const shape = checkChannelCall('batchNormTraining', options, form, BATCH_NORM_KEYS.batchNormTraining);
  const o = options as BatchNormTrainingOptions;
  const momentum = o.momentum === undefined ? 0.1 : checkF32Option(o.momentum, 'momentum', { min: 0 });
  if (momentum > 1) throw new NormError('invalid-argument', `expected a number in [0, 1] (the weight of the batch statistics), got ${momentum}`, 'momentum');
  const unbiased = o.runningVarUnbiased ?? true;
  if (typeof unbiased !== 'boolean') throw new NormError('invalid-argument', `expected a boolean, got ${describe(unbiased)}`, 'runningVarUnbiased');
  const count = shape.batch * shape.spatial;
  if (unbiased && count < 2) {
    throw new NormError(
      'invalid-argument',
      `the unbiased running-variance update multiplies by N / (N − 1) and needs at least 2 values per channel (batch · spatial), got ${count}; pass runningVarUnbiased: false to update with the biased variance`,
      'runningVarUnbiased',
    );
  }
  const { epsilon, epsilonMode } = checkChannelEpsilon('batchNormTraining', o);
  const { batch, channels, spatial, layout, dtype, elements } = shape;
  return { batch, channels, spatial, layout, dtype, elements, epsilon, epsilonMode, momentum, runningVarUnbiased: unbiased };
}

/**
 * Checks a typed-array BatchNorm training call (GPU or CPU reference): the options, then x (its
 * dtype decides the call's) and the per-channel arrays.
 *
 * @example
 * ```ts
 * checkBatchNormTrainingArrays(x, { batch: 4, channels: 3, spatial: 49, layout: 'NCHW', runningMean, runningVar }).runningVarUnbiased; // true
 * ```
 */
export function checkBatchNormTrainingArrays(x: unknown, options: BatchNormTrainingOptions): BatchNormTrainingShape {
  const shape = checkBatchNormTrainingOptions(options, 'arrays');
  const dtype = checkChannelData(x, shape, options.dtype);
  checkChannelArray(options.runningMean, shape.channels, 'runningMean', true);
  checkChannelArray(options.runningVar, shape.channels, 'runningVar', true);
  checkChannelArray(options.gamma, shape.channels, 'gamma', false);
  checkChannelArray(options.beta, shape.channels, 'beta', false);
  return { ...shape, dtype };
}
