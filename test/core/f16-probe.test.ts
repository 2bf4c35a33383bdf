/**
 * The device probe's bookkeeping (src/core/f16-probe.ts), on the recording fake: a device that
 * runs nothing proves nothing, the probe leaves no buffer behind whatever happens, it runs once
 * per device, and `probeDevice` is checked. What it finds on real drivers is in
 * test/node/f16-probe.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { probeF16Unpack, runF16UnpackProbe } from '../../src/core/f16-probe.js';
import { createNormalizer } from '../../src/normalizer.js';
import { fakeDevice } from './fake-device.js';
import { NormError } from '../../src/core/errors.js';

describe('the f16 probe', () => {
  test('a device that runs no kernel (reads back zeros) proves nothing; both buffers are destroyed', async () => {
    const fake = fakeDevice();
    expect(await runF16UnpackProbe(fake.device)).toBe(false);
    expect(fake.dispatches).toHaveLength(1);
    expect(fake.submits).toEqual([1]);
    expect(fake.buffers).toHaveLength(2);
    expect(fake.live()).toEqual([]);
  });

  test('a failed read-back rejects, and leaves no buffer behind', async () => {
    const fake = fakeDevice();
    fake.failNextMap = true;
    await expect(runF16UnpackProbe(fake.device)).rejects.toThrow();
    expect(fake.buffers).toHaveLength(2);
    expect(fake.live()).toEqual([]);
  });

  test('a test double is remembered as proving nothing: normalizers on it never probe', async () => {
    const fake = fakeDevice();
    expect(await probeF16Unpack(fake.device)).toEqual({});
    const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
    expect(norm.profile.f16UnpackExact).toBeUndefined();
    expect([fake.buffers.length, fake.submits.length, fake.dispatches.length]).toEqual([0, 0, 0]);
    norm.destroy();
  });

  test.each([['a string', 'no'], ['a number', 0], ['null', null]])('probeDevice as %s is refused', async (_, value) => {
    const fake = fakeDevice();
    const e = await createNormalizer({ device: fake.device, probeDevice: value as never }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(NormError);
    expect([(e as NormError).code, (e as NormError).argument]).toEqual(['invalid-argument', 'probeDevice']);
  });
});
