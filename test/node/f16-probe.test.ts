/**
 * The device probe (src/core/f16-probe.ts) on each Dawn driver, through the BUILT dist/ in Node.
 * It finds WGSL's unpack2x16float exact on SwiftShader and llvmpipe, so there the packed-f16
 * kernels of the row norms, GroupNorm/BatchNorm and the backward passes convert halves with the
 * built-in instead of on the bits (F16_UNPACK_EXACT). With the probe off (`probeDevice: false`)
 * they convert on the bits. Both must give the same bits: here over every one of the 65536
 * binary16 bit patterns as input (zeros, subnormals, normals, both infinities and every NaN), in
 * rows of 256 consecutive patterns, through the four row-norm ops (chunk kernels; element-wise
 * ones at an odd width), GroupNorm, InstanceNorm, BatchNorm and both backward passes; NaN for NaN
 * (a NaN's sign and payload are not promised). (The chunk
 * kernels against the element-wise ones, bit for bit, are in f16-vec.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as Lib from '../../src/index.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;

let probed: Lib.Normalizer;
let unprobed: Lib.Normalizer;

beforeAll(async () => {
  probed = await lib.createNormalizer();
  unprobed = await lib.createNormalizer({ device: probed.device, probeDevice: false });
});
afterAll(() => {
  unprobed?.destroy();
  probed?.destroy();
});

const ROWS = 256;
const COLS = 256;
/** Every binary16 bit pattern once: row k holds patterns 256k … 256k + 255. */
const EVERY_HALF = new Uint16Array(ROWS * COLS).map((_, i) => i);
const REVERSED = EVERY_HALF.slice().reverse();

