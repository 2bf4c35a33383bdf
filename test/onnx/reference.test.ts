/**
 * The ONNX reference (src/onnx/reference.ts) against the family references it must agree with
 * where the semantics coincide (cpu.layerNormF64, rmsNormF64, addLayerNormF64, groupNormF64,
 * batchNormInferenceF64, lpNormF64) and against the specs' formulas written out by hand where they
 * do not (broadcast scales, per-group scales, broadcast skips, SiLU, BatchNorm training's running
 * statistics with ONNX's momentum, MeanVarianceNormalization's 1e-9 added to σ, Lp along a middle
 * axis). Exact to float64 rounding.
 */
import { describe, expect, test } from 'vitest';
import { toF16Array } from '../../src/core/f16.js';
import { addLayerNormF64, layerNormF64, rmsNormF64 } from '../../src/ops/row-norm/reference.js';
import { groupNormF64 } from '../../src/ops/group-norm/reference.js';
import { batchNormInferenceF64 } from '../../src/ops/batch-norm/reference.js';
import { lpNormF64 } from '../../src/ops/lp-norm/reference.js';
import { runOnnxNode, runOnnxNodeF64 } from '../../src/onnx/reference.js';
import type { OnnxTensor } from '../../src/onnx/validate.js';

function values(n: number, seed: number, offset = 0): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return offset + (s / 2 ** 32) * 4 - 2;
  });
}
const f32 = (data: Float32Array, dims: number[]): OnnxTensor => ({ data, dims, type: 'float32' });
const close = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 10) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]!, `element ${i}`).toBeCloseTo(b[i]!, digits);
};
// addLayerNormF64 normalizes the sum as stored (rounded to f32); ONNX's reference keeps it exact
// (the issue: no rounding of x + skip + bias before the norm), so the two differ by f32 rounding.
const SUM_ROUNDING_DIGITS = 6;
const run = (opType: string, inputs: (OnnxTensor | null)[], attributes: Record<string, number | number[]> = {}, outputCount = 1, domain = '', opset = 23) =>
  runOnnxNodeF64({ opType, domain, opset, attributes, inputs, outputCount });

describe('agrees with the family references where the semantics coincide', () => {
  test('LayerNormalization over the last axis = layerNormF64, with Mean and InvStdDev', () => {
    const x = values(24, 1, 50);
    const g = values(4, 2);
    const b = values(4, 3);
    const [y, mean, inv] = run('LayerNormalization', [f32(x, [2, 3, 4]), f32(g, [4]), f32(b, [4])], { epsilon: 1e-3 }, 3);
    const ref = layerNormF64(x, { cols: 4, gamma: g, beta: b, epsilon: 1e-3 });
    close(y!.data, ref.y);
    close(mean!.data, ref.mean);
    close(inv!.data, ref.rstd);
  });
  test('RMSNormalization and SimplifiedLayerNormalization = rmsNormF64 (epsilon 1e-5 by default)', () => {
    const x = values(12, 4);
    const g = values(6, 5);
    const ref = rmsNormF64(x, { cols: 6, gamma: g, epsilon: 1e-5 });
    close(run('RMSNormalization', [f32(x, [2, 6]), f32(g, [6])])[0]!.data, ref.y);
    const [y, inv] = run('SimplifiedLayerNormalization', [f32(x, [2, 6]), f32(g, [6])], {}, 2, '', 1);
    close(y!.data, ref.y);
    close(inv!.data, ref.rstd);
  });
  test('SkipLayerNormalization with a full skip = addLayerNormF64 (epsilon 1e-12 by default)', () => {
    const x = values(24, 6);
    const skip = values(24, 7);
    const [g, beta, bias] = [values(4, 8), values(4, 9), values(4, 10)];
    const out = run('SkipLayerNormalization', [f32(x, [2, 3, 4]), f32(skip, [2, 3, 4]), f32(g, [4]), f32(beta, [4]), f32(bias, [4])], {}, 4, 'com.microsoft', 1);
    const ref = addLayerNormF64(x, skip, { cols: 4, gamma: g, beta, bias, epsilon: 1e-12 });
    close(out[0]!.data, ref.y, SUM_ROUNDING_DIGITS);
    close(out[1]!.data, ref.mean, SUM_ROUNDING_DIGITS);
    close(out[2]!.data, ref.rstd, SUM_ROUNDING_DIGITS);
    close(out[3]!.data, ref.sum, SUM_ROUNDING_DIGITS);
  });
  test('GroupNormalization-21 = groupNormF64; com.microsoft GroupNorm over NHWC = groupNormF64 NHWC', () => {
    const x = values(2 * 6 * 5, 11);
    const [g, b] = [values(6, 12), values(6, 13)];
    const ref = groupNormF64(x, { batch: 2, channels: 6, spatial: 5, layout: 'NCHW', groups: 3, gamma: g, beta: b });
    close(run('GroupNormalization', [f32(x, [2, 6, 5]), f32(g, [6]), f32(b, [6])], { num_groups: 3 }, 1, '', 21)[0]!.data, ref.y);
    const nhwc = groupNormF64(x, { batch: 2, channels: 6, spatial: 5, layout: 'NHWC', groups: 2, gamma: g, beta: b });
    close(run('GroupNorm', [f32(x, [2, 5, 1, 6]), f32(g, [6]), f32(b, [6])], { groups: 2, activation: 0 }, 1, 'com.microsoft', 1)[0]!.data, nhwc.y);
  });
  test('BatchNormalization inference = batchNormInferenceF64', () => {
    const x = values(2 * 3 * 4, 14);
    const [g, b, m] = [values(3, 15), values(3, 16), values(3, 17)];
    const v = Float32Array.from(values(3, 18), (a) => Math.abs(a) + 0.5);
    const ref = batchNormInferenceF64(x, { batch: 2, channels: 3, spatial: 4, layout: 'NCHW', gamma: g, beta: b, runningMean: m, runningVar: v });
    close(run('BatchNormalization', [f32(x, [2, 3, 2, 2]), f32(g, [3]), f32(b, [3]), f32(m, [3]), f32(v, [3])])[0]!.data, ref.y);
  });
  test('LpNormalization over the last axis = lpNormF64', () => {
    const x = values(12, 19);
    close(run('LpNormalization', [f32(x, [3, 4])], { p: 1 })[0]!.data, lpNormF64(x, { cols: 4, p: 1, epsilon: 2 ** -126 }).y);
  });
});

