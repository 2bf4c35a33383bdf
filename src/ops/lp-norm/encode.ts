/**
 * Lp normalization on the GPU: a norms pass (one invocation or one workgroup per row, chosen per
 * adapter) writes ‖x‖_p per row, then an elementwise pass divides. See `shaders/lp-norm/lp_norm.wgsl`.
 */
import shader from '../../../shaders/lp-norm/lp_norm.wgsl?shader';
import { elementStride } from '../../core/bindings.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { NormError, checkInteger, describe } from '../../core/errors.js';
import { checkAliasing, operandResolver } from '../../core/operands.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import { checkTarget, recordDispatches } from '../../core/record.js';
import { checkScratch, scratchFits, scratchRange, type ScratchLimits } from '../../core/scratch.js';
import { checkDtype, storageBytes, type Dtype } from '../../core/tensor.js';
import type { AdapterProfile } from '../row-norm/variant.js';
import { checkInnerDivides, resolveLpNormOptions, type EncodeLpNormOptions, type LpNormVariant } from './options.js';

/**
 * The norms-pass layout for a shape on this adapter: CPU adapters pay for every barrier and run
 * one invocation per row best; GPUs reduce a row with a workgroup (256 invocations for wide rows).
 *
 * @example
 * ```ts
 * selectLpNormVariant({ cpu: true, maxWorkgroupSize: 256 }, 768); // { rowPerWorkgroup: false, workgroupSize: 64 }
 * ```
 */
export function selectLpNormVariant(profile: Pick<AdapterProfile, 'cpu' | 'maxWorkgroupSize'>, cols: number): LpNormVariant {
  // Measured on SwiftShader: a row per workgroup (barriers, two dispatches) is 5x slower even for a
  // single 4096-wide row, so CPU adapters always take the fused row-per-invocation kernel.
  if (profile.cpu) return { rowPerWorkgroup: false, workgroupSize: Math.min(64, profile.maxWorkgroupSize) };
  return { rowPerWorkgroup: true, workgroupSize: Math.min(cols >= 4096 ? 256 : 64, profile.maxWorkgroupSize) };
}

function checkVariant(v: unknown, profile: AdapterProfile): LpNormVariant {
  const variant = v as LpNormVariant;
  if (typeof v !== 'object' || v === null || typeof variant.rowPerWorkgroup !== 'boolean') {
    throw new NormError('invalid-argument', `expected { rowPerWorkgroup: boolean, workgroupSize }, got ${describe(v)}`, 'variant');
  }
  const size = variant.workgroupSize;
  if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0 || size > profile.maxWorkgroupSize) {
    throw new NormError('invalid-argument', `expected a power of two up to ${profile.maxWorkgroupSize}, got ${describe(size)}`, 'variant.workgroupSize');
  }
  return { rowPerWorkgroup: variant.rowPerWorkgroup, workgroupSize: size };
}

/**
 * The layout one call runs with (the forced `variant`, checked, or the rule's) and the scratch its
 * two-pass layouts keep per row; creates nothing. A rule's row-per-workgroup layout whose norms
 * would not fit the device gives way to the fused one.
 *
 * @example
 * ```ts
 * lpNormLayout(ctx, 32, 384, 'f32', undefined); // { variant, twoPass: false, normsBytes: 256 }
 * ```
 */
export function lpNormLayout(ctx: KernelContext, rows: number, cols: number, dtype: Dtype, forced: unknown, inner = 1): { variant: LpNormVariant; twoPass: boolean; normsBytes: number } {
  const { limits, profile } = ctx;
  let variant = forced === undefined ? selectLpNormVariant(profile, cols) : checkVariant(forced, profile);
  // Rows that start on a word can take the fused layout, which keeps no norms in scratch; rows
  // interleaved `inner` apart cannot (an invocation would write words shared with other rows).
  const fusable = inner === 1 && (dtype === 'f32' || cols % 2 === 0);
  const normsBytes = (v: LpNormVariant) => rows * elementStride(shader, v.rowPerWorkgroup ? 'row_norms_team' : 'row_norms', 'scaled_norms');
  if (forced === undefined && variant.rowPerWorkgroup && fusable && !scratchFits(limits, normsBytes(variant))) {
    // The rule's layout would need more scratch than the device binds: the fused one instead.
    variant = { rowPerWorkgroup: false, workgroupSize: Math.min(64, profile.maxWorkgroupSize) };
  }
  return { variant, twoPass: variant.rowPerWorkgroup || !fusable, normsBytes: normsBytes(variant) };
}

