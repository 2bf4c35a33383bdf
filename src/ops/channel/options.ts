/**
 * Options shared by the ops over image-like tensors (GroupNorm, InstanceNorm, BatchNorm): shape
 * `(batch, channels, spatial)` with `spatial = H·W` flattened, memory layout, storage dtype and the
 * epsilon convention, plus their validation. Every form of every such op (typed arrays, encode,
 * CPU reference) opens with {@link checkChannelCall}, so they accept and reject exactly the same
 * options; each form then checks only its own data (arrays here, GPU operands in its encode.ts).
 */
import { NormError, checkEpsilon, checkInteger, describe } from '../../core/errors.js';
import { checkOptionKeys, optionKeysPerOpAndForm } from '../../core/option-keys.js';
import { checkDtype, checkEpsilonMode, dataDtype, type Dtype, type EpsilonMode, type TensorData } from '../../core/tensor.js';
import { OPS, encodeMethod, opsOf, type OpsOf } from '../table.js';

/**
 * Memory order of a `(batch, channels, spatial)` tensor: `NCHW` keeps each channel's spatial map
 * contiguous (PyTorch's default); `NHWC` keeps each position's channels contiguous (channels-last,
 * TensorFlow's and most WebGPU image pipelines' default).
 *
 * @example
 * ```ts
 * const layout: TensorLayout = 'NHWC';
 * ```
 */
export type TensorLayout = 'NCHW' | 'NHWC';

/**
 * The shape fields every image-like op takes.
 *
 * @example
 * ```ts
 * const shape: TensorShapeOptions = { batch: 2, channels: 320, spatial: 64 * 64, layout: 'NHWC' };
 * ```
 */
export interface TensorShapeOptions {
  /** N, the number of images. */
  readonly batch: number;
  /** C, channels per image. */
  readonly channels: number;
  /** H·W, positions per channel map (flattened). */
  readonly spatial: number;
  /** Memory order; required, because guessing it wrong silently produces plausible garbage. */
  readonly layout: TensorLayout;
  /** Storage type of `x` and `y`. Default: `'f16'` for a `Uint16Array` x, else `'f32'`; encode forms default to `'f32'`. */
  readonly dtype?: Dtype | undefined;
}

/**
 * A validated shape.
 *
 * @example
 * ```ts
 * const s: TensorShape = checkChannelCall('batchNormStats', { batch: 2, channels: 3, spatial: 4, layout: 'NCHW' }, 'arrays', keys); // s.elements === 24
 * ```
 */
export interface TensorShape {
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly layout: TensorLayout;
  readonly dtype: Dtype;
  /** batch · channels · spatial. */
  readonly elements: number;
}

/**
 * The ops over image-like tensors, whose options this file checks.
 *
 * @example
 * ```ts
 * const op: ChannelOpName = 'instanceNorm';
 * ```
 */
export type ChannelOpName = OpsOf<'group-norm'> | OpsOf<'batch-norm'>;

/**
 * How a call hands over its tensors: as typed arrays (`norm.groupNorm(x, options)`,
 * `cpu.groupNorm`), or as GPU operands among the options (`norm.encodeGroupNorm`).
 *
 * @example
 * ```ts
 * const form: CallForm = 'operands';
 * ```
 */
export type CallForm = 'arrays' | 'operands';

/**
 * The option keys of one image-like op beyond the shape, per form, and the keys of its siblings
 * that callers are likely to carry over, with why they do not apply.
 *
 * @example
 * ```ts
 * const keys: ChannelOpKeys = { params: ['unbiased'], arrays: [], operands: ['x', 'mean', 'var'], misplaced: {} };
 * ```
 */
export interface ChannelOpKeys {
  /** Non-tensor options besides the shape (groups, epsilon, …), the same in every form. */
  readonly params: readonly string[];
  /** Per-channel `Float32Array`s of the typed-array forms (x is an argument of its own). */
  readonly arrays: readonly string[];
  /** GPU operands of the encode form, x and the outputs included. */
  readonly operands: readonly string[];
  /** Keys of sibling ops, with the reason each does not apply to this one. */
  readonly misplaced: Readonly<Record<string, string>>;
}

/** The shape's keys, which every image-like op takes in every form. */
const SHAPE_KEYS = ['batch', 'channels', 'spatial', 'layout', 'dtype'] as const;

