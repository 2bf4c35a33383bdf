/**
 * The float64 GroupNorm / InstanceNorm reference (src/ops/group-norm/reference.ts) on hand examples and
 * identities, and the validation every entry point shares.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { f16ToF32, f32ToF16, toF16Array } from '../../src/core/f16.js';
import { storageBytes } from '../../src/core/tensor.js';
import { indexOf, makeChannelAffine, makeChannelInput, type ChannelShape } from '../shared/channel-data.js';

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

const near = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]!)));
};

describe('GroupNorm reference', () => {
  test('hand example: 2 channels x 2 positions, one group', () => {
    const x = new Float32Array([1, 2, 3, 4]);
    const r = cpu.groupNormF64(x, { batch: 1, channels: 2, spatial: 2, groups: 1, layout: 'NCHW', epsilon: 0 });
    expect(r.mean[0]).toBe(2.5);
    // variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
    near(r.rstd, [1 / Math.sqrt(1.25)]);
    near(r.y, [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25)));
  });

  test('hand example: two groups with gamma and beta, NHWC', () => {
    // NHWC, 2 positions x 4 channels; groups {c0, c1} and {c2, c3}.
    const x = new Float32Array([1, 3, 10, 10, 5, 7, 10, 10]);
    const gamma = new Float32Array([1, 2, 3, 4]);
    const beta = new Float32Array([0, 0, 1, -1]);
    const r = cpu.groupNormF64(x, { batch: 1, channels: 4, spatial: 2, groups: 2, layout: 'NHWC', gamma, beta, epsilon: 0.5 });
    expect(Array.from(r.mean)).toEqual([4, 10]);
    // group 0: values 1, 3, 5, 7 → variance 5; group 1: constant → variance 0 → y = beta exactly
    near(r.rstd, [1 / Math.sqrt(5.5), 1 / Math.sqrt(0.5)]);
    const s = 1 / Math.sqrt(5.5);
    near(r.y, [-3 * s, -1 * s * 2, 1, -1, 1 * s, 3 * s * 2, 1, -1]);
  });

  test('groups = 1 is LayerNorm over C·HW (NCHW)', () => {
    const shape = { batch: 3, channels: 5, spatial: 7, layout: 'NCHW' as const };
    const x = makeChannelInput('offset', shape, { per: 'group', groups: 1 }, 11);
    const { gamma, beta } = makeChannelAffine(5, 11);
    const g = cpu.groupNormF64(x, { ...shape, groups: 1, gamma, beta });
    // LayerNorm's per-column affine is GroupNorm's per-channel affine repeated over positions.
    const cols = 5 * 7;
    const expand = (v: Float32Array) => Float32Array.from({ length: cols }, (_, j) => v[Math.floor(j / 7)]!);
    const l = cpu.layerNormF64(x, { cols, gamma: expand(gamma), beta: expand(beta) });
    near(g.y, l.y, 1e-12);
    near(g.mean, l.mean, 1e-15);
    near(g.rstd, l.rstd, 1e-12);
  });

  test('groups = channels is InstanceNorm', () => {
    const shape = { batch: 2, channels: 6, spatial: 9, layout: 'NHWC' as const };
    const x = makeChannelInput('mixed-scale', shape, { per: 'group', groups: 6 }, 3);
    const { gamma, beta } = makeChannelAffine(6, 3);
    const g = cpu.groupNormF64(x, { ...shape, groups: 6, gamma, beta });
    const i = cpu.instanceNormF64(x, { ...shape, gamma, beta });
    expect(Array.from(i.y)).toEqual(Array.from(g.y));
    expect(Array.from(i.mean)).toEqual(Array.from(g.mean));
    expect(Array.from(i.rstd)).toEqual(Array.from(g.rstd));
  });

  test('NCHW and NHWC give transposed-identical results', () => {
    const nchw: ChannelShape = { batch: 2, channels: 12, spatial: 25, layout: 'NCHW' };
    const nhwc: ChannelShape = { ...nchw, layout: 'NHWC' };
    const kind = { per: 'group', groups: 4 } as const;
    // Same seed: the same values in (n, c, s) order, laid out differently.
    const a = makeChannelInput('normal', nchw, kind, 5);
    const b = makeChannelInput('normal', nhwc, kind, 5);
    const { gamma, beta } = makeChannelAffine(12, 5);
    const ra = cpu.groupNormF64(a, { ...nchw, groups: 4, gamma, beta });
    const rb = cpu.groupNormF64(b, { ...nhwc, groups: 4, gamma, beta });
    expect(Array.from(ra.mean)).toEqual(Array.from(rb.mean));
    expect(Array.from(ra.rstd)).toEqual(Array.from(rb.rstd));
    for (let n = 0; n < 2; n++) for (let c = 0; c < 12; c++) for (let s = 0; s < 25; s++) expect(ra.y[indexOf(nchw, n, c, s)]).toBe(rb.y[indexOf(nhwc, n, c, s)]);
  });

  test("epsilonMode 'add-to-std' and unbiased", () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    const base = { batch: 1, channels: 1, spatial: 6, groups: 1, layout: 'NCHW' as const, epsilon: 0.25 };
    const m2 = 17.5; // sum of squared deviations from 3.5
    near(cpu.groupNormF64(x, base).rstd, [1 / Math.sqrt(m2 / 6 + 0.25)]);
    near(cpu.groupNormF64(x, { ...base, epsilonMode: 'add-to-std' }).rstd, [1 / (Math.sqrt(m2 / 6) + 0.25)]);
    near(cpu.groupNormF64(x, { ...base, unbiased: true }).rstd, [1 / Math.sqrt(m2 / 5 + 0.25)]);
    near(cpu.groupNormF64(x, { ...base, unbiased: true, epsilonMode: 'add-to-std' }).rstd, [1 / (Math.sqrt(m2 / 5) + 0.25)]);
    // rstd is the factor applied to y.
    const r = cpu.groupNormF64(x, { ...base, epsilonMode: 'add-to-std' });
    near(r.y, Array.from(x, (v) => (v - 3.5) * r.rstd[0]!));
  });

  test('f16: decodes exactly, rounds y through f32ToF16, keeps stats f32', () => {
    const shape = { batch: 1, channels: 4, spatial: 7, layout: 'NCHW' as const };
    const values = makeChannelInput('f16-extreme', shape, { per: 'group', groups: 2 }, 9);
    const bits = toF16Array(values);
    const r = cpu.groupNorm(bits, { ...shape, groups: 2 });
    expect(r.y).toBeInstanceOf(Uint16Array);
    expect(r.mean).toBeInstanceOf(Float32Array);
    const decoded = Float32Array.from(bits, f16ToF32);
    const f64 = cpu.groupNormF64(decoded, { ...shape, groups: 2 });
    expect(Array.from(r.y)).toEqual(Array.from(f64.y, (v) => f32ToF16(v)));
    expect(Array.from(r.mean)).toEqual(Array.from(f64.mean, Math.fround));
    // Values near ±65504 must not overflow anything.
    expect(Array.from(r.rstd).every(Number.isFinite)).toBe(true);
  });

  test('a NaN poisons its group only', () => {
    const shape = { batch: 2, channels: 4, spatial: 5, layout: 'NHWC' as const };
    const x = makeChannelInput('nan-unit', shape, { per: 'group', groups: 2 }, 1);
    const r = cpu.groupNormF64(x, { ...shape, groups: 2 });
    // units: (n, g) = 0..3, the poisoned one is 2 = (1, 0)
    expect(Array.from(r.mean, Number.isNaN)).toEqual([false, false, true, false]);
  });

  test('storage bytes round f16 up to whole words', () => {
    expect(storageBytes(49, 'f16')).toBe(100);
    expect(storageBytes(48, 'f16')).toBe(96);
    expect(storageBytes(49, 'f32')).toBe(196);
  });
});

describe('GroupNorm validation', () => {
  const ok = { batch: 2, channels: 6, spatial: 4, groups: 3, layout: 'NCHW' as const };
  const x = new Float32Array(48);

  test('accepts a well-formed call', () => {
    expect(() => cpu.groupNorm(x, ok)).not.toThrow();
  });
  test('channels not a multiple of groups', () => expectNormError(() => cpu.groupNorm(x, { ...ok, groups: 4 }), 'shape-mismatch', 'groups'));
  test('x of the wrong length', () => expectNormError(() => cpu.groupNorm(new Float32Array(47), ok), 'shape-mismatch', 'x'));
  test('bad layout string', () => expectNormError(() => cpu.groupNorm(x, { ...ok, layout: 'nchw' as never }), 'invalid-argument', 'layout'));
  test('missing layout', () => expectNormError(() => cpu.groupNorm(x, { ...ok, layout: undefined as never }), 'invalid-argument', 'layout'));
  test('Float32Array with dtype f16', () => expectNormError(() => cpu.groupNorm(x, { ...ok, dtype: 'f16' }), 'invalid-argument', 'x'));
  test('Uint16Array with dtype f32', () => expectNormError(() => cpu.groupNorm(new Uint16Array(48), { ...ok, dtype: 'f32' }), 'invalid-argument', 'x'));
  test('unknown dtype', () => expectNormError(() => cpu.groupNorm(x, { ...ok, dtype: 'bf16' as never }), 'invalid-argument', 'dtype'));
  test('Float64Array x', () => expectNormError(() => cpu.groupNorm(new Float64Array(48) as never, ok), 'invalid-argument', 'x'));
  test('gamma of the wrong length', () => expectNormError(() => cpu.groupNorm(x, { ...ok, gamma: new Float32Array(5) }), 'shape-mismatch', 'gamma'));
  test('beta not a Float32Array', () => expectNormError(() => cpu.groupNorm(x, { ...ok, beta: new Uint16Array(6) as never }), 'invalid-argument', 'beta'));
  test('groups not an integer', () => expectNormError(() => cpu.groupNorm(x, { ...ok, groups: 1.5 }), 'invalid-argument', 'groups'));
  test('batch 0', () => expectNormError(() => cpu.groupNorm(new Float32Array(0), { ...ok, batch: 0 }), 'invalid-argument', 'batch'));
  test('negative epsilon', () => expectNormError(() => cpu.groupNorm(x, { ...ok, epsilon: -1 }), 'invalid-argument', 'epsilon'));
  test('unknown epsilonMode', () => expectNormError(() => cpu.groupNorm(x, { ...ok, epsilonMode: 'outside' as never }), 'invalid-argument', 'epsilonMode'));
  test('unbiased with one element per group', () =>
    expectNormError(() => cpu.instanceNorm(new Float32Array(6), { batch: 1, channels: 6, spatial: 1, layout: 'NHWC', unbiased: true }), 'invalid-argument', 'unbiased'));
  test('no options', () => expectNormError(() => cpu.groupNorm(x, undefined as never), 'invalid-argument', 'options'));
});
