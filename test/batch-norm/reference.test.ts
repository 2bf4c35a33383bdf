/**
 * The float64 BatchNorm reference (src/ops/batch-norm/reference.ts): statistics against a naive two-pass
 * implementation, inference on hand examples, layouts, f16, and validation.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { f16ToF32, f32ToF16, toF16Array } from '../../src/core/f16.js';
import { indexOf, makeChannelInput, makeRunningStats, type ChannelShape } from '../shared/channel-data.js';

function expectNormError(fn: () => unknown, code: string, argument: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NormError);
    expect({ code: (e as NormError).code, argument: (e as NormError).argument }).toEqual({ code, argument });
    return;
  }
  throw new Error(`expected NormError ${code} (${argument}), nothing was thrown`);
}

/** The textbook two-pass statistics, written independently of the reference. */
function naiveStats(x: Float32Array, shape: ChannelShape, unbiased: boolean): { mean: number[]; var: number[] } {
  const mean: number[] = [];
  const variance: number[] = [];
  const count = shape.batch * shape.spatial;
  for (let c = 0; c < shape.channels; c++) {
    let sum = 0;
    for (let n = 0; n < shape.batch; n++) for (let s = 0; s < shape.spatial; s++) sum += x[indexOf(shape, n, c, s)]!;
    const m = sum / count;
    let sq = 0;
    for (let n = 0; n < shape.batch; n++) for (let s = 0; s < shape.spatial; s++) sq += (x[indexOf(shape, n, c, s)]! - m) ** 2;
    mean.push(m);
    variance.push(sq / (unbiased ? count - 1 : count));
  }
  return { mean, var: variance };
}

const near = (a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(b[i]!)));
};

describe('BatchNorm statistics reference', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const unbiased of [false, true]) {
      test(`${layout}, unbiased ${unbiased}: matches a naive two-pass`, () => {
        const shape: ChannelShape = { batch: 3, channels: 5, spatial: 49, layout };
        const x = makeChannelInput('mixed-scale', shape, { per: 'channel' }, 21);
        const r = cpu.batchNormStatsF64(x, { ...shape, unbiased });
        const naive = naiveStats(x, shape, unbiased);
        near(r.mean, naive.mean);
        near(r.var, naive.var, 1e-10);
      });
    }
  }

  test('hand example', () => {
    // NCHW, batch 2, 1 channel, 2 positions: values 1, 2 | 3, 6 → mean 3, variance (4 + 1 + 0 + 9) / 4
    const r = cpu.batchNormStatsF64(new Float32Array([1, 2, 3, 6]), { batch: 2, channels: 1, spatial: 2, layout: 'NCHW' });
    expect(r.mean[0]).toBe(3);
    expect(r.var[0]).toBe(3.5);
    expect(cpu.batchNormStatsF64(new Float32Array([1, 2, 3, 6]), { batch: 2, channels: 1, spatial: 2, layout: 'NCHW', unbiased: true }).var[0]).toBeCloseTo(14 / 3, 14);
  });

  test('large offsets lose nothing in float64', () => {
    const shape: ChannelShape = { batch: 2, channels: 3, spatial: 100, layout: 'NHWC' };
    const x = makeChannelInput('offset', shape, { per: 'channel' }, 4);
    const shifted = Float32Array.from(x, (v) => v - 1e4);
    const a = cpu.batchNormStatsF64(x, shape);
    const b = cpu.batchNormStatsF64(shifted, shape);
    // x - 1e4 is exact in f32 here, so the variances agree to float64 rounding.
    near(a.var, b.var, 1e-9);
  });

  test('f32 convenience output rounds the float64 result', () => {
    const shape: ChannelShape = { batch: 2, channels: 3, spatial: 7, layout: 'NCHW' };
    const x = makeChannelInput('normal', shape, { per: 'channel' }, 2);
    const r = cpu.batchNormStats(x, shape);
    const f = cpu.batchNormStatsF64(x, shape);
    expect(Array.from(r.mean)).toEqual(Array.from(f.mean, Math.fround));
    expect(Array.from(r.var)).toEqual(Array.from(f.var, Math.fround));
  });
});

