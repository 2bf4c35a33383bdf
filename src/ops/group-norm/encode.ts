/**
 * GroupNorm and InstanceNorm on the GPU: validation of GPU operands, planning and recording of the
 * three dispatches (partial statistics → merge → normalize), or of the fused one
 * (`fused.ts`). The typed-array forms are in `run.ts`.
 */
import { NormError } from '../../core/errors.js';
import { checkAliasing, operandResolver, type Operand } from '../../core/operands.js';
import { checkStatsScratch, coefficientsBytes, planStats, statsDispatches, type StatsLayout, type StatsPlan } from '../channel/stats.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import { GROUP_NORM_KEYS, checkGroupNormOptions, type GroupNormActivation, type GroupNormOpName, type GroupNormShape } from './options.js';
import { fusedGroupNormDispatch, selectGroupNormLayout } from './fused.js';
import { applyDispatch, type ApplyKind } from '../channel/apply.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import { scratchRange } from '../../core/scratch.js';
import type { AdmittedKeys, Assert, SameKeys, TensorShapeOptions } from '../channel/options.js';
import { storageBytes, type EpsilonMode } from '../../core/tensor.js';
import { encodeMethod } from '../table.js';

/**
 * GPU operands and shape of one InstanceNorm. `x`/`y` hold `batch·channels·spatial` elements of
 * `dtype` (f16: packed pairs, `ceil(n/2)·4` bytes); everything else is f32.
 *
 * @example
 * ```ts
 * const options: EncodeInstanceNormOptions = { x: act, y: out, batch: 1, channels: 64, spatial: 1024, layout: 'NHWC' };
 * ```
 */
export interface EncodeInstanceNormOptions extends TensorShapeOptions {
  /** Input, read-only. */
  readonly x: Operand;
  /** Output, same layout and dtype as x. Must not overlap any other operand. */
  readonly y: Operand;
  /** Per-channel scale, `channels` f32. */
  readonly gamma?: Operand | undefined;
  /** Per-channel shift, `channels` f32. */
  readonly beta?: Operand | undefined;
  /** Per-(image, group) mean output, `batch·groups` f32. Give both mean and rstd, or neither. */
  readonly mean?: Operand | undefined;
  /** Per-(image, group) applied factor output, `batch·groups` f32. */
  readonly rstd?: Operand | undefined;
  /** Default `1e-5` (`OPS[op].defaultEpsilon`). */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** Divide by N − 1. Default false. */
  readonly unbiased?: boolean | undefined;
  /** `'silu'`: y = silu(normalized · γ + β), fused into the same pass. Default `'none'`. */
  readonly activation?: GroupNormActivation | undefined;
}

/**
 * GPU operands and shape of one GroupNorm.
 *
 * @example
 * ```ts
 * const options: EncodeGroupNormOptions = { x: act, y: out, gamma, beta, batch: 2, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' };
 * ```
 */
export interface EncodeGroupNormOptions extends EncodeInstanceNormOptions {
  /** Must divide `channels`. */
  readonly groups: number;
}

/** Compile-time only: the key lists of options.ts and these interfaces name the same keys (a key added to one alone fails the type check). */
type EncodeKeysMatch = [
  Assert<SameKeys<keyof EncodeGroupNormOptions, AdmittedKeys<(typeof GROUP_NORM_KEYS)['groupNorm'], 'operands'>>>,
  Assert<SameKeys<keyof EncodeInstanceNormOptions, AdmittedKeys<(typeof GROUP_NORM_KEYS)['instanceNorm'], 'operands'>>>,
];

/**
 * The GPU operands of a GroupNorm / InstanceNorm whose other options were already checked.
 *
 * @example
 * ```ts
 * const operands: GroupNormOperands = { x, y, mean, rstd };
 * ```
 */
export type GroupNormOperands = Pick<EncodeInstanceNormOptions, 'x' | 'y' | 'gamma' | 'beta' | 'mean' | 'rstd'>;

/**
 * What was recorded, for tests and tuning: how each statistic was split and the size of each
 * dispatch.
 *
 * @example
 * ```ts
 * const info = norm.encodeGroupNorm(encoder, options);
 * info.chunks; // workgroups per statistic in pass 1 (per channel column in NHWC)
 * ```
 */
export interface NormPlanInfo {
  /** Pass-1 chunks per contiguous segment (NCHW) or per image's positions (NHWC). */
  readonly chunks: number;
  /** Partial (count, mean, M2) states pass 1 wrote. */
  readonly partials: number;
  /** Workgroups of each dispatch, in recording order. */
  readonly workgroups: readonly number[];
  /** The elementwise entry point used (absent for statistics-only ops). */
  readonly apply?: ApplyKind | undefined;
  /**
   * How the statistics were laid out (absent for BatchNorm inference): `workgroup` (GPUs),
   * `invocation` (CPU adapters; one chunk per invocation, no barriers) or `fused` (GroupNorm on CPU
   * adapters, NCHW, see {@link selectGroupNormLayout}: one dispatch, one invocation per (image,
   * group), no partials; `chunks` is 1, `partials` 0 and `apply` absent).
   */
  readonly statsLayout?: StatsLayout | 'fused' | undefined;
}