describe('the specs’ formulas where no family reference covers them', () => {
  test('a Scale broadcast within the normalized block (axis -2), float16 data', () => {
    const x = toF16Array(Array.from(values(12, 20)));
    const scale = toF16Array([0.5, 2, -1]); // shape (3, 1) over the (3, 2) block
    const [y] = runOnnxNodeF64({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: -2, epsilon: 0 }, inputs: [{ data: x, dims: [2, 3, 2], type: 'float16' }, { data: scale, dims: [3, 1], type: 'float16' }, null], outputCount: 1 });
    const ref = layerNormF64(x, { cols: 6, epsilon: 0 });
    for (let i = 0; i < 12; i++) expect(y!.data[i]).toBeCloseTo(ref.y[i]! * [0.5, 2, -1][Math.floor((i % 6) / 2)]!, 10);
  });
  test('GroupNormalization-18: one scale and bias per group', () => {
    const x = values(12, 21);
    const [y] = run('GroupNormalization', [f32(x, [1, 4, 3]), f32(new Float32Array([2, -1]), [2]), f32(new Float32Array([0.5, 3]), [2])], { num_groups: 2 }, 1, '', 18);
    const ref = groupNormF64(x, { batch: 1, channels: 4, spatial: 3, layout: 'NCHW', groups: 2, gamma: new Float32Array([2, 2, -1, -1]), beta: new Float32Array([0.5, 0.5, 3, 3]) });
    close(y!.data, ref.y);
  });
  test('a (1,S,H) and an (S,H) skip are added to every batch', () => {
    const x = values(2 * 3 * 4, 22);
    const s = values(3 * 4, 23);
    const g = values(4, 24);
    const tiled = new Float32Array(24);
    tiled.set(s, 0);
    tiled.set(s, 12);
    const ref = addLayerNormF64(x, tiled, { cols: 4, gamma: g, epsilon: 1e-12 });
    for (const dims of [[1, 3, 4], [3, 4]]) {
      const out = run('SkipLayerNormalization', [f32(x, [2, 3, 4]), f32(s, dims), f32(g, [4])], {}, 4, 'com.microsoft', 1);
      close(out[0]!.data, ref.y, SUM_ROUNDING_DIGITS);
      close(out[3]!.data, ref.sum, SUM_ROUNDING_DIGITS);
    }
  });
  test('SkipSimplifiedLayerNormalization: bias in slot 3, mean of the sum, 1/rms', () => {
    const x = values(8, 25);
    const s = values(8, 26);
    const g = values(4, 27);
    const bias = values(4, 28);
    const out = run('SkipSimplifiedLayerNormalization', [f32(x, [2, 4]), f32(s, [2, 4]), f32(g, [4]), f32(bias, [4])], {}, 4, 'com.microsoft', 1);
    for (let r = 0; r < 2; r++) {
      const sum = [0, 1, 2, 3].map((j) => x[r * 4 + j]! + s[r * 4 + j]! + bias[j]!);
      const rms = Math.sqrt(sum.reduce((a, v) => a + v * v, 0) / 4 + 1e-12);
      expect(out[1]!.data[r]).toBeCloseTo(sum.reduce((a, v) => a + v, 0) / 4, 12);
      expect(out[2]!.data[r]).toBeCloseTo(1 / rms, 12);
      for (let j = 0; j < 4; j++) expect(out[0]!.data[r * 4 + j]).toBeCloseTo((sum[j]! / rms) * g[j]!, 10);
    }
  });
  test('com.microsoft GroupNorm activation=1: SiLU of the affine output', () => {
    const x = values(2 * 4 * 3, 29);
    const [g, b] = [values(4, 30), values(4, 31)];
    const [plain] = run('GroupNorm', [f32(x, [2, 4, 3, 1]), f32(g, [4]), f32(b, [4])], { groups: 2, activation: 0, channels_last: 0 }, 1, 'com.microsoft', 1);
    const [silu] = run('GroupNorm', [f32(x, [2, 4, 3, 1]), f32(g, [4]), f32(b, [4])], { groups: 2, activation: 1, channels_last: 0 }, 1, 'com.microsoft', 1);
    close(silu!.data, Array.from(plain!.data, (v) => v / (1 + Math.exp(-v))));
  });
  test('BatchNormalization training_mode=1: batch statistics (biased variance), running = old · momentum + batch · (1 − momentum)', () => {
    const x = values(2 * 2 * 3, 32, 5);
    const ones = new Float32Array([1, 1]);
    const zeros = new Float32Array([0, 0]);
    const oldMean = new Float32Array([0.25, -1]);
    const oldVar = new Float32Array([2, 0.5]);
    const [y, rm, rv] = run('BatchNormalization', [f32(x, [2, 2, 3]), f32(ones, [2]), f32(zeros, [2]), f32(oldMean, [2]), f32(oldVar, [2])], { training_mode: 1, momentum: 0.8, epsilon: 1e-4 }, 3, '', 15);
    for (let c = 0; c < 2; c++) {
      const vals = [0, 1].flatMap((n) => [0, 1, 2].map((p) => x[(n * 2 + c) * 3 + p]!));
      const mean = vals.reduce((a, v) => a + v, 0) / 6;
      const variance = vals.reduce((a, v) => a + (v - mean) ** 2, 0) / 6;
      expect(rm!.data[c]).toBeCloseTo(oldMean[c]! * 0.8 + mean * 0.2, 12);
      expect(rv!.data[c]).toBeCloseTo(oldVar[c]! * 0.8 + variance * 0.2, 12);
      expect(y!.data[c * 3]).toBeCloseTo((x[c * 3]! - mean) / Math.sqrt(variance + 1e-4), 10);
    }
  });
  test('MeanVarianceNormalization: (x − mean) / (σ + 1e-9) over the axes', () => {
    const x = values(2 * 3 * 2 * 2, 33, 100);
    const [y] = run('MeanVarianceNormalization', [f32(x, [2, 3, 2, 2])]);
    for (let c = 0; c < 3; c++) {
      const idx = [0, 1].flatMap((n) => [0, 1, 2, 3].map((p) => (n * 3 + c) * 4 + p));
      const mean = idx.reduce((a, i) => a + x[i]!, 0) / 8;
      const sd = Math.sqrt(idx.reduce((a, i) => a + (x[i]! - mean) ** 2, 0) / 8);
      for (const i of idx) expect(y!.data[i]).toBeCloseTo((x[i]! - mean) / (sd + 1e-9), 10);
    }
    // A middle block (axes [1]): per (outer, inner) over the middle axis.
    const [m] = run('MeanVarianceNormalization', [f32(x, [2, 3, 4])], { axes: [1] });
    for (let n = 0; n < 2; n++) {
      for (let k = 0; k < 4; k++) {
        const idx = [0, 1, 2].map((c) => (n * 3 + c) * 4 + k);
        const mean = idx.reduce((a, i) => a + x[i]!, 0) / 3;
        const sd = Math.sqrt(idx.reduce((a, i) => a + (x[i]! - mean) ** 2, 0) / 3);
        for (const i of idx) expect(m!.data[i]).toBeCloseTo((x[i]! - mean) / (sd + 1e-9), 10);
      }
    }
  });
  test('LpNormalization along a middle axis; an all-zero line stays 0', () => {
    const x = values(2 * 3 * 4, 34);
    x.fill(0, 0, 12); // the first outer block: every line along axis 1 is zero
    const [y] = run('LpNormalization', [f32(x, [2, 3, 4])], { axis: 1, p: 2 });
    for (let n = 0; n < 2; n++) {
      for (let k = 0; k < 4; k++) {
        const idx = [0, 1, 2].map((c) => (n * 3 + c) * 4 + k);
        const norm = Math.sqrt(idx.reduce((a, i) => a + x[i]! ** 2, 0));
        for (const i of idx) expect(y!.data[i]).toBeCloseTo(norm === 0 ? 0 : x[i]! / norm, 12);
      }
    }
  });
  test('runOnnxNode rounds once to each output type, null past outputCount', () => {
    const x = toF16Array([1, 2, 3, 4]);
    const out = runOnnxNode({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: {}, inputs: [{ data: x, dims: [1, 4], type: 'float16' }, { data: toF16Array([1, 1, 1, 1]), dims: [4], type: 'float16' }, null], outputCount: 2 });
    expect(out[0]!.data).toBeInstanceOf(Uint16Array);
    expect(out[1]!.data).toBeInstanceOf(Float32Array);
    expect(out[1]!.data[0]).toBe(2.5);
    expect(out[2]).toBeNull();
  });
});
