/**
 * Calls an image-like op (GroupNorm, InstanceNorm, BatchNorm) in each of its forms, without a GPU:
 * the CPU reference (rounded and `…F64`), the typed-array form and the encode form on a normalizer
 * over test/core/fake-device.ts. The validation tests run the same options through every form,
 * since all of them must accept and refuse exactly the same options.
 */
import { expect } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError, type NormErrorCode } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { encodeMethod } from '../../src/ops/table.js';
import type { ChannelOpName } from '../../src/ops/channel/options.js';
import { fakeDevice, type FakeDevice } from '../core/fake-device.js';

/** `cpu`: `cpu.op`; `cpuF64`: `cpu.opF64`; `typed`: `await norm.op(x, …)`; `encode`: `norm.encodeOp(encoder, …)`. */
export type Form = 'cpu' | 'cpuF64' | 'typed' | 'encode';
export const FORMS: readonly Form[] = ['cpu', 'cpuF64', 'typed', 'encode'];

let gpu: Promise<{ fake: FakeDevice; norm: Normalizer }> | undefined;

/** One normalizer on a fake device, shared by the calls of a test file (it runs no shaders). */
export function fakeNormalizer(): Promise<{ fake: FakeDevice; norm: Normalizer }> {
  gpu ??= (async () => {
    const fake = fakeDevice();
    return { fake, norm: await createNormalizer({ device: fake.device }) };
  })();
  return gpu;
}

/**
 * Calls `op` in `form` with `options` and an x of `elements` f32 values; the encode form gets
 * storage buffers for x, y (unless `options` has them) and every other operand in `operands`
 * (per-channel ones sized `channels`, statistics generously).
 */
export async function callForm(form: Form, op: ChannelOpName, elements: number, options: Record<string, unknown>, operands: readonly string[] = []): Promise<unknown> {
  const x = new Float32Array(elements);
  const f = (name: string) => (cpu as unknown as Record<string, (x: unknown, o: unknown) => unknown>)[name]!;
  switch (form) {
    case 'cpu':
      return f(op)(x, options);
    case 'cpuF64':
      return f(`${op}F64`)(x, options);
    case 'typed': {
      const { norm } = await fakeNormalizer();
      return (norm as unknown as Record<string, (x: unknown, o: unknown) => Promise<unknown>>)[op]!(x, options);
    }
    case 'encode': {
      const { fake, norm } = await fakeNormalizer();
      const buffer = () => fake.device.createBuffer({ size: Math.max(64, elements * 4), usage: Usage.STORAGE });
      const given: Record<string, unknown> = { x: buffer() };
      if (op !== 'batchNormStats') given.y = buffer();
      for (const name of operands) given[name] = buffer();
      const encode = (norm as unknown as Record<string, (t: unknown, o: unknown) => unknown>)[encodeMethod(op)]!;
      return encode.call(norm, fake.device.createCommandEncoder(), { ...given, ...options });
    }
  }
}

/** What the call threw or rejected with (undefined if it succeeded). */
export async function refusal(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Expects a NormError of `code` naming `argument`, whose message contains every string of `says`. */
export function expectRefusal(e: unknown, code: NormErrorCode, argument: string, ...says: string[]): void {
  expect(e, 'expected a NormError').toBeInstanceOf(NormError);
  const n = e as NormError;
  expect({ code: n.code, argument: n.argument }).toEqual({ code, argument });
  for (const s of says) expect(n.message).toContain(s);
}
