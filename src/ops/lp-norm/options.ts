/**
 * Lp normalization's options and results, and its one validation: the typed-array form, the
 * encode form and the CPU reference all resolve their options through {@link resolveLpNormOptions},
 * so the same mistake gets the same `NormError` from each.
 */
import { NormError, checkEpsilon, checkInteger, describe } from '../../core/errors.js';
import { checkOptionKeys } from '../../core/option-keys.js';
import type { Operand } from '../../core/operands.js';
import { checkDtype, dataDtype, type Dtype, type TensorData } from '../../core/tensor.js';
import { OPS } from '../table.js';

/**
 * Options of `norm.lpNorm` and `cpu.lpNorm`: y = x / max(‖x‖_p, ε) over each row.
 *
 * @example
 * ```ts
 * const options: LpNormOptions = { cols: 384, p: 2, epsilon: 1e-12 };
 * ```
 */
export interface LpNormOptions {
  /** Row width. `x.length` must be a multiple of it. */
  readonly cols: number;
  /** 1 (sum of |x|) or 2 (Euclidean length). Default 2. */
  readonly p?: 1 | 2 | undefined;
  /** The norm is clamped below at ε, so an all-zero row stays zero. Default `1e-12` (PyTorch's F.normalize). */
  readonly epsilon?: number | undefined;
  /** `f32` (Float32Array in and out) or `f16` (Uint16Array of half bits). Default: from x's type. */
  readonly dtype?: Dtype | undefined;
  /**
   * Normalize along a middle axis: x is (outer, cols, inner) and each row is x[o, :, i], its
   * elements `inner` apart (the product of the dims after the normalized one; ONNX
   * LpNormalization with an axis other than the last). Rows are outer · inner. Default 1.
   */
  readonly inner?: number | undefined;
}

/**
 * Outputs of Lp normalization.
 *
 * @example
 * ```ts
 * const { y, norm: lengths }: LpNormResult = await norm.lpNorm(embeddings, { cols: 384 });
 * ```
 */
export interface LpNormResult<Y extends TensorData | Float64Array = Float32Array, S extends Float32Array | Float64Array = Float32Array> {
  /** x / max(‖x‖_p, ε), same layout and dtype as `x`. */
  readonly y: Y;
  /** ‖x‖_p of each row (before the ε clamp), length `rows`; f32 for every dtype (+Inf where it exceeds f32's range; y is exact even then). */
  readonly norm: S;
}

/**
 * A kernel layout for the norms pass: one invocation per row (CPU adapters: no barriers) or one
 * workgroup per row (GPUs, wide rows). Forced in tests; chosen per adapter otherwise.
 *
 * @example
 * ```ts
 * const v: LpNormVariant = { rowPerWorkgroup: true, workgroupSize: 256 };
 * ```
 */
export interface LpNormVariant {
  readonly rowPerWorkgroup: boolean;
  /** A power of two, at most the device's invocations per workgroup. */
  readonly workgroupSize: number;
}

/**
 * GPU operands and shape of one Lp normalization.
 *
 * @example
 * ```ts
 * norm.encodeLpNorm(encoder, { x: embeddings, y: unit, rows: 32, cols: 384 });
 * ```
 */
export interface EncodeLpNormOptions {
  /** Input, `rows * cols` elements of `dtype`. */
  readonly x: Operand;
  /** Output, same shape and dtype as x. Must not overlap any other operand. */
  readonly y: Operand;
  /** Optional output: ‖x‖_p of each row, `rows` f32 (+Inf where it exceeds f32's range). */
  readonly norm?: Operand | undefined;
  readonly rows: number;
  readonly cols: number;
  readonly p?: 1 | 2 | undefined;
  readonly epsilon?: number | undefined;
  /** `f32` (default) or `f16` (IEEE halves, packed two per 4 bytes). */
  readonly dtype?: Dtype | undefined;
  /** Rows interleaved `inner` apart, as in {@link LpNormOptions.inner}; must divide rows. Default 1. */
  readonly inner?: number | undefined;
  /** Force a kernel layout instead of the adapter's (tests). */
  readonly variant?: LpNormVariant | undefined;
}

