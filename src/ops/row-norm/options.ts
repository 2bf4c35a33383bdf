/**
 * Options of the row-normalization family (LayerNorm, RMSNorm and their fused residual-add forms)
 * and their validation, shared by the GPU forms and the CPU paths so every entry point accepts
 * and rejects exactly the same inputs.
 */
import { NormError, checkEpsilon, checkInteger, describe } from '../../core/errors.js';
import { dataDtype, type Dtype, type EpsilonMode, type TensorData } from '../../core/tensor.js';

interface RowOptionsBase {
  /** Features per token (row width). `x.length` must be a multiple of it. */
  readonly cols: number;
  /** Per-feature scale (f32, length `cols`). Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** `f32` (Float32Array in and out) or `f16` (Uint16Array of half bits). Default: from x's type. */
  readonly dtype?: Dtype | undefined;
}

/** Options of LayerNorm (`norm.layerNorm`, `cpu.layerNorm`). */
export interface LayerNormOptions extends RowOptionsBase {
  /** Per-feature shift (f32, length `cols`). Absent means 0. */
  readonly beta?: Float32Array | undefined;
  /** Default `1e-5` (PyTorch's default). */
  readonly epsilon?: number | undefined;
  /** Default `inside-sqrt`. */
  readonly epsilonMode?: EpsilonMode | undefined;
  /** Variance with N − 1 instead of N. Default false (LayerNorm's definition). */
  readonly unbiased?: boolean | undefined;
}

/** Options of RMSNorm (`norm.rmsNorm`): y = x / sqrt(mean(x²) + eps) · (gamma + gammaOffset). */
export interface RmsNormOptions extends RowOptionsBase {
  /** Default `1e-6` (LLaMA's). */
  readonly epsilon?: number | undefined;
  /** Added to gamma: 1 gives Gemma's `x · rstd · (1 + gamma)`. Default 0. */
  readonly gammaOffset?: number | undefined;
}

/** Options of the fused residual add + LayerNorm: h = x + residual (+ bias), y = LayerNorm(h). */
export interface AddLayerNormOptions extends LayerNormOptions {
  /** Per-feature bias added to the sum before normalization (f32, length `cols`). */
  readonly bias?: Float32Array | undefined;
}

/** Options of the fused residual add + RMSNorm. */
export interface AddRmsNormOptions extends RmsNormOptions {
  readonly bias?: Float32Array | undefined;
}

/** Outputs of LayerNorm. */
export interface LayerNormResult<Y extends ArrayLike<number> = Float32Array, S extends ArrayLike<number> = Float32Array> {
  /** Normalized, scaled and shifted values, same layout and dtype as `x`. */
  readonly y: Y;
  /** Per-row mean, length `rows`. */
  readonly mean: S;
  /** Per-row factor applied to (x − mean): `1/sqrt(var + eps)` (or `1/(std + eps)`), length `rows`. */
  readonly rstd: S;
}

/** Outputs of RMSNorm. */
export interface RmsNormResult<Y extends ArrayLike<number> = Float32Array, S extends ArrayLike<number> = Float32Array> {
  readonly y: Y;
  /** Per-row `1/sqrt(mean(x²) + eps)`. */
  readonly rstd: S;
}

/** Outputs of the fused residual add + norm. */
export interface AddNormResult<Y extends ArrayLike<number> = Float32Array> {
  /** norm(h). */
  readonly y: Y;
  /** h = x + residual (+ bias): the residual stream, in x's dtype. */
  readonly sum: Y;
}

export const DEFAULT_LAYER_NORM_EPSILON = 1e-5;
export const DEFAULT_RMS_NORM_EPSILON = 1e-6;

/** Which member of the family a call is. */
export interface RowNormKind {
  /** RMSNorm (no centring) instead of LayerNorm. */
  readonly rms: boolean;
  /** Fused residual add. */
  readonly add: boolean;
}

/** Everything a validated typed-array call resolves to. */
export interface RowNormShape {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: Dtype;
  readonly epsilon: number;
  readonly epsilonMode: EpsilonMode;
  readonly unbiased: boolean;
  readonly gammaOffset: number;
}

/**
 * `gammaOffset` without `gamma` is refused: it scales by (gamma + gammaOffset), and an absent gamma
 * could mean ones (scale 1 + offset, what the CPU reference did) or Gemma's zero-initialized
 * weight (scale 1, what the kernel did). Fuzzing found the two disagreeing; asking is safer.
 */
