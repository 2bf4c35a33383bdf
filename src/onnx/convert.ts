/**
 * The parameter conversion pass (shaders/onnx/param_convert.wgsl): one dispatch over a parameter's
 * elements into scratch, where an ONNX parameter is not the f32 vector a family kernel reads
 * (float16, broadcast within the normalized block, per group), or where a kernel's f32 statistic
 * must become a float16 output. Parameters are per feature or per channel: the pass is small next
 * to the norm it feeds.
 */
import shader from '../../shaders/onnx/param_convert.wgsl?shader';
import type { BufferRange } from '../core/bindings.js';
import type { EncodeTarget, KernelContext } from '../core/context.js';
import { foldWorkgroups } from '../core/dispatch.js';
import { getPipeline } from '../core/pipeline-cache.js';
import { recordDispatches } from '../core/record.js';
import { checkScratch, scratchRange } from '../core/scratch.js';
import type { ParamPlan } from './plan.js';

const WORKGROUP_SIZE = 64;

/**
 * The identity mapping of `count` elements (a plain type conversion).
 *
 * @example
 * ```ts
 * identityParam(4, 'float16'); // dims [1, 1, 1, 4], strides [0, 0, 0, 1]
 * ```
 */
export function identityParam(count: number, type: ParamPlan['type'], input = -1): ParamPlan {
  return { input, type, count, dims: [1, 1, 1, count], strides: [0, 0, 0, 1], direct: type === 'float32' };
}

/** Bytes of the scratch a conversion to f32 of `p` needs (0 when bound directly). */
export function paramScratchBytes(p: ParamPlan | undefined): number {
  return p && !p.direct ? p.count * 4 : 0;
}

/**
 * Refuses (limit-exceeded) conversions whose scratch would not fit, before anything is recorded.
 *
 * @example
 * ```ts
 * checkParamScratch(ctx.limits, [plan.gamma, plan.beta]);
 * ```
 */
export function checkParamScratch(limits: KernelContext['limits'], params: readonly (ParamPlan | undefined)[]): void {
  for (const p of params) {
    const bytes = paramScratchBytes(p);
    if (bytes > 0) checkScratch(limits, `the f32 copy of input ${p!.input}`, bytes, `inputs[${p!.input}]`, 'use a smaller parameter');
  }
}

/**
 * Records one conversion of `source` (laid out as `p.type`) by `p`'s mapping into `dest`: f32,
 * or packed f16 when `toF16`.
 *
 * @example
 * ```ts
 * recordConvert(ctx, encoder, identityParam(c, 'float32'), runningMeanF32, outputRange, true);
 * ```
 */
export function recordConvert(ctx: KernelContext, target: EncodeTarget, p: ParamPlan, source: BufferRange, dest: BufferRange, toF16 = false): void {
  const constants = { WORKGROUP_SIZE, SRC_F16: p.type === 'float16', DST_F16: toF16 };
  const pipeline = getPipeline(ctx.device, shader, 'convert', constants);
  const [, d1, d2, d3] = p.dims;
  const [s0, s1, s2, s3] = p.strides;
  const params = ctx.resources.uniform(shader, 'params', { count: p.count, dims1: d1, dims2: d2, dims3: d3, strides0: s0, strides1: s1, strides2: s2, strides3: s3 });
  const bindGroup = ctx.resources.bindGroup(shader, 'convert', pipeline, { params, src: source, dst: dest });
  const words = toF16 ? Math.ceil(p.count / 2) : p.count;
  recordDispatches(target, 'webgpu-norm onnx parameter', [{ label: 'onnx parameter convert', pipeline: pipeline.pipeline, bindGroup, grid: foldWorkgroups(Math.ceil(words / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension) }]);
}

/**
 * The operand a kernel binds for parameter `p`: the input itself when direct, else an f32 copy in
 * the `role` scratch, converted now.
 *
 * @example
 * ```ts
 * const gamma = paramOperand(ctx, encoder, plan.gamma, inputRanges[1], 'onnx-gamma');
 * ```
 */
export function paramOperand(ctx: KernelContext, target: EncodeTarget, p: ParamPlan, source: BufferRange, role: string): BufferRange {
  if (p.direct) return source;
  const dest = scratchRange(ctx.resources, role, p.count * 4);
  recordConvert(ctx, target, p, source, dest);
  return dest;
}
