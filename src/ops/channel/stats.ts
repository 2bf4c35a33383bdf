/**
 * Statistics over subsets of a (batch, channels, spatial) tensor, split across workgroups: the
 * planning and the first two dispatches (partials, merge) of GroupNorm, InstanceNorm and
 * BatchNorm statistics. `shaders/channel/channel_partials.wgsl` explains the passes and the
 * numerics; this file decides the chunking and translates each (layout, statistic kind) into the
 * index arithmetic of the partials and merge shaders.
 */
import partialsShader from '../../../shaders/channel/channel_partials.wgsl?shader';
import mergeShader from '../../../shaders/channel/channel_merge.wgsl?shader';
import { elementStride, type BufferRange } from '../../core/bindings.js';
import { foldWorkgroups, nextPowerOfTwo } from '../../core/dispatch.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import type { KernelContext } from '../../core/context.js';
import type { RecordedDispatch } from '../../core/record.js';
import { checkScratch, scratchRange, type ScratchLimits } from '../../core/scratch.js';
import type { TensorLayout } from './options.js';
import { type Dtype, storageBytes } from '../../core/tensor.js';

/**
 * Elements each pass-1 invocation reduces, about: enough to amortize the workgroup merge (cheap on
 * GPUs, costly on CPU implementations such as SwiftShader, where 16 took twice as long), few
 * enough that a UNet-sized GroupNorm (1×320×64×64) still spreads over 160 workgroups.
 */
const ELEMENTS_PER_INVOCATION = 32;

/**
 * Invocation layout (CPU adapters): elements each invocation reduces at most (1024 vectors of four
 * f32), and the invocations a large tensor is spread over at least. On SwiftShader per-invocation
 * and per-iteration overhead dominate, so long spans win as long as both cores stay busy.
 */
const SPAN_ELEMENTS = 4096;
const MIN_SPAN_ELEMENTS = 256;
const MIN_INVOCATIONS = 64;
/** Invocations per workgroup in the invocation layout (no barriers, so small groups cost nothing). */
const CPU_WORKGROUP_SIZE = 8;
/** Chunk lengths are multiples of this, so chunks of aligned segments start on 16-byte vectors (8 halves). */
const SPAN_ALIGN = 16;

/**
 * What to reduce: per (image, group) over the group's channels and positions (GroupNorm;
 * InstanceNorm is groups = channels), or per channel over images and positions (BatchNorm).
 *
 * @example
 * ```ts
 * const problem: StatsProblem = { layout: 'NHWC', dtype: 'f32', batch: 1, channels: 320, spatial: 4096, per: 'group', groups: 32 };
 * ```
 */
export interface StatsProblem {
  readonly layout: TensorLayout;
  readonly dtype: Dtype;
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly per: 'group' | 'channel';
  /** Groups, when `per` is 'group'. */
  readonly groups: number;
}

/**
 * How the statistics are computed: how many chunks (pass-1 workgroups) each statistic's elements
 * are split into, how many partial states that leaves, and the workgroup counts of both passes.
 *
 * @example
 * ```ts
 * const plan = planStats(problem, device.limits);
 * plan.chunks; // e.g. 32: each channel column is reduced by 32 workgroups along its positions
 * ```
 */
export interface StatsPlan {
  /**
   * `workgroup` (GPUs): a workgroup per chunk, combined in workgroup memory; `invocation` (CPU
   * adapters): an invocation per chunk, no barriers. See `shaders/channel/channel_partials.wgsl`.
   */
  readonly layout: StatsLayout;
  readonly entryPoint: 'partials_contiguous' | 'partials_channels' | 'partials_span' | 'partials_columns';
  readonly mergeEntryPoint: 'merge' | 'merge_each';
  /** partials_columns: channels % 4 === 0 (one aligned vector per four channels). */
  readonly aligned: boolean;
  /** Chunks along each contiguous segment (NCHW) or along the positions of each image (NHWC). */
  readonly chunks: number;
  /** Partial states written by pass 1 (one per chunk, and per channel in NHWC). */
  readonly partials: number;
  /** Number of statistics (pass-2 workgroups). */
  readonly outputs: number;
  readonly partialWorkgroups: number;
  readonly partialWorkgroupSize: number;
  /** NHWC: invocations across channels in a pass-1 workgroup; 1 for NCHW. */
  readonly channelLanes: number;
  readonly mergeWorkgroupSize: number;
  readonly mergeWorkgroups: number;
  readonly partialParams: Readonly<Record<string, number>>;
  readonly mergeParams: Readonly<Record<string, number>>;
}