/**
 * The keys {@link checkChannelCall} admits for an op's {@link ChannelOpKeys} in `F`, as a type, to
 * tie the key lists to the option interfaces (see {@link SameKeys}).
 *
 * @example
 * ```ts
 * type K = AdmittedKeys<{ params: ['unbiased']; arrays: []; operands: ['x', 'mean', 'var']; misplaced: {} }, 'operands'>; // 'batch' | … | 'x' | 'mean' | 'var'
 * ```
 */
export type AdmittedKeys<K extends ChannelOpKeys, F extends CallForm> =
  | (typeof SHAPE_KEYS)[number]
  | K['params'][number]
  | (F extends 'arrays' ? K['arrays'][number] : K['operands'][number]);

/**
 * `true` when two key unions are equal. With `Assert`, a key added to an option interface but not
 * to the op's key list (or the reverse) fails the type check instead of being refused at run time.
 *
 * @example
 * ```ts
 * type Checked = Assert<SameKeys<keyof BatchNormStatsOptions, AdmittedKeys<typeof keys, 'arrays'>>>;
 * ```
 */
export type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * A type that only compiles for `true`.
 *
 * @example
 * ```ts
 * type Ok = Assert<SameKeys<'a' | 'b', 'b' | 'a'>>;
 * ```
 */
export type Assert<T extends true> = T;

/**
 * What {@link checkChannelCall} admits and refuses with a reason, per op and form: built once.
 * `keys` is `op`'s own constant key table, so (op, form) names the result.
 */
const admitted = /* @__PURE__ */ optionKeysPerOpAndForm((op: ChannelOpName, form: CallForm, keys: ChannelOpKeys) => {
  const own = form === 'arrays' ? keys.arrays : keys.operands;
  const method = form === 'arrays' ? op : encodeMethod(op);
  const misplaced: Record<string, string> = {};
  for (const key of ['rows', 'cols']) {
    misplaced[key] = `${op} takes batch, channels, spatial and layout; rows and cols are the shape of the row norms (${opsOf('row-norm').join(', ')})`;
  }
  // The encode form's tensors among typed-array options: x is an argument, outputs are returned.
  if (form === 'arrays') {
    for (const key of keys.operands) {
      if (keys.arrays.includes(key)) continue;
      misplaced[key] = key === 'x' ? `${op}(x, options) takes x as its first argument` : `${op}(x, options) returns ${key}; output buffers are options of ${encodeMethod(op)}`;
    }
  }
  return { known: [...SHAPE_KEYS, ...keys.params, ...own], method, misplaced: { ...misplaced, ...keys.misplaced } };
});

/**
 * Opens every call of an image-like op, in every form: `options` must be an object holding only
 * keys `op` takes in `form` (a typo or a sibling op's key is refused, naming it); returns the
 * validated shape, `dtype` falling back to `'f32'` (the typed-array forms then take it from x,
 * see {@link checkChannelData}).
 *
 * @example
 * ```ts
 * checkChannelCall('batchNormStats', { batch: 1, channels: 3, spatial: 49, layout: 'NCHW', eps: 0 }, 'arrays', keys);
 * // throws NormError invalid-argument, argument 'eps'
 * ```
 */
