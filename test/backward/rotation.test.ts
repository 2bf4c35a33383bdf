/**
 * The dx kernel on CPU adapters walks rows that alias in L1 from a rotated chunk, as the forward
 * several-rows layout does (chunkRotation in src/ops/row-norm/variant.ts): the pipeline constant
 * is set there and only there, so every other call keeps its pipeline. Fake device; the numerics
 * of those shapes are in cases.ts.
 */
import { expect, test } from 'vitest';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { fakeDevice } from '../core/fake-device.js';

async function dxPipeline(adapterInfo: Record<string, unknown>, rows: number, cols: number, dtype: 'f32' | 'f16' = 'f32'): Promise<string> {
  const fake = fakeDevice();
  const norm = await createNormalizer({ device: fake.device, tuning: false, adapterInfo: adapterInfo as unknown as GPUAdapterInfo });
  const bytes = dtype === 'f16' ? Math.ceil((rows * cols) / 2) * 4 : rows * cols * 4;
  const buf = (n: number) => fake.device.createBuffer({ size: n, usage: Usage.STORAGE });
  norm.encodeRmsNormBackward(fake.device.createCommandEncoder(), { rows, cols, dtype, dy: buf(bytes), x: buf(bytes), dx: buf(bytes), gamma: buf(cols * 4), rstd: buf(rows * 4), dgamma: buf(cols * 4) });
  const dx = fake.dispatches.find((label) => label.includes('backward'));
  expect(dx, fake.dispatches.join('\n')).toBeDefined();
  return dx!;
}

const llvmpipe = { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', subgroupMinSize: 8 };
const swiftshader = { vendor: 'google', architecture: 'swiftshader', subgroupMinSize: 4 };
const gpu = { vendor: 'nvidia', architecture: 'ampere', subgroupMinSize: 32 };

test('rows of 2, 3 and 4 KiB on llvmpipe, 2 and 4 KiB on SwiftShader: rotated by one 64-byte line of chunks', async () => {
  expect(await dxPipeline(llvmpipe, 256, 1024)).toMatch(/ROTATE_CHUNKS\W+4\b/);
  expect(await dxPipeline(llvmpipe, 256, 512)).toMatch(/ROTATE_CHUNKS\W+4\b/);
  expect(await dxPipeline(llvmpipe, 256, 1024, 'f16')).toMatch(/ROTATE_CHUNKS\W+8\b/);
  expect(await dxPipeline(llvmpipe, 256, 768)).toMatch(/ROTATE_CHUNKS\W+4\b/);
  expect(await dxPipeline(swiftshader, 256, 1024)).toMatch(/ROTATE_CHUNKS\W+4\b/);
  expect(await dxPipeline(swiftshader, 256, 512)).toMatch(/ROTATE_CHUNKS\W+4\b/);
});

test('rows that spread over the sets, teams of several invocations, and GPUs: no rotation constant', async () => {
  expect(await dxPipeline(llvmpipe, 256, 1000)).not.toContain('ROTATE_CHUNKS');
  expect(await dxPipeline(swiftshader, 256, 768)).not.toContain('ROTATE_CHUNKS');
  expect(await dxPipeline(llvmpipe, 256, 768, 'f16')).not.toContain('ROTATE_CHUNKS');
  // Decode: one row gets a team of invocations, one row at a time.
  expect(await dxPipeline(llvmpipe, 1, 1024)).not.toContain('ROTATE_CHUNKS');
  expect(await dxPipeline(gpu, 256, 1024)).not.toContain('ROTATE_CHUNKS');
});