/**
 * Records GroupNorm into `target`; never submits. Three dispatches: partial statistics into the
 * normalizer's scratch buffer, a merge per (image, group), the elementwise normalization (on CPU
 * adapters in NCHW with enough groups, one fused dispatch instead: {@link selectGroupNormLayout}). With a
 * compute pass target they are recorded into that pass (replacing its pipeline and bind group 0);
 * with an encoder, into one new pass.
 *
 * @example
 * ```ts
 * const encoder = device.createCommandEncoder();
 * norm.encodeGroupNorm(encoder, { x, y, gamma, beta, mean, rstd, batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout: 'NHWC' });
 * device.queue.submit([encoder.finish()]);
 * ```
 */
export function encodeGroupNorm(ctx: KernelContext, target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo {
  return encodeOp(ctx, target, 'groupNorm', options);
}

/**
 * Records InstanceNorm (GroupNorm with `groups = channels`) into `target`; never submits.
 *
 * @example
 * ```ts
 * norm.encodeInstanceNorm(pass, { x, y, batch: 4, channels: 64, spatial: 32 * 32, layout: 'NCHW', dtype: 'f16' });
 * ```
 */
export function encodeInstanceNorm(ctx: KernelContext, target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo {
  return encodeOp(ctx, target, 'instanceNorm', options);
}

function encodeOp(ctx: KernelContext, target: EncodeTarget, op: GroupNormOpName, options: EncodeInstanceNormOptions): NormPlanInfo {
  checkTarget(target);
  return recordGroupNorm(ctx, target, op, checkGroupNormOptions(op, options, 'operands'), options);
}

/**
 * Records a GroupNorm / InstanceNorm whose options `s` were validated by
 * {@link checkGroupNormOptions} (the encode forms) or {@link checkGroupNormArrays} (the typed-array
 * forms, with their uploads): checks the operands (size, usage, alignment, aliasing), then records.
 *
 * @example
 * ```ts
 * recordGroupNorm(ctx, encoder, 'groupNorm', checkGroupNormArrays('groupNorm', x, options), { x: xBuffer, y, mean, rstd });
 * ```
 */
export function recordGroupNorm(ctx: KernelContext, target: EncodeTarget, op: GroupNormOpName, s: GroupNormShape, o: GroupNormOperands): NormPlanInfo {
  const { limits } = ctx;
  const stats = s.batch * s.groups;
  const ops = operandResolver(o, limits, encodeMethod(op));
  const x = ops.take('x', storageBytes(s.elements, s.dtype), false, true)!;
  const y = ops.take('y', storageBytes(s.elements, s.dtype), true, true)!;
  const gamma = ops.take('gamma', storageBytes(s.channels, 'f32'), false, false);
  const beta = ops.take('beta', storageBytes(s.channels, 'f32'), false, false);
  const mean = ops.take('mean', storageBytes(stats, 'f32'), true, false);
  const rstd = ops.take('rstd', storageBytes(stats, 'f32'), true, false);
  if ((mean === undefined) !== (rstd === undefined)) {
    throw new NormError('invalid-argument', 'give both mean and rstd, or neither', mean ? 'rstd' : 'mean');
  }
  checkAliasing(ops.ranges);
  const plan = planGroupNorm(ctx, s);

  const label = `webgpu-norm ${op}`;
  const silu = s.activation === 'silu';
  const outputs = {
    mean,
    rstd,
    gamma,
    beta,
    divisor: s.unbiased ? s.groupSize - 1 : s.groupSize,
    epsilon: s.epsilon,
    addToStd: s.epsilonMode === 'add-to-std',
  };
  if (plan === undefined) {
    const d = fusedGroupNormDispatch(ctx, s, x, y, outputs, silu);
    recordDispatches(target, label, [d]);
    return { chunks: 1, partials: 0, workgroups: [d.grid[0] * d.grid[1]], statsLayout: 'fused' };
  }
  const coefficients = scratchRange(ctx.resources, 'coefficients', coefficientsBytes(plan, s.batch * s.channels));
  const passes = statsDispatches(ctx, plan, x, s.dtype, { ...outputs, coefficients });
  const apply = applyDispatch(ctx, s, x, y, { coefficients, silu });
  recordDispatches(target, label, [...passes, apply.dispatch]);
  return {
    chunks: plan.chunks,
    partials: plan.partials,
    workgroups: [plan.partialWorkgroups, plan.mergeWorkgroups, apply.dispatch.grid[0] * apply.dispatch.grid[1]],
    apply: apply.kind,
    statsLayout: plan.layout,
  };
}

/**
 * The statistics plan of a GroupNorm / InstanceNorm (undefined for the fused one-dispatch layout,
 * which keeps no scratch), its partials and coefficients checked against the device limits
 * (`limit-exceeded`). Creates nothing, so the typed-array form calls it before its uploads.
 *
 * @example
 * ```ts
 * const plan = planGroupNorm(ctx, checkGroupNormArrays('instanceNorm', x, options));
 * ```
 */
export function planGroupNorm(ctx: KernelContext, s: GroupNormShape): StatsPlan | undefined {
  const layout = selectGroupNormLayout(ctx.profile, s);
  if (layout === 'fused') return undefined;
  const plan = planStats({ ...s, per: 'group' }, ctx.limits, layout);
  checkStatsScratch(ctx.limits, plan, coefficientsBytes(plan, s.batch * s.channels));
  return plan;
}
