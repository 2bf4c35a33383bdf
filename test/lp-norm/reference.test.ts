/**
 * The float64 Lp normalization reference (src/ops/lp-norm/reference.ts) on hand examples, and
 * Lp normalization's one validation through its three forms: the CPU reference, the typed-array
 * form and the encode form (the normalizer on test/core/fake-device.ts: no shaders run, so only
 * what is refused before the GPU is checked here; test/lp-norm/lp-norm.gpu.test.ts runs the kernels).
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { f16ToF32, toF16Array } from '../../src/core/f16.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { fakeDevice } from '../core/fake-device.js';

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

/** Runs `fn` and returns the NormError's (code, argument, message), or 'accepted'. */
async function outcome(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'accepted';
  } catch (e) {
    if (!(e instanceof NormError)) throw e;
    return `${e.code} ${e.message}`; // the message starts with the argument
  }
}

/** The same options through the CPU, typed-array and encode forms (2 rows of 4 f32). */
async function threeForms(norm: Normalizer, options: Record<string, unknown>): Promise<string[]> {
  const x = new Float32Array(8);
  const { device } = norm;
  const buffer = () => device.createBuffer({ size: 32, usage: Usage.STORAGE });
  return Promise.all([
    outcome(() => cpu.lpNorm(x, options as never)),
    outcome(() => norm.lpNorm(x, options as never)),
    outcome(() => norm.encodeLpNorm(device.createCommandEncoder(), { x: buffer(), y: buffer(), rows: 2, ...options } as never)),
  ]);
}

describe('one validation for the three forms', () => {
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ['accepted: every option', { cols: 4, p: 1, epsilon: 1e-6, dtype: 'f32' }, /^accepted$/],
    ['a misspelled key, with the nearest known name', { cols: 4, eps: 1e-6 }, /^invalid-argument eps: unknown option of lpNorm; did you mean 'epsilon'\?/],
    ['an unknown key', { cols: 4, foo: 1 }, /^invalid-argument foo: unknown option of lpNorm; known options: cols, p, epsilon, dtype/],
    ['gamma (a key of the other norms)', { cols: 4, gamma: new Float32Array(4) }, /^invalid-argument gamma: lpNorm has no gamma/],
    ['epsilonMode', { cols: 4, epsilonMode: 'add-to-std' }, /^invalid-argument epsilonMode: lpNorm divides by max/],
    ['p = 3', { cols: 4, p: 3 }, /^invalid-argument p: expected 1 or 2, got 3/],
    ['ε subnormal in f32 (the GPU could flush it to 0)', { cols: 4, epsilon: 1e-45 }, /^invalid-argument epsilon: expected 0 or a number in \[2\^-126/],
    ['ε beyond f32', { cols: 4, epsilon: 1e39 }, /^invalid-argument epsilon: /],
    ['ε negative', { cols: 4, epsilon: -1 }, /^invalid-argument epsilon: /],
    ['cols 0', { cols: 0 }, /^invalid-argument cols: expected an integer >= 1, got 0/],
    ["dtype 'bf16'", { cols: 4, dtype: 'bf16' }, /^invalid-argument dtype: expected 'f32' or 'f16'/],
  ];
  test.each(rows)('%s', async (_, options, expected) => {
    const norm = await createNormalizer({ device: fakeDevice().device });
    const [cpuForm, typed, encoded] = (await threeForms(norm, options)) as [string, string, string];
    expect(cpuForm).toMatch(expected);
    expect(typed, 'typed-array form').toBe(cpuForm);
    // The encode form takes rows, x, y too; every other outcome is the same.
    expect(encoded!.replace(', rows, x, y, norm, variant', ''), 'encode form').toBe(cpuForm);
  });

  test('the encode form knows its operands and layout; the typed forms do not', async () => {
    const norm = await createNormalizer({ device: fakeDevice().device });
    expect(await outcome(() => cpu.lpNorm(new Float32Array(4), { cols: 4, rows: 1 } as never))).toMatch(/^invalid-argument rows: unknown option/);
    const [, , encoded] = await threeForms(norm, { cols: 4, variant: { rowPerWorkgroup: true, workgroupSize: 6 } });
    expect(encoded).toMatch(/^invalid-argument variant.workgroupSize: expected a power of two/);
  });
});
