/**
 * Storage dtypes in the benchmark: the same op on f32 tensors or on f16 ones (binary16 bits in a
 * `Uint16Array`, as the library takes them). Only the activations change dtype; per-feature
 * parameters and statistics stay f32, as in the library.
 */
import type { NormLibrary } from './types.js';

/** A storage dtype the benchmark runs (`--dtype`). */
export type BenchDtype = 'f32' | 'f16';

/** Tensor data as the library takes it: f32 values or f16 bits. */
export type BenchTensor = Float32Array | Uint16Array;

/** Bytes per element of an activation tensor. */
export function elementBytes(dtype: BenchDtype): number {
  return dtype === 'f16' ? 2 : 4;
}

/** `values` stored as `dtype` (f16: rounded to nearest even). */
export function asDtype(lib: NormLibrary, values: Float32Array, dtype: BenchDtype): BenchTensor {
  return dtype === 'f16' ? lib.toF16Array(values) : values;
}

/** The first `count` elements of bytes read back from the GPU, as numbers. */
export function decodeValues(lib: NormLibrary, bytes: ArrayBuffer, dtype: BenchDtype, count: number): Float32Array {
  return dtype === 'f16' ? lib.fromF16Array(new Uint16Array(bytes, 0, count)) : new Float32Array(bytes, 0, count);
}

/**
 * The allowance for one output element: the op's f32 bound, plus for f16 one binary16 ULP of the
 * reference (the library's stated f16 tolerance: 1 ULP of the rounded reference, docs/numerics.md).
 */
export function allowance(dtype: BenchDtype, reference: number, f32Bound: number): number {
  if (dtype === 'f32') return f32Bound;
  const a = Math.abs(reference);
  // binary16: 10 fraction bits; below 2^-14 the subnormal step 2^-24.
  const ulp = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
  return ulp + f32Bound;
}

/**
 * `cpu.fast` is f32-only, so the CPU figure for f16 is what a JavaScript caller does: decode the
 * bits, run `cpu.fast`, encode the output.
 */
export function cpuOnDtype<R extends { readonly y: Float32Array }>(lib: NormLibrary, x: BenchTensor, run: (x: Float32Array) => R): unknown {
  if (x instanceof Float32Array) return run(x);
  return lib.toF16Array(run(lib.fromF16Array(x)).y);
}
