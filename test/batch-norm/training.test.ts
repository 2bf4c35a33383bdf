/**
 * BatchNorm training (`batchNormTraining`): the float64 reference against PyTorch's training-mode
 * forward written out by hand (batch statistics, biased variance for y, the running update with
 * momentum and the unbiased variance), and every refusal in every form (CPU reference, typed
 * arrays and encode on a fake device).
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { checkBatchNormTrainingOptions } from '../../src/ops/batch-norm/options.js';
import { Usage } from '../../src/core/operands.js';
import { f16ToF32, f32ToF16, toF16Array } from '../../src/core/f16.js';
import { indexOf, makeChannelAffine, makeChannelInput, makeRunningStats, type ChannelShape } from '../shared/channel-data.js';
import { FORMS, callForm, expectRefusal, fakeNormalizer, refusal, type Form } from '../channel/forms.js';

const near = (a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(b[i]!)));
};

/** PyTorch's BatchNorm2d.train() forward, naively (two passes per channel). */
function naiveTraining(x: Float32Array, shape: ChannelShape, o: { rm: Float32Array; rv: Float32Array; gamma?: Float32Array; beta?: Float32Array; eps: number; momentum: number; unbiased: boolean }) {
  const count = shape.batch * shape.spatial;
  const y = new Float64Array(x.length);
  const mean: number[] = [];
  const variance: number[] = [];
  const rm: number[] = [];
  const rv: number[] = [];
  for (let c = 0; c < shape.channels; c++) {
    let sum = 0;
    for (let n = 0; n < shape.batch; n++) for (let s = 0; s < shape.spatial; s++) sum += x[indexOf(shape, n, c, s)]!;
    const m = sum / count;
    let sq = 0;
    for (let n = 0; n < shape.batch; n++) for (let s = 0; s < shape.spatial; s++) sq += (x[indexOf(shape, n, c, s)]! - m) ** 2;
    const v = sq / count;
    for (let n = 0; n < shape.batch; n++) {
      for (let s = 0; s < shape.spatial; s++) {
        const i = indexOf(shape, n, c, s);
        y[i] = ((x[i]! - m) / Math.sqrt(v + o.eps)) * (o.gamma?.[c] ?? 1) + (o.beta?.[c] ?? 0);
      }
    }
    mean.push(m);
    variance.push(v);
    rm.push((1 - o.momentum) * o.rm[c]! + o.momentum * m);
    rv.push((1 - o.momentum) * o.rv[c]! + o.momentum * (o.unbiased ? (sq / (count - 1)) : v));
  }
  return { y, mean, var: variance, runningMean: rm, runningVar: rv };
}

