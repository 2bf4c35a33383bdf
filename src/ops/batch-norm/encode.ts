/**
 * BatchNorm on the GPU: inference (one elementwise dispatch with the running statistics) and the
 * per-channel batch statistics of training mode (partials → merge, like GroupNorm's first two
 * passes). The typed-array forms are in `run.ts`.
 */
import { NormError, checkEpsilon } from '../../core/errors.js';
import { checkAliasing, resolveOperand, type NamedRange, type Operand } from '../../core/operands.js';
import { planStats, selectStatsLayout, statsDispatches } from '../channel/stats.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import type { NormPlanInfo } from '../group-norm/encode.js';
import { applyDispatch } from '../channel/apply.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import { DEFAULT_EPSILON, checkTensorShape, checkUnbiased, type TensorShapeOptions } from '../channel/options.js';
import { checkEpsilonMode, storageBytes, type EpsilonMode } from '../../core/tensor.js';

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
  /** Default `1e-5`. */
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
 * Records BatchNorm inference into `target`; never submits.
 *
 * @example
 * ```ts
 * norm.encodeBatchNormInference(encoder, { x, y, runningMean, runningVar, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
 * ```
 */
export function encodeBatchNormInference(ctx: KernelContext, target: EncodeTarget, o: EncodeBatchNormInferenceOptions): NormPlanInfo {
  checkTarget(target);
  const s = checkTensorShape(o, 'f32');
  const epsilon = checkEpsilon(o.epsilon ?? DEFAULT_EPSILON);
  const epsilonMode = checkEpsilonMode(o.epsilonMode);
  const { limits } = ctx;
  const perChannel = s.channels * 4;
  const ranges: NamedRange[] = [
    resolveOperand(o.x, 'x', storageBytes(s.elements, s.dtype), limits, false),
    resolveOperand(o.y, 'y', storageBytes(s.elements, s.dtype), limits, true),
    resolveOperand(o.runningMean, 'runningMean', perChannel, limits, false),
    resolveOperand(o.runningVar, 'runningVar', perChannel, limits, false),
  ];
  const gamma = o.gamma === undefined ? undefined : resolveOperand(o.gamma, 'gamma', perChannel, limits, false);
  const beta = o.beta === undefined ? undefined : resolveOperand(o.beta, 'beta', perChannel, limits, false);
  checkAliasing([...ranges, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])]);
  const [x, y, runningMean, runningVar] = ranges as [NamedRange, NamedRange, NamedRange, NamedRange];
  const apply = applyDispatch(ctx, s, x, y, { runningMean, runningVar, gamma, beta, epsilon, addToStd: epsilonMode === 'add-to-std' });
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
  const s = checkTensorShape(o, 'f32');
  const count = s.batch * s.spatial;
  const unbiased = checkUnbiased(o.unbiased, count);
  const { limits } = ctx;
  if (o.mean === undefined || o.var === undefined) {
    throw new NormError('invalid-argument', 'is required (an output of channels f32)', o.mean === undefined ? 'mean' : 'var');
  }
  const ranges: NamedRange[] = [
    resolveOperand(o.x, 'x', storageBytes(s.elements, s.dtype), limits, false),
    resolveOperand(o.mean, 'mean', s.channels * 4, limits, true),
    resolveOperand(o.var, 'var', s.channels * 4, limits, true),
  ];
  checkAliasing(ranges);
  const [x, mean, variance] = ranges as [NamedRange, NamedRange, NamedRange];
  const plan = planStats({ ...s, per: 'channel', groups: s.channels }, limits, selectStatsLayout(ctx.profile, s));
  const passes = statsDispatches(ctx, plan, x, s.dtype, { mean, variance, divisor: unbiased ? count - 1 : count, epsilon: 0, addToStd: false });
  recordDispatches(target, 'webgpu-norm batchNormStats', passes);
  return { chunks: plan.chunks, partials: plan.partials, workgroups: [plan.partialWorkgroups, plan.mergeWorkgroups], statsLayout: plan.layout };
}
