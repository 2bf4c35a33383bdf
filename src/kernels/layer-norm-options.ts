/**
 * LayerNorm's options and their validation, shared by the GPU forms and the CPU paths so every
 * entry point accepts and rejects exactly the same inputs.
 */
import { NormError, checkEpsilon, checkInteger, describe } from '../errors.js';

/** Options of the typed-array (convenience) LayerNorm. */
export interface LayerNormOptions {
  /** Features per token (row width). `x.length` must be a multiple of it. */
  readonly cols: number;
  /** Per-feature scale, length `cols`. Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** Per-feature shift, length `cols`. Absent means 0. */
  readonly beta?: Float32Array | undefined;
  /** Added to the variance inside the square root. Default `1e-5` (PyTorch's default). */
  readonly epsilon?: number | undefined;
}

/** Outputs of LayerNorm: the normalized rows and the per-row statistics. */
export interface LayerNormResult<T extends Float32Array | Float64Array = Float32Array> {
  /** Normalized, scaled and shifted values, same layout as `x`. */
  readonly y: T;
  /** Per-row mean, length `rows`. */
  readonly mean: T;
  /** Per-row reciprocal standard deviation `1 / sqrt(var + epsilon)`, length `rows`. */
  readonly rstd: T;
}

export const DEFAULT_LAYER_NORM_EPSILON = 1e-5;

/** Validated shape of a typed-array call. */
export interface LayerNormShape {
  readonly rows: number;
  readonly cols: number;
  readonly epsilon: number;
}

function checkFloat32Array(value: unknown, argument: string): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array, got ${describe(value)}`, argument);
  }
  return value;
}

/**
 * Checks a typed-array LayerNorm call and derives its shape.
 *
 * @example
 * ```ts
 * checkLayerNormArrays(new Float32Array(6), { cols: 3 }); // { rows: 2, cols: 3, epsilon: 1e-5 }
 * ```
 */
export function checkLayerNormArrays(x: unknown, options: LayerNormOptions | undefined): LayerNormShape {
  const data = checkFloat32Array(x, 'x');
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with cols, got ${describe(options)}`, 'options');
  }
  const cols = checkInteger(options.cols, 'cols');
  if (data.length === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (data.length % cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${data.length} is not a multiple of cols ${cols} (rows * cols must equal x.length)`, 'x');
  }
  for (const name of ['gamma', 'beta'] as const) {
    const v = options[name];
    if (v === undefined) continue;
    checkFloat32Array(v, name);
    if (v.length !== cols) throw new NormError('shape-mismatch', `expected length cols = ${cols}, got ${v.length}`, name);
  }
  const epsilon = checkEpsilon(options.epsilon ?? DEFAULT_LAYER_NORM_EPSILON);
  return { rows: data.length / cols, cols, epsilon };
}