describe('batchNormTraining reference', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const [momentum, unbiased] of [[0.1, true], [0, true], [1, false], [0.3, false]] as const) {
      test(`${layout}, momentum ${momentum}, runningVarUnbiased ${unbiased}: PyTorch's training forward`, () => {
        const shape: ChannelShape = { batch: 3, channels: 5, spatial: 7, layout };
        const x = makeChannelInput('mixed-scale', shape, { per: 'channel' }, 31);
        const { gamma, beta } = makeChannelAffine(5, 31);
        const { runningMean, runningVar } = makeRunningStats(5, 31);
        const r = cpu.batchNormTrainingF64(x, { ...shape, gamma, beta, runningMean, runningVar, momentum, runningVarUnbiased: unbiased, epsilon: 1e-3 });
        const naive = naiveTraining(x, shape, { rm: runningMean, rv: runningVar, gamma, beta, eps: 1e-3, momentum, unbiased });
        near(r.mean, naive.mean, 1e-10);
        near(r.var, naive.var, 1e-10);
        near(r.y, naive.y, 1e-9);
        near(r.runningMean, naive.runningMean, 1e-10);
        near(r.runningVar, naive.runningVar, 1e-10);
      });
    }
  }

  test('hand example: defaults are momentum 0.1 and the unbiased running variance', () => {
    // NCHW, batch 2, 1 channel, 2 positions: 1, 2 | 3, 6 → mean 3, biased variance 3.5, unbiased 14/3.
    const r = cpu.batchNormTrainingF64(new Float32Array([1, 2, 3, 6]), {
      batch: 2, channels: 1, spatial: 2, layout: 'NCHW', runningMean: new Float32Array([1]), runningVar: new Float32Array([2]), epsilon: 0,
    });
    expect(r.mean[0]).toBe(3);
    expect(r.var[0]).toBe(3.5);
    near(r.y, [-2 / Math.sqrt(3.5), -1 / Math.sqrt(3.5), 0, 3 / Math.sqrt(3.5)]);
    expect(r.runningMean[0]).toBeCloseTo(0.9 * 1 + 0.1 * 3, 14);
    expect(r.runningVar[0]).toBeCloseTo(0.9 * 2 + 0.1 * (14 / 3), 14);
  });

  test('one value per channel with runningVarUnbiased: false: y = beta, var 0 (ONNX semantics)', () => {
    const r = cpu.batchNormTrainingF64(new Float32Array([5, -7]), {
      batch: 1, channels: 2, spatial: 1, layout: 'NHWC', runningMean: new Float32Array([1, 1]), runningVar: new Float32Array([1, 1]),
      beta: new Float32Array([0.5, -0.5]), runningVarUnbiased: false, momentum: 0.5,
    });
    expect(Array.from(r.y)).toEqual([0.5, -0.5]);
    expect(Array.from(r.var)).toEqual([0, 0]);
    expect(Array.from(r.runningMean)).toEqual([3, -3]);
    expect(Array.from(r.runningVar)).toEqual([0.5, 0.5]);
  });

  test('f16 in: y f16 rounded once through f32ToF16; the statistics stay f32; the inputs are not modified', () => {
    const shape: ChannelShape = { batch: 2, channels: 3, spatial: 5, layout: 'NHWC' };
    const bits = toF16Array(makeChannelInput('normal', shape, { per: 'channel' }, 6));
    const stats = makeRunningStats(3, 6);
    const before = { rm: Array.from(stats.runningMean), rv: Array.from(stats.runningVar) };
    const r = cpu.batchNormTraining(bits, { ...shape, ...stats });
    expect(r.y).toBeInstanceOf(Uint16Array);
    const f = cpu.batchNormTrainingF64(Float32Array.from(bits, f16ToF32), { ...shape, ...stats });
    expect(Array.from(r.y)).toEqual(Array.from(f.y, (v) => f32ToF16(v)));
    for (const k of ['mean', 'var', 'runningMean', 'runningVar'] as const) {
      expect(r[k]).toBeInstanceOf(Float32Array);
      expect(Array.from(r[k])).toEqual(Array.from(f[k], Math.fround));
    }
    expect(Array.from(stats.runningMean)).toEqual(before.rm);
    expect(Array.from(stats.runningVar)).toEqual(before.rv);
  });

  test('a NaN in one channel poisons that channel only', () => {
    const shape: ChannelShape = { batch: 2, channels: 3, spatial: 4, layout: 'NCHW' };
    const x = makeChannelInput('normal', shape, { per: 'channel' }, 3);
    x[indexOf(shape, 1, 1, 2)] = NaN;
    const r = cpu.batchNormTrainingF64(x, { ...shape, ...makeRunningStats(3, 3) });
    expect([0, 1, 2].map((c) => Number.isNaN(r.runningVar[c]!))).toEqual([false, true, false]);
    expect([0, 1, 2].map((c) => Number.isNaN(r.mean[c]!))).toEqual([false, true, false]);
  });
});

const SHAPE = { batch: 2, channels: 3, spatial: 4, layout: 'NHWC' } as const;
const ELEMENTS = 24;
const running = () => ({ runningMean: new Float32Array(3), runningVar: new Float32Array(3).fill(1) });
const call = (form: Form, extra: Record<string, unknown>, operands: readonly string[] = []) =>
  refusal(() => callForm(form, 'batchNormTraining', ELEMENTS, { ...SHAPE, ...(form === 'encode' ? {} : running()), ...extra }, form === 'encode' ? ['runningMean', 'runningVar', ...operands] : operands));

describe.each(FORMS)('batchNormTraining validation, %s form', (form) => {
  test.each([
    ['momentum', -0.5, 'momentum'],
    ['momentum', 1.01, 'momentum'],
    ['momentum', NaN, 'momentum'],
    ['momentum', '0.1', 'momentum'],
    ['runningVarUnbiased', 1, 'runningVarUnbiased'],
    ['epsilon', -1, 'epsilon'],
    ['epsilonMode', 'inside', 'epsilonMode'],
  ] as const)('%s %s is refused', async (key, value, argument) => {
    expectRefusal(await call(form, { [key]: value }), 'invalid-argument', argument);
  });

  test('one value per channel: the unbiased update (the default) is refused, naming the way out', async () => {
    const one = { batch: 1, spatial: 1 };
    expectRefusal(await call(form, one), 'invalid-argument', 'runningVarUnbiased', 'N / (N − 1)', 'runningVarUnbiased: false');
    expectRefusal(await call(form, { ...one, runningVarUnbiased: true }), 'invalid-argument', 'runningVarUnbiased');
  });

  test.each([
    ['groups', 3, 'normalizes per channel'],
    ['unbiased', true, 'runningVarUnbiased decides'],
    ['rstd', 0, 'not rstd'],
    ['momentun', 0.1, "did you mean 'momentum'?"],
  ] as const)('%s is refused with the reason', async (key, value, says) => {
    expectRefusal(await call(form, { [key]: value }), 'invalid-argument', key, says);
  });

  test('every declared key is accepted', async () => {
    const params = { dtype: 'f32', epsilon: 1e-3, epsilonMode: 'add-to-std', momentum: 0.25, runningVarUnbiased: false };
    if (form === 'encode') expect(await call(form, params, ['gamma', 'beta', 'mean', 'var', 'newRunningMean', 'newRunningVar'])).toBeUndefined();
    else expect(await call(form, { ...params, gamma: new Float32Array(3), beta: new Float32Array(3) })).toBeUndefined();
  });
});

