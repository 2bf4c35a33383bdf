/**
 * Options of the row-normalization family (LayerNorm, RMSNorm and their fused residual-add forms)
 * and their one validation: {@link resolveRowNormOptions} decides every non-operand option for
 * every form (typed arrays on the GPU, the CPU references, the encode form), so each entry point
 * accepts and rejects exactly the same options with the same message; the forms add only what is
 * specific to their operands (array lengths and types here, buffer ranges in encode.ts).
 */
import { NormError, checkEpsilon, checkF32Option, checkInteger, describe } from '../../core/errors.js';
import { checkOptionKeys, optionKeysPerOpAndForm } from '../../core/option-keys.js';
import { checkDtype, checkEpsilonMode, dataDtype, type Dtype, type EpsilonMode, type SameData, type TensorData } from '../../core/tensor.js';
import { OPS, encodeMethod, type RowNormOpName } from '../table.js';

interface RowOptionsBase<O extends Dtype | undefined> {
  /** Features per token (row width). `x.length` must be a multiple of it. */
  readonly cols: number;
  /** Per-feature scale (f32, length `cols`). Absent means 1. */
  readonly gamma?: Float32Array | undefined;
  /** `f32` (Float32Array in and out) or `f16` (Uint16Array of half bits). Default: from x's type. */
  readonly dtype?: Dtype | undefined;
  /**
   * The dtype `y` is written in (`f32`: Float32Array, `f16`: Uint16Array of half bits); default
   * x's dtype. y is computed in f32 and rounded once to it. `sum` of the fused ops stays in x's
   * dtype. The type parameter `O` makes the result's `y` type precise: a variable typed
   * `LayerNormOptions` (O = undefined) keeps y in x's type; write `LayerNormOptions<'f16'>` to
   * hold an options object that changes it.
   */
  readonly outputDtype?: O | undefined;
}

