/**
 * GroupNorm and InstanceNorm on the GPU: validation of GPU operands, planning and recording of the
 * three dispatches (partial statistics → merge → normalize). The typed-array forms are in
 * `run.ts`.
 */
import { NormError } from '../../core/errors.js';
import { checkAliasing, resolveOperand, type NamedRange, type Operand } from '../../core/operands.js';
import { fusedGroupNormDispatch, planStats, selectStatsLayout, statsDispatches, type StatsLayout } from '../channel/stats.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import { checkGroupNormParams, type GroupNormShape } from './options.js';
import { applyDispatch, type ApplyKind } from '../channel/apply.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import { scratchRange } from '../../core/scratch.js';
import { checkTensorShape, type TensorShapeOptions } from '../channel/options.js';
import { storageBytes, type EpsilonMode } from '../../core/tensor.js';

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
  /** Default `1e-5`. */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** Divide by N − 1. Default false. */
  readonly unbiased?: boolean | undefined;
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

/** Statistics (batch × groups) the fused layout needs at least: two cores × SIMD width 4. */
const FUSED_MIN_STATS = 8;

/**
 * The GroupNorm / InstanceNorm layout rule: `fused` (one dispatch) on CPU adapters for NCHW, where
 * each group is contiguous, when there are at least {@link FUSED_MIN_STATS} statistics to keep the
 * cores busy and, for f16, the group length is even (every group starts on a 32-bit word, so no
 * two invocations share one); otherwise the three-dispatch layout of {@link selectStatsLayout}.
 *
 * @example
 * ```ts
 * selectGroupNormLayout({ cpu: true }, { layout: 'NCHW', dtype: 'f32', batch: 1, groups: 32, groupSize: 40960, elements: 1310720 }); // 'fused'
 * ```
 */
export function selectGroupNormLayout(
  profile: { readonly cpu: boolean },
  s: Pick<GroupNormShape, 'layout' | 'dtype' | 'batch' | 'groups' | 'groupSize' | 'elements'>,
): StatsLayout | 'fused' {
  if (profile.cpu && s.layout === 'NCHW' && s.batch * s.groups >= FUSED_MIN_STATS && (s.dtype === 'f32' || s.groupSize % 2 === 0)) return 'fused';
  return selectStatsLayout(profile, s);
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
  checkTarget(target);
  const shape = checkGroupNormParams(checkTensorShape(options, 'f32'), options);
  return encodeShaped(ctx, target, shape, options, 'webgpu-norm groupNorm');
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
  checkTarget(target);
  const base = checkTensorShape(options, 'f32');
  const shape = checkGroupNormParams(base, { ...options, groups: base.channels });
  return encodeShaped(ctx, target, shape, options, 'webgpu-norm instanceNorm');
}

function encodeShaped(ctx: KernelContext, target: EncodeTarget, s: GroupNormShape, o: EncodeInstanceNormOptions, label: string): NormPlanInfo {
  const { limits } = ctx;
  const stats = s.batch * s.groups;
  const ranges: NamedRange[] = [
    resolveOperand(o.x, 'x', storageBytes(s.elements, s.dtype), limits, false),
    resolveOperand(o.y, 'y', storageBytes(s.elements, s.dtype), limits, true),
  ];
  const optional = (name: 'gamma' | 'beta' | 'mean' | 'rstd', count: number, writes: boolean): NamedRange | undefined => {
    const op = o[name];
    if (op === undefined) return undefined;
    const r = resolveOperand(op, name, count * 4, limits, writes);
    ranges.push(r);
    return r;
  };
  const gamma = optional('gamma', s.channels, false);
  const beta = optional('beta', s.channels, false);
  const mean = optional('mean', stats, true);
  const rstd = optional('rstd', stats, true);
  if ((mean === undefined) !== (rstd === undefined)) {
    throw new NormError('invalid-argument', 'give both mean and rstd, or neither', mean ? 'rstd' : 'mean');
  }
  checkAliasing(ranges);

  const layout = selectGroupNormLayout(ctx.profile, s);
  const outputs = {
    mean,
    rstd,
    gamma,
    beta,
    divisor: s.unbiased ? s.groupSize - 1 : s.groupSize,
    epsilon: s.epsilon,
    addToStd: s.epsilonMode === 'add-to-std',
  };
  if (layout === 'fused') {
    const [x, y] = ranges as [NamedRange, NamedRange];
    const d = fusedGroupNormDispatch(ctx, s, x, y, outputs);
    recordDispatches(target, label, [d]);
    return { chunks: 1, partials: 0, workgroups: [d.grid[0] * d.grid[1]], statsLayout: 'fused' };
  }
  const plan = planStats({ ...s, per: 'group' }, limits, layout);
  const coefficients = scratchRange(ctx.resources, 'coefficients', s.batch * s.channels * 16);
  const [x, y] = ranges as [NamedRange, NamedRange];
  const passes = statsDispatches(ctx, plan, x, s.dtype, { ...outputs, coefficients });
  const apply = applyDispatch(ctx, s, x, y, { coefficients });
  recordDispatches(target, label, [...passes, apply.dispatch]);
  return {
    chunks: plan.chunks,
    partials: plan.partials,
    workgroups: [plan.partialWorkgroups, plan.mergeWorkgroups, apply.dispatch.grid[0] * apply.dispatch.grid[1]],
    apply: apply.kind,
    statsLayout: plan.layout,
  };
}
