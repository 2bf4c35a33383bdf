/**
 * What the f16 kernel tests in Node share (test/node/f16-native.test.ts, test/node/f16-vec.test.ts):
 * deterministic data, reading a kernel's outputs back, the distance between two f16 values in ULP,
 * and the library's f16 tolerance against the float64 reference.
 */
import { expect } from 'vitest';
import { fromF16Array, toF16Array } from '../../src/core/f16.js';

/**
 * Deterministic uniform numbers in [0, 1).
 *
 * @example
 * ```ts
 * const next = random(7); next(); // the same sequence on every run
 * ```
 */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * Distance in representable f16 values between two f16 bit patterns; NaN only matches NaN.
 *
 * @example
 * ```ts
 * ulps(0x3c00, 0x3c01); // 1
 * ```
 */
export function ulps(a: number, b: number): number {
  const nan = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
  if (nan(a) || nan(b)) return nan(a) && nan(b) ? 0 : Infinity;
  const ord = (h: number) => (h & 0x8000 ? -(h & 0x7fff) : h);
  return Math.abs(ord(a) - ord(b));
}

/**
 * The library's f16 tolerance: within 1 ULP of the float64 result rounded to f16, or the f32 bound
 * near zero (where f16 steps are finer than f32 arithmetic); NaN must meet NaN.
 *
 * @example
 * ```ts
 * expectNearReference(y, cpu.layerNormF64(x, { cols }).y, 'layerNorm 4x768');
 * ```
 */
export function expectNearReference(got: Uint16Array, ref: ArrayLike<number>, what: string): void {
  const refH = toF16Array(ref);
  const g = fromF16Array(got);
  let bad = 0;
  let first = '';
  for (let i = 0; i < got.length; i++) {
    const r = ref[i]!;
    const ok = Number.isNaN(r) ? Number.isNaN(g[i]!) : ulps(got[i]!, refH[i]!) <= 1 || Math.abs(g[i]! - r) <= 1e-5 * Math.max(1, Math.abs(r)) + 2 ** -24;
    if (!ok && bad++ === 0) first = `[${i}] got ${g[i]} want ${r}`;
  }
  expect(bad, `${what}: ${bad}/${got.length} outside the f16 tolerance, first ${first}`).toBe(0);
}

/** GPUBufferUsage bits (Node has no global GPUBufferUsage before the webgpu package is loaded). */
export const U = { STORAGE: 0x80, COPY_SRC: 0x4, COPY_DST: 0x8, MAP_READ: 0x1 } as const;

/**
 * Copies each named output buffer into its own read-back buffer at the end of `encoder`, submits
 * it and returns each output's bytes. The read-back buffers join `owned` (the caller destroys it).
 *
 * @example
 * ```ts
 * const bytes = await readOutputs(device, encoder, { y, rstd }, owned); // { y: ArrayBuffer, rstd: ArrayBuffer }
 * ```
 */
export async function readOutputs(device: GPUDevice, encoder: GPUCommandEncoder, outputs: Record<string, GPUBuffer>, owned: GPUBuffer[]): Promise<Record<string, ArrayBuffer>> {
  const names = Object.keys(outputs);
  const staging = names.map((k) => {
    const src = outputs[k]!;
    const s = device.createBuffer({ size: src.size, usage: U.MAP_READ | U.COPY_DST });
    encoder.copyBufferToBuffer(src, 0, s, 0, src.size);
    owned.push(s);
    return s;
  });
  device.queue.submit([encoder.finish()]);
  const out: Record<string, ArrayBuffer> = {};
  for (const [i, k] of names.entries()) {
    await staging[i]!.mapAsync(U.MAP_READ);
    out[k] = staging[i]!.getMappedRange().slice(0);
  }
  return out;
}
