/**
 * Checking an op's GPU output against its float64 reference, shared by every benchmark op: run
 * the op once the way the timed rounds record it (through a compute pass), read the output back,
 * and compare it element by element with an op-specific allowance.
 */
import type { Verification } from './bench-op.js';

/**
 * Records `encode` into a compute pass inside a validation error scope, copies the first `bytes`
 * of `output` out and returns them as f32. Throws on a validation error.
 *
 * @example
 * ```ts
 * const got = await readAfter(device, (pass) => norm.encodeLayerNorm(pass, operands), y, y.size);
 * ```
 */
export async function readAfter(device: GPUDevice, encode: (pass: GPUComputePassEncoder) => unknown, output: GPUBuffer, bytes: number): Promise<Float32Array> {
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
    const got = new Float32Array(readback.getMappedRange().slice(0));
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
