/**
 * Options of the LayerNorm / RMSNorm backward passes in their typed-array forms, and their
 * validation, shared by the GPU convenience forms and the CPU reference so both accept and reject
 * exactly the same inputs.
 *
 * The backward passes assume the default conventions of the forward ops: `rstd = 1/sqrt(var + eps)`
 * with the biased (1/N) variance. The statistics are taken as given (the forward pass wrote them),
 * so epsilon itself is not needed.
 *
 * One validation serves every form: {@link checkBackwardOptions} checks everything that is not an
 * operand (option keys, rows/cols, dtype, gammaOffset) for an (op, form) pair, so a mistake gets
 * the same code, argument and message from `cpu.…Backward`, `norm.…Backward` and
 * `norm.encode…Backward`; the forms add only their own checks (array lengths, GPU operands).
 */
import { NormError, checkF32Option, checkInteger, describe } from '../../core/errors.js';
import { checkOptionKeys } from '../../core/option-keys.js';
import { checkDtype, dataDtype, type Dtype, type TensorData } from '../../core/tensor.js';
import { gammaOffsetWithoutGamma } from '../row-norm/options.js';
import { OPS, type OpsOf } from '../table.js';
import type { EncodeLayerNormBackwardOptions, EncodeRmsNormBackwardOptions } from './encode.js';

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

/**
 * The ops of the backward family, named as in the op table: `'layerNormBackward' | 'rmsNormBackward'`.
 *
 * @example
 * ```ts
 * const op: BackwardOpName = 'rmsNormBackward';
 * OPS[op].gradientOf; // 'rmsNorm'
 * ```
 */
export type BackwardOpName = OpsOf<'backward'>;

/**
 * How a backward op is called: `arrays` (typed arrays, `norm.layerNormBackward` and
 * `cpu.layerNormBackward`, which share one options type) or `encode` (GPU operands,
 * `norm.encodeLayerNormBackward`).
 *
 * @example
 * ```ts
 * const form: BackwardForm = 'encode';
 * ```
 */
export type BackwardForm = 'arrays' | 'encode';

/**
 * A validated backward call: which forward op it differentiates (from the op table) and every
 * non-operand option, resolved.
 *
 * @example
 * ```ts
 * const { rows, cols, dtype, rms } = checkBackwardOptions('layerNormBackward', 'encode', options);
 * ```
 */
export interface BackwardConfig {
  readonly op: BackwardOpName;
  /** The forward op whose gradients this is (`OPS[op].gradientOf`). */
  readonly forward: 'layerNorm' | 'rmsNorm';
  /**
   * The forward op only scales (its table statistic is `mean-square`, RMSNorm): no mean, no beta
   * (so no dbeta), and `gammaOffset` applies.
   */
  readonly rms: boolean;
  readonly rows: number;
  readonly cols: number;
  readonly dtype: Dtype;
  readonly gammaOffset: number;
}

/** Every key of `T`, listed once: the compiler refuses a list that misses one or adds one. */
function keysOf<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/** The option keys each op accepts in each form, tied to the option interfaces by {@link keysOf}. */
const KNOWN_KEYS: { readonly [Op in BackwardOpName]: { readonly [F in BackwardForm]: readonly string[] } } = {
  layerNormBackward: {
    arrays: keysOf<LayerNormBackwardOptions>({ cols: true, gamma: true, mean: true, rstd: true, dtype: true, dsum: true }),
    encode: keysOf<EncodeLayerNormBackwardOptions>({
      dy: true, x: true, dx: true, gamma: true, mean: true, rstd: true, dgamma: true, dbeta: true, dsum: true, rows: true, cols: true, dtype: true, variant: true,
    }),
  },
  rmsNormBackward: {
    arrays: keysOf<RmsNormBackwardOptions>({ cols: true, gamma: true, rstd: true, dtype: true, dsum: true, gammaOffset: true }),
    encode: keysOf<EncodeRmsNormBackwardOptions>({
      dy: true, x: true, dx: true, gamma: true, rstd: true, dgamma: true, dsum: true, rows: true, cols: true, dtype: true, variant: true, gammaOffset: true,
    }),
  },
};

/** The keys a caller must give in each form (named when the options object itself is missing). */
function requiredKeys(rms: boolean, form: BackwardForm): string {
  const stats = rms ? ['rstd'] : ['mean', 'rstd'];
  return (form === 'arrays' ? ['cols', ...stats] : ['dy', 'x', 'dx', ...stats, 'rows', 'cols']).join(', ');
}

const DEFAULT_CONVENTION_ONLY = 'the backward pass supports only the default convention (rstd = 1/sqrt(var + eps), biased variance)';

/**
 * Keys that belong to a sibling op or to the forward pass, with the explanation a caller needs
 * instead of "unknown option": RMSNorm has no mean and no beta; gammaOffset is RMSNorm's; the
 * forward's epsilon convention options do not apply (its statistics are taken as given).
 */
