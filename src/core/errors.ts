/**
 * Why a call was refused. Every code names one class of mistake, so callers can branch on it
 * without parsing messages.
 */
export type NormErrorCode =
  /** An argument has the wrong type or an impossible value (NaN, negative, not an integer). */
  | 'invalid-argument'
  /** Lengths or dimensions disagree with each other (rows * cols != x.length, gamma.length != cols). */
  | 'shape-mismatch'
  /** A GPU buffer (or the bound range of it) is smaller than the shape needs. */
  | 'buffer-too-small'
  /** A GPU buffer lacks a usage flag the operation needs (STORAGE, COPY_SRC, ...). */
  | 'buffer-usage'
  /** A buffer offset or size is not aligned as WebGPU requires. */
  | 'misaligned-offset'
  /** An output operand overlaps another operand in the same buffer. */
  | 'aliasing'
  /** The shape exceeds a limit of the device (binding size, buffer size, workgroup grid). */
  | 'limit-exceeded'
  /** The normalizer was destroyed before the call. */
  | 'destroyed'
  /** No WebGPU implementation or adapter could be found. */
  | 'no-webgpu'
  /** The device was lost while (or before) the work ran. */
  | 'device-lost'
  /** The GPU reported an error (validation, out-of-memory, shader compilation) for work this library encoded (debug mode). */
  | 'gpu-error'
  /**
   * A buffer belongs to another `GPUDevice` than the normalizer's. WebGPU cannot tell this
   * synchronously (a `GPUBuffer` does not expose its device), so it is reported in debug mode,
   * on the next call or by `checkErrors()`.
   */
  | 'wrong-device'
  /**
   * The op's kernel family was not given to `createLeanNormalizer` (`kernels: [...]`); the
   * message names the object to import (`rowNormKernels`, `groupNormKernels`, ...).
   */
  | 'op-not-loaded'
  /** An ONNX node names an operator (opType, domain, opset) this library does not implement. */
  | 'unsupported-op'
  /** An ONNX node sets an attribute to a value the schema allows but this library does not implement. */
  | 'unsupported-attribute'
  /** An ONNX node's tensor type (float64, bfloat16, or a combination) is allowed by the schema but not computed here. */
  | 'unsupported-type';

/**
 * The one error type this library throws. `code` says what kind of mistake it is and `argument`
 * names the offending argument when there is one; the message says what was expected.
 *
 * @example
 * ```ts
 * try {
 *   await norm.layerNorm(x, { cols: 0 });
 * } catch (e) {
 *   if (e instanceof NormError && e.code === 'invalid-argument') console.log(e.argument); // 'cols'
 * }
 * ```
 */
export class NormError extends Error {
  override readonly name = 'NormError';
  readonly code: NormErrorCode;
  readonly argument: string | undefined;

  constructor(code: NormErrorCode, message: string, argument?: string, options?: { cause?: unknown }) {
    super(argument ? `${argument}: ${message}` : message, options);
    this.code = code;
    this.argument = argument;
  }
}

/** Throws `NormError('invalid-argument')` unless `value` is an integer in [min, max]. */
export function checkInteger(value: unknown, argument: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new NormError('invalid-argument', `expected an integer ${range}, got ${describe(value)}`, argument);
  }
  return value;
}

/** The largest finite f32. */
const F32_MAX = 3.4028234663852886e38;
/** The smallest normal f32: a GPU may flush a smaller non-zero value to zero. */
const F32_MIN_NORMAL = 2 ** -126;

/**
 * Throws `NormError('invalid-argument')` unless `value` is a number the GPU receives as itself: 0,
 * or a normal f32 (2^-126 <= |value| <= 3.4028234663852886e38), and at least `min` when given. Every
 * numeric option that becomes an f32 uniform or `override` constant goes through here: a JS number
 * past f32's range would arrive as ±Inf (or fail pipeline creation), and a subnormal one may be
 * flushed to 0, both silently changing the answer.
 *
 * @example
 * ```ts
 * checkF32Option(1e-5, 'epsilon', { min: 0 }); // 1e-5
 * checkF32Option(1e39, 'epsilon', { min: 0 }); // throws: not representable as an f32
 * checkF32Option(-2, 'gammaOffset');            // -2
 * ```
 */
export function checkF32Option(value: unknown, argument: string, bounds: { readonly min?: number } = {}): number {
  const min = bounds.min;
  const range = min === undefined ? '0 or a magnitude in [2^-126, 3.4028234663852886e38]' : `${min === 0 ? '0 or ' : ''}in [2^-126, 3.4028234663852886e38]`;
  const expected = `expected a finite number${min === undefined ? '' : ` >= ${min}`} that f32 represents: ${range} (the GPU computes in f32)`;
  if (typeof value !== 'number' || !Number.isFinite(value) || (min !== undefined && value < min)) {
    throw new NormError('invalid-argument', `${expected}, got ${describe(value)}`, argument);
  }
  const magnitude = Math.abs(value);
  if (magnitude > F32_MAX) throw new NormError('invalid-argument', `${expected}, got ${describe(value)}, which is ±Infinity as an f32`, argument);
  if (value !== 0 && magnitude < F32_MIN_NORMAL) {
    throw new NormError('invalid-argument', `${expected}, got ${describe(value)}, which a GPU may flush to 0 (it is not a normal f32)`, argument);
  }
  return value;
}

/**
 * Throws `NormError('invalid-argument')` unless `value` is an epsilon the GPU receives as itself: 0
 * or a normal f32 >= 0 (see {@link checkF32Option}).
 *
 * @example
 * ```ts
 * checkEpsilon(1e-5); // 1e-5
 * checkEpsilon(1e-45); // throws: a GPU may flush it to 0
 * ```
 */
export function checkEpsilon(value: unknown, argument = 'epsilon'): number {
  return checkF32Option(value, argument, { min: 0 });
}

/** A short, safe rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length ?? value.byteLength})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * How a message names a buffer: `buffer "activations"`, or `an unlabeled buffer` when its label is
 * empty (the default), rather than quoting an empty string.
 *
 * @example
 * ```ts
 * describeBuffer({ label: 'x' }); // 'buffer "x"'
 * describeBuffer({ label: '' }); // 'an unlabeled buffer'
 * ```
 */
export function describeBuffer(buffer: { readonly label: string }): string {
  return buffer.label ? `buffer ${JSON.stringify(buffer.label)}` : 'an unlabeled buffer';
}