/**
 * Refuses (`limit-exceeded`) a two-pass layout whose per-row norms would not fit the device.
 *
 * @example
 * ```ts
 * checkLpNormScratch(ctx.limits, rows, layout.twoPass, layout.normsBytes);
 * ```
 */
export function checkLpNormScratch(limits: ScratchLimits, rows: number, twoPass: boolean, normsBytes: number): void {
  if (twoPass) checkScratch(limits, `the norms of ${rows} rows`, normsBytes, 'rows', 'split the rows into several calls');
}

/**
 * Records Lp normalization into `target` (the caller's encoder or open compute pass); never
 * submits. Returns the layout of the norms pass.
 *
 * @example
 * ```ts
 * encodeLpNorm(ctx, encoder, { x, y, rows: 32, cols: 384, p: 2 });
 * ```
 */
export function encodeLpNorm(ctx: KernelContext, target: EncodeTarget, options: EncodeLpNormOptions): LpNormVariant {
  checkTarget(target);
  const { cols, p, epsilon, inner } = resolveLpNormOptions(options, 'encode');
  const rows = checkInteger(options.rows, 'rows');
  checkInnerDivides(rows, inner);
  const dtype = options.dtype === undefined ? 'f32' : checkDtype(options.dtype);
  const { limits, profile, resources } = ctx;
  const elements = rows * cols;
  const bytes = storageBytes(elements, dtype);
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new NormError(
      'limit-exceeded',
      `rows * cols = ${elements} ${dtype} elements (${bytes} bytes) exceed maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
      'rows',
    );
  }
  const { variant, twoPass, normsBytes } = lpNormLayout(ctx, rows, cols, dtype, options.variant, inner);
  const operands = operandResolver(options, limits, 'lpNorm');
  const x = operands.take('x', bytes, false, true)!;
  const y = operands.take('y', bytes, true, true)!;
  const norm = operands.take('norm', rows * 4, true, false);
  checkAliasing(operands.ranges);
  // The two-pass layouts keep each row's norm in scratch: checked before anything is created.
  const normsEntry = variant.rowPerWorkgroup ? 'row_norms_team' : 'row_norms';
  checkLpNormScratch(limits, rows, twoPass, normsBytes);

  // F16_UNPACK_EXACT (shaders/common/f16.wgsl) is not set: with it, these element-wise reads took
  // 1.5-1.6x the time on llvmpipe (docs/cpu-adapter-experiments.md).
  const constants = { WORKGROUP_SIZE: variant.workgroupSize, P: p, F16: dtype === 'f16', WRITE_NORM: norm !== undefined };
  const params = resources.uniform(shader, 'params', { rows, cols, epsilon, inner });
  const norm_out = norm ?? resources.dummy('norm_out');
  const { maxComputeWorkgroupsPerDimension: maxGrid } = limits;
  if (!twoPass) {
    // Rows start on a word: one dispatch, a row per invocation, y written straight from the norm.
    const vec4 = dtype === 'f32' && cols % 4 === 0;
    const entry = vec4 ? 'rows_fused_vec4' : 'rows_fused';
    const fused = getPipeline(ctx.device, shader, entry, constants);
    const bindGroup = resources.bindGroup(shader, entry, fused, vec4 ? { params, x4: x, y4: y, norm_out } : { params, x, y, norm_out });
    recordDispatches(target, 'webgpu-norm lpNorm', [{ label: 'lpNorm rows', pipeline: fused.pipeline, bindGroup, grid: foldWorkgroups(Math.ceil(rows / variant.workgroupSize), maxGrid) }]);
    return variant;
  }
  const normsPipeline = getPipeline(ctx.device, shader, normsEntry, constants);
  const applyPipeline = getPipeline(ctx.device, shader, 'apply', constants);
  // Each row's norm as (n, e), n · 2^e, kept between the two dispatches.
  const scaled_norms = scratchRange(resources, 'lp-norms', normsBytes);
  const normGroups = variant.rowPerWorkgroup ? rows : Math.ceil(rows / variant.workgroupSize);
  const words = dtype === 'f16' ? Math.ceil(elements / 2) : elements;
  recordDispatches(target, 'webgpu-norm lpNorm', [
    { label: 'lpNorm row norms', pipeline: normsPipeline.pipeline, bindGroup: resources.bindGroup(shader, normsEntry, normsPipeline, { params, x, scaled_norms, norm_out }), grid: foldWorkgroups(normGroups, maxGrid) },
    { label: 'lpNorm apply', pipeline: applyPipeline.pipeline, bindGroup: resources.bindGroup(shader, 'apply', applyPipeline, { params, x, y, scaled_norms }), grid: foldWorkgroups(Math.ceil(words / variant.workgroupSize), maxGrid) },
  ]);
  return variant;
}
