/**
 * Recording a kernel made of several dispatches into the caller's target.
 */
import { NormError, describe } from './errors.js';
import { isCommandEncoder, isComputePass, type EncodeTarget } from './context.js';

/**
 * One dispatch ready to record.
 *
 * @example
 * ```ts
 * const d: RecordedDispatch = { label: 'merge', pipeline, bindGroup, grid: [32, 1] };
 * ```
 */
export interface RecordedDispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly grid: readonly [number, number];
}

/**
 * Records `dispatches` in order: into the caller's open compute pass, or into one new pass of the
 * caller's command encoder. Successive dispatches may depend on each other's storage writes:
 * WebGPU makes each dispatch's writes visible to the next, inside one pass as across passes. With a
 * pass target, the caller's pipeline and bind group 0 are replaced.
 *
 * @example
 * ```ts
 * recordDispatches(encoder, 'webgpu-norm groupNorm', [partials, merge, apply]);
 * ```
 */
export function recordDispatches(target: EncodeTarget, label: string, dispatches: readonly RecordedDispatch[]): void {
  const pass = isComputePass(target) ? target : target.beginComputePass({ label });
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.grid[0], d.grid[1]);
  }
  if (pass !== target) pass.end();
}

/**
 * Throws `NormError('invalid-argument')` (argument `target`) unless `target` is a command encoder
 * or a compute pass.
 *
 * @example
 * ```ts
 * checkTarget(device.createCommandEncoder()); // ok
 * checkTarget({}); // throws
 * ```
 */
export function checkTarget(target: unknown): asserts target is EncodeTarget {
  if (!isCommandEncoder(target) && !isComputePass(target)) {
    throw new NormError('invalid-argument', `expected a GPUCommandEncoder or GPUComputePassEncoder, got ${describe(target)}`, 'target');
  }
}
