/**
 * The backward family's one validation (src/ops/backward/options.ts), seen through every form:
 * the CPU reference (`cpu.…Backward`), the typed-array form (`norm.…Backward`) and the encode form
 * (`norm.encode…Backward`), the last two on a recording fake device (no GPU). Unknown option keys
 * are refused with the nearest known key suggested, a sibling op's keys get a specific message,
 * and every form accepts each of its own keys; the same mistake gets the same code, argument and
 * message from every form.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { fakeDevice, type FakeDevice } from '../core/fake-device.js';

const STORAGE = 0x80; // GPUBufferUsage.STORAGE
const ROWS = 2;
const COLS = 4;

type Op = 'layerNorm' | 'rmsNorm';
type Form = 'cpu' | 'typed' | 'encode';
const FORMS: Form[] = ['cpu', 'typed', 'encode'];

async function setup(): Promise<{ fake: FakeDevice; norm: Normalizer }> {
  const fake = fakeDevice();
  return { fake, norm: await createNormalizer({ device: fake.device }) };
}

/** Valid typed-array options of `op` (every known key of that form given), plus `extra`. */
function arrayOptions(op: Op, extra: Record<string, unknown>): Record<string, unknown> {
  const f32 = (n: number) => new Float32Array(n).fill(1);
  const common = { cols: COLS, gamma: f32(COLS), rstd: f32(ROWS), dtype: 'f32', dsum: f32(ROWS * COLS) };
  return { ...common, ...(op === 'layerNorm' ? { mean: f32(ROWS) } : { gammaOffset: 1 }), ...extra };
}

/** Valid encode options of `op` (every known key given, a distinct buffer per operand), plus `extra`. */
function encodeOptions(fake: FakeDevice, op: Op, extra: Record<string, unknown>): Record<string, unknown> {
  const buf = (n: number) => fake.device.createBuffer({ size: Math.max(16, n * 4), usage: STORAGE });
  const common = {
    dy: buf(ROWS * COLS),
    x: buf(ROWS * COLS),
    dx: buf(ROWS * COLS),
    gamma: buf(COLS),
    rstd: buf(ROWS),
    dgamma: buf(COLS),
    dsum: buf(ROWS * COLS),
    rows: ROWS,
    cols: COLS,
    dtype: 'f32',
    variant: { reduction: 'workgroup', vec4: false, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 0 },
  };
  return { ...common, ...(op === 'layerNorm' ? { mean: buf(ROWS), dbeta: buf(COLS) } : { gammaOffset: 1 }), ...extra };
}

/** Runs `op` in `form` with valid options plus `extra`; resolves to the NormError thrown, or null. */
async function attempt(op: Op, form: Form, extra: Record<string, unknown>): Promise<NormError | null> {
  const dy = new Float32Array(ROWS * COLS).fill(0.5);
  const x = Float32Array.from({ length: ROWS * COLS }, (_, i) => i);
  try {
    if (form === 'cpu') {
      const o = arrayOptions(op, extra) as never;
      if (op === 'layerNorm') cpu.layerNormBackward(dy, x, o);
      else cpu.rmsNormBackward(dy, x, o);
    } else {
      const { fake, norm } = await setup();
      if (form === 'typed') {
        const o = arrayOptions(op, extra) as never;
        await (op === 'layerNorm' ? norm.layerNormBackward(dy, x, o) : norm.rmsNormBackward(dy, x, o));
      } else {
        const o = encodeOptions(fake, op, extra) as never;
        const encoder = fake.device.createCommandEncoder();
        if (op === 'layerNorm') norm.encodeLayerNormBackward(encoder, o);
        else norm.encodeRmsNormBackward(encoder, o);
        expect(fake.dispatches.length, 'the accepted call recorded its dispatches').toBeGreaterThan(0);
      }
    }
  } catch (e) {
    if (e instanceof NormError) return e;
    throw e;
  }
  return null;
}

const summary = (e: NormError | null) => e && { code: e.code, argument: e.argument, message: e.message };

