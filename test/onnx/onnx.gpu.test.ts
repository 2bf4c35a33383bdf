/**
 * The ONNX entry point on the GPU (headless Chromium, SwiftShader) against the float64 reference,
 * through the built package: one explicit row per case, per operator, covering every attribute and
 * its default, float16 rows whose deviations reach ±900 (squares far past 65504), rows of mean 1e4,
 * a NaN row, mixed types, SiLU in both layouts, BatchNorm training; then the graph test
 * (LayerNorm → MatMul → SkipLayerNorm → GroupNorm, GPU-resident). Tolerance: ONNX's runner
 * criterion (1e-7 + 1e-3·|ref|) plus the float32 conditioning term of test/onnx/onnx-case.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RowNormVariant } from '../../dist/index.js';
import type { OnnxHarness } from '../gpu/harness/harness.js';
import { flushHashes, recordHash } from '../gpu/output-hashes.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import type { InputSpec, OnnxCase } from './onnx-case.js';

let h: HarnessPage;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  flushHashes();
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const f32 = (dims: number[], more: Partial<InputSpec> = {}): InputSpec => ({ dims, type: 'float32', ...more });
const f16 = (dims: number[], more: Partial<InputSpec> = {}): InputSpec => ({ dims, type: 'float16', ...more });
const wide = { scale: 300 }; // deviations to about ±900: squares far past f16's 65504
const offset = { offset: 1e4 };
const pos = { gen: 'positive' } as const;
const ms = { domain: 'com.microsoft', opset: 1 };
type Row = [name: string, c: Omit<OnnxCase, 'seed'>];
const op = (opType: string, opset: number, inputs: (InputSpec | null)[], attributes: OnnxCase['attributes'] = {}, outputCount = 1, domain = ''): Omit<OnnxCase, 'seed'> => ({ opType, domain, opset, inputs, attributes, outputCount });

// prettier-ignore
const ROWS: Row[] = [
  ['LayerNormalization defaults, Y Mean InvStdDev', op('LayerNormalization', 17, [f32([2, 3, 16]), f32([16]), f32([16])], {}, 3)],
  ['LayerNormalization axis 1 (two trailing axes), Scale and B broadcast in the block', op('LayerNormalization', 17, [f32([2, 3, 16]), f32([16]), f32([3, 1])], { axis: 1 }, 3)],
  ['LayerNormalization axis 0: one row', op('LayerNormalization', 17, [f32([4, 8]), f32([4, 8]), null], { axis: 0 }, 2)],
  ['LayerNormalization axis -2, epsilon 1e-3', op('LayerNormalization', 18, [f32([3, 5, 7]), f32([5, 7]), f32([7])], { axis: -2, epsilon: 1e-3 }, 3)],
  ['LayerNormalization float16, deviations ±900', op('LayerNormalization', 17, [f16([4, 64], wide), f16([64]), f16([64])], {}, 3)],
  ['LayerNormalization mean 1e4', op('LayerNormalization', 17, [f32([8, 128], offset), f32([128]), f32([128])], {}, 3)],
  ['LayerNormalization a NaN row', op('LayerNormalization', 17, [f32([4, 24], { poison: 2 }), f32([24]), null], {}, 3)],
  ['LayerNormalization stash_type 1 stated', op('LayerNormalization', 17, [f16([3, 40]), f16([40]), null], { stash_type: 1 }, 1)],
  ['RMSNormalization', op('RMSNormalization', 23, [f32([3, 32]), f32([32])], { epsilon: 1e-6 })],
  ['RMSNormalization float16, deviations ±900', op('RMSNormalization', 23, [f16([4, 64], wide), f16([64])])],
  ['RMSNormalization axis 1 of 3, scale broadcast', op('RMSNormalization', 23, [f32([2, 4, 8]), f32([1, 8])], { axis: 1 })],
  ['RMSNormalization float16 X, float32 scale: Y float32', op('RMSNormalization', 23, [f16([3, 40], wide), f32([40])])],
  ['RMSNormalization float32 X, float16 scale: Y float16', op('RMSNormalization', 23, [f32([3, 40], wide), f16([40])], { epsilon: 1e-5 })],
  ['SimplifiedLayerNormalization float16 X, float32 scale, inv_std_var', op('SimplifiedLayerNormalization', 1, [f16([2, 2, 24]), f32([24])], {}, 2)],
  ['SimplifiedLayerNormalization Y and inv_std_var', op('SimplifiedLayerNormalization', 1, [f32([2, 3, 32]), f32([32])], {}, 2)],
  ['SimplifiedLayerNormalization float16, deviations ±900', op('SimplifiedLayerNormalization', 1, [f16([5, 48], wide), f16([48])], {}, 2)],
  ['GroupNormalization-18 per-group scale', op('GroupNormalization', 18, [f32([2, 6, 5, 3]), f32([3]), f32([3])], { num_groups: 3 })],
  ['GroupNormalization-21 float16 per-channel scale, ±900', op('GroupNormalization', 21, [f16([2, 8, 4, 4], wide), f16([8]), f16([8])], { num_groups: 4 })],
  ['GroupNormalization-21 mean 1e4, epsilon 1e-3', op('GroupNormalization', 21, [f32([1, 4, 50], offset), f32([4]), f32([4])], { num_groups: 2, epsilon: 1e-3, stash_type: 1 })],
  ['InstanceNormalization', op('InstanceNormalization', 6, [f32([2, 3, 7, 5]), f32([3]), f32([3])])],
  ['InstanceNormalization float16, ±900', op('InstanceNormalization', 22, [f16([1, 4, 33], wide), f16([4]), f16([4])], { epsilon: 1e-4 })],
  ['BatchNormalization inference', op('BatchNormalization', 15, [f32([2, 3, 4, 5]), f32([3]), f32([3]), f32([3]), f32([3], pos)])],
  ['BatchNormalization inference, T float16, T1 float32, T2 float16', op('BatchNormalization', 15, [f16([2, 3, 9]), f32([3]), f32([3]), f16([3]), f16([3], pos)])],
  ['BatchNormalization-14 inference rank 2', op('BatchNormalization', 14, [f32([16, 5]), f32([5]), f32([5]), f32([5]), f32([5], pos)], { epsilon: 1e-3 })],
  ['BatchNormalization training, momentum 0.9 default', op('BatchNormalization', 15, [f32([4, 3, 5]), f32([3]), f32([3]), f32([3]), f32([3], pos)], { training_mode: 1 }, 3)],
  ['BatchNormalization training, T float16, T2 float16, momentum 0.7', op('BatchNormalization', 15, [f16([2, 3, 4, 4], wide), f32([3]), f32([3]), f16([3]), f16([3], pos)], { training_mode: 1, momentum: 0.7 }, 3)],
  ['BatchNormalization training, only Y', op('BatchNormalization', 15, [f32([8, 4], offset), f32([4]), f32([4]), f32([4]), f32([4], pos)], { training_mode: 1 }, 1)],
  ['MeanVarianceNormalization default axes, mean 1e4', op('MeanVarianceNormalization', 13, [f32([2, 3, 4, 5], offset)])],
  ['MeanVarianceNormalization axes [1] (a middle block)', op('MeanVarianceNormalization', 13, [f32([2, 3, 4])], { axes: [1] })],
  ['MeanVarianceNormalization axes [2, 3] float16', op('MeanVarianceNormalization', 9, [f16([2, 3, 4, 5])], { axes: [2, 3] })],
  ['MeanVarianceNormalization axes [-1]', op('MeanVarianceNormalization', 13, [f32([3, 2, 17])], { axes: [-1] })],
  ['LpNormalization defaults (p 2, axis -1)', op('LpNormalization', 1, [f32([5, 33])])],
  ['LpNormalization p 1 float16', op('LpNormalization', 22, [f16([4, 16], wide)], { p: 1 })],
  ['LpNormalization axis 1 of 2', op('LpNormalization', 1, [f32([4, 7])], { axis: 1, p: 2 })],
  ['LpNormalization axis 1 of 3 (strided rows), p 1', op('LpNormalization', 1, [f32([3, 5, 7])], { axis: 1, p: 1 })],
  ['LpNormalization axis 0 float16 (odd width, strided)', op('LpNormalization', 22, [f16([9, 5], wide)], { axis: 0 })],
  ['LpNormalization axis -3 of 3', op('LpNormalization', 1, [f32([6, 2, 3])], { axis: -3 })],
  ['SkipLayerNormalization (B,S,H) skip, beta, bias', op('SkipLayerNormalization', 1, [f32([2, 3, 32]), f32([2, 3, 32]), f32([32]), f32([32]), f32([32])], {}, 1, ms.domain)],
  ['SkipLayerNormalization mean 1e4, no beta', op('SkipLayerNormalization', 1, [f32([1, 8, 96], offset), f32([1, 8, 96]), f32([96]), null, f32([96])], {}, 1, ms.domain)],
  ['SkipLayerNormalization every output', op('SkipLayerNormalization', 1, [f32([2, 3, 32]), f32([2, 3, 32]), f32([32]), f32([32]), f32([32])], {}, 4, ms.domain)],
  ['SkipLayerNormalization (1,S,H) skip, mean 1e4', op('SkipLayerNormalization', 1, [f32([3, 4, 48], offset), f32([1, 4, 48]), f32([48]), f32([48]), f32([48])], {}, 4, ms.domain)],
  ['SkipSimplifiedLayerNormalization every output (mean of the sum too)', op('SkipSimplifiedLayerNormalization', 1, [f32([2, 3, 32]), f32([2, 3, 32]), f32([32]), f32([32])], {}, 4, ms.domain)],
  ['SkipLayerNormalization float16, ±900, sum output', op('SkipLayerNormalization', 1, [f16([2, 4, 64], wide), f16([2, 4, 64], wide), f16([64]), f16([64]), f16([64])], { epsilon: 1e-5 }, 1, ms.domain)],
  ['SkipLayerNormalization float16 ±900, every output', op('SkipLayerNormalization', 1, [f16([2, 4, 64], wide), f16([2, 4, 64]), f16([64]), f16([64]), null], {}, 4, ms.domain)],
  ['SkipLayerNormalization (S,H) skip float16', op('SkipLayerNormalization', 1, [f16([3, 5, 32]), f16([5, 32]), f16([32]), null, f16([32])], {}, 4, ms.domain)],
  ['SkipSimplifiedLayerNormalization (S,H) skip float16 ±900, inv_std_var', op('SkipSimplifiedLayerNormalization', 1, [f16([2, 3, 48], wide), f16([3, 48], wide), f16([48]), f16([48])], {}, 3, ms.domain)],
  ['SkipSimplifiedLayerNormalization float16 ±900', op('SkipSimplifiedLayerNormalization', 1, [f16([2, 3, 48], wide), f16([2, 3, 48]), f16([48])], {}, 1, ms.domain)],
  ['SkipSimplifiedLayerNormalization 2D, bias in slot 3', op('SkipSimplifiedLayerNormalization', 1, [f32([6, 32]), f32([6, 32]), f32([32]), f32([32])], {}, 1, ms.domain)],
  ['GroupNorm NHWC (default) SiLU', op('GroupNorm', 1, [f32([2, 4, 4, 8]), f32([8]), f32([8])], { groups: 4, activation: 1 }, 1, ms.domain)],
  ['GroupNorm NCHW SiLU, float32 X with float16 gamma/beta', op('GroupNorm', 1, [f32([1, 8, 3, 3]), f16([8]), f16([8])], { groups: 2, activation: 1, channels_last: 0 }, 1, ms.domain)],
  ['GroupNorm NHWC float16 ±900, float32 gamma/beta, no activation', op('GroupNorm', 1, [f16([1, 5, 5, 16], wide), f32([16]), f32([16])], { groups: 8, activation: 0, epsilon: 1e-6 }, 1, ms.domain)],
];

describe('ONNX nodes match the float64 reference', () => {
  ROWS.forEach(([name, c], i) => {
    test(name, async () => {
      const kase: OnnxCase = { ...c, seed: 1000 + i };
      const r = await h.run((harness, arg) => (harness as OnnxHarness).runOnnxCase(arg), kase);
      recordHash(`onnx ${name}`, r.hash);
      expect(r.validationError, 'validation error scope').toBeNull();
      expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
      expect(r.outputs.length).toBe(c.outputCount);
      r.outputs.forEach((o, k) => {
        expect(o.count, `output ${k} compared`).toBeGreaterThan(0);
        expect(o.nanMismatch, `output ${k}: NaN where the reference has none, or the reverse`).toBe(0);
        expect(o.failures, `output ${k}: ${o.failures}/${o.count} outside tolerance, ${o.maxRatio.toFixed(3)}x; worst ${o.worst}`).toBe(0);
      });
    });
  });
});

// float16 Skip* nodes normalize the exact f32 sum in the fused kernel's own pass (its ROUND_SUM
// override off): every layout of that kernel, forced, on data whose f16-rounded sum differs from
// the exact one (test/onnx/onnx-exact-sum.ts), every output; odd widths (rows start mid-word: the
// element-wise packed kernel) and a multiple of 4 (the chunk-at-a-time one, add_row_norm_f16_vec).
const wg = (workgroupSize: number, threadsPerRow: number, more: Partial<RowNormVariant> = {}): RowNormVariant => ({ reduction: 'workgroup', vec4: false, workgroupSize, threadsPerRow, cachedChunks: 0, ...more });
// prettier-ignore
const LAYOUTS: [string, RowNormVariant][] = [
  ['one row per invocation', wg(64, 1)],
  ['one row per invocation, registers', wg(16, 1, { cachedChunks: 16 })],
  ['two rows per invocation', wg(4, 1, { rowsPerInvocation: 2 })],
  ['four rows per invocation', wg(4, 1, { rowsPerInvocation: 4 })],
  ['teams, workgroup reduction, registers', wg(16, 16, { cachedChunks: 1 })],
  ['teams, subgroup reduction', wg(4, 4, { reduction: 'subgroup', cachedChunks: 2 })],
  ['split rows, workgroup reduction', wg(16, 4, { splitRow: 3 })],
  ['split rows, subgroup reduction', wg(4, 4, { reduction: 'subgroup', splitRow: 2 })],
];

describe('float16 Skip* nodes normalize the exact sum in every fused layout', () => {
  LAYOUTS.forEach(([layout, variant], i) => {
    for (const opType of ['SkipLayerNormalization', 'SkipSimplifiedLayerNormalization'] as const) {
      const skip = i % 2 === 0 ? 'full' : 'seq';
      for (const hidden of [61, 64]) {
        test(`${opType}, ${layout}, ${skip === 'full' ? '(B,S,H)' : '(S,H)'} skip${hidden === 61 ? '' : `, hidden ${hidden}`}`, async () => {
          const r = await h.run((harness, arg) => (harness as OnnxHarness).runOnnxExactSum(arg), { opType, variant, batch: 2, seq: 3, hidden, skip, seed: 2000 + 2 * i + (opType === 'SkipLayerNormalization' ? 0 : 1) } as const);
          expect(r.validationError, 'validation error scope').toBeNull();
          expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
          for (const used of r.used) expect(used, 'the forced layout ran').toEqual(variant);
          // The premise: the rounded sum differs, and a kernel normalizing it would fail below.
          expect(r.roundedDiffers, 'elements whose f16-rounded sum differs from the exact one').toBeGreaterThan(r.count / 4);
          expect(r.roundedYFailures, 'y elements a rounded-sum kernel gets wrong').toBeGreaterThan(0);
          expect(r.yFailures, `y: ${r.yFailures}/${r.count} outside tolerance; worst ${r.worst}`).toBe(0);
          expect(r.statFailures, 'mean / inv_std_var').toBe(0);
          expect(r.sumMismatches, 'input_skip_bias_sum: the exact sum rounded once').toBe(0);
        });
      }
    }
  });
});

describe('a graph, GPU-resident, node by node through encodeOnnxNode', () => {
  test('LayerNormalization → MatMul → SkipLayerNormalization → GroupNorm (NHWC, SiLU)', async () => {
    const r = await h.run((harness, arg) => (harness as OnnxHarness).runOnnxGraph(arg), { batch: 2, seq: 8, hidden: 32, groups: 8, seed: 7, skipDims: 'full' as const });
    expect(r.validationError).toBeNull();
    expect(r.failures, `${r.failures}/${r.count} outside tolerance, ${r.maxRatio.toFixed(3)}x; worst ${r.worst}`).toBe(0);
    expect(r.skipSumMaxRatio, 'input_skip_bias_sum').toBeLessThanOrEqual(1);
  });
  test('the same graph with an (S,H) skip broadcast over the batch', async () => {
    const r = await h.run((harness, arg) => (harness as OnnxHarness).runOnnxGraph(arg), { batch: 3, seq: 4, hidden: 16, groups: 4, seed: 8, skipDims: 'seq' as const });
    expect(r.validationError).toBeNull();
    expect(r.failures, `${r.failures}/${r.count} outside tolerance, ${r.maxRatio.toFixed(3)}x; worst ${r.worst}`).toBe(0);
    expect(r.skipSumMaxRatio, 'input_skip_bias_sum').toBeLessThanOrEqual(1);
  });
  test('encodeOnnxNode into the caller’s compute pass, tensors at non-zero offsets, float16 with a broadcast float16 scale', async () => {
    const r = await h.run((harness, seed) => (harness as OnnxHarness).runOnnxEncodeInPass(seed), 3);
    expect(r).toEqual({ yBad: 0, statBad: 0, validationError: null });
  });
});
