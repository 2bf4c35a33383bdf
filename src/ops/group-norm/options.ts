/**
 * GroupNorm's and InstanceNorm's options and results, and the validation of a typed-array call,
 * shared by the GPU convenience forms and the CPU reference.
 */
import { NormError, checkEpsilon, checkInteger } from '../../core/errors.js';
import { DEFAULT_EPSILON, checkChannelArray, checkTensorData, checkUnbiased, type TensorShape, type TensorShapeOptions } from '../channel/options.js';
import { checkEpsilonMode, type EpsilonMode, type TensorData } from '../../core/tensor.js';

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
  /** Default `1e-5`. */
  readonly epsilon?: number | undefined;
  /** Default `'inside-sqrt'`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** Divide by N − 1 instead of N (N = elements per group). Default false (PyTorch's GroupNorm). */
  readonly unbiased?: boolean | undefined;
}

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
 * const s: GroupNormShape = checkGroupNormArrays(x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' });
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
}

/**
 * Checks `groups` and the epsilon options against a validated shape (shared by the typed-array
 * and the encode forms).
 *
 * @example
 * ```ts
 * checkGroupNormParams(shape, { groups: 32 }).channelsPerGroup; // shape.channels / 32
 * ```
 */
export function checkGroupNormParams(
  shape: TensorShape,
  options: Pick<GroupNormOptions, 'groups' | 'epsilon' | 'epsilonMode' | 'unbiased'>,
): GroupNormShape {
  const groups = checkInteger(options.groups, 'groups');
  if (shape.channels % groups !== 0) {
    throw new NormError('shape-mismatch', `channels (${shape.channels}) must be a multiple of groups (${groups})`, 'groups');
  }
  const channelsPerGroup = shape.channels / groups;
  const groupSize = channelsPerGroup * shape.spatial;
  return {
    ...shape,
    groups,
    channelsPerGroup,
    groupSize,
    epsilon: checkEpsilon(options.epsilon ?? DEFAULT_EPSILON),
    epsilonMode: checkEpsilonMode(options.epsilonMode),
    unbiased: checkUnbiased(options.unbiased, groupSize),
  };
}

/**
 * Checks a typed-array GroupNorm call (`groups` given) or InstanceNorm call (`groups` absent:
 * one group per channel) and derives its shape.
 *
 * @example
 * ```ts
 * checkGroupNormArrays(new Float32Array(2 * 8 * 9), { batch: 2, channels: 8, spatial: 9, groups: 4, layout: 'NCHW' }).groupSize; // 18
 * ```
 */
export function checkGroupNormArrays(x: unknown, options: GroupNormOptions | InstanceNormOptions, instance = false): GroupNormShape {
  const shape = checkTensorData(x, options);
  const groups = instance ? shape.channels : (options as GroupNormOptions).groups;
  const g = checkGroupNormParams(shape, { ...options, groups });
  checkChannelArray(options.gamma, shape.channels, 'gamma', false);
  checkChannelArray(options.beta, shape.channels, 'beta', false);
  return g;
}
