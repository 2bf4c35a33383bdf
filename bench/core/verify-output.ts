/**
 * Checking an op's GPU output against its float64 reference, shared by every benchmark op: run
 * the op once the way the timed rounds record it (through a compute pass), read the output back,
 * and compare it element by element with an op-specific allowance.
 */
import type { Verification } from './bench-op.js';
import { decodeValues, type BenchDtype } from './dtype.js';
import type { NormLibrary } from './types.js';

/**
 * Records `encode` into a compute pass inside a validation error scope, copies `output` out and
 * returns its first `count` elements of `dtype` as numbers. Throws on a validation error.
 *
 * @example
 * ```ts
 * const got = await readAfter(device, (pass) => norm.encodeLayerNorm(pass, operands), y, { lib, dtype: 'f16', count: rows * cols });
 * ```
 */
export async function readAfter(
  device: GPUDevice,
  encode: (pass: GPUComputePassEncoder) => unknown,
  output: GPUBuffer,
  values: { readonly lib: NormLibrary; readonly dtype: BenchDtype; readonly count: number },
): Promise<Float32Array> {
  const bytes = Math.ceil((values.count * (values.dtype === 'f16' ? 2 : 4)) / 4) * 4;
  const readback = device.createBuffer({ label: 'bench verify readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label: 'bench verify' });
    const pass = encoder.beginComputePass();
    encode(pass);
    pass.end();
    encoder.copyBufferToBuffer(output, 0, readback, 0, bytes);
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new Error(`WebGPU validation error while verifying: ${error.message}`);
    await readback.mapAsync(GPUMapMode.READ);
    const got = decodeValues(values.lib, readback.getMappedRange().slice(0), values.dtype, values.count);
    readback.unmap();
    return got;
  } finally {
    readback.destroy();
  }
}

/**
 * The largest |got − ref| (NaN counts as infinite) and whether every element is within
 * `allowed(i)`.
 *
 * @example
 * ```ts
 * compareOutputs(got, ref, (i) => 1e-5 * Math.abs(ref[i]!) + 1e-5); // { maxAbsError, withinTolerance }
 * ```
 */
export function compareOutputs(got: ArrayLike<number>, ref: ArrayLike<number>, allowed: (i: number) => number): Verification {
  let maxAbsError = 0;
  let withinTolerance = true;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - ref[i]!);
    // `!(err <= …)` so a NaN counts as a failure and as an infinite error.
    if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
    if (!(err <= allowed(i))) withinTolerance = false;
  }
  return { maxAbsError, withinTolerance };
}
