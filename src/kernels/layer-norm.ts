/**
 * LayerNorm forward on the GPU: validation of GPU operands, kernel selection, uniforms and
 * dispatch. The typed-array form lives in `normalizer.ts` and calls {@link encodeLayerNorm}.
 */
import shader from '../../shaders/layer_norm.wgsl?shader';
import { foldWorkgroups, nextPowerOfTwo } from '../dispatch.js';
import { NormError, checkEpsilon, checkInteger, describe } from '../errors.js';
import { checkAliasing, resolveOperand, type NamedRange, type Operand } from '../operands.js';
import { getPipeline } from '../pipeline-cache.js';
import { isCommandEncoder, isComputePass, recordDispatch, type EncodeTarget, type KernelContext } from './context.js';
import { DEFAULT_LAYER_NORM_EPSILON } from './layer-norm-options.js';

/** GPU operands and shape of one LayerNorm. All operands are f32. */
export interface EncodeLayerNormOptions {
  /** Input, `rows * cols` f32, read-only. */
  readonly x: Operand;
  /** Output, `rows * cols` f32. Must not overlap any other operand. */
  readonly y: Operand;
  /** Per-feature scale, `cols` f32. */
  readonly gamma?: Operand | undefined;
  /** Per-feature shift, `cols` f32. */
  readonly beta?: Operand | undefined;
  /** Per-row mean output, `rows` f32 (keep it for the backward pass). */
  readonly mean?: Operand | undefined;
  /** Per-row `1/sqrt(var + epsilon)` output, `rows` f32. */
  readonly rstd?: Operand | undefined;
  readonly rows: number;
  readonly cols: number;
  /** Default `1e-5`. */
  readonly epsilon?: number | undefined;
  /** Force a kernel variant instead of the automatic choice (tests, tuning). */
  readonly variant?: LayerNormVariant | undefined;
}

/**
 * A LayerNorm kernel variant. Each workgroup of `workgroupSize` invocations handles
 * `workgroupSize / threadsPerRow` rows; the `threadsPerRow` invocations of one row reduce its
 * statistics together.
 */
export interface LayerNormVariant {
  /**
   * How the invocations of one row combine partial sums: `workgroup` is a tree in workgroup memory
   * (one barrier per level); `subgroup` uses `subgroupAdd` and one barrier per reduction (only on
   * devices with the `subgroups` feature). Irrelevant when `threadsPerRow` is 1 (no reduction).
   */
  readonly reduction: 'workgroup' | 'subgroup';
  /** vec4 loads/stores; needs `cols % 4 === 0`. */
  readonly vec4: boolean;
  /** Invocations per workgroup: a power of two within the device's limits. */
  readonly workgroupSize: number;
  /** Invocations per row: a power of two <= workgroupSize. 1 = one row per invocation, no barriers. */
  readonly threadsPerRow: number;
  /**
   * Chunks (vec4 or scalars) of x each invocation keeps in registers between the passes over the
   * row, so x is read from memory once; 0 re-reads x each pass. The row must fit:
   * `ceil(chunks / threadsPerRow) <= cachedChunks`.
   */
  readonly cachedChunks: number;
}

/**
 * A short label for a variant, as the benchmark prints it: `rows/wg256/t64/vec4/subgroup/reg4`.
 *
 * @example
 * ```ts
 * describeVariant(norm.encodeLayerNorm(encoder, options)); // e.g. 'wg64/t64/vec4/workgroup/reg0'
 * ```
 */
export function describeVariant(v: LayerNormVariant): string {
  return `wg${v.workgroupSize}/t${v.threadsPerRow}/${v.vec4 ? 'vec4' : 'scalar'}/${v.threadsPerRow === 1 ? 'none' : v.reduction}/reg${v.cachedChunks}`;
}

/**
 * The automatic choice: vec4 whenever the width allows; enough invocations that each handles
 * about four vec4 (or scalar) chunks, between 32 (a warp on most GPUs) and 256.
 *
 * @example
 * ```ts
 * selectLayerNormVariant(768, device.limits); // { reduction: 'workgroup', vec4: true, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 0 }
 * ```
 */
export function selectLayerNormVariant(cols: number, limits: Pick<GPUSupportedLimits, 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>): LayerNormVariant {
  const vec4 = cols % 4 === 0;
  const chunks = vec4 ? cols / 4 : cols;
  const cap = Math.min(256, prevPowerOfTwo(limits.maxComputeInvocationsPerWorkgroup), prevPowerOfTwo(limits.maxComputeWorkgroupSizeX));
  const workgroupSize = Math.max(Math.min(32, cap), Math.min(cap, nextPowerOfTwo(Math.ceil(chunks / 4))));
  return { reduction: 'workgroup', vec4, workgroupSize, threadsPerRow: workgroupSize, cachedChunks: 0 };
}

function prevPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}

function checkVariant(v: LayerNormVariant, cols: number, limits: GPUSupportedLimits): LayerNormVariant {
  if (typeof v !== 'object' || v === null || (v.reduction !== 'workgroup' && v.reduction !== 'subgroup')) {
    throw new NormError('invalid-argument', `unknown LayerNorm variant ${describe(v)}`, 'variant');
  }
  const wg = v.workgroupSize;
  if (!Number.isInteger(wg) || wg < 1 || (wg & (wg - 1)) !== 0 || wg > limits.maxComputeInvocationsPerWorkgroup || wg > limits.maxComputeWorkgroupSizeX) {
    throw new NormError('invalid-argument', `workgroupSize must be a power of two <= ${Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX)}, got ${describe(wg)}`, 'variant.workgroupSize');
  }
  if (v.vec4 && cols % 4 !== 0) {
    throw new NormError('invalid-argument', `the vec4 variant needs cols % 4 === 0, got cols = ${cols}`, 'variant.vec4');
  }
  return v;
}

/**
 * Records LayerNorm into `target`; never submits. The caller owns every buffer and the submission.
 * Returns the variant that was recorded.
 *
 * @example
 * ```ts
 * const encoder = device.createCommandEncoder();
 * norm.encodeLayerNorm(encoder, { x: xBuf, y: yBuf, gamma: gBuf, beta: bBuf, rows: 128, cols: 768, epsilon: 1e-5 });
 * device.queue.submit([encoder.finish()]);
 * ```
 */
export function encodeLayerNorm(ctx: KernelContext, target: EncodeTarget, options: EncodeLayerNormOptions): LayerNormVariant {
  if (!isCommandEncoder(target) && !isComputePass(target)) {
    throw new NormError('invalid-argument', `expected a GPUCommandEncoder or GPUComputePassEncoder, got ${describe(target)}`, 'target');
  }
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  const { limits } = ctx;
  const rows = checkInteger(options.rows, 'rows');
  const cols = checkInteger(options.cols, 'cols');
  const epsilon = checkEpsilon(options.epsilon ?? DEFAULT_LAYER_NORM_EPSILON);
  const elements = rows * cols;
  if (elements * 4 > limits.maxStorageBufferBindingSize) {
    throw new NormError(
      'limit-exceeded',
      `rows * cols * 4 = ${elements * 4} bytes exceeds maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
      'rows',
    );
  }
  const grid = foldWorkgroups(rows, limits.maxComputeWorkgroupsPerDimension);
  const variant = options.variant ? checkVariant(options.variant, cols, limits) : selectLayerNormVariant(cols, limits);

  const ranges: NamedRange[] = [
    resolveOperand(options.x, 'x', elements * 4, limits, false),
    resolveOperand(options.y, 'y', elements * 4, limits, true),
  ];
  const optional = (name: 'gamma' | 'beta' | 'mean' | 'rstd', count: number, writes: boolean): NamedRange | undefined => {
    const op = options[name];
    if (op === undefined) return undefined;
    const r = resolveOperand(op, name, count * 4, limits, writes);
    ranges.push(r);
    return r;
  };
  const gamma = optional('gamma', cols, false);
  const beta = optional('beta', cols, false);
  const mean = optional('mean', rows, true);
  const rstd = optional('rstd', rows, true);
  if ((mean === undefined) !== (rstd === undefined)) {
    throw new NormError('invalid-argument', 'give both mean and rstd, or neither', mean ? 'rstd' : 'mean');
  }
  checkAliasing(ranges);

  const { resources } = ctx;
  const entryPoint = variant.vec4 ? 'layer_norm_vec4' : 'layer_norm_scalar';
  const suffix = variant.vec4 ? '4' : '';
  const cached = getPipeline(ctx.device, shader, entryPoint, {
    WORKGROUP_SIZE: variant.workgroupSize,
    HAS_GAMMA: gamma !== undefined,
    HAS_BETA: beta !== undefined,
    WRITE_STATS: mean !== undefined,
  });
  const bindGroup = resources.bindGroup(shader, entryPoint, cached, {
    params: resources.uniform(shader, 'params', { rows, cols, epsilon }),
    ['x' + suffix]: ranges[0]!,
    ['y' + suffix]: ranges[1]!,
    ['gamma' + suffix]: gamma ?? resources.dummy('gamma'),
    ['beta' + suffix]: beta ?? resources.dummy('beta'),
    mean: mean ?? resources.dummy('mean'),
    rstd: rstd ?? resources.dummy('rstd'),
  });
  recordDispatch(target, 'webgpu-norm layerNorm', cached.pipeline, bindGroup, grid);
  return variant;
}
