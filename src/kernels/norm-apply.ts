/**
 * The elementwise pass shared by GroupNorm / InstanceNorm (pass 3, per-(image, channel)
 * coefficients from the merge) and BatchNorm inference (per-channel coefficients from the running
 * statistics): choice of entry point and the dispatch. See `shaders/norm_apply.wgsl`.
 */
import shader from '../../shaders/norm_apply.wgsl?shader';
import type { BufferRange } from '../bindings.js';
import { foldWorkgroups } from '../dispatch.js';
import { getPipeline } from '../pipeline-cache.js';
import { workgroupCap } from './channel-stats.js';
import type { KernelContext } from './context.js';
import type { RecordedDispatch } from './record.js';
import type { TensorShape } from './tensor-options.js';

/**
 * How elements map to invocations: `vec4` (f32, four elements sharing a coefficient row or four
 * consecutive channels), `scalar` (f32, any shape), `f16` (one packed word of two halves).
 *
 * @example
 * ```ts
 * applyKind({ dtype: 'f32', layout: 'NCHW', spatial: 49, channels: 3 }); // 'scalar'
 * ```
 */
export type ApplyKind = 'vec4' | 'scalar' | 'f16';

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
 * Where the coefficients come from: the merge pass's per-(image, channel) buffer, or the running
 * statistics of BatchNorm inference.
 *
 * @example
 * ```ts
 * const source: ApplySource = { coefficients: scratch };
 * ```
 */
export type ApplySource =
  | { readonly coefficients: BufferRange }
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
  const kind = applyKind(shape);
  const units = kind === 'vec4' ? shape.elements / 4 : kind === 'f16' ? Math.ceil(shape.elements / 2) : shape.elements;
  const entryPoint = `apply_${kind}`;
  const workgroupSize = workgroupCap(limits);
  const running = 'runningMean' in source ? source : undefined;
  const pipeline = getPipeline(device, shader, entryPoint, {
    WORKGROUP_SIZE: workgroupSize,
    NHWC: shape.layout === 'NHWC',
    RUNNING_STATS: running !== undefined,
    HAS_GAMMA: running?.gamma !== undefined,
    HAS_BETA: running?.beta !== undefined,
    ADD_TO_STD: running?.addToStd ?? false,
  });
  const suffix = kind === 'vec4' ? '4' : kind === 'f16' ? 'h' : '';
  const bindGroup = resources.bindGroup(shader, entryPoint, pipeline, {
    params: resources.uniform(shader, 'params', {
      elements: shape.elements,
      units,
      spatial: shape.spatial,
      channels: shape.channels,
      image: shape.spatial * shape.channels,
      epsilon: running?.epsilon ?? 0,
    }),
    ['x' + suffix]: x,
    ['y' + suffix]: y,
    coefficients: 'coefficients' in source ? source.coefficients : resources.dummy('coefficients'),
    running_mean: running?.runningMean ?? resources.dummy('running_mean'),
    running_var: running?.runningVar ?? resources.dummy('running_var'),
    gamma: running?.gamma ?? resources.dummy('gamma'),
    beta: running?.beta ?? resources.dummy('beta'),
  });
  const grid = foldWorkgroups(Math.ceil(units / workgroupSize), limits.maxComputeWorkgroupsPerDimension);
  return { dispatch: { label: 'normalize', pipeline: pipeline.pipeline, bindGroup, grid }, kind };
}
