/**
 * Scratch buffers the multi-pass kernels keep between their dispatches (partial statistics,
 * per-channel coefficients). One buffer per role and normalizer, created through the normalizer's
 * resources (so `stats()` counts it and `destroy()` frees it) and reused by every later call.
 *
 * Reuse is safe without any fencing: a kernel's dispatches are recorded back to back, and the
 * queue runs command buffers and the dispatches inside them in order, so one call's pass 1 never
 * overwrites partials another call's pass 2 has yet to read.
 *
 * A buffer too small for a call is replaced by one of the next power-of-two size. The old buffer
 * is not destroyed, because work already encoded but not yet submitted may still use it (a
 * destroyed buffer fails that submit); it stays tracked until `destroy()`. Power-of-two growth
 * bounds what is kept to twice the largest size ever used (capped at `maxBufferSize`, so a size that
 * fits is never rounded up past the device's limit).
 *
 * Every scratch size is derived from the shape, dtype and variant, so each is checked against
 * the device limits here ({@link checkScratch}) before anything of the call is created or encoded:
 * a scratch past `maxStorageBufferBindingSize` would fail its bind group on the GPU, and the call
 * would read back zeros instead of a `NormError`.
 */
import type { BufferRange } from './bindings.js';
import { NormError } from './errors.js';
import { Usage } from './operands.js';
import type { OwnedResources } from './resources.js';

const MIN_SCRATCH_BYTES = 4096;

/** The limits a scratch buffer must respect. */
export type ScratchLimits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/**
 * Largest scratch binding the device takes: one storage binding of one buffer.
 *
 * @example
 * ```ts
 * maxScratchBytes(device.limits); // 134217728 with WebGPU's default limits
 * ```
 */
export function maxScratchBytes(limits: ScratchLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/**
 * Whether a scratch of `bytes` fits the device (the variant choices skip those that do not).
 *
 * @example
 * ```ts
 * scratchFits(device.limits, 32769 * 256 * 16); // false with the default 128 MiB binding limit
 * ```
 */
export function scratchFits(limits: ScratchLimits, bytes: number): boolean {
  return Number.isSafeInteger(bytes) && bytes <= maxScratchBytes(limits);
}

/**
 * Refuses, with `limit-exceeded`, a call whose `what` scratch (`bytes`, derived from the shape
 * and variant) would not fit one storage binding or buffer; `split` says how to make it fit.
 * Called before anything of the call is created, so a refusal leaves nothing behind.
 *
 * @example
 * ```ts
 * checkScratch(ctx.limits, 'the split-row partials', rows * segments * 16, 'rows', 'split the rows into several calls');
 * ```
 */
export function checkScratch(limits: ScratchLimits, what: string, bytes: number, argument: string, split: string): void {
  if (scratchFits(limits, bytes)) return;
  throw new NormError(
    'limit-exceeded',
    `${what} need ${bytes} bytes of scratch, beyond the device's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}) / maxBufferSize (${limits.maxBufferSize}); ${split}`,
    argument,
  );
}

const scratchByOwner = new WeakMap<OwnedResources, Map<string, GPUBuffer>>();

/**
 * A storage range of at least `bytes` (a multiple of 4) in the `role` scratch buffer of `resources`.
 *
 * @example
 * ```ts
 * const partials = scratchRange(ctx.resources, 'partials', plan.partials * 16);
 * ```
 */
export function scratchRange(resources: OwnedResources, role: string, bytes: number): BufferRange {
  const limits = resources.device.limits;
  // The families check their scratch up front (checkScratch); this is the backstop that keeps
  // a missed one a NormError rather than a GPU validation error.
  checkScratch(limits, `the ${role}`, bytes, 'rows', 'split the call into several smaller ones');
  let byRole = scratchByOwner.get(resources);
  if (!byRole) {
    byRole = new Map();
    scratchByOwner.set(resources, byRole);
  }
  let buffer = byRole.get(role);
  if (!buffer || buffer.size < bytes) {
    const size = Math.max(bytes, Math.min(limits.maxBufferSize, Math.max(MIN_SCRATCH_BYTES, 2 ** Math.ceil(Math.log2(bytes)))));
    buffer = resources.createBuffer({ label: `webgpu-norm scratch ${role}`, size, usage: Usage.STORAGE });
    byRole.set(role, buffer);
  }
  return { buffer, offset: 0, size: bytes };
}
