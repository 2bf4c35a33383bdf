/**
 * createLeanNormalizer: only the kernel families it is given run; every op of another family is
 * refused with NormError('op-not-loaded') naming the object to import, in the typed-array form
 * (a rejection), the encode form (a throw) and tune(), before anything reaches the device. The
 * bundle-size test checks what the same choice saves in a built app.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { createLeanNormalizer, createNormalizer } from '../../src/normalizer.js';
import { backwardKernels, batchNormKernels, groupNormKernels, lpNormKernels, rowNormKernels } from '../../src/kernels.js';
import { Usage } from '../../src/core/operands.js';
import { fakeDevice } from './fake-device.js';

async function refusal(fn: () => unknown): Promise<NormError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NormError);
    return e as NormError;
  }
  throw new Error('expected a NormError');
}

const x = new Float32Array(8);
const shape = { cols: 4 };
const image = { batch: 1, channels: 2, spatial: 4, layout: 'NCHW' as const };

describe('createLeanNormalizer', () => {
  test('ops of families not given are refused as op-not-loaded, naming the object to import; nothing is allocated', async () => {
    const fake = fakeDevice();
    const norm = await createLeanNormalizer({ device: fake.device, kernels: [lpNormKernels], tuning: false });
    const buf = fake.device.createBuffer({ size: 64, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
    const before = fake.buffers.length;
    const cases: [string, string, () => unknown][] = [
      ['layerNorm', 'rowNormKernels', () => norm.layerNorm(x, shape)],
      ['addRmsNorm', 'rowNormKernels', () => norm.addRmsNorm(x, x, shape)],
      ['rmsNorm', 'rowNormKernels', () => norm.encodeRmsNorm(fake.device.createCommandEncoder(), { x: buf, y: buf, rows: 2, cols: 4 })],
      ['op', 'rowNormKernels', () => norm.tune('layerNorm', { rows: 2, cols: 4 })],
      ['layerNormBackward', 'backwardKernels', () => norm.layerNormBackward(x, x, { cols: 4, mean: new Float32Array(2), rstd: new Float32Array(2) })],
      ['groupNorm', 'groupNormKernels', () => norm.groupNorm(x, { ...image, groups: 1 })],
      ['instanceNorm', 'groupNormKernels', () => norm.encodeInstanceNorm(fake.device.createCommandEncoder(), { ...image, x: buf, y: buf })],
      ['batchNormStats', 'batchNormKernels', () => norm.batchNormStats(x, image)],
    ];
    for (const [argument, name, call] of cases) {
      const e = await refusal(call);
      expect({ code: e.code, argument: e.argument }, argument).toEqual({ code: 'op-not-loaded', argument });
      expect(e.message).toContain(`import { ${name} } from 'webgpu-norm'`);
    }
    expect(fake.buffers.length).toBe(before);
    norm.destroy();
  });

  test('the families given run as in createNormalizer', async () => {
    const fake = fakeDevice();
    const norm = await createLeanNormalizer({ device: fake.device, kernels: [rowNormKernels, backwardKernels, groupNormKernels, batchNormKernels], tuning: false });
    // The fake runs no shader (zeros come back): these check that the call is wired, not numerics.
    expect((await norm.layerNorm(x, shape)).y).toHaveLength(8);
    expect((await norm.groupNorm(x, { ...image, groups: 2 })).y).toHaveLength(8);
    expect((await norm.batchNormStats(x, image)).mean).toHaveLength(2);
    expect((await refusal(() => norm.lpNorm(x, shape))).code).toBe('op-not-loaded');
    norm.destroy();
  });

  test('a destroyed lean normalizer says destroyed, not op-not-loaded', async () => {
    const fake = fakeDevice();
    const norm = await createLeanNormalizer({ device: fake.device, kernels: [], tuning: false });
    norm.destroy();
    expect((await refusal(() => norm.lpNorm(x, shape))).code).toBe('destroyed');
  });

  test.each<[string, unknown, string]>([
    ['no kernels array', {}, 'kernels'],
    ['kernels not an array', { kernels: rowNormKernels }, 'kernels'],
    ['a string in kernels', { kernels: [rowNormKernels, 'row-norm'] }, 'kernels[1]'],
    ['a look-alike object', { kernels: [{ family: 'layer-norm' }] }, 'kernels[0]'],
    ['null options', null, 'options'],
    ['a misspelt option', { kernels: [rowNormKernels], kernel: [lpNormKernels] }, 'kernel'],
    ['debug that is not a boolean', { kernels: [rowNormKernels], debug: 1 }, 'debug'],
  ])('refuses %s as invalid-argument', async (_name, options, argument) => {
    const fake = fakeDevice();
    const opts = options === null ? null : { device: fake.device, ...(options as object) };
    const e = await refusal(() => createLeanNormalizer(opts as never));
    expect({ code: e.code, argument: e.argument }).toEqual({ code: 'invalid-argument', argument });
  });

  test('createNormalizer refuses a kernels option instead of ignoring it', async () => {
    const fake = fakeDevice();
    const e = await refusal(() => createNormalizer({ device: fake.device, kernels: [rowNormKernels] } as never));
    expect({ code: e.code, argument: e.argument }).toEqual({ code: 'invalid-argument', argument: 'kernels' });
    expect(e.message).toContain('createLeanNormalizer');
  });
});
