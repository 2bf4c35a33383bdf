/**
 * BatchNorm on the GPU: inference (one elementwise dispatch with the running statistics), the
 * per-channel batch statistics (partials → merge, like GroupNorm's first two passes), and training
 * mode (those two, the elementwise pass with the batch statistics, and the running-statistics
 * update). The typed-array forms are in `run.ts`.
 */
import updateShader from '../../../shaders/batch-norm/running_update.wgsl?shader';
import { checkAliasing, operandResolver, type Operand } from '../../core/operands.js';
import { checkStatsScratch, coefficientsBytes, planStats, selectStatsLayout, statsDispatches, workgroupCap, type StatsPlan } from '../channel/stats.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import { scratchRange } from '../../core/scratch.js';
import type { BufferRange } from '../../core/bindings.js';
import type { RecordedDispatch } from '../../core/record.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import type { NormPlanInfo } from '../group-norm/encode.js';
import { applyDispatch } from '../channel/apply.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import type { AdmittedKeys, Assert, SameKeys, TensorShapeOptions } from '../channel/options.js';
import { storageBytes, type EpsilonMode } from '../../core/tensor.js';
import { NormError } from '../../core/errors.js';
import { encodeMethod } from '../table.js';
import {
  BATCH_NORM_KEYS,
  checkBatchNormInferenceOptions,
  checkBatchNormStatsOptions,
  checkBatchNormTrainingOptions,
  type BatchNormInferenceShape,
  type BatchNormStatsShape,
  type BatchNormTrainingShape,
} from './options.js';

/**
 * GPU operands and shape of one BatchNorm inference. `x`/`y` hold `batch·channels·spatial`
 * elements of `dtype`; the per-channel operands are `channels` f32.
 *
 * @example
 * ```ts
 * const options: EncodeBatchNormInferenceOptions = { x, y, runningMean, runningVar, gamma, beta, batch: 8, channels: 64, spatial: 3136, layout: 'NCHW' };
 * ```
 */
export interface EncodeBatchNormInferenceOptions extends TensorShapeOptions {
  readonly x: Operand;
  /** Must not overlap any other operand. */
  readonly y: Operand;
  readonly runningMean: Operand;
  readonly runningVar: Operand;
  readonly gamma?: Operand | undefined;
  readonly beta?: Operand | undefined;
  /** Default `1e-5` (`OPS.batchNormInference.defaultEpsilon`). */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
}

/**
 * GPU operands and shape of the per-channel batch statistics.
 *
 * @example
 * ```ts
 * const options: EncodeBatchNormStatsOptions = { x, mean, var: variance, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' };
 * ```
 */
export interface EncodeBatchNormStatsOptions extends TensorShapeOptions {
  readonly x: Operand;
  /** Output, `channels` f32. */
  readonly mean: Operand;
  /** Output, `channels` f32 (biased unless `unbiased`). */
  readonly var: Operand;
  /** Divide by N − 1 (N = batch · spatial). Default false. */
  readonly unbiased?: boolean | undefined;
}

/**
 * GPU operands and shape of one BatchNorm training step. `x`/`y` hold `batch·channels·spatial`
 * elements of `dtype`; every per-channel operand is `channels` f32.
 *
 * @example
 * ```ts
 * const options: EncodeBatchNormTrainingOptions = { x, y, runningMean, runningVar, gamma, beta, mean, var: variance, batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', momentum: 0.1 };
 * ```
 */
export interface EncodeBatchNormTrainingOptions extends TensorShapeOptions {
  readonly x: Operand;
  /** Normalized with the batch statistics. Must not overlap any other operand. */
  readonly y: Operand;
  /** Running mean before this batch; updated in place unless `newRunningMean` is given. */
  readonly runningMean: Operand;
  /** Running variance before this batch; updated in place unless `newRunningVar` is given. */
  readonly runningVar: Operand;
  readonly gamma?: Operand | undefined;
  readonly beta?: Operand | undefined;
  /** Output: the batch mean. Optional. */
  readonly mean?: Operand | undefined;
  /** Output: the biased batch variance. Optional. */
  readonly var?: Operand | undefined;
  /** Output for the updated running mean (runningMean then stays as it was). Give both new… operands or neither. */
  readonly newRunningMean?: Operand | undefined;
  /** Output for the updated running variance. */
  readonly newRunningVar?: Operand | undefined;
  /** Default `1e-5` (`OPS.batchNormTraining.defaultEpsilon`). */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** PyTorch's meaning, in [0, 1]: `new = (1 − momentum) · old + momentum · batch`. Default 0.1. */
  readonly momentum?: number | undefined;
  /** Update the running variance with the unbiased batch variance. Default true. */
  readonly runningVarUnbiased?: boolean | undefined;
}