/**
 * How passes 1 and 2 are laid out: `workgroup` for GPUs, `invocation` for CPU adapters.
 *
 * @example
 * ```ts
 * const layout: StatsLayout = ctx.profile.cpu ? 'invocation' : 'workgroup';
 * ```
 */
export type StatsLayout = 'workgroup' | 'invocation';

/**
 * The selection rule: the invocation layout on CPU adapters (SwiftShader, lavapipe, WARP), where
 * barriers are what costs, unless x is under 16 bytes (its 16-byte vector view could not be bound);
 * the workgroup layout on GPUs.
 *
 * @example
 * ```ts
 * selectStatsLayout({ cpu: true }, { elements: 1 << 20, dtype: 'f32' }); // 'invocation'
 * ```
 */
export function selectStatsLayout(profile: { readonly cpu: boolean }, p: { readonly elements: number; readonly dtype: Dtype }): StatsLayout {
  const bytes = storageBytes(p.elements, p.dtype);
  return profile.cpu && bytes >= 16 ? 'invocation' : 'workgroup';
}

/**
 * The largest power-of-two workgroup size the device allows, capped at 256.
 *
 * @example
 * ```ts
 * workgroupCap({ maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 128 }); // 128
 * ```
 */
export function workgroupCap(limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>): number {
  const prev = (n: number) => 2 ** Math.floor(Math.log2(n));
  return Math.min(256, prev(limits.maxComputeInvocationsPerWorkgroup), prev(limits.maxComputeWorkgroupSizeX));
}

