/**
 * BatchNorm on the GPU: inference (one elementwise dispatch with the running statistics) and the
 * per-channel batch statistics of training mode (partials → merge, like GroupNorm's first two
 * passes). The typed-array forms are in `run.ts`.
 */
import { checkAliasing, operandResolver, type Operand } from '../../core/operands.js';
import { checkStatsScratch, planStats, selectStatsLayout, statsDispatches, type StatsPlan } from '../channel/stats.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import type { NormPlanInfo } from '../group-norm/encode.js';
import { applyDispatch } from '../channel/apply.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import type { AdmittedKeys, Assert, SameKeys, TensorShapeOptions } from '../channel/options.js';
import { storageBytes, type EpsilonMode } from '../../core/tensor.js';
import { encodeMethod } from '../table.js';
import {
  BATCH_NORM_KEYS,
  checkBatchNormInferenceOptions,
  checkBatchNormStatsOptions,
  type BatchNormInferenceShape,
  type BatchNormStatsShape,
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

/** Compile-time only: the key lists of options.ts and these interfaces name the same keys (a key added to one alone fails the type check). */
type EncodeKeysMatch = [
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