/**
 * The GPU operands of a BatchNorm training step whose other options were already checked.
 *
 * @example
 * ```ts
 * const operands: BatchNormTrainingOperands = { x, y, runningMean, runningVar };
 * ```
 */
export type BatchNormTrainingOperands = Pick<
  EncodeBatchNormTrainingOptions,
  'x' | 'y' | 'runningMean' | 'runningVar' | 'gamma' | 'beta' | 'mean' | 'var' | 'newRunningMean' | 'newRunningVar'
>;

/** Compile-time only: the key lists of options.ts and these interfaces name the same keys (a key added to one alone fails the type check). */
type EncodeKeysMatch = [
  Assert<SameKeys<keyof EncodeBatchNormTrainingOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormTraining'], 'operands'>>>,
  Assert<SameKeys<keyof EncodeBatchNormInferenceOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormInference'], 'operands'>>>,
  Assert<SameKeys<keyof EncodeBatchNormStatsOptions, AdmittedKeys<(typeof BATCH_NORM_KEYS)['batchNormStats'], 'operands'>>>,
];

/**
 * The GPU operands of a BatchNorm inference whose other options were already checked.
 *
 * @example
 * ```ts
 * const operands: BatchNormInferenceOperands = { x, y, runningMean, runningVar };
 * ```
 */
export type BatchNormInferenceOperands = Pick<EncodeBatchNormInferenceOptions, 'x' | 'y' | 'runningMean' | 'runningVar' | 'gamma' | 'beta'>;

/**
 * The GPU operands of a batch statistics call whose other options were already checked.
 *
 * @example
 * ```ts
 * const operands: BatchNormStatsOperands = { x, mean, var: variance };
 * ```
 */
export type BatchNormStatsOperands = Pick<EncodeBatchNormStatsOptions, 'x' | 'mean' | 'var'>;

/**
 * Records BatchNorm inference into `target`; never submits.
 *
 * @example
 * ```ts
 * norm.encodeBatchNormInference(encoder, { x, y, runningMean, runningVar, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
 * ```
 */
export function encodeBatchNormInference(ctx: KernelContext, target: EncodeTarget, o: EncodeBatchNormInferenceOptions): NormPlanInfo {
  checkTarget(target);
  return recordBatchNormInference(ctx, target, checkBatchNormInferenceOptions(o, 'operands'), o);
}

/**
 * Records a BatchNorm inference whose options `s` were validated (encode or typed-array form):
 * checks the operands (size, usage, alignment, aliasing), then records the one dispatch.
 *
 * @example
 * ```ts
 * recordBatchNormInference(ctx, encoder, checkBatchNormInferenceArrays(x, options), { x: xBuffer, y, runningMean, runningVar });
 * ```
 */
export function recordBatchNormInference(ctx: KernelContext, target: EncodeTarget, s: BatchNormInferenceShape, o: BatchNormInferenceOperands): NormPlanInfo {
  const ops = operandResolver(o, ctx.limits, encodeMethod('batchNormInference'));
  const perChannel = storageBytes(s.channels, 'f32');
  const x = ops.take('x', storageBytes(s.elements, s.dtype), false, true)!;
  const y = ops.take('y', storageBytes(s.elements, s.dtype), true, true)!;
  const runningMean = ops.take('runningMean', perChannel, false, true)!;
  const runningVar = ops.take('runningVar', perChannel, false, true)!;
  const gamma = ops.take('gamma', perChannel, false, false);
  const beta = ops.take('beta', perChannel, false, false);
  checkAliasing(ops.ranges);
  const apply = applyDispatch(ctx, s, x, y, { runningMean, runningVar, gamma, beta, epsilon: s.epsilon, addToStd: s.epsilonMode === 'add-to-std' });
  recordDispatches(target, 'webgpu-norm batchNormInference', [apply.dispatch]);
  return { chunks: 0, partials: 0, workgroups: [apply.dispatch.grid[0] * apply.dispatch.grid[1]], apply: apply.kind };
}

/**
 * Records the per-channel batch statistics into `target`; never submits.
 *
 * @example
 * ```ts
 * norm.encodeBatchNormStats(encoder, { x, mean, var: variance, batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', unbiased: true });
 * ```
 */