describe('batchNormTraining: the forms keep apart', () => {
  test.each(['cpu', 'typed'] as const)('%s: the updated statistics are returned, not given', async (form) => {
    expectRefusal(await call(form, { newRunningMean: new Float32Array(3) }), 'invalid-argument', 'newRunningMean', 'returns the updated statistics as runningMean and runningVar');
    expectRefusal(await call(form, { mean: new Float32Array(3) }), 'invalid-argument', 'mean', 'batchNormTraining(x, options) returns mean');
    expectRefusal(await call(form, { runningMean: undefined }), 'invalid-argument', 'runningMean');
    expectRefusal(await call(form, { runningVar: new Float32Array(2) }), 'shape-mismatch', 'runningVar');
  });

  test('encode: runningMean and runningVar are required operands', async () => {
    expectRefusal(await refusal(() => callForm('encode', 'batchNormTraining', ELEMENTS, { ...SHAPE }, ['runningVar'])), 'invalid-argument', 'runningMean');
  });

  test('encode: newRunningMean without newRunningVar (and the reverse) is refused', async () => {
    expectRefusal(await call('encode', {}, ['newRunningMean']), 'invalid-argument', 'newRunningVar', 'give both newRunningMean and newRunningVar');
    expectRefusal(await call('encode', {}, ['newRunningVar']), 'invalid-argument', 'newRunningMean');
  });

  test('encode: in place, the running statistics are outputs: sharing a buffer with an input is refused', async () => {
    const { fake } = await fakeNormalizer();
    const b = fake.device.createBuffer({ size: 1024, usage: Usage.STORAGE });
    // x at [0, 96), runningMean at [256, 268) of the same buffer.
    const e = await refusal(() => callForm('encode', 'batchNormTraining', ELEMENTS, { ...SHAPE, x: { buffer: b, offset: 0, size: 96 }, runningMean: { buffer: b, offset: 256, size: 12 } }, ['runningVar']));
    expectRefusal(e, 'aliasing', 'runningMean');
  });

  test('encode: with new… outputs, runningMean is an input and may share a buffer with gamma', async () => {
    const { fake } = await fakeNormalizer();
    const b = fake.device.createBuffer({ size: 1024, usage: Usage.STORAGE });
    const e = await refusal(() =>
      callForm('encode', 'batchNormTraining', ELEMENTS, { ...SHAPE, gamma: { buffer: b, offset: 0, size: 12 }, runningMean: { buffer: b, offset: 256, size: 12 } }, ['runningVar', 'newRunningMean', 'newRunningVar']),
    );
    expect(e).toBeUndefined();
  });

  test('encode: newRunningVar overlapping var is refused', async () => {
    const { fake } = await fakeNormalizer();
    const b = fake.device.createBuffer({ size: 1024, usage: Usage.STORAGE });
    const e = await refusal(() =>
      callForm('encode', 'batchNormTraining', ELEMENTS, { ...SHAPE, var: { buffer: b, offset: 0, size: 12 }, newRunningVar: { buffer: b, offset: 0, size: 12 } }, ['runningMean', 'runningVar', 'newRunningMean']),
    );
    expectRefusal(e, 'aliasing', 'newRunningVar');
  });
});

describe('batchNormTraining defaults', () => {
  test('epsilon 1e-5, inside-sqrt, momentum 0.1, runningVarUnbiased true', () => {
    expect(checkBatchNormTrainingOptions(SHAPE, 'operands')).toMatchObject({ epsilon: 1e-5, epsilonMode: 'inside-sqrt', momentum: 0.1, runningVarUnbiased: true, dtype: 'f32' });
  });
});
