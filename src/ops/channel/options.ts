/**
 * Options shared by the ops over image-like tensors (GroupNorm, InstanceNorm, BatchNorm): shape
 * `(batch, channels, spatial)` with `spatial = H·W` flattened, memory layout, storage dtype and the
 * epsilon convention, plus their validation. The typed-array forms, the encode forms and the CPU
 * reference all validate through here, so they accept and reject exactly the same inputs.
 */
import { NormError, checkInteger, describe } from '../../core/errors.js';
import { checkDtype, dataDtype, type Dtype, type EpsilonMode, type TensorData } from '../../core/tensor.js';

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
 * const s: TensorShape = checkTensorShape({ batch: 2, channels: 3, spatial: 4, layout: 'NCHW' }, 'f32'); // s.elements === 24
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
 * Epsilon when none is given: PyTorch's default for GroupNorm, InstanceNorm and BatchNorm.
 *
 * @example
 * ```ts
 * checkEpsilon(options.epsilon ?? DEFAULT_EPSILON);
 * ```
 */
export const DEFAULT_EPSILON = 1e-5;

/**
 * Checks `options.batch/channels/spatial/layout/dtype` (not the data) and returns the shape.
 * `dtype` falls back to `fallbackDtype` when absent.
 *
 * @example
 * ```ts
 * checkTensorShape({ batch: 1, channels: 3, spatial: 49, layout: 'NCHW' }, 'f32').elements; // 147
 * ```
 */
export function checkTensorShape(options: unknown, fallbackDtype: Dtype): TensorShape {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object with batch, channels, spatial and layout, got ${describe(options)}`, 'options');
  }
  const o = options as TensorShapeOptions;
  const batch = checkInteger(o.batch, 'batch');
  const channels = checkInteger(o.channels, 'channels');
  const spatial = checkInteger(o.spatial, 'spatial');
  const layout = checkLayout(o.layout);
  const dtype = o.dtype === undefined ? fallbackDtype : checkDtype(o.dtype);
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
 * Validates the typed-array `x` of an op against its shape options and returns the shape with the
 * dtype the data implies.
 *
 * @example
 * ```ts
 * checkTensorData(new Float32Array(147), { batch: 1, channels: 3, spatial: 49, layout: 'NCHW' }).dtype; // 'f32'
 * ```
 */
export function checkTensorData(x: unknown, options: unknown): TensorShape {
  // Shape first: a missing options object is the more fundamental mistake.
  const shape = checkTensorShape(options, 'f32');
  const dtype = dataDtype(x, (options as TensorShapeOptions).dtype, 'x');
  const data = x as TensorData;
  if (data.length !== shape.elements) {
    throw new NormError(
      'shape-mismatch',
      `x.length ${data.length} != batch · channels · spatial = ${shape.batch} · ${shape.channels} · ${shape.spatial} = ${shape.elements}`,
      'x',
    );
  }
  return { ...shape, dtype };
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
