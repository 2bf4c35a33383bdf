/**
 * The elementwise pass shared by GroupNorm / InstanceNorm (pass 3, per-(image, channel)
 * coefficients from the merge) and BatchNorm inference (per-channel coefficients from the running
 * statistics): choice of entry point and the dispatch. See `shaders/channel/channel_apply.wgsl`.
 */
import shader from '../../../shaders/channel/channel_apply.wgsl?shader';
import type { BufferRange } from '../../core/bindings.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import { workgroupCap } from './stats.js';
import type { KernelContext } from '../../core/context.js';
import type { RecordedDispatch } from '../../core/record.js';
import type { TensorShape } from './options.js';

/**
 * How elements map to invocations. One unit per invocation (GPUs): `vec4` (f32, four elements
 * sharing a coefficient row or four consecutive channels), `scalar` (f32, any shape), `f16` (one
 * packed word of two halves). A run per invocation (CPU adapters, see {@link selectApplyLayout}):
 * `span` / `span-f16` (NCHW, a contiguous run of vectors or words), `columns` / `columns-scalar` /
 * `columns-f16` (NHWC, four channels over a run of positions).
 *
 * @example
 * ```ts
 * applyKind({ dtype: 'f32', layout: 'NCHW', spatial: 49, channels: 3 }); // 'scalar'
 * ```
 */
export type ApplyKind = 'vec4' | 'scalar' | 'f16' | SpanApplyKind;

/** The span-per-invocation kinds of the CPU-adapter layout. */
export type SpanApplyKind = 'span' | 'span-f16' | 'columns' | 'columns-scalar' | 'columns-f16';

/**
 * Span layout: vectors (or words, or positions) per invocation at most and at least, and the
 * invocations a large tensor is spread over at least. On SwiftShader a copy where each invocation
 * moves 64-256 consecutive vectors, four per iteration, is 1.5-2.5x faster than one vector per
 * invocation (bench/copy.wgsl); small workgroups cost nothing without barriers. Measured on
 * SwiftShader (BatchNorm inference, 320x4096 and 320x16384, alternating builds): 256 beat 128 by
 * 10-30% in both layouts, 512 was no better than 256, 32 was ~1.6x slower than 128.
 */
const SPAN_UNITS = 256;
const MIN_SPAN_UNITS = 8;
const MIN_SPAN_INVOCATIONS = 64;
const SPAN_WORKGROUP_SIZE = 16;

/**
 * @example
 * ```ts
 * applyKind({ dtype: 'f32', layout: 'NHWC', spatial: 49, channels: 320 }); // 'vec4'
 * ```
 */
export function applyKind(shape: Pick<TensorShape, 'dtype' | 'layout' | 'spatial' | 'channels'>): ApplyKind {
  if (shape.dtype === 'f16') return 'f16';
  const lanesShareRow = shape.layout === 'NCHW' ? shape.spatial % 4 === 0 : shape.channels % 4 === 0;
  return lanesShareRow ? 'vec4' : 'scalar';
}

/**
 * The selection rule of the elementwise pass: on CPU adapters (`profile.cpu`) a span per
 * invocation where the layout allows — NCHW f32 needs a whole number of 16-byte vectors
 * (elements % 4 == 0), NHWC f16 an even channel count (rows start on a word) — else (and on GPUs)
 * one unit per invocation ({@link applyKind}).
 *
 * @example
 * ```ts
 * selectApplyLayout({ cpu: true }, { dtype: 'f32', layout: 'NCHW', spatial: 4096, channels: 320, elements: 1310720 }); // 'span'
 * ```
 */
export function selectApplyLayout(profile: { readonly cpu: boolean }, shape: Pick<TensorShape, 'dtype' | 'layout' | 'spatial' | 'channels' | 'elements'>): ApplyKind {
  if (profile.cpu) {
    const f16 = shape.dtype === 'f16';
    if (shape.layout === 'NCHW') {
      if (f16) return 'span-f16';
      if (shape.elements % 4 === 0) return 'span';
    } else if (f16) {
      if (shape.channels % 2 === 0) return 'columns-f16';
    } else {
      return shape.channels % 4 === 0 ? 'columns' : 'columns-scalar';
    }
  }
  return applyKind(shape);
}

/** Long runs, but enough of them to keep every core busy on small tensors. */
function spanLength(total: number): number {
  return Math.max(MIN_SPAN_UNITS, Math.min(SPAN_UNITS, Math.ceil(total / MIN_SPAN_INVOCATIONS)));
}

/**
 * Invocations and uniform fields of one apply dispatch: `span` units per invocation (vectors,
 * words or positions) and, for the column kinds, position chunks per image and channel quads.
 *
 * @example
 * ```ts
 * planApply('span', { batch: 1, channels: 320, spatial: 4096, elements: 1310720 }); // { units: 1280, span: 256, chunks: 0, blocks: 0 }
 * ```
 */