/** Each element's bits, and whether it is a NaN (f16 y and sum, f32 mean and rstd). */
function bitsOf(a: Uint16Array | Float32Array): { bits: number[]; nan: boolean[] } {
  const bits = a instanceof Uint16Array ? [...a] : [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
  const nan = a instanceof Uint16Array ? bits.map((h) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) : [...a].map(Number.isNaN);
  return { bits, nan };
}

describe('the f16 probe', () => {
  test('finds unpack2x16float exact on this driver; probeDevice: false assumes nothing', () => {
    expect(probed.profile.f16UnpackExact).toBe(true);
    expect(unprobed.profile.f16UnpackExact).toBeUndefined();
  });

  /** Both normalizers' outputs of one call: NaN where the other is NaN, every other element the same bits. */
  async function expectSameBits(what: string, run: (n: Lib.Normalizer) => Promise<object>): Promise<Record<string, Uint16Array | Float32Array>> {
    const a = (await run(probed)) as Record<string, Uint16Array | Float32Array | undefined>;
    const b = (await run(unprobed)) as Record<string, Uint16Array | Float32Array | undefined>;
    const fields = Object.keys(a).filter((k) => a[k] !== undefined).sort();
    expect(fields).toEqual(Object.keys(b).filter((k) => b[k] !== undefined).sort());
    for (const k of fields) {
      const ka = bitsOf(a[k]!);
      const kb = bitsOf(b[k]!);
      expect(kb.nan, `${what} ${k}: NaN positions`).toEqual(ka.nan);
      expect(ka.bits.filter((v, i) => !ka.nan[i] && v !== kb.bits[i]).length, `${what} ${k}: elements differing`).toBe(0);
    }
    return a as Record<string, Uint16Array | Float32Array>;
  }

  test('GroupNorm and BatchNorm (statistics and apply passes): the same bits with and without it', async () => {
    const image = { batch: 2, channels: 64, spatial: 512, layout: 'NCHW' as const };
    const y = await expectSameBits('groupNorm', (n) => n.groupNorm(EVERY_HALF, { ...image, groups: 32 }));
    // Not vacuous: the groups of finite halves normalize to finite, varied values.
    expect(new Set((y.y as Uint16Array).subarray(20 * 512, 21 * 512)).size).toBeGreaterThan(100);
    await expectSameBits('groupNorm NHWC', (n) => n.groupNorm(EVERY_HALF, { ...image, layout: 'NHWC', groups: 32 }));
    await expectSameBits('instanceNorm', (n) => n.instanceNorm(EVERY_HALF, image));
    await expectSameBits('batchNormStats', (n) => n.batchNormStats(EVERY_HALF, image));
    const runningMean = new Float32Array(64).fill(0.25);
    const runningVar = new Float32Array(64).fill(2);
    await expectSameBits('batchNormInference', (n) => n.batchNormInference(EVERY_HALF, { ...image, runningMean, runningVar }));
  });

  test('element-wise row kernels (an odd width) and the backward passes: the same bits with and without it', async () => {
    // 65535 halves: an odd width (5 × 13107) takes the element-wise row kernels.
    const odd = EVERY_HALF.subarray(0, 65535);
    const cols = 13107;
    const g = new Float32Array(cols).map((_, i) => 0.5 + (i % 7) / 7);
    await expectSameBits('layerNorm, odd width', (n) => n.layerNorm(odd, { cols, gamma: g }));
    await expectSameBits('addRmsNorm, odd width', (n) => n.addRmsNorm(odd, odd.slice().reverse(), { cols, gamma: g }));
    const mean = new Float32Array(ROWS).fill(0.5);
    const rstd = new Float32Array(ROWS).fill(2);
    const gamma = new Float32Array(COLS).fill(1.5);
    const dx = await expectSameBits('layerNormBackward', (n) => n.layerNormBackward(REVERSED, EVERY_HALF, { cols: COLS, gamma, mean, rstd }));
    expect(new Set((dx.dx as Uint16Array).subarray(10 * COLS, 11 * COLS)).size).toBeGreaterThan(50);
    await expectSameBits('rmsNormBackward', (n) => n.rmsNormBackward(REVERSED, EVERY_HALF, { cols: COLS, gamma, rstd }));
  });

  test.each(['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm'] as const)('%s f16: the same bits with and without it, for every half as input', async (op) => {
    const gamma = new Float32Array(COLS).map((_, i) => 0.5 + i / COLS);
    const beta = new Float32Array(COLS).map((_, i) => i / COLS - 0.5);
    const run = (n: Lib.Normalizer) => {
      const o = { cols: COLS, gamma };
      switch (op) {
        case 'layerNorm':
          return n.layerNorm(EVERY_HALF, { ...o, beta });
        case 'rmsNorm':
          return n.rmsNorm(EVERY_HALF, o);
        case 'addLayerNorm':
          return n.addLayerNorm(EVERY_HALF, REVERSED, { ...o, beta });
        case 'addRmsNorm':
          return n.addRmsNorm(EVERY_HALF, REVERSED, o);
      }
    };
    const [a, b] = [await run(probed), await run(unprobed)];
    const fields = Object.keys(a).sort();
    expect(fields).toEqual(Object.keys(b).sort());
    expect(fields).toContain('y');
    for (const k of fields) {
      const ka = bitsOf((a as unknown as Record<string, Uint16Array | Float32Array>)[k]!);
      const kb = bitsOf((b as unknown as Record<string, Uint16Array | Float32Array>)[k]!);
      // NaN where the other is NaN, and every other element the same bits. A NaN's sign and
      // payload are not promised: they follow whichever NaN an implementation's arithmetic keeps
      // (on llvmpipe the built-in quiets a signalling NaN's payload; SwiftShader keeps it).
      expect(kb.nan, `${op} ${k}: NaN positions`).toEqual(ka.nan);
      const differing = ka.bits.filter((v, i) => !ka.nan[i] && v !== kb.bits[i]).length;
      expect(differing, `${op} ${k}: elements differing`).toBe(0);
    }
    // Not vacuous: the rows of finite halves normalize to finite, non-constant values.
    const y = (a as { y: Uint16Array }).y;
    expect(new Set(y.subarray(10 * COLS, 11 * COLS)).size).toBeGreaterThan(100);
  });
});
