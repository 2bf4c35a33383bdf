/**
 * GroupNorm's and InstanceNorm's options and results, and their one validation: every form (typed
 * arrays on the GPU, encode, CPU reference) runs {@link checkGroupNormOptions}; the typed-array
 * forms and the reference add {@link checkGroupNormArrays}' data checks, the encode form its
 * operand checks (encode.ts).
 */
import { NormError, checkInteger, describe } from '../../core/errors.js';
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
 * The ops of this family: GroupNorm, and InstanceNorm (GroupNorm with one group per channel).
 *
 * @example
 * ```ts
 * const op: GroupNormOpName = 'instanceNorm';
 * ```
 */
export type GroupNormOpName = OpsOf<'group-norm'>;

/**
 * Options of InstanceNorm: GroupNorm with one channel per group.
 *
 * @example
 * ```ts
 * const options: InstanceNormOptions = { batch: 1, channels: 64, spatial: 32 * 32, layout: 'NCHW', epsilon: 1e-5 };
 * ```
 */
export interface InstanceNormOptions extends TensorShapeOptions {
  /** Per-channel scale, length `channels`, f32 for every dtype. Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** Per-channel shift, length `channels`, f32 for every dtype. Absent means 0. */
  readonly beta?: Float32Array | undefined;
  /** Default `1e-5` (`OPS[op].defaultEpsilon`). */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** Divide by N − 1 instead of N (N = elements per group). Default false (PyTorch's GroupNorm). */
  readonly unbiased?: boolean | undefined;
  /**
   * Applied to the normalized, scaled and shifted value: `'silu'` gives `y = v · sigmoid(v)` (the
   * GroupNorm + SiLU of diffusion UNets and ONNX's com.microsoft GroupNorm), fused into the same
   * pass, computed in f32 and rounded once. Default `'none'`.
   */
  readonly activation?: GroupNormActivation | undefined;
}

/**
 * What GroupNorm / InstanceNorm apply to their output: nothing, or SiLU (`v · sigmoid(v)`).
 *
 * @example
 * ```ts
 * const activation: GroupNormActivation = 'silu';
 * ```
 */
export type GroupNormActivation = 'none' | 'silu';

/**
 * Options of GroupNorm: the channels are split into `groups` equal runs of consecutive channels,
 * and each (image, group) is normalized over all its channels and positions.
 *
 * @example
 * ```ts
 * const options: GroupNormOptions = { batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout: 'NHWC', gamma, beta };
 * ```
 */
export interface GroupNormOptions extends InstanceNormOptions {
  /** Number of groups; must divide `channels`. */
  readonly groups: number;
}

/**
 * Outputs of GroupNorm / InstanceNorm.
 *
 * @example
 * ```ts
 * const { y, mean, rstd }: GroupNormResult = await norm.groupNorm(x, options);
 * mean.length; // batch * groups
 * ```
 */
export interface GroupNormResult<Y extends TensorData | Float64Array = Float32Array, S extends Float32Array | Float64Array = Float32Array> {
  /** Normalized, scaled and shifted values: same layout and dtype as `x`. */
  readonly y: Y;
  /** Mean per (image, group), index `n * groups + g`; always f32 (f64 in the `…F64` reference). */
  readonly mean: S;
  /** The factor applied per (image, group): `1/sqrt(var + ε)`, or `1/(sqrt(var) + ε)` with `add-to-std`. */
  readonly rstd: S;
}

/**
 * A validated GroupNorm call.
 *
 * @example
 * ```ts
 * const s: GroupNormShape = checkGroupNormArrays('groupNorm', x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' });
 * s.groupSize; // 40960
 * ```
 */
export interface GroupNormShape extends TensorShape {
  readonly groups: number;
  /** channels / groups. */
  readonly channelsPerGroup: number;
  /** Elements per (image, group): channelsPerGroup · spatial. */
  readonly groupSize: number;
  readonly epsilon: number;
  readonly epsilonMode: EpsilonMode;
  readonly unbiased: boolean;
  readonly activation: GroupNormActivation;
}

const runningStats = (op: GroupNormOpName) => `${op} normalizes with the statistics of x; running statistics are for batchNormInference`;

/**
 * What each op takes beyond the shape, per form, and its siblings' keys it refuses with a reason.
 *
 * @example
 * ```ts
 * GROUP_NORM_KEYS.instanceNorm.misplaced.groups; // 'instanceNorm has one group per channel; use groupNorm for groups'
 * ```
 */
export const GROUP_NORM_KEYS = {
  groupNorm: {
    params: ['groups', 'epsilon', 'epsilonMode', 'unbiased', 'activation'],
    arrays: ['gamma', 'beta'],
    operands: ['x', 'y', 'gamma', 'beta', 'mean', 'rstd'],
    misplaced: { runningMean: runningStats('groupNorm'), runningVar: runningStats('groupNorm') },
  },
  instanceNorm: {
    params: ['epsilon', 'epsilonMode', 'unbiased', 'activation'],
    arrays: ['gamma', 'beta'],
    operands: ['x', 'y', 'gamma', 'beta', 'mean', 'rstd'],
    misplaced: {
      groups: 'instanceNorm has one group per channel; use groupNorm for groups',
      runningMean: runningStats('instanceNorm'),
      runningVar: runningStats('instanceNorm'),
    },
  },
} as const satisfies Record<GroupNormOpName, ChannelOpKeys>;

/** Compile-time only: the key lists and the typed-array option interfaces name the same keys (encode.ts checks its own). */
type GroupNormKeysMatch = [
  Assert<SameKeys<keyof GroupNormOptions, AdmittedKeys<(typeof GROUP_NORM_KEYS)['groupNorm'], 'arrays'>>>,
  Assert<SameKeys<keyof InstanceNormOptions, AdmittedKeys<(typeof GROUP_NORM_KEYS)['instanceNorm'], 'arrays'>>>,
];

/**
 * The one check of every non-tensor option of a GroupNorm (`groups` given) or InstanceNorm
 * (`groups` = channels) call, in any form: option keys, shape, `groups`, epsilon (default from the
 * op table), `epsilonMode`, `unbiased`, `activation`. `dtype` defaults to `'f32'` here; the typed-array forms
 * take it from x ({@link checkGroupNormArrays}).
 *
 * @example
 * ```ts
 * checkGroupNormOptions('groupNorm', { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' }, 'operands').channelsPerGroup; // 10
 * ```
 */
export function checkGroupNormOptions(op: GroupNormOpName, options: unknown, form: CallForm): GroupNormShape {
  const shape = checkChannelCall(op, options, form, GROUP_NORM_KEYS[op]);
  const o = options as GroupNormOptions;
  const groups = checkInteger(op === 'instanceNorm' ? shape.channels : o.groups, 'groups');
  if (shape.channels % groups !== 0) {
    throw new NormError('shape-mismatch', `channels (${shape.channels}) must be a multiple of groups (${groups})`, 'groups');
  }
  const channelsPerGroup = shape.channels / groups;
  const groupSize = channelsPerGroup * shape.spatial;
  const unbiased = checkUnbiased(o.unbiased, groupSize);
  const { epsilon, epsilonMode } = checkChannelEpsilon(op, o);
  const activation = checkActivation(o.activation);
  // Spelled out, not spread: V8 took microseconds per call over spreads into this literal.
  const { batch, channels, spatial, layout, dtype, elements } = shape;
  return { batch, channels, spatial, layout, dtype, elements, groups, channelsPerGroup, groupSize, epsilon, epsilonMode, unbiased, activation };
}

/**
 * `activation`: `'none'` (the default) or `'silu'`.
 *
 * @example
 * ```ts
 * checkActivation(undefined); // 'none'
 * checkActivation('swish');   // throws NormError invalid-argument (argument 'activation')
 * ```
 */
export function checkActivation(value: unknown): GroupNormActivation {
  if (value === undefined) return 'none';
  if (value !== 'none' && value !== 'silu') {
    const hint = value === 'swish' || value === 'SiLU' || value === 'Silu' ? " (SiLU, also called swish, is spelled 'silu')" : '';
    throw new NormError('invalid-argument', `expected 'none' or 'silu', got ${describe(value)}${hint}`, 'activation');
  }
  return value;
}

/**
 * Checks a typed-array GroupNorm or InstanceNorm call (GPU or CPU reference): the options, then
 * x (its dtype decides the call's) and the per-channel arrays.
 *
 * @example
 * ```ts
 * checkGroupNormArrays('groupNorm', new Float32Array(2 * 8 * 9), { batch: 2, channels: 8, spatial: 9, groups: 4, layout: 'NCHW' }).groupSize; // 18
 * ```
 */
export function checkGroupNormArrays(op: GroupNormOpName, x: unknown, options: GroupNormOptions | InstanceNormOptions): GroupNormShape {
  const shape = checkGroupNormOptions(op, options, 'arrays');
  const dtype = checkChannelData(x, shape, options.dtype);
  checkChannelArray(options.gamma, shape.channels, 'gamma', false);
  checkChannelArray(options.beta, shape.channels, 'beta', false);
  return { ...shape, dtype };
}