export function gammaOffsetWithoutGamma(): NormError {
  return new NormError(
    'invalid-argument',
    'gammaOffset scales by (gamma + gammaOffset) and needs gamma; without gamma the scale is ambiguous (ones → 1 + gammaOffset, a zero Gemma weight → 1): pass gamma',
    'gammaOffset',
  );
}

function checkVector(v: unknown, name: string, cols: number): void {
  if (v === undefined) return;
  if (!(v instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array (parameters are f32 for every dtype), got ${describe(v)}`, name);
  }
  if (v.length !== cols) throw new NormError('shape-mismatch', `expected length cols = ${cols}, got ${v.length}`, name);
}

/**
 * Checks a typed-array call of any family member and derives its shape. `residual` is checked
 * for fused calls (same length and dtype as `x`).
 *
 * @example
 * ```ts
 * checkRowNormArrays({ rms: false, add: false }, new Float32Array(6), { cols: 3 });
 * // { rows: 2, cols: 3, dtype: 'f32', epsilon: 1e-5, epsilonMode: 'inside-sqrt', unbiased: false, gammaOffset: 0 }
 * ```
 */
export function checkRowNormArrays(
  kind: RowNormKind,
  x: unknown,
  options: (LayerNormOptions & RmsNormOptions & { bias?: Float32Array | undefined }) | undefined,
  residual?: unknown,
): RowNormShape {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with cols, got ${describe(options)}`, 'options');
  }
  const dtype = dataDtype(x, options.dtype, 'x');
  const data = x as TensorData;
  const cols = checkInteger(options.cols, 'cols');
  if (data.length === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (data.length % cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${data.length} is not a multiple of cols ${cols} (rows * cols must equal x.length)`, 'x');
  }
  if (kind.add) {
    dataDtype(residual, dtype, 'residual');
    if ((residual as TensorData).length !== data.length) {
      throw new NormError('shape-mismatch', `expected the length of x (${data.length}), got ${(residual as TensorData).length}`, 'residual');
    }
    checkVector(options.bias, 'bias', cols);
  }
  checkVector(options.gamma, 'gamma', cols);
  if (kind.rms) {
    if ((options as { beta?: unknown }).beta !== undefined) {
      throw new NormError('invalid-argument', 'RMSNorm has no beta; use layerNorm, or add a bias after', 'beta');
    }
  } else {
    checkVector(options.beta, 'beta', cols);
  }
  const epsilon = checkEpsilon(options.epsilon === undefined ? (kind.rms ? DEFAULT_RMS_NORM_EPSILON : DEFAULT_LAYER_NORM_EPSILON) : options.epsilon);
  const epsilonMode = options.epsilonMode ?? 'inside-sqrt';
  if (epsilonMode !== 'inside-sqrt' && epsilonMode !== 'add-to-std') {
    throw new NormError('invalid-argument', `expected 'inside-sqrt' or 'add-to-std', got ${describe(epsilonMode)}`, 'epsilonMode');
  }
  if (kind.rms && options.epsilonMode !== undefined && epsilonMode !== 'inside-sqrt') {
    throw new NormError('invalid-argument', "RMSNorm supports only 'inside-sqrt'", 'epsilonMode');
  }
  const unbiased = options.unbiased ?? false;
  if (typeof unbiased !== 'boolean') throw new NormError('invalid-argument', `expected a boolean, got ${describe(unbiased)}`, 'unbiased');
  if (kind.rms && unbiased) throw new NormError('invalid-argument', 'RMSNorm has no variance to correct', 'unbiased');
  const gammaOffset = options.gammaOffset ?? 0;
  if (typeof gammaOffset !== 'number' || !Number.isFinite(gammaOffset)) {
    throw new NormError('invalid-argument', `expected a finite number, got ${describe(gammaOffset)}`, 'gammaOffset');
  }
  if (!kind.rms && options.gammaOffset !== undefined) {
    throw new NormError('invalid-argument', 'gammaOffset is an RMSNorm option', 'gammaOffset');
  }
  if (gammaOffset !== 0 && options.gamma === undefined) throw gammaOffsetWithoutGamma();
  return { rows: data.length / cols, cols, dtype, epsilon, epsilonMode, unbiased, gammaOffset };
}

/**
 * Checks a typed-array LayerNorm call and derives its shape.
 *
 * @example
 * ```ts
 * checkLayerNormArrays(new Float32Array(6), { cols: 3 }).rows; // 2
 * ```
 */
export function checkLayerNormArrays(x: unknown, options: LayerNormOptions | undefined): RowNormShape {
  return checkRowNormArrays({ rms: false, add: false }, x, options);
}