function misplacedKeys(forward: 'layerNorm' | 'rmsNorm', rms: boolean): Record<string, string> {
  const title = OPS[forward].title;
  return {
    epsilon: `the backward pass reads the rstd the forward pass wrote and needs no epsilon`,
    epsilonMode: DEFAULT_CONVENTION_ONLY,
    unbiased: DEFAULT_CONVENTION_ONLY,
    ...(rms ? { mean: `${title} has no mean`, dbeta: `${title} has no beta` } : { gammaOffset: `gammaOffset is an ${OPS.rmsNorm.title} option` }),
  };
}

/**
 * Checks every non-operand option of a backward call, for either form, and resolves them: the
 * options object, unknown keys (with the nearest known one suggested; a sibling op's key gets a
 * specific message), dtype, cols, rows, gammaOffset (finite; RMSNorm only; needs gamma, as in the
 * forward pass). In the `arrays` form rows and dtype come from `x` (`x.length / cols`, its array
 * type checked against `dtype`); in the `encode` form from the `rows` and `dtype` options.
 *
 * @example
 * ```ts
 * checkBackwardOptions('rmsNormBackward', 'encode', { dy, x, dx, rstd, rows: 2, cols: 768 });
 * // { op: 'rmsNormBackward', forward: 'rmsNorm', rms: true, rows: 2, cols: 768, dtype: 'f32', gammaOffset: 0 }
 * checkBackwardOptions('layerNormBackward', 'arrays', { cols: 3, mean, rstd }, new Float32Array(6)).rows; // 2
 * ```
 */
export function checkBackwardOptions(op: BackwardOpName, form: 'encode', options: unknown): BackwardConfig;
export function checkBackwardOptions(op: BackwardOpName, form: 'arrays', options: unknown, x: unknown): BackwardConfig;
export function checkBackwardOptions(op: BackwardOpName, form: BackwardForm, options: unknown, x?: unknown): BackwardConfig {
  const forward = OPS[op].gradientOf;
  const rms = OPS[forward].statistic === 'mean-square';
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with ${requiredKeys(rms, form)}, got ${describe(options)}`, 'options');
  }
  checkOptionKeys(options, KNOWN_KEYS[op][form], op, misplacedKeys(forward, rms));
  const o = options as Record<string, unknown>;
  const dtype = form === 'arrays' ? dataDtype(x, o.dtype, 'x') : o.dtype === undefined ? 'f32' : checkDtype(o.dtype);
  const cols = checkInteger(o.cols, 'cols');
  const rows = form === 'arrays' ? rowsOf(x as TensorData, cols) : checkInteger(o.rows, 'rows');
  const gammaOffset = checkF32Option(o.gammaOffset ?? 0, 'gammaOffset');
  if (gammaOffset !== 0 && o.gamma === undefined) throw gammaOffsetWithoutGamma();
  return { op, forward, rms, rows, cols, dtype, gammaOffset };
}

/** Rows of typed-array data: `x.length / cols`, which must be a whole, non-zero number. */
function rowsOf(x: TensorData, cols: number): number {
  if (x.length === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (x.length % cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${x.length} is not a multiple of cols ${cols} (rows * cols must equal x.length)`, 'x');
  }
  return x.length / cols;
}

function checkF32(v: unknown, name: string, length: number, what: string, optional: boolean): void {
  if (v === undefined && optional) return;
  if (!(v instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array (${what}, f32 for every dtype), got ${describe(v)}`, name);
  }
  if (v.length !== length) throw new NormError('shape-mismatch', `expected length ${what} = ${length}, got ${v.length}`, name);
}

/**
 * Checks a typed-array backward call (`norm.…Backward` and `cpu.…Backward`): the options through
 * {@link checkBackwardOptions}, then the arrays' types and lengths (dy and dsum like x; gamma
 * `cols`, mean and rstd `rows` f32).
 *
 * @example
 * ```ts
 * checkBackwardArrays('layerNormBackward', dy, x, { cols: 768, mean, rstd }); // { rows, cols: 768, dtype: 'f32', rms: false, ... }
 * ```
 */
export function checkBackwardArrays(op: BackwardOpName, dy: unknown, x: unknown, options: unknown): BackwardConfig {
  const config = checkBackwardOptions(op, 'arrays', options, x);
  const { rows, cols, dtype } = config;
  const o = options as Partial<LayerNormBackwardOptions>;
  const length = (x as TensorData).length;
  dataDtype(dy, dtype, 'dy');
  if ((dy as TensorData).length !== length) {
    throw new NormError('shape-mismatch', `expected the length of x (${length}), got ${(dy as TensorData).length}`, 'dy');
  }
  if (o.dsum !== undefined) {
    dataDtype(o.dsum, dtype, 'dsum');
    if (o.dsum.length !== length) throw new NormError('shape-mismatch', `expected the length of x (${length}), got ${o.dsum.length}`, 'dsum');
  }
  checkF32(o.gamma, 'gamma', cols, 'cols', true);
  checkF32(o.rstd, 'rstd', rows, 'rows', false);
  if (!config.rms) checkF32(o.mean, 'mean', rows, 'rows', false);
  return config;
}