describe('BatchNorm inference reference', () => {
  test('hand example with both epsilon modes', () => {
    // NHWC, 1 position, 2 channels.
    const x = new Float32Array([3, -1]);
    const options = {
      batch: 1,
      channels: 2,
      spatial: 1,
      layout: 'NHWC' as const,
      runningMean: new Float32Array([1, 0]),
      runningVar: new Float32Array([4, 0.25]),
      gamma: new Float32Array([2, 1]),
      beta: new Float32Array([0.5, 0]),
      epsilon: 0,
    };
    near(cpu.batchNormInferenceF64(x, options).y, [(3 - 1) / 2 * 2 + 0.5, -1 / 0.5]);
    near(cpu.batchNormInferenceF64(x, { ...options, epsilon: 1, epsilonMode: 'add-to-std' }).y, [(2 / 3) * 2 + 0.5, -1 / 1.5]);
  });

  test('NCHW and NHWC agree (transposed)', () => {
    const nchw: ChannelShape = { batch: 2, channels: 5, spatial: 9, layout: 'NCHW' };
    const nhwc: ChannelShape = { ...nchw, layout: 'NHWC' };
    const stats = makeRunningStats(5, 8);
    const a = cpu.batchNormInferenceF64(makeChannelInput('normal', nchw, { per: 'channel' }, 8), { ...nchw, ...stats });
    const b = cpu.batchNormInferenceF64(makeChannelInput('normal', nhwc, { per: 'channel' }, 8), { ...nhwc, ...stats });
    for (let n = 0; n < 2; n++) for (let c = 0; c < 5; c++) for (let s = 0; s < 9; s++) expect(a.y[indexOf(nchw, n, c, s)]).toBe(b.y[indexOf(nhwc, n, c, s)]);
  });

  test('f16 in, f16 out, rounded through f32ToF16', () => {
    const shape: ChannelShape = { batch: 1, channels: 3, spatial: 5, layout: 'NCHW' };
    const bits = toF16Array(makeChannelInput('normal', shape, { per: 'channel' }, 6));
    const stats = makeRunningStats(3, 6);
    const r = cpu.batchNormInference(bits, { ...shape, ...stats });
    expect(r.y).toBeInstanceOf(Uint16Array);
    const f = cpu.batchNormInferenceF64(Float32Array.from(bits, f16ToF32), { ...shape, ...stats });
    expect(Array.from(r.y)).toEqual(Array.from(f.y, (v) => f32ToF16(v)));
  });
});

describe('BatchNorm validation', () => {
  const shape = { batch: 2, channels: 3, spatial: 4, layout: 'NHWC' as const };
  const x = new Float32Array(24);
  const stats = { runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1) };
  test('runningMean missing', () => expectNormError(() => cpu.batchNormInference(x, { ...shape, runningVar: stats.runningVar } as never), 'invalid-argument', 'runningMean'));
  test('runningVar of the wrong length', () => expectNormError(() => cpu.batchNormInference(x, { ...shape, ...stats, runningVar: new Float32Array(4) }), 'shape-mismatch', 'runningVar'));
  test('x of the wrong length', () => expectNormError(() => cpu.batchNormStats(new Float32Array(23), shape), 'shape-mismatch', 'x'));
  test('Float32Array with dtype f16', () => expectNormError(() => cpu.batchNormStats(x, { ...shape, dtype: 'f16' }), 'invalid-argument', 'x'));
  test('bad layout', () => expectNormError(() => cpu.batchNormStats(x, { ...shape, layout: 'CHW' as never }), 'invalid-argument', 'layout'));
  test('unbiased with a single element per channel', () =>
    expectNormError(() => cpu.batchNormStats(new Float32Array(3), { batch: 1, channels: 3, spatial: 1, layout: 'NCHW', unbiased: true }), 'invalid-argument', 'unbiased'));
  test('epsilonMode typo', () => expectNormError(() => cpu.batchNormInference(x, { ...shape, ...stats, epsilonMode: 'inside' as never }), 'invalid-argument', 'epsilonMode'));
});
