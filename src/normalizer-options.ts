/**
 * The options of {@link createNormalizer}: whose device, which tuning table, debug mode.
 */
import type { NormKernels } from './kernels.js';
import type { TuningTable } from './ops/row-norm/tuning.js';

/**
 * Options for {@link createNormalizer}. All are optional: without `device` the normalizer requests
 * (and owns) one.
 *
 * @example
 * ```ts
 * const norm = await createNormalizer({ device, tuning: false, debug: true });
 * ```
 */
export interface NormalizerOptions {
  /** Use this device (the caller keeps owning it). Without it, one is requested and owned by the normalizer. */
  readonly device?: GPUDevice | undefined;
  /** Adapter preference when the normalizer requests its own device. */
  readonly powerPreference?: GPUPowerPreference | undefined;
  /**
   * The adapter's info, for variant selection when `device.adapterInfo` is unavailable (older
   * browsers). Pass `adapter.info` of the adapter your device came from.
   */
  readonly adapterInfo?: GPUAdapterInfo | undefined;
  /**
   * Autotuned variants to start from: a table from {@link Normalizer.exportTuning}, or
   * `'localStorage'` (the default) to load what earlier `tune()` calls persisted there, or `false`.
   */
  readonly tuning?: TuningTable | 'localStorage' | false | undefined;
  /** Write `tune()` results to `localStorage` where available. Default true. */
  readonly persistTuning?: boolean | undefined;
  /**
   * Debug mode: every call runs inside `validation` and `out-of-memory` error scopes, every new
   * shader module's compilation messages are checked (and cited as `row-norm/row_norm_core.wgsl:87:5`),
   * and each caller buffer is probed for belonging to this device (`wrong-device`; a GPUBuffer
   * cannot be asked for its device, so a one-entry bind group is created on it inside a scope,
   * until it passes once). The
   * typed-array forms reject with what they caused; the synchronous `encode…` forms cannot wait,
   * so their errors surface on the next call, from {@link Normalizer.flushErrors}, or from
   * `await` {@link Normalizer.checkErrors}. Costs a few error scopes per call: for development.
   */
  readonly debug?: boolean | undefined;
  /**
   * Probe the device once, when the first normalizer on it is created (default true): whether WGSL's
   * `unpack2x16float` is exact there, so the packed-f16 kernels can skip their own conversion of
   * subnormal halves (src/core/f16-probe.ts; the same bits either way). One small dispatch; with
   * `false` the kernels assume nothing, and f16 runs slower where the probe would have passed.
   */
  readonly probeDevice?: boolean | undefined;
}

/**
 * Options for {@link createLeanNormalizer}: those of {@link NormalizerOptions} and the kernel
 * families to load (an app bundles only these families' WGSL).
 *
 * @example
 * ```ts
 * const norm = await createLeanNormalizer({ device, kernels: [rowNormKernels, lpNormKernels] });
 * ```
 */
export interface LeanNormalizerOptions extends NormalizerOptions {
  /** The families to load: any of `rowNormKernels`, `lpNormKernels`, `backwardKernels`, `groupNormKernels`, `batchNormKernels`. */
  readonly kernels: readonly NormKernels[];
}