export function planApply(kind: ApplyKind, shape: Pick<TensorShape, 'batch' | 'channels' | 'spatial' | 'elements'>): { units: number; span: number; chunks: number; blocks: number } {
  const { elements } = shape;
  switch (kind) {
    case 'vec4':
      return { units: elements / 4, span: 1, chunks: 0, blocks: 0 };
    case 'scalar':
      return { units: elements, span: 1, chunks: 0, blocks: 0 };
    case 'f16':
      return { units: Math.ceil(elements / 2), span: 1, chunks: 0, blocks: 0 };
    case 'span':
    case 'span-f16': {
      const total = kind === 'span' ? elements / 4 : Math.ceil(elements / 2);
      const span = spanLength(total);
      return { units: Math.ceil(total / span), span, chunks: 0, blocks: 0 };
    }
    default: {
      // Four channels per invocation, so `span` positions are 4 * span elements.
      const blocks = Math.ceil(shape.channels / 4);
      const span = spanLength(shape.batch * shape.spatial * blocks);
      const chunks = Math.ceil(shape.spatial / span);
      return { units: shape.batch * chunks * blocks, span, chunks, blocks };
    }
  }
}

/** Each kind's entry point, and which views of x and y (bindings 1 and 2) it reads and writes. */
const KINDS: Record<ApplyKind, { readonly entryPoint: string; readonly view: '' | '4' | 'h' }> = {
  vec4: { entryPoint: 'apply_vec4', view: '4' },
  scalar: { entryPoint: 'apply_scalar', view: '' },
  f16: { entryPoint: 'apply_f16', view: 'h' },
  span: { entryPoint: 'apply_span', view: '4' },
  'span-f16': { entryPoint: 'apply_span_f16', view: 'h' },
  columns: { entryPoint: 'apply_columns', view: '4' },
  'columns-scalar': { entryPoint: 'apply_columns_scalar', view: '' },
  'columns-f16': { entryPoint: 'apply_columns_f16', view: 'h' },
};

/**
 * Where the coefficients come from: the merge pass's buffer, per (image, channel) (GroupNorm) or
 * per channel (`perChannel`: BatchNorm training's batch statistics), or the running statistics of
 * BatchNorm inference. `silu` passes every output through SiLU before it is stored (GroupNorm's
 * `activation`).
 *
 * @example
 * ```ts
 * const source: ApplySource = { coefficients: scratch, silu: true };
 * ```
 */
export type ApplySource =
  | { readonly coefficients: BufferRange; readonly perChannel?: boolean | undefined; readonly silu?: boolean | undefined }
  | {
      readonly runningMean: BufferRange;
      readonly runningVar: BufferRange;
      readonly gamma?: BufferRange | undefined;
      readonly beta?: BufferRange | undefined;
      readonly epsilon: number;
      readonly addToStd: boolean;
    };

/**
 * Builds the elementwise dispatch.
 *
 * @example
 * ```ts
 * const d = applyDispatch(ctx, shape, x, y, { coefficients });
 * ```
 */
export function applyDispatch(ctx: KernelContext, shape: TensorShape, x: BufferRange, y: BufferRange, source: ApplySource): { dispatch: RecordedDispatch; kind: ApplyKind } {
  const { device, resources, limits } = ctx;
  const kind = selectApplyLayout(ctx.profile, shape);
  const plan = planApply(kind, shape);
  const units = plan.units;
  const { entryPoint, view: suffix } = KINDS[kind];
  const workgroupSize = plan.span > 1 ? Math.min(SPAN_WORKGROUP_SIZE, workgroupCap(limits)) : workgroupCap(limits);
  const running = 'runningMean' in source ? source : undefined;
  const merged = 'coefficients' in source ? source : undefined;
  const constants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: workgroupSize,
    NHWC: shape.layout === 'NHWC',
    RUNNING_STATS: running !== undefined,
    HAS_GAMMA: running?.gamma !== undefined,
    HAS_BETA: running?.beta !== undefined,
    ADD_TO_STD: running?.addToStd ?? false,
    CHANNEL_COEFFICIENTS: merged?.perChannel ?? false,
    SILU: merged?.silu ?? false,
  };
  // f16 read with the built-in conversion where the device was probed exact (src/core/f16-probe.ts).
  if (shape.dtype === 'f16' && ctx.profile.f16UnpackExact === true) constants.F16_UNPACK_EXACT = true;
  const pipeline = getPipeline(device, shader, entryPoint, constants);
  const bindGroup = resources.bindGroup(shader, entryPoint, pipeline, {
    params: resources.uniform(shader, 'params', {
      elements: shape.elements,
      units,
      spatial: shape.spatial,
      channels: shape.channels,
      image: shape.spatial * shape.channels,
      epsilon: running?.epsilon ?? 0,
      span: plan.span,
      chunks: plan.chunks,
      blocks: plan.blocks,
    }),
    ['x' + suffix]: x,
    ['y' + suffix]: y,
    coefficients: merged?.coefficients ?? resources.dummy('coefficients'),
    running_mean: running?.runningMean ?? resources.dummy('running_mean'),
    running_var: running?.runningVar ?? resources.dummy('running_var'),
    gamma: running?.gamma ?? resources.dummy('gamma'),
    beta: running?.beta ?? resources.dummy('beta'),
  });
  const grid = foldWorkgroups(Math.ceil(units / workgroupSize), limits.maxComputeWorkgroupsPerDimension);
  return { dispatch: { label: 'normalize', pipeline: pipeline.pipeline, bindGroup, grid }, kind };
}
