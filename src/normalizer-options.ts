/**
 * The options of {@link createNormalizer}: whose device, which tuning table, debug mode, the
 * device probe; and their one check.
 */
import { NormError, describe } from './core/errors.js';
import { checkOptionKeys } from './core/option-keys.js';
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

const NORMALIZER_KEYS = ['device', 'powerPreference', 'adapterInfo', 'tuning', 'persistTuning', 'debug', 'probeDevice'];
const BOOLEAN_KEYS = ['persistTuning', 'debug', 'probeDevice'] as const;

/**
 * Refuses, with `invalid-argument` naming the option, options that {@link createNormalizer} (or,
 * with `lean`, {@link createLeanNormalizer}) would otherwise ignore or misread: an unknown key
 * (with the nearest known one suggested: `{ debgu: true }`), a flag that is not a boolean, an
 * unknown `powerPreference`, a `tuning` that is neither `'localStorage'`, `false` nor a table, an
 * `adapterInfo` that is not an object, a `device` that is not a GPUDevice. `kernels` is checked by
 * the loader; on createNormalizer it is refused with its own explanation.
 *
 * @example
 * ```ts
 * checkNormalizerOptions({ device, debgu: true }, false); // NormError invalid-argument 'debgu': did you mean 'debug'?
 * ```
 */
export function checkNormalizerOptions(options: unknown, lean: boolean): asserts options is NormalizerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  const o = options as Record<string, unknown>;
  checkOptionKeys(o, lean ? [...NORMALIZER_KEYS, 'kernels'] : NORMALIZER_KEYS, lean ? 'createLeanNormalizer' : 'createNormalizer', {
    kernels: 'createNormalizer loads every kernel family; to choose them, call createLeanNormalizer({ kernels: [...] })',
  });
  for (const key of BOOLEAN_KEYS) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') throw new NormError('invalid-argument', `expected true or false, got ${describe(o[key])}`, key);
  }
  if (o.device !== undefined && typeof (o.device as GPUDevice | null)?.createBuffer !== 'function') {
    throw new NormError('invalid-argument', `expected a GPUDevice, got ${describe(o.device)}`, 'device');
  }
  if (o.powerPreference !== undefined && o.powerPreference !== 'low-power' && o.powerPreference !== 'high-performance') {
    throw new NormError('invalid-argument', `expected 'low-power' or 'high-performance', got ${describe(o.powerPreference)}`, 'powerPreference');
  }
  if (o.adapterInfo !== undefined && (typeof o.adapterInfo !== 'object' || o.adapterInfo === null)) {
    throw new NormError('invalid-argument', `expected the adapter's info (adapter.info), got ${describe(o.adapterInfo)}`, 'adapterInfo');
  }
  if (o.tuning !== undefined && o.tuning !== 'localStorage' && o.tuning !== false) checkTuningTable(o.tuning, 'tuning');
}

/**
 * Refuses anything but a tuning table `{ version: 1, entries }` (what `exportTuning()` returns),
 * naming `argument`: `createNormalizer`'s `tuning` and `importTuning`'s table.
 *
 * @example
 * ```ts
 * checkTuningTable(JSON.parse(saved), 'table');
 * ```
 */
export function checkTuningTable(table: unknown, argument: string): asserts table is TuningTable {
  const t = table as Partial<TuningTable> | null;
  if (typeof t !== 'object' || t === null || t.version !== 1 || typeof t.entries !== 'object' || t.entries === null) {
    throw new NormError('invalid-argument', `expected a tuning table { version: 1, entries }, got ${describe(table)}`, argument);
  }
}