/** What every form resolves its options to. */
export interface LpNormConfig {
  readonly cols: number;
  readonly p: 1 | 2;
  readonly epsilon: number;
  /** Element stride within a row (1: rows are contiguous). */
  readonly inner: number;
}

const SCALARS = ['cols', 'p', 'epsilon', 'dtype', 'inner'] as const;
const KEYS = { arrays: SCALARS, encode: [...SCALARS, 'rows', 'x', 'y', 'norm', 'variant'] } as const;
const MISPLACED: Readonly<Record<string, string>> = {
  gamma: 'lpNorm has no gamma: it only rescales each row to unit length; scale y afterwards',
  beta: 'lpNorm has no beta',
  epsilonMode: 'lpNorm divides by max(‖x‖_p, ε); it has no epsilon mode',
  axis: 'lpNorm normalizes rows of cols elements; for a middle axis of (outer, cols, inner) pass inner',
};

/**
 * Checks the non-operand options of an Lp normalization call of either form (keys, cols, p,
 * epsilon, dtype) and resolves the defaults.
 *
 * @example
 * ```ts
 * resolveLpNormOptions({ cols: 384 }, 'arrays'); // { cols: 384, p: 2, epsilon: 1e-12, inner: 1 }
 * resolveLpNormOptions({ cols: 384, eps: 1e-6 }, 'arrays'); // throws: unknown option; did you mean 'epsilon'?
 * ```
 */
export function resolveLpNormOptions(options: unknown, form: 'arrays' | 'encode'): LpNormConfig {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with cols, got ${describe(options)}`, 'options');
  }
  checkOptionKeys(options, KEYS[form], 'lpNorm', MISPLACED);
  const o = options as LpNormOptions;
  const cols = checkInteger(o.cols, 'cols');
  const p = o.p ?? 2;
  if (p !== 1 && p !== 2) throw new NormError('invalid-argument', `expected 1 or 2, got ${describe(p)}`, 'p');
  const epsilon = checkEpsilon(o.epsilon ?? OPS.lpNorm.defaultEpsilon);
  if (o.dtype !== undefined) checkDtype(o.dtype);
  const inner = o.inner === undefined ? 1 : checkInteger(o.inner, 'inner');
  return { cols, p, epsilon, inner };
}

/**
 * Checks a typed-array call (the GPU convenience form and the CPU reference) and derives its shape.
 *
 * @example
 * ```ts
 * checkLpNormArrays(new Float32Array(6), { cols: 3 }); // { rows: 2, cols: 3, p: 2, epsilon: 1e-12, inner: 1, dtype: 'f32' }
 * ```
 */
export function checkLpNormArrays(x: unknown, options: unknown): LpNormConfig & { readonly rows: number; readonly dtype: Dtype } {
  const config = resolveLpNormOptions(options, 'arrays');
  const dtype = dataDtype(x, (options as LpNormOptions).dtype, 'x');
  const n = (x as TensorData).length;
  if (n === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (n % config.cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${n} is not a multiple of cols ${config.cols} (rows * cols must equal x.length)`, 'x');
  }
  checkInnerDivides(n / config.cols, config.inner);
  return { ...config, rows: n / config.cols, dtype };
}

/**
 * `shape-mismatch` unless `inner` divides the rows: x is (outer, cols, inner) with rows = outer · inner.
 *
 * @example
 * ```ts
 * checkInnerDivides(8, 4); // ok: two outer blocks of four interleaved rows
 * ```
 */
export function checkInnerDivides(rows: number, inner: number): void {
  if (rows % inner !== 0) throw new NormError('shape-mismatch', `rows ${rows} is not a multiple of inner ${inner} (x is (outer, cols, inner), rows = outer · inner)`, 'inner');
}