export function encodeBatchNormStats(ctx: KernelContext, target: EncodeTarget, o: EncodeBatchNormStatsOptions): NormPlanInfo {
  checkTarget(target);
  return recordBatchNormStats(ctx, target, checkBatchNormStatsOptions(o, 'operands'), o);
}

/**
 * Records batch statistics whose options `s` were validated (encode or typed-array form): checks
 * the operands (size, usage, alignment, aliasing), then records the partials and the merge.
 *
 * @example
 * ```ts
 * recordBatchNormStats(ctx, encoder, checkBatchNormStatsArrays(x, options), { x: xBuffer, mean, var: variance });
 * ```
 */
export function recordBatchNormStats(ctx: KernelContext, target: EncodeTarget, s: BatchNormStatsShape, o: BatchNormStatsOperands): NormPlanInfo {
  const { limits } = ctx;
  const ops = operandResolver(o, limits, encodeMethod('batchNormStats'));
  const x = ops.take('x', storageBytes(s.elements, s.dtype), false, true)!;
  const mean = ops.take('mean', storageBytes(s.channels, 'f32'), true, true)!;
  const variance = ops.take('var', storageBytes(s.channels, 'f32'), true, true)!;
  checkAliasing(ops.ranges);
  const count = s.batch * s.spatial;
  const plan = planBatchNormStats(ctx, s);
  const passes = statsDispatches(ctx, plan, x, s.dtype, { mean, variance, divisor: s.unbiased ? count - 1 : count, epsilon: 0, addToStd: false });
  recordDispatches(target, 'webgpu-norm batchNormStats', passes);
  return { chunks: plan.chunks, partials: plan.partials, workgroups: [plan.partialWorkgroups, plan.mergeWorkgroups], statsLayout: plan.layout };
}

/**
 * The statistics plan of a batchNormStats call, its partials checked against the device limits
 * (`limit-exceeded`). Creates nothing, so the typed-array form calls it before its uploads.
 *
 * @example
 * ```ts
 * planBatchNormStats(ctx, checkBatchNormStatsArrays(x, options));
 * ```
 */
export function planBatchNormStats(ctx: KernelContext, s: BatchNormStatsShape): StatsPlan {
  const plan = planStats({ ...s, per: 'channel', groups: s.channels }, ctx.limits, selectStatsLayout(ctx.profile, s));
  checkStatsScratch(ctx.limits, plan, 0);
  return plan;
}

/**
 * Records one BatchNorm training step into `target`; never submits. Four dispatches: partial
 * statistics, the merge (batch mean and biased variance, and per-channel coefficients), the
 * elementwise normalization with them, and the running-statistics update.
 *
 * @example
 * ```ts
 * norm.encodeBatchNormTraining(encoder, { x, y, runningMean, runningVar, gamma, beta, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
 * ```
 */
export function encodeBatchNormTraining(ctx: KernelContext, target: EncodeTarget, o: EncodeBatchNormTrainingOptions): NormPlanInfo {
  checkTarget(target);
  return recordBatchNormTraining(ctx, target, checkBatchNormTrainingOptions(o, 'operands'), o);
}

/**
 * Records a BatchNorm training step whose options `s` were validated (encode or typed-array form):
 * checks the operands (size, usage, alignment, aliasing; the running statistics are outputs when
 * updated in place), then records the four dispatches.
 *
 * @example
 * ```ts
 * recordBatchNormTraining(ctx, encoder, checkBatchNormTrainingArrays(x, options), { x: xBuffer, y, runningMean, runningVar });
 * ```
 */
