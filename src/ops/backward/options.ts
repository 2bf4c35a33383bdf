/**
 * Options of the LayerNorm / RMSNorm backward passes in their typed-array forms, and their
 * validation, shared by the GPU convenience forms and the CPU reference so both accept and reject
 * exactly the same inputs.
 *
 * The backward passes assume the default conventions of the forward ops: `rstd = 1/sqrt(var + eps)`
 * with the biased (1/N) variance. The statistics are taken as given (the forward pass wrote them),
 * so epsilon itself is not needed.
 */
import { NormError, checkInteger, describe } from '../../core/errors.js';
import { dataDtype, type Dtype, type TensorData } from '../../core/tensor.js';

interface BackwardOptionsBase {
  /** Features per token (row width). `x.length` must be a multiple of it. */
  readonly cols: number;
  /** The forward pass's per-feature scale (f32, length `cols`). Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** `rstd` the forward pass returned (f32, length `rows`). */
  readonly rstd: Float32Array;
  /** `f32` (Float32Array) or `f16` (Uint16Array of half bits). Default: from x's type. */
  readonly dtype?: Dtype | undefined;
  /**
   * The gradient reaching the forward op's residual-stream output `sum` (fused add ops), same
   * layout and dtype as `dy`: added to dx, so `dx` is the gradient of both `x` and `residual`.
   */
  readonly dsum?: TensorData | undefined;
}

/** Options of `norm.layerNormBackward` / `cpu.layerNormBackward`. */
export interface LayerNormBackwardOptions extends BackwardOptionsBase {
  /** `mean` the forward pass returned (f32, length `rows`). */
  readonly mean: Float32Array;
}

/** Options of `norm.rmsNormBackward` / `cpu.rmsNormBackward`. */
export interface RmsNormBackwardOptions extends BackwardOptionsBase {
  /** The forward pass's `gammaOffset` (1 for Gemma's `1 + gamma`). Default 0. */
  readonly gammaOffset?: number | undefined;
}

/** Gradients of LayerNorm. */
export interface LayerNormBackwardResult<D extends ArrayLike<number> = Float32Array, P extends ArrayLike<number> = Float32Array> {
  /** dL/dx, same layout and dtype as `x` (with `dsum` added when given). */
  readonly dx: D;
  /** dL/dgamma = Σ_rows dy · x̂, length `cols`. */
  readonly dgamma: P;
  /** dL/dbeta = Σ_rows dy, length `cols`. */
  readonly dbeta: P;
}

/** Gradients of RMSNorm. */
export interface RmsNormBackwardResult<D extends ArrayLike<number> = Float32Array, P extends ArrayLike<number> = Float32Array> {
  readonly dx: D;
  /** dL/dgamma = Σ_rows dy · x · rstd, length `cols`. */
  readonly dgamma: P;
}

/** A validated typed-array backward call. */
export interface BackwardShape {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: Dtype;
  readonly gammaOffset: number;
}

function checkF32(v: unknown, name: string, length: number, what: string, optional: boolean): void {
  if (v === undefined && optional) return;
  if (!(v instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array (${what}, f32 for every dtype), got ${describe(v)}`, name);
  }
  if (v.length !== length) throw new NormError('shape-mismatch', `expected length ${what} = ${length}, got ${v.length}`, name);
}

/**
 * Checks a typed-array backward call (LayerNorm when `rms` is false) and derives its shape.
 *
 * @example
 * ```ts
 * checkBackwardArrays(false, dy, x, { cols: 768, mean, rstd }); // { rows, cols: 768, dtype: 'f32', gammaOffset: 0 }
 * ```
 */
export function checkBackwardArrays(rms: boolean, dy: unknown, x: unknown, options: unknown): BackwardShape {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with cols${rms ? '' : ', mean'} and rstd, got ${describe(options)}`, 'options');
  }
  const o = options as LayerNormBackwardOptions & RmsNormBackwardOptions & Record<string, unknown>;
  const dtype = dataDtype(x, o.dtype, 'x');
  dataDtype(dy, dtype, 'dy');
  const data = x as TensorData;
  const cols = checkInteger(o.cols, 'cols');
  if (data.length === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (data.length % cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${data.length} is not a multiple of cols ${cols} (rows * cols must equal x.length)`, 'x');
  }
  if ((dy as TensorData).length !== data.length) {
    throw new NormError('shape-mismatch', `expected the length of x (${data.length}), got ${(dy as TensorData).length}`, 'dy');
  }
  if (o.dsum !== undefined) {
    dataDtype(o.dsum, dtype, 'dsum');
    if (o.dsum.length !== data.length) throw new NormError('shape-mismatch', `expected the length of x (${data.length}), got ${o.dsum.length}`, 'dsum');
  }
  const rows = data.length / cols;
  checkF32(o.gamma, 'gamma', cols, 'cols', true);
  checkF32(o.rstd, 'rstd', rows, 'rows', false);
  if (rms) {
    if (o.mean !== undefined) throw new NormError('invalid-argument', 'RMSNorm has no mean', 'mean');
  } else {
    checkF32(o.mean, 'mean', rows, 'rows', false);
    if (o.gammaOffset !== undefined) throw new NormError('invalid-argument', 'gammaOffset is an RMSNorm option', 'gammaOffset');
  }
  for (const name of ['epsilonMode', 'unbiased'] as const) {
    if (o[name] !== undefined) {
      throw new NormError('invalid-argument', `the backward pass supports only the default convention (rstd = 1/sqrt(var + eps), biased variance)`, name);
    }
  }
  const gammaOffset = o.gammaOffset ?? 0;
  if (typeof gammaOffset !== 'number' || !Number.isFinite(gammaOffset)) {
    throw new NormError('invalid-argument', `expected a finite number, got ${describe(gammaOffset)}`, 'gammaOffset');
  }
  return { rows, cols, dtype, gammaOffset };
}