/** Options of LayerNorm (`norm.layerNorm`, `cpu.layerNorm`); `O`: see `outputDtype`. */
export interface LayerNormOptions<O extends Dtype | undefined = undefined> extends RowOptionsBase<O> {
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
export interface RmsNormOptions<O extends Dtype | undefined = undefined> extends RowOptionsBase<O> {
  /** Default `1e-6` (LLaMA's). */
  readonly epsilon?: number | undefined;
  /** Added to gamma: 1 gives Gemma's `x · rstd · (1 + gamma)`. Default 0. */
  readonly gammaOffset?: number | undefined;
}

/** What the fused residual add forms take beyond their norm's options. */
interface AddOptions {
  /** Per-feature bias added to the sum before normalization (f32, length `cols`). */
  readonly bias?: Float32Array | undefined;
  /**
   * Rows of `residual` (default: rows of x): it must divide the rows of x, and row r of x adds
   * residual row `r % residualRows`, read in place. For a residual broadcast over a batch, e.g.
   * ONNX SkipLayerNormalization's skip of shape (S, H) with input (B, S, H): `residualRows: S`.
   */
  readonly residualRows?: number | undefined;
}

/** Options of the fused residual add + LayerNorm: sum = x + residual (+ bias), y = LayerNorm(sum). */
export interface AddLayerNormOptions<O extends Dtype | undefined = undefined> extends LayerNormOptions<O>, AddOptions {}

/** Options of the fused residual add + RMSNorm. */
export interface AddRmsNormOptions<O extends Dtype | undefined = undefined> extends RmsNormOptions<O>, AddOptions {}

/**
 * The typed-array options of any family member, as the shared code paths (the runner, the
 * reference) read them; which keys a given op accepts is {@link rowNormOptionKeys}'s to say.
 *
 * @example
 * ```ts
 * const o: RowNormArrayOptions = { cols: 4, gamma: new Float32Array(4) };
 * ```
 */
export type RowNormArrayOptions = LayerNormOptions<Dtype | undefined> & RmsNormOptions<Dtype | undefined> & AddOptions;

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

/** Outputs of the fused residual add + norm (`S`: sum's type, x's; `Y`: y's, per `outputDtype`). */
export interface AddNormResult<Y extends ArrayLike<number> = Float32Array, S extends ArrayLike<number> = Y> {
  /** norm(sum), in `outputDtype`. */
  readonly y: Y;
  /** x + residual (+ bias): the residual stream, in x's dtype. */
  readonly sum: S;
}

/**
 * Outputs of the fused residual add + LayerNorm: y, sum and sum's per-row statistics (written in
 * the same pass; what `layerNormBackward` needs).
 *
 * @example
 * ```ts
 * const { y, sum, mean, rstd }: AddLayerNormResult = await norm.addLayerNorm(x, r, { cols: 768 });
 * ```
 */
export interface AddLayerNormResult<Y extends ArrayLike<number> = Float32Array, S extends ArrayLike<number> = Y> extends AddNormResult<Y, S> {
  /** Per-row mean of sum, f32, length `rows`. */
  readonly mean: Float32Array;
  /** Per-row factor applied to (sum − mean), f32, length `rows`. */
  readonly rstd: Float32Array;
}

/**
 * Outputs of the fused residual add + RMSNorm: y, sum and sum's per-row `1/sqrt(mean(sum²) + eps)`.
 *
 * @example
 * ```ts
 * const { y, sum, rstd }: AddRmsNormResult = await norm.addRmsNorm(x, r, { cols: 4096 });
 * ```
 */
export interface AddRmsNormResult<Y extends ArrayLike<number> = Float32Array, S extends ArrayLike<number> = Y> extends AddNormResult<Y, S> {
  /** Per-row `1/sqrt(mean(sum²) + eps)`, f32, length `rows`. */
  readonly rstd: Float32Array;
}

/**
 * The array type of `y` for input data `X` and `outputDtype` `O`: `O`'s (`f16`: Uint16Array
 * half bits, `f32`: Float32Array), or X's own when `O` is undefined.
 *
 * @example
 * ```ts
 * type Y = OutputData<Float32Array, 'f16'>; // Uint16Array
 * ```
 */
export type OutputData<X extends TensorData, O extends Dtype | undefined> = [O] extends [undefined] ? SameData<X> : O extends 'f16' ? Uint16Array : O extends 'f32' ? Float32Array : SameData<X>;

/**
 * Which form a call comes in: `typed` (typed arrays: `norm.layerNorm(x, …)` and the CPU
 * references, rows and dtype from x) or `encode` (GPU operands: `norm.encodeLayerNorm(target, …)`,
 * rows and dtype as options).
 *
 * @example
 * ```ts
 * const form: RowNormForm = 'encode';
 * ```
 */
export type RowNormForm = 'typed' | 'encode';

/**
 * Everything a validated call resolves to, whatever its form.
 *
 * @example
 * ```ts
 * const { rows, epsilon } = resolveRowNormOptions('layerNorm', { rows: 4, cols: 768 }, 'encode'); // 4, 1e-5
 * ```
 */
export interface RowNormConfig {
  readonly rows: number;
  readonly cols: number;
  readonly dtype: Dtype;
  /** The dtype y is written in (default `dtype`). */
  readonly outputDtype: Dtype;
  /** Rows of the residual (fused ops; `rows` for the others and by default): divides `rows`. */
  readonly residualRows: number;
  readonly epsilon: number;
  /** `inside-sqrt` for the RMSNorm ops. */
  readonly epsilonMode: EpsilonMode;
  /** false for the RMSNorm ops. */
  readonly unbiased: boolean;
  /** 0 for the LayerNorm ops. */
  readonly gammaOffset: number;
}

/** Every option any member of the family has, as a caller may pass it (unchecked). */
type AnyRowNormOptions = {
  readonly [K in 'rows' | 'cols' | 'dtype' | 'outputDtype' | 'residualRows' | 'epsilon' | 'epsilonMode' | 'unbiased' | 'gammaOffset' | 'gamma' | 'beta' | 'bias']?: unknown;
};

/** Whether `op` centres (LayerNorm, addLayerNorm) rather than only scales (the RMSNorm ops). */
function centres(op: RowNormOpName): boolean {
  return OPS[op].statistic === 'mean-var';
}

/**
 * The option keys `op` takes in `form`: the scalars (`cols`, `dtype`, `outputDtype`, `epsilon`,
 * `epsilonMode`, `unbiased`; `gammaOffset` for the RMSNorm ops, `residualRows` for the fused ops),
 * the per-feature parameters (`gamma`; `beta` for the LayerNorm ops, `bias` for the fused ops)
 * and, in the encode form, `rows`, `variant` and the GPU operands the op reads and writes.
 *
 * @example
 * ```ts
 * rowNormOptionKeys('rmsNorm', 'typed'); // ['gamma', 'cols', 'dtype', 'outputDtype', 'epsilon', 'epsilonMode', 'unbiased', 'gammaOffset']
 * ```
 */
export function rowNormOptionKeys(op: RowNormOpName, form: RowNormForm): string[] {
  const { fusedAdd } = OPS[op];
  const layer = centres(op);
  const keys: string[] = [];
  if (form === 'encode') keys.push('x', ...(fusedAdd ? ['residual'] : []), 'y', ...(fusedAdd ? ['sum'] : []));
  keys.push('gamma', ...(layer ? ['beta'] : []), ...(fusedAdd ? ['bias'] : []));
  if (form === 'encode') keys.push(...(layer ? ['mean'] : []), 'rstd');
  if (form === 'encode') keys.push('rows');
  if (fusedAdd) keys.push('residualRows');
  // The RMSNorm ops take epsilonMode and unbiased too, but only at their one meaningful value
  // (a caller passing one options bag to every norm states the defaults): checked below.
  keys.push('cols', 'dtype', 'outputDtype', 'epsilon', 'epsilonMode', 'unbiased', ...(layer ? [] : ['gammaOffset']));
  if (form === 'encode') keys.push('variant');
  return keys;
}

/**
 * Why a key `op` does not take in `form` is refused, where it belongs to a sibling op or to the
 * other form: a sharper message than "unknown option".
 */
function misplacedRowNormKeys(op: RowNormOpName, form: RowNormForm): Record<string, string> {
  const { fusedAdd } = OPS[op];
  const why: Record<string, string> = {};
  if (centres(op)) {
    why.gammaOffset = 'gammaOffset is an RMSNorm option';
  } else {
    why.beta = 'RMSNorm has no beta; use layerNorm, or add a bias after';
  }
  if (!fusedAdd) for (const n of ['residual', 'bias', 'sum', 'residualRows']) why[n] = `only the fused add ops take ${n}`;
  if (!centres(op)) why.mean = 'RMSNorm has no mean';
  if (form === 'typed') {
    // Keys of the encode form given to the typed-array form.
    const call = fusedAdd ? `${op}(x, residual, options)` : `${op}(x, options)`;
    const encode = encodeMethod(op);
    const typedOnly: Record<string, string> = {
      x: `x is an argument of ${call}, not an option`,
      residual: `residual is an argument of ${call}, not an option`,
      rows: `rows is an option of ${encode}; ${op}() derives rows from x.length / cols`,
      variant: `variant is an option of ${encode}; ${op}() chooses the kernel variant itself`,
    };
    for (const n of ['y', 'sum', 'mean', 'rstd']) typedOnly[n] = `${n} is an output: ${op}() returns it; to write it into a GPU buffer of your own, use ${encode}`;
    for (const [n, message] of Object.entries(typedOnly)) why[n] ??= message;
  }
  return why;
}

/**
 * `gammaOffset` without `gamma` is refused: it scales by (gamma + gammaOffset), and an absent gamma
 * could mean ones (scale 1 + offset, what the CPU reference did) or Gemma's zero-initialized
 * weight (scale 1, what the kernel did). Fuzzing found the two disagreeing; asking is safer. The
 * backward pass refuses it the same way.
 *
 * @example
 * ```ts
 * if (gammaOffset !== 0 && gamma === undefined) throw gammaOffsetWithoutGamma();
 * ```
 */
export function gammaOffsetWithoutGamma(): NormError {
  return new NormError(
    'invalid-argument',
    'gammaOffset scales by (gamma + gammaOffset) and needs gamma; without gamma the scale is ambiguous (ones → 1 + gammaOffset, a zero Gemma weight → 1): pass gamma',
    'gammaOffset',
  );
}

/** The key lists and messages per (op, form), built once: encode runs on every call. */
const keysOf = /* @__PURE__ */ optionKeysPerOpAndForm((op: RowNormOpName, form: RowNormForm) => ({
  known: rowNormOptionKeys(op, form),
  misplaced: misplacedRowNormKeys(op, form),
  method: form === 'typed' ? op : encodeMethod(op),
}));

/**
 * The one validation of the family's non-operand options, for every form: the options object,
 * its keys (unknown ones refused with the nearest known name; a sibling op's with a specific
 * reason), rows and cols, dtype, epsilon (default `OPS[op].defaultEpsilon`), epsilonMode,
 * unbiased, gammaOffset and gammaOffset without gamma. In the typed form `x` (its type is checked
 * first: it is the first argument) gives the dtype and, with `cols`, the rows. Operands are left
 * to the form: {@link resolveRowNormArrays} for typed arrays, `encodeRowNorm` for GPU buffers.
 *
 * @example
 * ```ts
 * resolveRowNormOptions('rmsNorm', { rows: 2, cols: 3, gamma, gammaOffset: 1 }, 'encode');
 * // { rows: 2, cols: 3, dtype: 'f32', outputDtype: 'f32', residualRows: 2, epsilon: 1e-6, epsilonMode: 'inside-sqrt', unbiased: false, gammaOffset: 1 }
 * resolveRowNormOptions('layerNorm', { cols: 3, eps: 1e-3 }, 'typed', new Float32Array(6));
 * // throws NormError invalid-argument (eps): "unknown option of layerNorm; did you mean 'epsilon'? …"
 * ```
 */
export function resolveRowNormOptions(op: RowNormOpName, options: unknown, form: 'encode'): RowNormConfig;
export function resolveRowNormOptions(op: RowNormOpName, options: unknown, form: 'typed', x: unknown): RowNormConfig;
export function resolveRowNormOptions(op: RowNormOpName, options: unknown, form: RowNormForm, x?: unknown): RowNormConfig {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  const o = options as AnyRowNormOptions;
  const typedDtype = form === 'typed' ? dataDtype(x, o.dtype, 'x') : undefined;
  const keys = keysOf(op, form, undefined);
  checkOptionKeys(o, keys.known, keys.method, keys.misplaced);
  const givenRows = form === 'encode' ? checkInteger(o.rows, 'rows') : undefined;
  const cols = checkInteger(o.cols, 'cols');
  const dtype = typedDtype ?? (o.dtype === undefined ? 'f32' : checkDtype(o.dtype));
  const outputDtype = o.outputDtype === undefined ? dtype : checkDtype(o.outputDtype, 'outputDtype');
  const rows = givenRows ?? typedRows(x as TensorData, cols);
  const residualRows = o.residualRows === undefined ? rows : checkInteger(o.residualRows, 'residualRows');
  if (rows % residualRows !== 0) {
    throw new NormError('shape-mismatch', `residualRows ${residualRows} does not divide rows ${rows} (row r adds residual row r % residualRows)`, 'residualRows');
  }
  const epsilon = checkEpsilon(o.epsilon === undefined ? OPS[op].defaultEpsilon : o.epsilon);
  // RMSNorm has no standard deviation to add epsilon to and no variance to correct.
  const epsilonMode = checkEpsilonMode(o.epsilonMode, centres(op) ? undefined : ['inside-sqrt'], 'RMSNorm');
  const unbiased = o.unbiased ?? false;
  if (typeof unbiased !== 'boolean') throw new NormError('invalid-argument', `expected a boolean, got ${describe(unbiased)}`, 'unbiased');
  if (unbiased && !centres(op)) throw new NormError('invalid-argument', 'RMSNorm has no variance to correct', 'unbiased');
  const gammaOffset = checkF32Option(o.gammaOffset ?? 0, 'gammaOffset');
  if (gammaOffset !== 0 && o.gamma === undefined) throw gammaOffsetWithoutGamma();
  return { rows, cols, dtype, outputDtype, residualRows, epsilon, epsilonMode, unbiased, gammaOffset };
}

/** Rows of typed-array data `x` of width `cols`: x must hold whole rows, at least one. */
function typedRows(x: TensorData, cols: number): number {
  if (x.length === 0) throw new NormError('shape-mismatch', 'x is empty; expected at least one row', 'x');
  if (x.length % cols !== 0) {
    throw new NormError('shape-mismatch', `x.length ${x.length} is not a multiple of cols ${cols} (rows * cols must equal x.length)`, 'x');
  }
  return x.length / cols;
}

function checkVector(v: unknown, name: string, cols: number): void {
  if (v === undefined) return;
  if (!(v instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array (parameters are f32 for every dtype), got ${describe(v)}`, name);
  }
  if (v.length !== cols) throw new NormError('shape-mismatch', `expected length cols = ${cols}, got ${v.length}`, name);
}

/**
 * The typed-array form of any family member (`norm.layerNorm(x, …)`, `cpu.addRmsNorm(x, residual, …)`,
 * `cpu.fast.rmsNorm`, …): {@link resolveRowNormOptions}, then the arrays: `residual` for the
 * fused ops (same length and dtype as x), gamma, beta and bias (f32, length cols).
 *
 * @example
 * ```ts
 * resolveRowNormArrays('layerNorm', new Float32Array(6), { cols: 3 });
 * // { rows: 2, cols: 3, dtype: 'f32', outputDtype: 'f32', residualRows: 2, epsilon: 1e-5, epsilonMode: 'inside-sqrt', unbiased: false, gammaOffset: 0 }
 * ```
 */
export function resolveRowNormArrays(op: RowNormOpName, x: unknown, options: unknown, residual?: unknown): RowNormConfig {
  const config = resolveRowNormOptions(op, options, 'typed', x);
  const { cols, dtype } = config;
  const o = options as AnyRowNormOptions;
  if (OPS[op].fusedAdd) {
    dataDtype(residual, dtype, 'residual');
    const length = config.residualRows * cols;
    if ((residual as TensorData).length !== length) {
      const expected = config.residualRows === config.rows ? `the length of x (${length})` : `residualRows * cols = ${length}`;
      throw new NormError('shape-mismatch', `expected ${expected}, got ${(residual as TensorData).length}`, 'residual');
    }
    checkVector(o.bias, 'bias', cols);
  }
  checkVector(o.gamma, 'gamma', cols);
  checkVector(o.beta, 'beta', cols);
  return config;
}