/** Splits `length` into chunks of at most about `target` (balanced, none empty). */
function chunking(length: number, target: number): { chunk: number; chunks: number } {
  const chunk = Math.ceil(length / Math.ceil(length / target));
  return { chunk, chunks: Math.ceil(length / chunk) };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
const roundUp = (n: number, k: number) => Math.ceil(n / k) * k;

/** Splits `length` into chunks of at most about `target`, each a multiple of SPAN_ALIGN but the last. */
function alignedChunking(length: number, target: number): { chunk: number; chunks: number } {
  const chunk = roundUp(Math.ceil(length / Math.ceil(length / target)), SPAN_ALIGN);
  return { chunk, chunks: Math.ceil(length / chunk) };
}

/**
 * Plans both passes for `problem`.
 *
 * @example
 * ```ts
 * planStats({ layout: 'NCHW', dtype: 'f32', batch: 1, channels: 320, spatial: 16384, per: 'group', groups: 32 }, device.limits).chunks; // 20
 * ```
 */
export function planStats(
  p: StatsProblem,
  limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>,
  layout: StatsLayout = 'workgroup',
): StatsPlan {
  // With one position per image (BatchNorm on (N, C) activations), NCHW and NHWC are the same
  // memory; the NCHW plan would give every (image, channel) element a workgroup of its own.
  if (p.layout === 'NCHW' && p.spatial === 1) p = { ...p, layout: 'NHWC' };
  if (layout === 'invocation') return planInvocationStats(p, limits);
  const cap = workgroupCap(limits);
  const minSize = Math.min(32, cap);
  const { batch: N, channels: C, spatial: S } = p;
  const G = p.per === 'group' ? p.groups : C;
  const cpg = C / G;
  const group = p.per === 'group';

  // The merge: which partials belong to statistic o. See MergeParams in channel_merge.wgsl.
  let merge: { base_outer: number; base_inner: number; count_a: number; stride_a: number; count_b: number; stride_b: number };
  let partial: Record<string, number>;
  let partials: number;
  let partialWorkgroups: number;
  let partialWorkgroupSize: number;
  let channelLanes = 1;
  let chunks: number;
  // Statistic q's pivot is element (q / stat_groups) * pivot_outer + (q % stat_groups) * pivot_inner:
  // the first element of its group (image n, channel g * cpg, position 0), or of its channel
  // (image 0, channel c, position 0).
  let stats: { stat_groups: number; pivot_outer: number; pivot_inner: number };

  if (p.layout === 'NCHW') {
    // Contiguous segments: a group's cpg channel maps, or one channel map of one image.
    const segments = group ? N * G : N * C;
    const length = group ? cpg * S : S;
    partialWorkgroupSize = clamp(nextPowerOfTwo(Math.ceil(length / ELEMENTS_PER_INVOCATION)), minSize, cap);
    const c = chunking(length, partialWorkgroupSize * ELEMENTS_PER_INVOCATION);
    chunks = c.chunks;
    partials = segments * chunks;
    partialWorkgroups = partials;
    // Group statistics are the segments themselves; channel statistics are segment k % C.
    stats = group ? { stat_groups: segments, pivot_outer: 0, pivot_inner: length } : { stat_groups: C, pivot_outer: 0, pivot_inner: S };
    partial = { segments, segment_len: length, channels: C, chunk: c.chunk, chunks, channel_blocks: 1, workgroups: partialWorkgroups, ...stats, channels_per_stat: 1 };
    // Partials are ordered (segment, chunk).
    merge = group
      ? { base_outer: 0, base_inner: chunks, count_a: 1, stride_a: 0, count_b: chunks, stride_b: 1 }
      : { base_outer: 0, base_inner: chunks, count_a: N, stride_a: C * chunks, count_b: chunks, stride_b: 1 };
  } else {
    // Rows of C channels: lanes across channels (a 256-byte run per load when C >= 64), the rest of
    // the workgroup down the positions.
    channelLanes = Math.min(64, nextPowerOfTwo(C), cap);
    const rows = clamp(nextPowerOfTwo(Math.ceil(S / ELEMENTS_PER_INVOCATION)), Math.max(1, minSize / channelLanes), cap / channelLanes);
    partialWorkgroupSize = channelLanes * rows;
    const c = chunking(S, rows * ELEMENTS_PER_INVOCATION);
    chunks = c.chunks;
    const blocks = Math.ceil(C / channelLanes);
    partials = N * chunks * C;
    partialWorkgroups = N * chunks * blocks;
    stats = group ? { stat_groups: G, pivot_outer: S * C, pivot_inner: cpg } : { stat_groups: C, pivot_outer: 0, pivot_inner: 1 };
    partial = {
      segments: N,
      segment_len: S,
      channels: C,
      chunk: c.chunk,
      chunks,
      channel_blocks: blocks,
      workgroups: partialWorkgroups,
      ...stats,
      channels_per_stat: group ? cpg : 1,
    };
    // Partials are ordered (image, chunk, channel).
    merge = group
      ? { base_outer: chunks * C, base_inner: cpg, count_a: chunks, stride_a: C, count_b: cpg, stride_b: 1 }
      : { base_outer: 0, base_inner: 1, count_a: N * chunks, stride_a: C, count_b: 1, stride_b: 0 };
  }
  const outputs = group ? N * G : C;
  const mergeWork = Math.max(merge.count_a * merge.count_b, group ? cpg : 1);
  return {
    layout: 'workgroup',
    entryPoint: p.layout === 'NCHW' ? 'partials_contiguous' : 'partials_channels',
    mergeEntryPoint: 'merge',
    aligned: false,
    chunks,
    partials,
    outputs,
    partialWorkgroups,
    partialWorkgroupSize,
    channelLanes,
    mergeWorkgroupSize: clamp(nextPowerOfTwo(mergeWork), minSize, cap),
    mergeWorkgroups: outputs,
    partialParams: { ...partial, units: partialWorkgroups },
    mergeParams: { outputs, ...stats, ...merge, groups: G, channels_per_group: group ? cpg : 1 },
  };
}

/**
 * The invocation layout: each invocation reduces one chunk (NCHW: a contiguous span of a segment;
 * NHWC: four channel columns over a range of positions) into its own partial, and one invocation
 * merges each statistic. Partials are ordered as in the workgroup layout, so the merge parameters
 * are the same.
 */
function planInvocationStats(
  p: StatsProblem,
  limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>,
): StatsPlan {
  const wg = Math.min(CPU_WORKGROUP_SIZE, workgroupCap(limits));
  const group = p.per === 'group';
  const { channels: C } = p;
  const G = group ? p.groups : C;
  const cpg = C / G;
  // A BatchNorm statistic spans every image, so in NHWC the images are just more positions.
  const { batch: N, spatial: S } = p.layout === 'NHWC' && !group ? { batch: 1, spatial: p.batch * p.spatial } : p;
  // Long spans, but enough of them to keep every core busy on small tensors.
  const target = clamp(roundUp(Math.ceil((N * C * S) / MIN_INVOCATIONS), SPAN_ALIGN), MIN_SPAN_ELEMENTS, SPAN_ELEMENTS);
  let partial: Record<string, number>;
  let merge: { base_outer: number; base_inner: number; count_a: number; stride_a: number; count_b: number; stride_b: number };
  let stats: { stat_groups: number; pivot_outer: number; pivot_inner: number };
  let units: number;
  let partials: number;
  let chunks: number;
  let aligned = false;
  if (p.layout === 'NCHW') {
    const segments = group ? N * G : N * C;
    const length = group ? cpg * S : S;
    const c = alignedChunking(length, target);
    chunks = c.chunks;
    units = segments * chunks;
    partials = units;
    stats = group ? { stat_groups: segments, pivot_outer: 0, pivot_inner: length } : { stat_groups: C, pivot_outer: 0, pivot_inner: S };
    partial = { segments, segment_len: length, channels: C, chunk: c.chunk, chunks, channel_blocks: 1, ...stats, channels_per_stat: 1 };
    merge = group
      ? { base_outer: 0, base_inner: chunks, count_a: 1, stride_a: 0, count_b: chunks, stride_b: 1 }
      : { base_outer: 0, base_inner: chunks, count_a: N, stride_a: C * chunks, count_b: chunks, stride_b: 1 };
  } else {
    // Four channels per invocation, so a chunk of `target / 4` positions is `target` elements.
    const blocks = Math.ceil(C / 4);
    const c = alignedChunking(S, Math.max(SPAN_ALIGN, Math.floor(target / 4)));
    chunks = c.chunks;
    units = N * chunks * blocks;
    partials = N * chunks * C;
    aligned = C % 4 === 0;
    stats = group ? { stat_groups: G, pivot_outer: S * C, pivot_inner: cpg } : { stat_groups: C, pivot_outer: 0, pivot_inner: 1 };
    partial = { segments: N, segment_len: S, channels: C, chunk: c.chunk, chunks, channel_blocks: blocks, ...stats, channels_per_stat: group ? cpg : 1 };
    merge = group
      ? { base_outer: chunks * C, base_inner: cpg, count_a: chunks, stride_a: C, count_b: cpg, stride_b: 1 }
      : { base_outer: 0, base_inner: 1, count_a: N * chunks, stride_a: C, count_b: 1, stride_b: 0 };
  }
  const outputs = group ? N * G : C;
  const partialWorkgroups = Math.ceil(units / wg);
  return {
    layout: 'invocation',
    entryPoint: p.layout === 'NCHW' ? 'partials_span' : 'partials_columns',
    mergeEntryPoint: 'merge_each',
    aligned,
    chunks,
    partials,
    outputs,
    partialWorkgroups,
    partialWorkgroupSize: wg,
    channelLanes: 1,
    mergeWorkgroupSize: wg,
    mergeWorkgroups: Math.ceil(outputs / wg),
    partialParams: { ...partial, workgroups: partialWorkgroups, units },
    mergeParams: { outputs, ...stats, ...merge, groups: G, channels_per_group: group ? cpg : 1 },
  };
}

/**
 * What pass 2 writes (absent outputs are bound to dummies) and how it turns M2 into the outputs.
 *
 * @example
 * ```ts
 * const outputs: StatsOutputs = { mean, rstd, coefficients, divisor: count, epsilon: 1e-5, addToStd: false };
 * ```
 */
export interface StatsOutputs {
  readonly mean?: BufferRange | undefined;
  readonly rstd?: BufferRange | undefined;
  readonly variance?: BufferRange | undefined;
  /** GroupNorm: per-(image, channel) coefficients for channel_apply.wgsl, batch · channels of {@link coefficientsBytes}. */
  readonly coefficients?: BufferRange | undefined;
  readonly gamma?: BufferRange | undefined;
  readonly beta?: BufferRange | undefined;
  /** N or N − 1. */
  readonly divisor: number;
  readonly epsilon: number;
  readonly addToStd: boolean;
}

/**
 * Builds passes 1 and 2 (partials into the normalizer's scratch buffer, then the merge).
 *
 * @example
 * ```ts
 * const [partials, merge] = statsDispatches(ctx, plan, x, 'f32', { mean, rstd, divisor: 4096, epsilon: 1e-5, addToStd: false });
 * ```
 */
export function statsDispatches(ctx: KernelContext, plan: StatsPlan, x: BufferRange, dtype: Dtype, out: StatsOutputs): RecordedDispatch[] {
  const { device, resources, limits } = ctx;
  const f16 = dtype === 'f16';
  // Before the scratch or any uniform is created (callers with more scratch check it all first).
  checkStatsScratch(limits, plan, 0);
  const partials = scratchRange(resources, 'partials', partialsBytes(plan));

  // f16 read with the built-in conversion where the device was probed exact (src/core/f16-probe.ts).
  const exact = f16 && ctx.profile.f16UnpackExact === true;
  const p1Constants: Record<string, number | boolean> = { WORKGROUP_SIZE: plan.partialWorkgroupSize, CHANNEL_LANES: plan.channelLanes, F16: f16, ALIGNED: plan.aligned };
  if (exact) p1Constants.F16_UNPACK_EXACT = true;
  const p1 = getPipeline(device, partialsShader, plan.entryPoint, p1Constants);
  const p1Group = resources.bindGroup(partialsShader, plan.entryPoint, p1, {
    pass1: resources.uniform(partialsShader, 'pass1', plan.partialParams),
    x,
    ...(plan.layout === 'invocation' ? { x4: x } : {}),
    partials,
  });

  const mergeConstants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: plan.mergeWorkgroupSize,
    CHANNEL_LANES: 1,
    F16: f16,
    WRITE_MEAN: out.mean !== undefined,
    WRITE_RSTD: out.rstd !== undefined,
    WRITE_VARIANCE: out.variance !== undefined,
    WRITE_COEFFICIENTS: out.coefficients !== undefined,
    HAS_GAMMA: out.gamma !== undefined,
    HAS_BETA: out.beta !== undefined,
    ADD_TO_STD: out.addToStd,
  };
  if (exact) mergeConstants.F16_UNPACK_EXACT = true;
  const p2 = getPipeline(device, mergeShader, plan.mergeEntryPoint, mergeConstants);
  const p2Group = resources.bindGroup(mergeShader, plan.mergeEntryPoint, p2, {
    pass2: resources.uniform(mergeShader, 'pass2', { ...plan.mergeParams, divisor: out.divisor, epsilon: out.epsilon }),
    x,
    partials,
    mean: out.mean ?? resources.dummy('mean'),
    rstd: out.rstd ?? resources.dummy('rstd'),
    variance: out.variance ?? resources.dummy('variance'),
    coefficients: out.coefficients ?? resources.dummy('coefficients'),
    gamma: out.gamma ?? resources.dummy('gamma'),
    beta: out.beta ?? resources.dummy('beta'),
  });
  const max = limits.maxComputeWorkgroupsPerDimension;
  return [
    { label: 'partial statistics', pipeline: p1.pipeline, bindGroup: p1Group, grid: foldWorkgroups(plan.partialWorkgroups, max) },
    { label: 'merge statistics', pipeline: p2.pipeline, bindGroup: p2Group, grid: foldWorkgroups(plan.mergeWorkgroups, max) },
  ];
}

