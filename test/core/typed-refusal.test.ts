/**
 * Every typed-array form checks all of its sizes (uploads, outputs, the read-back and its scratch)
 * before it creates anything (issue #17): a call past the device limits is a `limit-exceeded`
 * NormError and leaves no buffer, bind group or submit behind. Fake device with lowered limits,
 * one over-limit call per op and per limit.
 */
import { expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { createNormalizer } from '../../src/normalizer.js';
import { OPS, type OpName } from '../../src/ops/table.js';
import { fakeDevice } from './fake-device.js';

const LIMITS = { maxStorageBufferBindingSize: 64 << 10, maxBufferSize: 96 << 10 };

/** A typed-array call of `op` over `elements` activations `cols` wide (channels for the image ops). */
function call(op: OpName, rows: number, cols: number): [unknown[], Record<string, unknown>] {
  const act = () => new Float32Array(rows * cols);
  const params = () => new Float32Array(cols);
  const rowStats = () => new Float32Array(rows).fill(1);
  switch (OPS[op].family) {
    case 'row-norm':
      return [(OPS[op] as { fusedAdd?: boolean }).fusedAdd ? [act(), act()] : [act()], { cols }];
    case 'lp-norm':
      return [[act()], { cols }];
    case 'backward':
      return [[act(), act()], { cols, rstd: rowStats(), ...(op === 'layerNormBackward' ? { mean: rowStats() } : {}) }];
    case 'group-norm':
      return [[act()], { batch: rows, channels: cols, spatial: 1, layout: 'NHWC', ...(op === 'groupNorm' ? { groups: 1 } : {}) }];
    case 'batch-norm':
      return [[act()], { batch: rows, channels: cols, spatial: 1, layout: 'NHWC', ...(op !== 'batchNormStats' ? { runningMean: params(), runningVar: params().fill(1) } : {}) }];
  }
}

// Shapes past each limit: x past the binding limit; many narrow rows whose scratch (lpNorm's norms,
// split/partials) or per-row outputs pass it; one row too wide for the backward partials.
const SHAPES: [what: string, rows: number, cols: number][] = [
  ['x past maxStorageBufferBindingSize', 2, 9000],
  ['per-row scratch and outputs past the limits', 40000, 1],
];

for (const op of Object.keys(OPS) as OpName[]) {
  for (const [what, rows, cols] of SHAPES) {
    test(`${op}: ${what} is refused before anything is created`, async () => {
      const fake = fakeDevice(LIMITS);
      const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
      const [inputs, options] = call(op, rows, cols);
      const before = [fake.buffers.length, fake.bindGroups.length, fake.submits.length];
      const error = await (norm as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op]!(...inputs, options).then(
        () => null,
        (e: unknown) => e,
      );
      if (error === null) {
        // A shape that fits (e.g. InstanceNorm's one row of 40000 channels fits one binding) must
        // compute without any size past the limits.
        expect(fake.validationErrors).toEqual([]);
        return;
      }
      expect(error).toBeInstanceOf(NormError);
      expect((error as NormError).code).toBe('limit-exceeded');
      expect([fake.buffers.length, fake.bindGroups.length, fake.submits.length]).toEqual(before);
      expect(fake.validationErrors).toEqual([]);
    });
  }
}

test('backward: a row too wide for one block of dgamma/dbeta partials is refused before the uploads', async () => {
  // x (1 × 6000 f32, 24 KB) fits; one block of partials (2 · cols columns) does not.
  const fake = fakeDevice({ maxStorageBufferBindingSize: 40_000, maxBufferSize: 1 << 20 });
  const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
  const cols = 6000;
  const x = new Float32Array(cols);
  const before = fake.buffers.length;
  await expect(norm.layerNormBackward(x, x, { cols, mean: new Float32Array(1), rstd: new Float32Array(1).fill(1) })).rejects.toMatchObject({ code: 'limit-exceeded', argument: 'cols' });
  expect(fake.buffers.length).toBe(before);
});

test('lpNorm: the norms of many odd-width f16 rows (two-pass layout) past the limit are refused before the uploads', async () => {
  // x (20000 f16 rows of 1: 40 KB) fits; the rows do not start on a word, so the norms (8 bytes a row, 160 KB) are kept.
  const fake = fakeDevice(LIMITS);
  const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
  const before = fake.buffers.length;
  await expect(norm.lpNorm(new Uint16Array(20000), { cols: 1, dtype: 'f16' })).rejects.toMatchObject({ code: 'limit-exceeded', argument: 'rows' });
  expect(fake.buffers.length).toBe(before);
  expect(fake.validationErrors).toEqual([]);
});
