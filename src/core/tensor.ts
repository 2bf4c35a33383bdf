/**
 * The one vocabulary every op family shares for tensor data: the storage dtype, typed-array data,
 * the epsilon convention, byte sizes, and the exact f16 decode/encode the CPU references use.
 * Every family validates dtypes and data through here, so a mistake gets the same code and message
 * from every op and every form.
 */
import { NormError, describe } from './errors.js';
import { f16ToF32, f32ToF16 } from './f16.js';

/**
 * How tensor elements are stored. `f16` means IEEE binary16 bit patterns (`Uint16Array` in the
 * typed-array forms; packed two per 32-bit word on the GPU, element 2k in the low half). It works
 * without the `shader-f16` feature: arithmetic is always f32. Statistics and per-feature
 * parameters are f32 for every dtype.
 *
 * @example
 * ```ts
 * const dtype: Dtype = 'f16';
 * ```
 */
export type Dtype = 'f32' | 'f16';

/**
 * Tensor data as typed arrays: f32 values, or binary16 bit patterns for `dtype: 'f16'`.
 *
 * @example
 * ```ts
 * const half: TensorData = toF16Array([1, 2, 3]); // Uint16Array [0x3c00, 0x4000, 0x4200]
 * ```
 */
export type TensorData = Float32Array | Uint16Array;

/**
 * The output data type matching an input: f16 bits in, f16 bits out.
 *
 * @example
 * ```ts
 * type Y = SameData<Uint16Array>; // Uint16Array
 * ```
 */
export type SameData<X extends TensorData> = X extends Uint16Array ? Uint16Array : Float32Array;

/**
 * Where epsilon goes: `inside-sqrt` is `(x − μ) / sqrt(var + ε)` (PyTorch, ONNX; the default);
 * `add-to-std` is `(x − μ) / (sqrt(var) + ε)` (the Annotated Transformer, some TensorFlow code).
 *
 * @example
 * ```ts
 * await norm.layerNorm(x, { cols: 512, epsilon: 1e-6, epsilonMode: 'add-to-std' });
 * ```
 */
export type EpsilonMode = 'inside-sqrt' | 'add-to-std';

/**
 * Checks a `dtype` option: `'f32'` or `'f16'`.
 *
 * @example
 * ```ts
 * checkDtype('f16'); // 'f16'
 * checkDtype('bf16'); // throws NormError invalid-argument (argument 'dtype')
 * ```
 */
export function checkDtype(value: unknown, argument = 'dtype'): Dtype {
  if (value !== 'f32' && value !== 'f16') {
    throw new NormError('invalid-argument', `expected 'f32' or 'f16', got ${describe(value)}`, argument);
  }
  return value;
}

/**
 * The dtype a typed array stands for, checked against an explicit `dtype` option: a
 * `Float32Array` is f32 data, a `Uint16Array` is binary16 bits; anything else, or a mismatch
 * (`Float32Array` with `dtype: 'f16'`), is refused.
 *
 * @example
 * ```ts
 * dataDtype(new Uint16Array(4), undefined, 'x'); // 'f16'
 * dataDtype(new Float32Array(4), 'f16', 'x');    // throws NormError invalid-argument (argument 'x')
 * ```
 */
export function dataDtype(data: unknown, dtype: unknown, argument: string): Dtype {
  const declared = dtype === undefined ? undefined : checkDtype(dtype);
  const actual = data instanceof Float32Array ? 'f32' : data instanceof Uint16Array ? 'f16' : undefined;
  if (actual === undefined) {
    throw new NormError('invalid-argument', `expected a Float32Array (f32) or a Uint16Array of half bits (f16), got ${describe(data)}`, argument);
  }
  if (declared !== undefined && declared !== actual) {
    throw new NormError(
      'invalid-argument',
      `dtype is '${declared}' but ${argument} is a ${actual === 'f32' ? 'Float32Array' : 'Uint16Array'} (${actual}); f16 data travels as Uint16Array half bits`,
      argument,
    );
  }
  return actual;
}

/**
 * Checks an `epsilonMode` option (default `'inside-sqrt'`). `allowed` narrows it for ops with one
 * convention only (RMSNorm has no standard deviation to add epsilon to).
 *
 * @example
 * ```ts
 * checkEpsilonMode(undefined); // 'inside-sqrt'
 * checkEpsilonMode('add-to-std', ['inside-sqrt'], 'RMSNorm'); // throws: RMSNorm supports only 'inside-sqrt'
 * ```
 */
export function checkEpsilonMode(value: unknown, allowed: readonly EpsilonMode[] = ['inside-sqrt', 'add-to-std'], op?: string): EpsilonMode {
  if (value === undefined) return 'inside-sqrt';
  if (value === 'inside-sqrt' || value === 'add-to-std') {
    if (allowed.includes(value)) return value;
    throw new NormError('invalid-argument', `${op ?? 'this op'} supports only ${allowed.map((m) => `'${m}'`).join(' or ')}, got '${value}'`, 'epsilonMode');
  }
  throw new NormError('invalid-argument', `expected ${allowed.map((m) => `'${m}'`).join(' or ')}, got ${describe(value)}`, 'epsilonMode');
}

/**
 * Bytes a GPU operand of `count` elements occupies: f32 is 4 per element; f16 is packed two per
 * 32-bit word and rounded up to a whole word, because WebGPU storage bindings are sized in
 * multiples of 4 bytes (an odd-length f16 tensor owns the high half of its last word too).
 *
 * @example
 * ```ts
 * storageBytes(5, 'f16'); // 12
 * storageBytes(5, 'f32'); // 20
 * ```
 */
export function storageBytes(count: number, dtype: Dtype): number {
  return dtype === 'f16' ? Math.ceil(count / 2) * 4 : count * 4;
}

/**
 * The values of `x` as float64, exactly as the GPU reads them: f32 as is, f16 bits decoded exactly.
 *
 * @example
 * ```ts
 * decodeValues(new Uint16Array([0x3c00])); // Float64Array [1]
 * ```
 */
export function decodeValues(x: TensorData): Float64Array {
  const out = new Float64Array(x.length);
  if (x instanceof Uint16Array) for (let i = 0; i < x.length; i++) out[i] = f16ToF32(x[i]!);
  else out.set(x);
  return out;
}

/**
 * Rounds float64 values to the storage dtype once, at the end: a Float32Array, or Uint16Array half
 * bits rounded exactly as the GPU rounds.
 *
 * @example
 * ```ts
 * encodeValues(new Float64Array([1]), 'f16'); // Uint16Array [0x3c00]
 * ```
 */
export function encodeValues(values: Float64Array, dtype: Dtype): TensorData {
  if (dtype === 'f32') return Float32Array.from(values);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16(values[i]!);
  return out;
}
