/**
 * What every kernel's encode function needs from its normalizer: the device, its limits and the
 * resources the normalizer owns.
 */
import type { OwnedResources } from './resources.js';
import type { TuningTable } from '../ops/row-norm/tuning.js';
import type { AdapterProfile } from '../ops/row-norm/variant.js';

export interface KernelContext {
  readonly device: GPUDevice;
  readonly limits: GPUSupportedLimits;
  readonly resources: OwnedResources;
  /** What variant selection knows about the adapter. */
  readonly profile: AdapterProfile;
  /** Autotuned winners consulted before the selection rule. */
  readonly tuning: TuningTable;
  /** Debug mode (`createNormalizer({ debug: true })`): fallbacks are reported with `console.warn`. */
  readonly debug?: boolean | undefined;
}

/** Where work is recorded: the caller's command encoder (we open and close one compute pass in
 * it) or the caller's open compute pass (we set our pipeline and bind group in it). */
export type EncodeTarget = GPUCommandEncoder | GPUComputePassEncoder;

/**
 * A plain copy of a device's limits. They never change for a device, and reading a property of the
 * platform's `GPUSupportedLimits` is a call into the implementation: the encode path reads several
 * per call, so it reads them from this copy.
 *
 * @example
 * ```ts
 * const limits = snapshotLimits(device.limits);
 * limits.maxStorageBufferBindingSize; // 134217728 with WebGPU's default limits
 * ```
 */
export function snapshotLimits(limits: GPUSupportedLimits): GPUSupportedLimits {
  const copy: Record<string, number> = {};
  // for...in: the limits are attributes of the prototype, not own properties.
  for (const key in limits) copy[key] = (limits as unknown as Record<string, number>)[key]!;
  return Object.freeze(copy) as unknown as GPUSupportedLimits;
}

export function isComputePass(target: unknown): target is GPUComputePassEncoder {
  return typeof (target as GPUComputePassEncoder)?.dispatchWorkgroups === 'function';
}

export function isCommandEncoder(target: unknown): target is GPUCommandEncoder {
  return typeof (target as GPUCommandEncoder)?.beginComputePass === 'function';
}
