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
 * bounds what is kept to twice the largest size ever used.
 */
import type { BufferRange } from './bindings.js';
import { Usage } from './operands.js';
import type { OwnedResources } from './resources.js';

const MIN_SCRATCH_BYTES = 4096;

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
  let byRole = scratchByOwner.get(resources);
  if (!byRole) {
    byRole = new Map();
    scratchByOwner.set(resources, byRole);
  }
  let buffer = byRole.get(role);
  if (!buffer || buffer.size < bytes) {
    const size = Math.max(MIN_SCRATCH_BYTES, 2 ** Math.ceil(Math.log2(bytes)));
    buffer = resources.createBuffer({ label: `webgpu-norm scratch ${role}`, size, usage: Usage.STORAGE });
    byRole.set(role, buffer);
  }
  return { buffer, offset: 0, size: bytes };
}