export function checkChannelCall(op: ChannelOpName, options: unknown, form: CallForm, keys: ChannelOpKeys): TensorShape {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with batch, channels, spatial and layout, got ${describe(options)}`, 'options');
  }
  const { known, method, misplaced } = admitted(op, form, keys);
  checkOptionKeys(options, known, method, misplaced);
  return checkTensorShape(options as TensorShapeOptions);
}

/**
 * `epsilon` (default: the op's, from the op table) and `epsilonMode` (default `'inside-sqrt'`).
 *
 * @example
 * ```ts
 * checkChannelEpsilon('groupNorm', {}); // { epsilon: 1e-5, epsilonMode: 'inside-sqrt' }
 * ```
 */
export function checkChannelEpsilon(op: ChannelOpName, options: { readonly epsilon?: unknown; readonly epsilonMode?: unknown }): { epsilon: number; epsilonMode: EpsilonMode } {
  return { epsilon: checkEpsilon(options.epsilon ?? OPS[op].defaultEpsilon), epsilonMode: checkEpsilonMode(options.epsilonMode) };
}

/** Checks `batch/channels/spatial/layout/dtype` (not the data) and returns the shape; `dtype` defaults to `'f32'`. */
function checkTensorShape(o: TensorShapeOptions): TensorShape {
  const batch = checkInteger(o.batch, 'batch');
  const channels = checkInteger(o.channels, 'channels');
  const spatial = checkInteger(o.spatial, 'spatial');
  const layout = checkLayout(o.layout);
  const dtype = o.dtype === undefined ? 'f32' : checkDtype(o.dtype);
  const elements = batch * channels * spatial;
  if (!Number.isSafeInteger(elements)) {
    throw new NormError('limit-exceeded', `batch · channels · spatial = ${elements} is not a safe integer`, 'spatial');
  }
  return { batch, channels, spatial, layout, dtype, elements };
}

/**
 * @example
 * ```ts
 * checkLayout('NHWC'); // 'NHWC'
 * checkLayout('nchw'); // throws NormError invalid-argument (argument 'layout')
 * ```
 */
export function checkLayout(value: unknown): TensorLayout {
  if (value !== 'NCHW' && value !== 'NHWC') {
    throw new NormError('invalid-argument', `expected 'NCHW' or 'NHWC', got ${describe(value)}`, 'layout');
  }
  return value;
}

/**
 * `unbiased` (divide the squared deviations by N − 1 instead of N): a boolean, default false.
 * With one element per statistic N − 1 is 0, which is refused rather than turned into NaN.
 *
 * @example
 * ```ts
 * checkUnbiased(true, 49); // true
 * checkUnbiased(true, 1);  // throws: needs at least 2 elements per statistic
 * ```
 */
export function checkUnbiased(value: unknown, count: number): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new NormError('invalid-argument', `expected a boolean, got ${describe(value)}`, 'unbiased');
  if (value && count < 2) {
    throw new NormError('invalid-argument', `the unbiased variance divides by N − 1 and needs at least 2 elements per statistic, got ${count}`, 'unbiased');
  }
  return value;
}

/**
 * Checks an optional per-channel `Float32Array` (gamma, beta, running statistics).
 *
 * @example
 * ```ts
 * checkChannelArray(gamma, 320, 'gamma', false);
 * ```
 */
export function checkChannelArray(value: unknown, channels: number, argument: string, required: boolean): Float32Array | undefined {
  if (value === undefined) {
    if (required) throw new NormError('invalid-argument', `is required (a Float32Array of length channels = ${channels})`, argument);
    return undefined;
  }
  if (!(value instanceof Float32Array)) {
    throw new NormError('invalid-argument', `expected a Float32Array (per-channel values stay f32 for every dtype), got ${describe(value)}`, argument);
  }
  if (value.length !== channels) throw new NormError('shape-mismatch', `expected length channels = ${channels}, got ${value.length}`, argument);
  return value;
}

/**
 * Validates the typed-array `x` of a typed-array call against its validated shape and returns the
 * dtype the data implies (checked against the `dtype` option, when given).
 *
 * @example
 * ```ts
 * checkChannelData(new Uint16Array(147), checkChannelCall(op, options, 'arrays', keys), options.dtype); // 'f16'
 * ```
 */
export function checkChannelData(x: unknown, shape: TensorShape, dtype: unknown): Dtype {
  const actual = dataDtype(x, dtype, 'x');
  const data = x as TensorData;
  if (data.length !== shape.elements) {
    throw new NormError(
      'shape-mismatch',
      `x.length ${data.length} != batch · channels · spatial = ${shape.batch} · ${shape.channels} · ${shape.spatial} = ${shape.elements}`,
      'x',
    );
  }
  return actual;
}

/**
 * Index of element (n, c, s) in a tensor of this shape.
 *
 * @example
 * ```ts
 * elementIndex({ batch: 1, channels: 3, spatial: 4, layout: 'NHWC' }, 0, 2, 1); // 5
 * ```
 */
export function elementIndex(shape: Pick<TensorShape, 'channels' | 'spatial' | 'layout'>, n: number, c: number, s: number): number {
  return shape.layout === 'NCHW' ? (n * shape.channels + c) * shape.spatial + s : (n * shape.spatial + s) * shape.channels + c;
}