/**
 * Bytes of the per-(image, channel) coefficients the merge of `plan` writes for `count` channels
 * (GroupNorm's pass 3 input), from the merge shader's declaration of the binding.
 *
 * @example
 * ```ts
 * const coefficients = scratchRange(ctx.resources, 'coefficients', coefficientsBytes(plan, batch * channels));
 * ```
 */
export function coefficientsBytes(plan: Pick<StatsPlan, 'mergeEntryPoint'>, count: number): number {
  return count * elementStride(mergeShader, plan.mergeEntryPoint, 'coefficients');
}

/**
 * Bytes of the partial statistics pass 1 of `plan` writes, from the partials shader's declaration.
 *
 * @example
 * ```ts
 * partialsBytes(plan); // plan.partials * 16
 * ```
 */
export function partialsBytes(plan: Pick<StatsPlan, 'partials' | 'entryPoint'>): number {
  return plan.partials * elementStride(partialsShader, plan.entryPoint, 'partials');
}

/**
 * Refuses, with `limit-exceeded` and before anything is created, a plan whose partials (or
 * `coefficients` bytes of GroupNorm coefficients, 0 for none) would not fit one storage binding:
 * 16 bytes per (image, chunk, channel) in NHWC, which a wide InstanceNorm can push past it.
 *
 * @example
 * ```ts
 * checkStatsScratch(ctx.limits, plan, coefficientsBytes(plan, batch * channels));
 * ```
 */
export function checkStatsScratch(limits: ScratchLimits, plan: Pick<StatsPlan, 'partials' | 'entryPoint'>, coefficients: number): void {
  const split = 'split the batch, or the channels at group boundaries, into several calls';
  checkScratch(limits, `the ${plan.partials} partial statistics`, partialsBytes(plan), 'channels', split);
  if (coefficients > 0) checkScratch(limits, 'the per-(image, channel) coefficients', coefficients, 'channels', split);
}