describe.each(['layerNorm', 'rmsNorm'] as const)('%sBackward', (op) => {
  test.each(FORMS)('%s form: every known key accepted (all given at once)', async (form) => {
    expect(summary(await attempt(op, form, {}))).toBeNull();
  });

  test.each(FORMS)('%s form: a misspelled key is refused, naming it and suggesting the nearest known one', async (form) => {
    const e = await attempt(op, form, { colls: COLS });
    expect(e).toMatchObject({ code: 'invalid-argument', argument: 'colls' });
    expect(e!.message).toMatch(new RegExp(`unknown option of ${op}Backward; did you mean 'cols'\\?`));
    const gamma = await attempt(op, form, { gama: undefined, Gamma: new Float32Array(COLS) });
    expect(gamma).toMatchObject({ code: 'invalid-argument', argument: 'Gamma' });
    expect(gamma!.message).toMatch(/did you mean 'gamma'\?/);
  });

  test.each(FORMS)('%s form: an unknown key with no near name is refused, listing the known ones', async (form) => {
    const e = await attempt(op, form, { learningRate: 0.1 });
    expect(e).toMatchObject({ code: 'invalid-argument', argument: 'learningRate' });
    expect(e!.message).not.toMatch(/did you mean/);
    expect(e!.message).toMatch(/known options: (?=.*\bcols\b)(?=.*\brstd\b)/);
  });

  test('the forward pass\'s epsilon options get the same specific message in every form', async () => {
    for (const [key, value, says] of [
      ['epsilon', 1e-5, /needs no epsilon/],
      ['epsilonMode', 'inside-sqrt', /only the default convention/],
      ['unbiased', false, /only the default convention/],
    ] as const) {
      const errors = await Promise.all(FORMS.map((form) => attempt(op, form, { [key]: value })));
      for (const e of errors) expect(e).toMatchObject({ code: 'invalid-argument', argument: key, message: expect.stringMatching(says) });
      expect(new Set(errors.map((e) => e!.message)).size, `${key}: one message for every form`).toBe(1);
    }
  });

  test('the same mistake, the same error in every form', async () => {
    for (const extra of [{ cols: 0 }, { dtype: 'bf16' }, { gammaOffset: Number.NaN }, { gammaOffset: 1, gamma: undefined }]) {
      const errors = await Promise.all(FORMS.map((form) => attempt(op, form, extra)));
      const first = summary(errors[0]!);
      expect(first, JSON.stringify(extra)).not.toBeNull();
      for (const e of errors.slice(1)) expect(summary(e), JSON.stringify(extra)).toEqual(first);
    }
  });
});

describe('sibling-op keys get a specific message', () => {
  test.each(FORMS)('%s form: mean on rmsNormBackward', async (form) => {
    expect(await attempt('rmsNorm', form, { mean: new Float32Array(ROWS) })).toMatchObject({ code: 'invalid-argument', argument: 'mean', message: 'mean: RMSNorm has no mean' });
  });

  test('encode form: dbeta on rmsNormBackward', async () => {
    const { fake } = await setup();
    const dbeta = fake.device.createBuffer({ size: 16, usage: STORAGE });
    expect(await attempt('rmsNorm', 'encode', { dbeta })).toMatchObject({ code: 'invalid-argument', argument: 'dbeta', message: 'dbeta: RMSNorm has no beta' });
  });

  test.each(FORMS)('%s form: gammaOffset on layerNormBackward, even 0', async (form) => {
    for (const gammaOffset of [1, 0]) {
      expect(await attempt('layerNorm', form, { gammaOffset })).toMatchObject({ code: 'invalid-argument', argument: 'gammaOffset', message: 'gammaOffset: gammaOffset is an RMSNorm option' });
    }
  });
});

describe('gammaOffset', () => {
  test.each(FORMS)('%s form: rmsNormBackward refuses a gammaOffset without gamma (ambiguous, as in the forward pass) and a non-finite one', async (form) => {
    expect(await attempt('rmsNorm', form, { gammaOffset: 1, gamma: undefined })).toMatchObject({ code: 'invalid-argument', argument: 'gammaOffset', message: expect.stringMatching(/needs gamma/) });
    expect(await attempt('rmsNorm', form, { gammaOffset: Infinity })).toMatchObject({ code: 'invalid-argument', argument: 'gammaOffset', message: expect.stringMatching(/finite number/) });
    expect(await attempt('rmsNorm', form, { gammaOffset: 0, gamma: undefined })).toBeNull();
  });
});

describe('keys of one form are unknown in the other', () => {
  test.each(['cpu', 'typed'] as const)('%s form: rows and variant are encode options', async (form) => {
    expect(await attempt('layerNorm', form, { rows: ROWS })).toMatchObject({ code: 'invalid-argument', argument: 'rows', message: expect.stringMatching(/unknown option of layerNormBackward/) });
    expect(await attempt('rmsNorm', form, { variant: {} })).toMatchObject({ code: 'invalid-argument', argument: 'variant' });
  });

  test('encode form: dtype must be spelled as the option, and an explicit undefined means absent', async () => {
    expect(await attempt('rmsNorm', 'encode', { dType: 'f32' })).toMatchObject({ argument: 'dType', message: expect.stringMatching(/did you mean 'dtype'\?/) });
    expect(await attempt('layerNorm', 'encode', { dsum: undefined, gamma: undefined, variant: undefined, epsilon: undefined })).toBeNull();
  });
});
