/**
 * The public API in Node through the `webgpu` package (Dawn on Vulkan; SwiftShader on machines
 * without a GPU, see setup.ts): the BUILT dist/index.js, exactly as a Node user imports it, with
 * no `navigator.gpu`, so `createNormalizer()` must find Dawn by itself. LayerNorm, RMSNorm and the
 * fused add forms against the float64 reference, f32 and packed f16, a few shapes (the full table
 * runs in Chromium: test/gpu/).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compare } from '../shared/compare.js';
import type * as Lib from '../../src/index.js';

// Typed as the source, loaded as the build: the test is about the package users get.
const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, cpu, toF16Array, fromF16Array } = lib;

let norm: Lib.Normalizer;
const uncaptured: string[] = [];

beforeAll(async () => {
  expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, 'no navigator.gpu in Node: the Dawn fallback is what is tested').toBeUndefined();
  norm = await createNormalizer();
  norm.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
});
afterAll(() => {
  norm?.destroy();
  expect(uncaptured).toEqual([]);
});

/** Deterministic pseudo-normal data with an offset (the case the pivot shift exists for). */
function data(n: number, seed: number, offset = 0, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * (next() + next() + next() - 1.5) * 2;
  return out;
}

const SHAPES = [
  { rows: 1, cols: 4 },
  { rows: 3, cols: 13 },
  { rows: 17, cols: 768 },
  { rows: 2, cols: 4099 },
  // The rule's four rows per invocation on rows of 2 and 4 KiB, which alias in L1: each invocation
  // walks its rows from a rotated chunk (chunkRotation; f32 and f16 on llvmpipe, all but the 1 KiB
  // f16 rows on SwiftShader). Row counts that leave the last invocation spare slots.
  { rows: 130, cols: 1024 },
  { rows: 129, cols: 512 },
];

/** The library's stated f32 tolerance for y: 1e-5·max(1,|γ|) + 1e-5·|ref|. */
function expectF32(got: ArrayLike<number>, ref: ArrayLike<number>, gamma: Float32Array | undefined, cols: number, what: string) {
  const cmp = compare(got, ref, { rtol: 1e-5, atol: (i) => 1e-5 * Math.max(1, gamma ? Math.abs(gamma[i % cols]!) : 1) });
  expect(cmp.failures, `${what}: ${cmp.failures}/${cmp.count} outside tolerance, max |err| ${cmp.maxAbsError}`).toBe(0);
}

/** f16 outputs: within 1 f16 ULP of the reference rounded to f16 (or the f32 bound near zero). */
function expectF16(got: Uint16Array, ref: Uint16Array, what: string) {
  const g = fromF16Array(got);
  const r = fromF16Array(ref);
  let bad = 0;
  for (let i = 0; i < g.length; i++) {
    const ulp = Math.abs(got[i]! - ref[i]!) <= 1 && (got[i]! & 0x8000) === (ref[i]! & 0x8000);
    if (!ulp && !(Math.abs(g[i]! - r[i]!) <= 1e-5 * Math.max(1, Math.abs(r[i]!)) + 2 ** -24)) bad++;
  }
  expect(bad, `${what}: ${bad}/${g.length} elements more than 1 f16 ULP off`).toBe(0);
}

describe('Node (webgpu package / Dawn), built dist/index.js', () => {
  test('createNormalizer() found an adapter without navigator.gpu', () => {
    expect(norm.device).toBeDefined();
    expect(typeof norm.profile).toBe('object');
  });

  for (const { rows, cols } of SHAPES) {
    const shape = `${rows}x${cols}`;
    const x = data(rows * cols, rows * 31 + cols, 1000);
    const r = data(rows * cols, rows * 37 + cols + 1);
    const gamma = data(cols, cols + 2, 1, 0.2);
    const beta = data(cols, cols + 3, 0, 0.2);

    test(`layerNorm f32 ${shape}`, async () => {
      const o = { cols, gamma, beta, epsilon: 1e-5 };
      const got = await norm.layerNorm(x, o);
      const ref = cpu.layerNormF64(x, o);
      expectF32(got.y, ref.y, gamma, cols, 'y');
      expectF32(got.mean, ref.mean, undefined, cols, 'mean');
    });

    test(`rmsNorm f32 ${shape}`, async () => {
      const o = { cols, gamma, epsilon: 1e-6 };
      expectF32((await norm.rmsNorm(r, o)).y, cpu.rmsNormF64(r, o).y, gamma, cols, 'y');
    });

    test(`addLayerNorm / addRmsNorm f32 ${shape}`, async () => {
      const o = { cols, gamma, beta };
      const ln = await norm.addLayerNorm(x, r, o);
      const lnRef = cpu.addLayerNormF64(x, r, o);
      expectF32(ln.y, lnRef.y, gamma, cols, 'addLayerNorm y');
      // h = x + residual is one f32 addition: bit-identical to the reference's f32 sum.
      expect(Array.from(ln.sum)).toEqual(Array.from(cpu.addLayerNorm(x, r, o).sum));
      const rms = await norm.addRmsNorm(x, r, { cols, gamma });
      expectF32(rms.y, cpu.addRmsNormF64(x, r, { cols, gamma }).y, gamma, cols, 'addRmsNorm y');
    });

    test(`layerNorm / addRmsNorm f16 ${shape}`, async () => {
      const xh = toF16Array(data(rows * cols, rows + cols, 0, 4));
      const rh = toF16Array(data(rows * cols, rows + cols + 9));
      const o = { cols, gamma, beta };
      expectF16((await norm.layerNorm(xh, o)).y, cpu.layerNorm(xh, o).y, 'layerNorm f16 y');
      const got = await norm.addRmsNorm(xh, rh, { cols, gamma });
      const ref = cpu.addRmsNorm(xh, rh, { cols, gamma });
      expectF16(got.y, ref.y, 'addRmsNorm f16 y');
      expect(Array.from(got.sum)).toEqual(Array.from(ref.sum));
    });
  }

  test('createLeanNormalizer with rowNormKernels runs LayerNorm on the same device and refuses GroupNorm as op-not-loaded', async () => {
    const lean = await lib.createLeanNormalizer({ device: norm.device, kernels: [lib.rowNormKernels], tuning: false });
    try {
      const x = data(3 * 13, 5, 100);
      const gamma = data(13, 6, 1, 0.2);
      expectF32((await lean.layerNorm(x, { cols: 13, gamma })).y, cpu.layerNormF64(x, { cols: 13, gamma }).y, gamma, 13, 'lean layerNorm y');
      const e = await lean.groupNorm(x, { batch: 1, channels: 3, spatial: 13, layout: 'NCHW', groups: 1 }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(lib.NormError);
      expect({ code: (e as Lib.NormError).code, argument: (e as Lib.NormError).argument }).toEqual({ code: 'op-not-loaded', argument: 'groupNorm' });
    } finally {
      lean.destroy();
    }
  });
});