export function recordBatchNormTraining(ctx: KernelContext, target: EncodeTarget, s: BatchNormTrainingShape, o: BatchNormTrainingOperands): NormPlanInfo {
  const ops = operandResolver(o, ctx.limits, encodeMethod('batchNormTraining'));
  const perChannel = storageBytes(s.channels, 'f32');
  const inPlace = o.newRunningMean === undefined;
  if (inPlace !== (o.newRunningVar === undefined)) {
    throw new NormError('invalid-argument', 'give both newRunningMean and newRunningVar (or neither, to update runningMean and runningVar in place)', inPlace ? 'newRunningMean' : 'newRunningVar');
  }
  const x = ops.take('x', storageBytes(s.elements, s.dtype), false, true)!;
  const y = ops.take('y', storageBytes(s.elements, s.dtype), true, true)!;
  const runningMean = ops.take('runningMean', perChannel, inPlace, true)!;
  const runningVar = ops.take('runningVar', perChannel, inPlace, true)!;
  const gamma = ops.take('gamma', perChannel, false, false);
  const beta = ops.take('beta', perChannel, false, false);
  const mean = ops.take('mean', perChannel, true, false);
  const variance = ops.take('var', perChannel, true, false);
  const newRunningMean = ops.take('newRunningMean', perChannel, true, false);
  const newRunningVar = ops.take('newRunningVar', perChannel, true, false);
  checkAliasing(ops.ranges);
  const plan = planBatchNormTraining(ctx, s);

  const count = s.batch * s.spatial;
  const coefficients = scratchRange(ctx.resources, 'coefficients', coefficientsBytes(plan, s.channels));
  // The update reads the batch statistics; scratch stands in for the ones the caller did not ask for.
  const batchMean = mean ?? scratchRange(ctx.resources, 'batch-mean', perChannel);
  const batchVar = variance ?? scratchRange(ctx.resources, 'batch-var', perChannel);
  const stats = statsDispatches(ctx, plan, x, s.dtype, {
    mean: batchMean,
    variance: batchVar,
    coefficients,
    gamma,
    beta,
    divisor: count,
    epsilon: s.epsilon,
    addToStd: s.epsilonMode === 'add-to-std',
  });
  const apply = applyDispatch(ctx, s, x, y, { coefficients, perChannel: true });
  const update = runningUpdateDispatch(ctx, s, { batchMean, batchVar, runningMean, runningVar, newRunningMean, newRunningVar });
  recordDispatches(target, 'webgpu-norm batchNormTraining', [...stats, apply.dispatch, update]);
  return {
    chunks: plan.chunks,
    partials: plan.partials,
    workgroups: [plan.partialWorkgroups, plan.mergeWorkgroups, apply.dispatch.grid[0] * apply.dispatch.grid[1], update.grid[0] * update.grid[1]],
    apply: apply.kind,
    statsLayout: plan.layout,
  };
}

/**
 * The statistics plan of a batchNormTraining call, its partials and per-channel coefficients
 * checked against the device limits (`limit-exceeded`). Creates nothing, so the typed-array form
 * calls it before its uploads.
 *
 * @example
 * ```ts
 * planBatchNormTraining(ctx, checkBatchNormTrainingArrays(x, options));
 * ```
 */
export function planBatchNormTraining(ctx: KernelContext, s: BatchNormTrainingShape): StatsPlan {
  const plan = planStats({ ...s, per: 'channel', groups: s.channels }, ctx.limits, selectStatsLayout(ctx.profile, s));
  checkStatsScratch(ctx.limits, plan, coefficientsBytes(plan, s.channels));
  return plan;
}

/** Invocations per workgroup of the running update (one per channel). */
const UPDATE_WORKGROUP_SIZE = 64;

/** The per-channel running-statistics update (`shaders/batch-norm/running_update.wgsl`). */
function runningUpdateDispatch(
  ctx: KernelContext,
  s: BatchNormTrainingShape,
  r: { batchMean: BufferRange; batchVar: BufferRange; runningMean: BufferRange; runningVar: BufferRange; newRunningMean?: BufferRange | undefined; newRunningVar?: BufferRange | undefined },
): RecordedDispatch {
  const { device, resources, limits } = ctx;
  const inPlace = r.newRunningMean === undefined;
  const entryPoint = inPlace ? 'running_update_in_place' : 'running_update';
  const wg = Math.min(UPDATE_WORKGROUP_SIZE, workgroupCap(limits));
  const pipeline = getPipeline(device, updateShader, entryPoint, { WORKGROUP_SIZE: wg });
  const count = s.batch * s.spatial;
  const bindGroup = resources.bindGroup(updateShader, entryPoint, pipeline, {
    update: resources.uniform(updateShader, 'update', { channels: s.channels, momentum: s.momentum, correction: s.runningVarUnbiased ? count / (count - 1) : 1 }),
    batch_mean: r.batchMean,
    batch_var: r.batchVar,
    ...(inPlace
      ? { running_mean_rw: r.runningMean, running_var_rw: r.runningVar }
      : { running_mean: r.runningMean, running_var: r.runningVar, new_running_mean: r.newRunningMean!, new_running_var: r.newRunningVar! }),
  });
  const grid = foldWorkgroups(Math.ceil(s.channels / wg), limits.maxComputeWorkgroupsPerDimension);
  return { label: 'running statistics update', pipeline: pipeline.pipeline, bindGroup, grid };
}
