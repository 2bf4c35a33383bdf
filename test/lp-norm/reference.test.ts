/**
 * The float64 Lp normalization reference (src/ops/lp-norm/reference.ts) on hand examples, and the
 * validation's messages (test/lp-norm/parity.test.ts runs every option mistake through the three
 * forms; test/lp-norm/lp-norm.gpu.test.ts runs the kernels).
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { f16ToF32, toF16Array } from '../../src/core/f16.js';

describe('cpu.lpNorm', () => {
  test('L2: (3, 4) / 5, and each row on its own', () => {
    const r = cpu.lpNormF64(new Float32Array([3, 4, 0, -2]), { cols: 2 });
    expect(Array.from(r.y)).toEqual([0.6, 0.8, 0, -1]);
    expect(Array.from(r.norm)).toEqual([5, 2]);
  });

  test('L1: x / Σ|x|', () => {
    const r = cpu.lpNormF64(new Float32Array([3, -1, 0, 0]), { cols: 4, p: 1 });
    expect(Array.from(r.y)).toEqual([0.75, -0.25, 0, 0]);
    expect(Array.from(r.norm)).toEqual([4]);
  });

  test('ε clamps small norms: an all-zero row stays zero; a tiny row becomes x / ε', () => {
    expect(Array.from(cpu.lpNorm(new Float32Array([0, 0]), { cols: 2 }).y)).toEqual([0, 0]);
    const tiny = cpu.lpNormF64(new Float32Array([3e-6, 4e-6]), { cols: 2, epsilon: 1e-3 });
    expect(tiny.y[0]).toBe(Math.fround(3e-6) / 1e-3);
    expect(tiny.norm[0]).toBe(Math.hypot(Math.fround(3e-6), Math.fround(4e-6)));
  });

  test('a row holding NaN or Inf is poisoned (every y NaN); the next row is untouched', () => {
    const r = cpu.lpNormF64(new Float32Array([1, Infinity, 3, 4]), { cols: 2 });
    expect(Array.from(r.y.slice(0, 2)).every(Number.isNaN)).toBe(true);
    expect(Array.from(r.y.slice(2))).toEqual([0.6, 0.8]);
    expect(r.norm[0]).toBe(Infinity);
  });

  test('f32 magnitudes whose squares overflow f32 still give the exact norm and y', () => {
    const [a, b] = [Math.fround(3e30), Math.fround(4e30)];
    const r = cpu.lpNorm(new Float32Array([a, b]), { cols: 2 });
    expect(Math.fround(a * a)).toBe(Infinity);
    expect(Array.from(r.y)).toEqual([Math.fround(a / Math.hypot(a, b)), Math.fround(b / Math.hypot(a, b))]);
    expect(r.norm[0]).toBe(Math.fround(Math.hypot(a, b)));
  });

  test('f16 in, f16 out: the result is rounded once to half bits', () => {
    const r = cpu.lpNorm(toF16Array([3, 4]), { cols: 2 });
    expect(r.y).toBeInstanceOf(Uint16Array);
    expect(Array.from(r.y, f16ToF32)).toEqual([0.60009765625, 0.7998046875]); // 0.6 and 0.8 to the nearest half
  });
});

describe('messages (test/lp-norm/parity.test.ts checks that every form refuses alike)', () => {
  const message = (options: Record<string, unknown>) => {
    try {
      cpu.lpNorm(new Float32Array(8), options as never);
    } catch (e) {
      if (e instanceof NormError) return e.message;
    }
    return 'accepted';
  };
  test.each([
    [{ cols: 4, eps: 1e-6 }, /^eps: unknown option of lpNorm; did you mean 'epsilon'\? known options: cols, p, epsilon, dtype, inner$/],
    [{ cols: 4, gamma: new Float32Array(4) }, /^gamma: lpNorm has no gamma/],
    [{ cols: 4, epsilonMode: 'add-to-std' }, /^epsilonMode: lpNorm divides by max/],
    [{ cols: 4, p: 3 }, /^p: expected 1 or 2, got 3$/],
    [{ cols: 4, epsilon: 1e-45 }, /^epsilon: expected a finite number >= 0 that f32 represents: 0 or in \[2\^-126, 3\.4028234663852886e38\] .*got 1e-45, which a GPU may flush to 0/],
    [{ cols: 4, epsilon: 1e39 }, /^epsilon: expected a finite number >= 0 that f32 represents: .*got 1e\+39, which is ±Infinity as an f32$/],
    [{ cols: 4, rows: 2 }, /^rows: unknown option of lpNorm/],
  ])('%o', (options, expected) => expect(message(options)).toMatch(expected));
});
