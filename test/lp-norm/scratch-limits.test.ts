/**
 * lpNorm's two-pass layouts keep one (n, e) pair of 8 bytes per row in scratch, which for narrow
 * rows is more than x itself: past the binding limit the call is refused with `limit-exceeded`
 * before anything is created (issue #17). Fake device, lowered limits.
 */
import { expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { fakeDevice } from '../core/fake-device.js';

test('lpNorm row norms past the binding limit are refused before anything is created, unless the fused layout (no norms) can take the rows', async () => {
  const fake = fakeDevice({ maxStorageBufferBindingSize: 128 << 10, maxBufferSize: 1 << 20 });
  const norm = await createNormalizer({ device: fake.device, tuning: false });
  const rows = 65536;
  // f16 rows of one element: x is 128 KiB (the limit), the norms 512 KiB.
  const x = fake.device.createBuffer({ size: rows * 2, usage: Usage.STORAGE });
  const y = fake.device.createBuffer({ size: rows * 2, usage: Usage.STORAGE });
  const before = [fake.buffers.length, fake.bindGroups.length];
  let error: unknown;
  try {
    norm.encodeLpNorm(fake.device.createCommandEncoder(), { x, y, rows, cols: 1, dtype: 'f16' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NormError);
  expect({ code: (error as NormError).code, argument: (error as NormError).argument }).toEqual({ code: 'limit-exceeded', argument: 'rows' });
  expect([fake.buffers.length, fake.bindGroups.length]).toEqual(before);
  // Rows that start on a word can take the fused layout (no scratch): the rule's row-per-workgroup
  // layout, whose norms would not fit, gives way to it; forced, it is refused.
  const x2 = fake.device.createBuffer({ size: rows * 2, usage: Usage.STORAGE });
  const y2 = fake.device.createBuffer({ size: rows * 2, usage: Usage.STORAGE });
  const shape = { x: x2, y: y2, rows: rows / 2, cols: 2, dtype: 'f16' } as const;
  expect(norm.encodeLpNorm(fake.device.createCommandEncoder(), { ...shape, cols: 2048, rows: 32 }).rowPerWorkgroup).toBe(true);
  expect(norm.encodeLpNorm(fake.device.createCommandEncoder(), shape).rowPerWorkgroup).toBe(false);
  expect(() => norm.encodeLpNorm(fake.device.createCommandEncoder(), { ...shape, variant: { rowPerWorkgroup: true, workgroupSize: 64 } })).toThrow(
    expect.objectContaining({ code: 'limit-exceeded' }),
  );
  expect(fake.validationErrors).toEqual([]);
});
