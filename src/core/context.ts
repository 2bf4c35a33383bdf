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

export function isComputePass(target: unknown): target is GPUComputePassEncoder {
  return typeof (target as GPUComputePassEncoder)?.dispatchWorkgroups === 'function';
}

export function isCommandEncoder(target: unknown): target is GPUCommandEncoder {
  return typeof (target as GPUCommandEncoder)?.beginComputePass === 'function';
}
