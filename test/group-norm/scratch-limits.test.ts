/**
 * The channel statistics' scratch against the device limits (issue #17): GroupNorm / InstanceNorm
 * partials and coefficients, and BatchNorm's partials (same planner), 16 bytes per (image, chunk,
 * channel) or per (image, channel). One too large for a storage binding is refused with
 * `limit-exceeded` in the encode and typed-array forms before any buffer or bind group is created;
 * it used to reach the GPU as a failed bind group and resolve with y = 0. Fake device, lowered limits.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { fakeDevice } from '../core/fake-device.js';

const LIMITS = { maxStorageBufferBindingSize: 128 << 10, maxBufferSize: 1 << 20 };
/** InstanceNorm NHWC at one position: 64 KiB of x, 256 KiB of partials (and of coefficients). */
const WIDE = { batch: 1, channels: 16384, spatial: 1, layout: 'NHWC' } as const;

async function setup() {
  const fake = fakeDevice(LIMITS);
  const norm = await createNormalizer({ device: fake.device, tuning: false });
  const buffer = (bytes: number) => fake.device.createBuffer({ size: bytes, usage: Usage.STORAGE });
  return { fake, norm, buffer, created: () => [fake.buffers.length, fake.bindGroups.length, fake.dispatches.length] };
}

async function refusal(fn: () => unknown): Promise<NormError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NormError);
    return e as NormError;
  }
  throw new Error('expected a NormError');
}

describe('channel statistics scratch and the device limits', () => {
  test('InstanceNorm NHWC with channels past the partials limit is refused before anything is created (encode form)', async () => {
    const { norm, buffer, created } = await setup();
    const x = buffer(16384 * 4);
    const y = buffer(16384 * 4);
    const before = created();
    const e = await refusal(() => norm.encodeInstanceNorm(norm.device.createCommandEncoder(), { ...WIDE, x, y }));
    expect({ code: e.code, argument: e.argument }).toEqual({ code: 'limit-exceeded', argument: 'channels' });
    expect(e.message).toContain(`${16384 * 16} bytes of scratch`);
    expect(e.message).toContain('split the batch, or the channels at group boundaries');
    expect(created()).toEqual(before);
  });

  test('… and in the typed-array form, before its uploads', async () => {
    const { fake, norm, created } = await setup();
    const before = created();
    const e = await refusal(() => norm.instanceNorm(new Float32Array(16384), WIDE));
    expect(e.code).toBe('limit-exceeded');
    expect(created()).toEqual(before);
    expect(fake.validationErrors).toEqual([]);
  });

  test('GroupNorm NCHW whose coefficients (one per channel) do not fit is refused, naming them', async () => {
    const { norm, buffer, created } = await setup();
    // x is exactly the binding limit (128 KiB); one group, so the partials are few.
    const shape = { batch: 1, channels: 16384, spatial: 2, groups: 1, layout: 'NCHW' } as const;
    const x = buffer(32768 * 4);
    const y = buffer(32768 * 4);
    const before = created();
    const e = await refusal(() => norm.encodeGroupNorm(norm.device.createCommandEncoder(), { ...shape, x, y }));
    expect(e.code).toBe('limit-exceeded');
    expect(e.message).toContain('coefficients');
    expect(created()).toEqual(before);
    const typed = await refusal(() => norm.groupNorm(new Float32Array(32768), shape));
    expect(typed.code).toBe('limit-exceeded');
    expect(created()).toEqual(before);
  });

  test('BatchNorm statistics past the partials limit are refused before anything is created, in both forms', async () => {
    const { norm, buffer, created } = await setup();
    const x = buffer(16384 * 4);
    const mean = buffer(16384 * 4);
    const variance = buffer(16384 * 4);
    const before = created();
    const e = await refusal(() => norm.encodeBatchNormStats(norm.device.createCommandEncoder(), { ...WIDE, x, mean, var: variance }));
    expect({ code: e.code, argument: e.argument }).toEqual({ code: 'limit-exceeded', argument: 'channels' });
    expect(created()).toEqual(before);
    const typed = await refusal(() => norm.batchNormStats(new Float32Array(16384), WIDE));
    expect(typed.code).toBe('limit-exceeded');
    expect(created()).toEqual(before);
  });

  test('a shape whose scratch fits is recorded with no validation error', async () => {
    const { fake, norm } = await setup();
    // 4096 channels: 64 KiB of partials and of coefficients.
    const result = await norm.instanceNorm(new Float32Array(4096), { ...WIDE, channels: 4096 });
    expect(result.y).toHaveLength(4096);
    expect(fake.dispatches.length).toBeGreaterThan(0);
    expect(fake.validationErrors).toEqual([]);
  });
});
