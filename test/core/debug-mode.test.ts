/**
 * Debug mode and device loss against the recording fake device: error scopes stay balanced even
 * when a call is refused, GPU findings surface through checkErrors() and on the next call, and a
 * read-back that never settles is rejected with device-lost when the device is lost.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { createNormalizer } from '../../src/normalizer.js';
import { Usage } from '../../src/core/operands.js';
import { fakeDevice } from './fake-device.js';

function setup() {
  const fake = fakeDevice();
  const scopes: string[] = [];
  const popped: (GPUError | null)[] = [];
  const device = fake.device as unknown as { pushErrorScope: (f: string) => void; popErrorScope: () => Promise<GPUError | null> };
  device.pushErrorScope = (filter) => scopes.push(filter);
  device.popErrorScope = () => {
    scopes.pop();
    return Promise.resolve(popped.shift() ?? null);
  };
  const buffer = (size = 64) => fake.device.createBuffer({ size, usage: Usage.STORAGE });
  return { fake, scopes, popped, buffer };
}

describe('debug mode', () => {
  test('a refused call leaves the error scope stack balanced', async () => {
    const { fake, scopes, buffer } = setup();
    const norm = await createNormalizer({ device: fake.device, debug: true, tuning: false });
    const enc = fake.device.createCommandEncoder();
    expect(() => norm.encodeLayerNorm(enc, { x: buffer(), y: buffer(8), rows: 2, cols: 4 })).toThrow(NormError);
    expect(scopes).toEqual([]);
    norm.encodeLayerNorm(enc, { x: buffer(), y: buffer(), rows: 2, cols: 4 });
    expect(scopes).toEqual([]);
    await expect(norm.checkErrors()).resolves.toBeUndefined();
  });

  test('a validation error of an encode call is thrown by checkErrors(), then cleared', async () => {
    const { fake, popped, buffer } = setup();
    const norm = await createNormalizer({ device: fake.device, debug: true, tuning: false });
    // Scopes pop in order: the call's validation scope (reports), its out-of-memory scope, then the probes of x and y.
    popped.push({ message: 'forced validation error' } as GPUError);
    norm.encodeRmsNorm(fake.device.createCommandEncoder(), { x: buffer(), y: buffer(), rows: 2, cols: 4 });
    await expect(norm.checkErrors()).rejects.toMatchObject({ code: 'gpu-error', message: expect.stringContaining('forced validation error') });
    await expect(norm.checkErrors()).resolves.toBeUndefined();
  });

  test('a finding surfaces on the next call once it has arrived; flushErrors() empties the queue', async () => {
    const { fake, popped, buffer } = setup();
    const norm = await createNormalizer({ device: fake.device, debug: true, tuning: false });
    popped.push(null as never, null as never, { message: 'not on this device' } as GPUError); // validation, oom pass; the probe of x fails
    norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x: buffer(), y: buffer(), rows: 2, cols: 4 });
    await new Promise((r) => setTimeout(r, 0));
    expect(() => norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x: buffer(), y: buffer(), rows: 2, cols: 4 })).toThrow(
      expect.objectContaining({ code: 'wrong-device', argument: 'x' }),
    );
    expect(norm.flushErrors()).toEqual([]);
  });

  test('without debug, no scopes are pushed', async () => {
    const { fake, scopes, buffer } = setup();
    let pushes = 0;
    (fake.device as unknown as { pushErrorScope: () => void }).pushErrorScope = () => void pushes++;
    const norm = await createNormalizer({ device: fake.device, tuning: false });
    norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x: buffer(), y: buffer(), rows: 2, cols: 4 });
    expect(pushes).toBe(0);
    expect(scopes).toEqual([]);
  });
});

describe('device loss', () => {
  test('a read-back that never settles rejects with device-lost when the device is lost', async () => {
    const { fake } = setup();
    const norm = await createNormalizer({ device: fake.device, tuning: false });
    // mapAsync that never settles (as an implementation may do on a lost device)
    const create = fake.device.createBuffer.bind(fake.device);
    (fake.device as unknown as { createBuffer: typeof create }).createBuffer = (d: GPUBufferDescriptor) => {
      const b = create(d);
      if (d.usage & Usage.MAP_READ) (b as unknown as { mapAsync: () => Promise<void> }).mapAsync = () => new Promise(() => {});
      return b;
    };
    const pending = norm.layerNorm(new Float32Array(8), { cols: 4 });
    fake.lose('unknown', 'gone');
    await expect(pending).rejects.toMatchObject({ code: 'device-lost' });
    await expect(norm.layerNorm(new Float32Array(8), { cols: 4 })).rejects.toMatchObject({ code: 'device-lost' });
    expect(fake.live().filter((b) => b.size !== 16)).toEqual([]); // temporaries freed (dummies are 16 bytes)
  });
});
