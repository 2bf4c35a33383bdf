/**
 * The dgamma/dbeta partials of the backward pass against the device limits (issue #17): the row
 * blocks are sized so the partials fit the largest scratch binding (the smaller of
 * `maxStorageBufferBindingSize` and `maxBufferSize`), and the scratch buffer is never rounded up
 * past `maxBufferSize`, which a real device reports as a validation error. Fake device.
 */
import { expect, test } from 'vitest';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { fakeDevice } from '../core/fake-device.js';

test('dgamma/dbeta partials fit a device whose limits are not powers of two', async () => {
  // 25 rows of 1000: x is exactly the 100,000-byte limit; 9 blocks of partials take 72,000 bytes,
  // which power-of-two growth alone would have made a 131,072-byte buffer.
  const fake = fakeDevice({ maxBufferSize: 100_000, maxStorageBufferBindingSize: 100_000 });
  const norm = await createNormalizer({ device: fake.device, tuning: false });
  const [rows, cols] = [25, 1000];
  const buf = (n: number) => fake.device.createBuffer({ size: n * 4, usage: Usage.STORAGE });
  norm.encodeLayerNormBackward(fake.device.createCommandEncoder(), {
    rows,
    cols,
    dy: buf(rows * cols),
    x: buf(rows * cols),
    dx: buf(rows * cols),
    gamma: buf(cols),
    mean: buf(rows),
    rstd: buf(rows),
    dgamma: buf(cols),
    dbeta: buf(cols),
  });
  const partials = fake.buffers.filter((b) => b.label.includes('param-grad-partials'));
  expect(partials).toHaveLength(1);
  expect(partials[0]!.size).toBeLessThanOrEqual(100_000);
  expect(fake.validationErrors).toEqual([]);
});
