/**
 * Input validation: the one option validation every form of every row-norm op shares (the CPU
 * references, the typed-array GPU form and the encode form, the latter two on a fake device), the
 * typed-array checks, and the GPU operand checks (against fake GPUBuffer objects) that turn
 * WebGPU's asynchronous validation errors into synchronous NormErrors naming the argument.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError, type NormErrorCode } from '../../src/core/errors.js';
import { resolveRowNormArrays, rowNormOptionKeys, type LayerNormOptions } from '../../src/ops/row-norm/options.js';
import { Usage, checkAliasing, resolveOperand, type NamedRange, type OperandLimits } from '../../src/core/operands.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { encodeMethod, opsOf, type RowNormOpName } from '../../src/ops/table.js';
import { fakeDevice, type FakeDevice } from '../core/fake-device.js';

/** The typed-array LayerNorm checks (what norm.layerNorm and cpu.layerNorm run first). */
const checkLayerNormArrays = (x: unknown, options: unknown) => resolveRowNormArrays('layerNorm', x, options);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectNormError(fn: () => unknown, code: NormErrorCode, argument: string | undefined): NormError {
  const e = thrown(fn);
  expect(e, 'expected a NormError').toBeInstanceOf(NormError);
  const n = e as NormError;
  expect({ code: n.code, argument: n.argument }).toEqual({ code, argument });
  if (argument) expect(n.message.startsWith(`${argument}: `)).toBe(true);
  return n;
}

// ---------------------------------------------------------------------------------------------
describe("resolveRowNormArrays('layerNorm', …) (convenience form and CPU paths)", () => {
  const x8 = new Float32Array(8);
  const ok4 = new Float32Array(4);

  test('derives rows, the dtype and the defaults', () => {
    expect(checkLayerNormArrays(new Float32Array(6), { cols: 3 })).toMatchObject({ rows: 2, cols: 3, dtype: 'f32', epsilon: 1e-5 });
    expect(checkLayerNormArrays(new Float32Array(6), { cols: 6, epsilon: 0 })).toMatchObject({ rows: 1, cols: 6, epsilon: 0 });
    expect(checkLayerNormArrays(new Float32Array(6), { cols: 1, gamma: new Float32Array(1), beta: new Float32Array(1) })).toMatchObject({ rows: 6, cols: 1, epsilon: 1e-5 });
    // f16 activations travel as Uint16Array half bits; gamma and beta stay f32.
    expect(checkLayerNormArrays(new Uint16Array(8), { cols: 4, gamma: new Float32Array(4) })).toMatchObject({ rows: 2, cols: 4, dtype: 'f16' });
  });

  test('accepts views into a larger buffer (subarray)', () => {
    const big = new Float32Array(100);
    expect(checkLayerNormArrays(big.subarray(10, 22), { cols: 4, gamma: big.subarray(0, 4) }).rows).toBe(3);
  });

  type Bad = [name: string, x: unknown, options: unknown, code: NormErrorCode, argument: string];
  const bad: Bad[] = [
    ['x is a Float64Array', new Float64Array(8), { cols: 4 }, 'invalid-argument', 'x'],
    ['x is a plain array', [1, 2, 3, 4], { cols: 4 }, 'invalid-argument', 'x'],
    ['x is an ArrayBuffer', new ArrayBuffer(16), { cols: 4 }, 'invalid-argument', 'x'],
    ['x is null', null, { cols: 4 }, 'invalid-argument', 'x'],
    ['x is missing', undefined, { cols: 4 }, 'invalid-argument', 'x'],
    ['options missing', x8, undefined, 'invalid-argument', 'options'],
    ['options null', x8, null, 'invalid-argument', 'options'],
    ['options a number', x8, 4, 'invalid-argument', 'options'],
    ['cols missing', x8, {}, 'invalid-argument', 'cols'],
    ['cols 0', x8, { cols: 0 }, 'invalid-argument', 'cols'],
    ['cols -1', x8, { cols: -1 }, 'invalid-argument', 'cols'],
    ['cols 1.5', x8, { cols: 1.5 }, 'invalid-argument', 'cols'],
    ['cols NaN', x8, { cols: NaN }, 'invalid-argument', 'cols'],
    ['cols Infinity', x8, { cols: Infinity }, 'invalid-argument', 'cols'],
    ["cols '4' (a string)", x8, { cols: '4' }, 'invalid-argument', 'cols'],
    ['x empty', new Float32Array(0), { cols: 4 }, 'shape-mismatch', 'x'],
    ['x.length not a multiple of cols', new Float32Array(10), { cols: 4 }, 'shape-mismatch', 'x'],
    ['cols wider than x', new Float32Array(3), { cols: 4 }, 'shape-mismatch', 'x'],
    ['gamma too short', x8, { cols: 4, gamma: new Float32Array(3) }, 'shape-mismatch', 'gamma'],
    ['gamma too long', x8, { cols: 4, gamma: new Float32Array(8) }, 'shape-mismatch', 'gamma'],
    ['gamma a Float64Array', x8, { cols: 4, gamma: new Float64Array(4) }, 'invalid-argument', 'gamma'],
    ['gamma a plain array', x8, { cols: 4, gamma: [1, 1, 1, 1] }, 'invalid-argument', 'gamma'],
    ['gamma null', x8, { cols: 4, gamma: null }, 'invalid-argument', 'gamma'],
    ['beta too short', x8, { cols: 4, gamma: ok4, beta: new Float32Array(2) }, 'shape-mismatch', 'beta'],
    ['beta a Float64Array', x8, { cols: 4, beta: new Float64Array(4) }, 'invalid-argument', 'beta'],
    ['epsilon NaN', x8, { cols: 4, epsilon: NaN }, 'invalid-argument', 'epsilon'],
    ['epsilon Infinity', x8, { cols: 4, epsilon: Infinity }, 'invalid-argument', 'epsilon'],
    ['epsilon -1', x8, { cols: 4, epsilon: -1 }, 'invalid-argument', 'epsilon'],
    ["epsilon '1e-5' (a string)", x8, { cols: 4, epsilon: '1e-5' }, 'invalid-argument', 'epsilon'],
    ["dtype 'f16' with a Float32Array", x8, { cols: 4, dtype: 'f16' }, 'invalid-argument', 'x'],
    ["dtype 'bf16'", x8, { cols: 4, dtype: 'bf16' }, 'invalid-argument', 'dtype'],
    ['gamma a Uint16Array (parameters are f32 for every dtype)', x8, { cols: 4, gamma: new Uint16Array(4) }, 'invalid-argument', 'gamma'],
    ["epsilonMode 'outside'", x8, { cols: 4, epsilonMode: 'outside' }, 'invalid-argument', 'epsilonMode'],
    ["unbiased 'yes'", x8, { cols: 4, unbiased: 'yes' }, 'invalid-argument', 'unbiased'],
    ['gammaOffset on LayerNorm', x8, { cols: 4, gammaOffset: 1 }, 'invalid-argument', 'gammaOffset'],
  ];

  for (const [name, x, options, code, argument] of bad) {
    test(`${name} → ${code} (${argument})`, () => {
      expectNormError(() => checkLayerNormArrays(x, options as LayerNormOptions), code, argument);
    });
  }

  // Every typed-array entry point shares the checks, so each rejects exactly the same inputs.
  const entryPoints: [string, (x: Float32Array, o: LayerNormOptions) => unknown][] = [
    ['cpu.layerNorm', cpu.layerNorm],
    ['cpu.layerNormF64', cpu.layerNormF64],
    ['cpu.fast.layerNorm', cpu.fast.layerNorm],
  ];
  for (const [name, fn] of entryPoints) {
    test(`${name} rejects the whole table the same way`, () => {
      for (const [what, x, options, code, argument] of bad) {
        const e = thrown(() => fn(x as Float32Array, options as LayerNormOptions));
        expect(e, what).toBeInstanceOf(NormError);
        expect({ what, code: (e as NormError).code, argument: (e as NormError).argument }).toEqual({ what, code, argument });
      }
    });
  }

  test('the fast CPU path refuses an f16 y rather than ignoring outputDtype', () => {
    for (const fn of [cpu.fast.layerNorm, cpu.fast.rmsNorm]) {
      expectNormError(() => fn(x8, { cols: 4, outputDtype: 'f16' } as never), 'invalid-argument', 'outputDtype');
      expect(fn(x8, { cols: 4, outputDtype: 'f32' } as never).y).toBeInstanceOf(Float32Array);
    }
  });

  test('the first problem in argument order is the one reported', () => {
    // Both x and cols are wrong: x is checked first.
    expectNormError(() => checkLayerNormArrays(new Float64Array(3), { cols: 0 }), 'invalid-argument', 'x');
    // cols and epsilon are wrong: cols first.
    expectNormError(() => checkLayerNormArrays(x8, { cols: 0, epsilon: NaN }), 'invalid-argument', 'cols');
    // gamma and beta both wrong: gamma first.
    expectNormError(() => checkLayerNormArrays(x8, { cols: 4, gamma: new Float32Array(1), beta: new Float32Array(1) }), 'shape-mismatch', 'gamma');
  });

  test('messages state what was expected and what was given', () => {
    expect(thrown(() => checkLayerNormArrays(new Float32Array(10), { cols: 4 }))).toHaveProperty(
      'message',
      'x: x.length 10 is not a multiple of cols 4 (rows * cols must equal x.length)',
    );
    expect(thrown(() => checkLayerNormArrays(x8, { cols: 4, gamma: new Float32Array(3) }))).toHaveProperty('message', 'gamma: expected length cols = 4, got 3');
    expect((thrown(() => checkLayerNormArrays(new Float64Array(2), { cols: 2 })) as Error).message).toMatch(/^x: expected a Float32Array.*, got Float64Array\(2\)$/);
  });
});

// ---------------------------------------------------------------------------------------------
// One validation: the same options get the same verdict and the same message in every form.
describe('one option validation for every form of every row-norm op', () => {
  const ROW_OPS = opsOf('row-norm');
  const ROWS = 2;
  const COLS = 4;
  type Form = 'cpu' | 'typed' | 'encode';
  const FORMS: readonly Form[] = ['cpu', 'typed', 'encode'];
  let fake: FakeDevice;
  let norm: Normalizer;

  const fused = (op: RowNormOpName) => op === 'addLayerNorm' || op === 'addRmsNorm';
  const storage = (size: number) => fake.device.createBuffer({ size, usage: Usage.STORAGE });

  /** Calls `op` in `form` with the operands it needs and `options` on top; a refusal is returned, not thrown. */
  async function call(op: RowNormOpName, form: Form, options: Record<string, unknown>): Promise<unknown> {
    fake ??= fakeDevice();
    norm ??= await createNormalizer({ device: fake.device });
    try {
      if (form === 'encode') {
        const operands: Record<string, unknown> = { x: storage(ROWS * COLS * 4), y: storage(ROWS * COLS * 4), rows: ROWS, cols: COLS };
        if (fused(op)) Object.assign(operands, { residual: storage(ROWS * COLS * 4), sum: storage(ROWS * COLS * 4) });
        const encode = norm[encodeMethod(op)] as (target: unknown, o: unknown) => unknown;
        return encode.call(norm, fake.device.createCommandEncoder(), { ...operands, ...options });
      }
      const args: unknown[] = [new Float32Array(ROWS * COLS), ...(fused(op) ? [new Float32Array(ROWS * COLS)] : []), { cols: COLS, ...options }];
      const fn = (form === 'cpu' ? cpu[op] : norm[op].bind(norm)) as (...a: unknown[]) => unknown;
      return await fn(...args);
    } catch (e) {
      return e;
    }
  }

  async function refusal(op: RowNormOpName, form: Form, options: Record<string, unknown>): Promise<NormError> {
    const e = await call(op, form, options);
    expect(e, `${form} ${op} ${JSON.stringify(options)} should be refused`).toBeInstanceOf(NormError);
    return e as NormError;
  }

  for (const op of ROW_OPS) {
    for (const form of FORMS) {
      test(`${form} ${op}: a misspelled key is refused, named, and the nearest known name suggested`, async () => {
        const named = form === 'encode' ? encodeMethod(op) : op;
        const eps = await refusal(op, form, { eps: 1e-3 });
        expect({ code: eps.code, argument: eps.argument }).toEqual({ code: 'invalid-argument', argument: 'eps' });
        expect(eps.message).toContain(`eps: unknown option of ${named}; did you mean 'epsilon'?`);
        const gama = await refusal(op, form, { gama: new Float32Array(COLS) });
        expect(gama.message).toContain("did you mean 'gamma'?");
        if (op === 'layerNorm' || op === 'addLayerNorm') {
          const mode = await refusal(op, form, { epsilonmode: 'add-to-std' });
          expect({ argument: mode.argument, suggests: mode.message.includes("did you mean 'epsilonMode'?") }).toEqual({ argument: 'epsilonmode', suggests: true });
        }
        // An explicit undefined means "absent" throughout the API, whatever the key.
        expect(await call(op, form, { eps: undefined })).not.toBeInstanceOf(Error);
      });
    }
  }

  test('the known keys of each op and form are the documented ones', () => {
    const scalars = (layer: boolean) => ['cols', 'dtype', 'outputDtype', 'epsilon', 'epsilonMode', 'unbiased', ...(layer ? [] : ['gammaOffset'])];
    for (const op of ROW_OPS) {
      const layer = op === 'layerNorm' || op === 'addLayerNorm';
      const params = ['gamma', ...(layer ? ['beta'] : []), ...(fused(op) ? ['bias'] : [])];
      const operands = ['x', 'y', ...(fused(op) ? ['residual', 'sum'] : []), ...(layer ? ['mean', 'rstd'] : ['rstd'])];
      const shape = fused(op) ? ['residualRows'] : [];
      expect(new Set(rowNormOptionKeys(op, 'typed')), op).toEqual(new Set([...params, ...scalars(layer), ...shape]));
      expect(new Set(rowNormOptionKeys(op, 'encode')), op).toEqual(new Set([...params, ...scalars(layer), ...shape, ...operands, 'rows', 'variant']));
    }
  });

  for (const op of ROW_OPS) {
    for (const form of FORMS) {
      test(`${form} ${op}: every known key, given at once with a valid value, is accepted`, async () => {
        const encode = form === 'encode';
        const vector = () => (encode ? storage(COLS * 4) : new Float32Array(COLS));
        const valid: Record<string, unknown> = {
          x: undefined, // the operands themselves come from call()
          y: undefined,
          residual: undefined,
          sum: undefined,
          gamma: vector(),
          beta: vector(),
          bias: vector(),
          mean: storage(ROWS * 4),
          rstd: storage(ROWS * 4),
          rows: ROWS,
          cols: COLS,
          dtype: 'f32',
          outputDtype: 'f16',
          residualRows: ROWS, // the residual's rows (a broadcast one has its own test below)
          epsilon: 1e-3,
          // RMSNorm ops take epsilonMode and unbiased only at their defaults.
          epsilonMode: /rms/i.test(op) ? 'inside-sqrt' : 'add-to-std',
          unbiased: !/rms/i.test(op),
          gammaOffset: 1,
          variant: { reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 },
        };
        const keys = rowNormOptionKeys(op, form === 'encode' ? 'encode' : 'typed');
        const options = Object.fromEntries(keys.filter((k) => valid[k] !== undefined).map((k) => [k, valid[k]]));
        const result = await call(op, form, options);
        expect(result, String((result as Error)?.message)).not.toBeInstanceOf(Error);
      });
    }
  }

  /** Refused in every form, with one message (argument-prefixed) shared by all of them. */
  async function sameRefusal(op: RowNormOpName, options: Record<string, unknown>, argument: string, says: RegExp): Promise<void> {
    const messages = new Set<string>();
    for (const form of FORMS) {
      const e = await refusal(op, form, options);
      expect({ form, code: e.code, argument: e.argument }).toEqual({ form, code: 'invalid-argument', argument });
      expect(e.message, form).toMatch(says);
      messages.add(e.message);
    }
    expect([...messages], `${op} ${JSON.stringify(options)}`).toHaveLength(1);
  }

  test('gammaOffset on a LayerNorm op is refused in every form, whatever its value (0 was accepted by encode)', async () => {
    for (const op of ['layerNorm', 'addLayerNorm'] as const) {
      for (const gammaOffset of [0, 1]) await sameRefusal(op, { gamma: undefined, gammaOffset }, 'gammaOffset', /^gammaOffset: gammaOffset is an RMSNorm option$/);
    }
  });

  test("epsilonMode 'add-to-std' on an RMSNorm op gets one message in every form (it had two)", async () => {
    for (const op of ['rmsNorm', 'addRmsNorm'] as const) await sameRefusal(op, { epsilonMode: 'add-to-std' }, 'epsilonMode', /supports only 'inside-sqrt'/);
  });

  test('keys of a sibling op get their specific message, the same in every form', async () => {
    await sameRefusal('rmsNorm', { beta: new Float32Array(COLS) }, 'beta', /^beta: RMSNorm has no beta; use layerNorm, or add a bias after$/);
    await sameRefusal('addRmsNorm', { unbiased: true }, 'unbiased', /RMSNorm has no variance to correct/);
    await sameRefusal('layerNorm', { bias: new Float32Array(COLS) }, 'bias', /^bias: only the fused add ops take bias$/);
    await sameRefusal('rmsNorm', { gammaOffset: 1, gamma: undefined }, 'gammaOffset', /needs gamma/);
    await sameRefusal('layerNorm', { unbiased: 'yes' }, 'unbiased', /expected a boolean, got "yes"/);
    await sameRefusal('addLayerNorm', { epsilonMode: 'outside' }, 'epsilonMode', /expected 'inside-sqrt' or 'add-to-std', got "outside"/);
  });

  test('keys of the encode form given to a typed-array form say where they belong', async () => {
    for (const form of ['cpu', 'typed'] as const) {
      expect((await refusal('layerNorm', form, { rows: 2 })).message).toMatch(/^rows: rows is an option of encodeLayerNorm/);
      expect((await refusal('rmsNorm', form, { variant: {} })).message).toMatch(/^variant: variant is an option of encodeRmsNorm/);
      expect((await refusal('addLayerNorm', form, { sum: new Float32Array(8) })).message).toMatch(/^sum: sum is an output/);
      expect((await refusal('addRmsNorm', form, { residual: new Float32Array(8) })).message).toMatch(/^residual: residual is an argument of addRmsNorm\(x, residual, options\)/);
      expect((await refusal('addRmsNorm', form, { mean: new Float32Array(2) })).message).toBe('mean: RMSNorm has no mean');
      expect((await refusal('addLayerNorm', form, { mean: new Float32Array(2) })).message).toMatch(/^mean: mean is an output: addLayerNorm\(\) returns it/);
    }
  });

  test('encode operands of a sibling op keep their messages (mean on RMSNorm ops, residual on plain ops)', async () => {
    const m = async (op: RowNormOpName, options: Record<string, unknown>) => (await refusal(op, 'encode', options)).message;
    expect(await m('rmsNorm', { mean: storage(8) })).toBe('mean: RMSNorm has no mean');
    expect(await m('addRmsNorm', { mean: storage(8), rstd: storage(8) })).toBe('mean: RMSNorm has no mean');
    expect(await m('layerNorm', { residual: storage(32) })).toBe('residual: only the fused add ops take residual');
    expect(await m('rmsNorm', { sum: storage(32) })).toBe('sum: only the fused add ops take sum');
    expect(await m('layerNorm', { residualRows: 1 })).toBe('residualRows: only the fused add ops take residualRows');
  });

  test('the fused ops give mean and rstd together (addLayerNorm), like encodeLayerNorm', async () => {
    for (const op of ['layerNorm', 'addLayerNorm'] as const) {
      for (const [given, missing] of [['mean', 'rstd'], ['rstd', 'mean']] as const) {
        const e = await refusal(op, 'encode', { [given]: storage(ROWS * 4) });
        expect({ code: e.code, argument: e.argument, message: e.message }).toEqual({ code: 'invalid-argument', argument: missing, message: `${missing}: give both mean and rstd, or neither` });
      }
    }
    // addRmsNorm has only rstd; sum may be left out.
    expect(await call('addRmsNorm', 'encode', { rstd: storage(ROWS * 4), sum: undefined })).not.toBeInstanceOf(Error);
  });

  test('outputDtype is a dtype, in every form', async () => {
    for (const op of ROW_OPS) {
      await sameRefusal(op, { outputDtype: 'bf16' }, 'outputDtype', /^outputDtype: /);
      await sameRefusal(op, { outputDtype: 16 }, 'outputDtype', /^outputDtype: /);
    }
  });

  test('residualRows is a positive integer dividing rows, in every form', async () => {
    for (const op of ['addLayerNorm', 'addRmsNorm'] as const) {
      for (const bad of [0, -1, 1.5, NaN, '1']) await sameRefusal(op, { residualRows: bad }, 'residualRows', /^residualRows: expected an integer >= 1/);
      const messages = new Set<string>();
      for (const form of FORMS) {
        // rows = 2: 3 rows of residual divide nothing (the typed forms get a residual of 3 rows).
        const e = await callWithResidual(op, form, 3);
        expect(e, form).toBeInstanceOf(NormError);
        expect({ form, code: (e as NormError).code, argument: (e as NormError).argument }).toEqual({ form, code: 'shape-mismatch', argument: 'residualRows' });
        messages.add((e as NormError).message);
      }
      expect([...messages]).toEqual(['residualRows: residualRows 3 does not divide rows 2 (row r adds residual row r % residualRows)']);
    }
  });

  test('the residual holds residualRows rows: typed arrays of another length are refused, buffers too small too', async () => {
    for (const op of ['addLayerNorm', 'addRmsNorm'] as const) {
      for (const form of ['cpu', 'typed'] as const) {
        // residualRows 1 but a residual of 2 rows.
        const e = await call(op, form, { residualRows: 1 });
        expect(e, form).toBeInstanceOf(NormError);
        expect({ code: (e as NormError).code, argument: (e as NormError).argument, message: (e as NormError).message }).toEqual({
          code: 'shape-mismatch',
          argument: 'residual',
          message: `residual: expected residualRows * cols = ${COLS}, got ${ROWS * COLS}`,
        });
        // A residual of one row, broadcast over both rows, is accepted.
        expect(await callWithResidual(op, form, 1)).not.toBeInstanceOf(Error);
      }
      // Encode: a residual buffer of one row is enough for residualRows 1, too small without it.
      expect(await callWithResidual(op, 'encode', 1)).not.toBeInstanceOf(Error);
      const small = await refusal(op, 'encode', { residual: storage(COLS * 4) });
      expect({ code: small.code, argument: small.argument }).toEqual({ code: 'buffer-too-small', argument: 'residual' });
    }
  });

  /** `op` in `form` with a residual of `residualRows` rows and `residualRows` set. */
  async function callWithResidual(op: 'addLayerNorm' | 'addRmsNorm', form: Form, residualRows: number): Promise<unknown> {
    fake ??= fakeDevice();
    norm ??= await createNormalizer({ device: fake.device });
    try {
      if (form === 'encode') {
        const o = { x: storage(ROWS * COLS * 4), y: storage(ROWS * COLS * 4), residual: storage(residualRows * COLS * 4), rows: ROWS, cols: COLS, residualRows };
        return norm[encodeMethod(op)].call(norm, fake.device.createCommandEncoder(), o as never);
      }
      const fn = (form === 'cpu' ? cpu[op] : norm[op].bind(norm)) as (...a: unknown[]) => unknown;
      return await fn(new Float32Array(ROWS * COLS), new Float32Array(residualRows * COLS), { cols: COLS, residualRows });
    } catch (e) {
      return e;
    }
  }
});

// ---------------------------------------------------------------------------------------------
// GPU operands, against fake buffers: only the fields the checks read.

interface FakeBufferInit {
  size: number;
  usage?: number;
  mapState?: GPUBufferMapState;
  label?: string;
}

function fakeBuffer({ size, usage = Usage.STORAGE | Usage.COPY_DST | Usage.COPY_SRC, mapState = 'unmapped', label = 'fake' }: FakeBufferInit): GPUBuffer {
  return {
    size,
    usage,
    mapState,
    label,
    getMappedRange() {
      throw new Error('not mapped');
    },
  } as unknown as GPUBuffer;
}

const LIMITS: OperandLimits = { minStorageBufferOffsetAlignment: 256, maxStorageBufferBindingSize: 1 << 20 };

describe('resolveOperand', () => {
  const buf = fakeBuffer({ size: 4096, label: 'acts' });

  test('a whole buffer binds [0, bytes)', () => {
    expect(resolveOperand(buf, 'x', 1024, LIMITS, false)).toEqual({ argument: 'x', buffer: buf, offset: 0, size: 1024, writes: false });
  });

  test('a binding binds [offset, offset + bytes), trimmed to what the kernel uses', () => {
    expect(resolveOperand({ buffer: buf, offset: 512 }, 'y', 1024, LIMITS, true)).toEqual({ argument: 'y', buffer: buf, offset: 512, size: 1024, writes: true });
    expect(resolveOperand({ buffer: buf, offset: 256, size: 2048 }, 'y', 1024, LIMITS, true)).toMatchObject({ offset: 256, size: 1024 });
    expect(resolveOperand({ buffer: buf }, 'x', 4096, LIMITS, false)).toMatchObject({ offset: 0, size: 4096 });
    expect(resolveOperand({ buffer: buf, offset: undefined, size: undefined }, 'x', 16, LIMITS, false)).toMatchObject({ offset: 0, size: 16 });
  });

  test('exact fits are accepted: to the last byte of the buffer, and at the binding-size limit', () => {
    expect(resolveOperand({ buffer: buf, offset: 3072 }, 'x', 1024, LIMITS, false)).toMatchObject({ offset: 3072, size: 1024 });
    expect(resolveOperand({ buffer: buf, offset: 3072, size: 1024 }, 'x', 1024, LIMITS, false)).toMatchObject({ offset: 3072, size: 1024 });
    const big = fakeBuffer({ size: LIMITS.maxStorageBufferBindingSize });
    expect(resolveOperand(big, 'x', LIMITS.maxStorageBufferBindingSize, LIMITS, false).size).toBe(LIMITS.maxStorageBufferBindingSize);
  });

  test('a smaller device alignment allows smaller offsets', () => {
    const limits = { ...LIMITS, minStorageBufferOffsetAlignment: 32 };
    expect(resolveOperand({ buffer: buf, offset: 32 }, 'x', 16, limits, false).offset).toBe(32);
    expectNormError(() => resolveOperand({ buffer: buf, offset: 16 }, 'x', 16, limits, false), 'misaligned-offset', 'x');
  });

  type Bad = [name: string, operand: unknown, bytes: number, code: NormErrorCode];
  const bad: Bad[] = [
    ['null', null, 16, 'invalid-argument'],
    ['a number', 7, 16, 'invalid-argument'],
    ['a typed array', new Float32Array(4), 16, 'invalid-argument'],
    ['an object without buffer', { offset: 0 }, 16, 'invalid-argument'],
    ['a binding whose buffer is not a buffer', { buffer: {} }, 16, 'invalid-argument'],
    ['an object with size but no getMappedRange', { size: 4096, usage: Usage.STORAGE }, 16, 'invalid-argument'],
    ['offset -256', { buffer: buf, offset: -256 }, 16, 'invalid-argument'],
    ['offset 1.5', { buffer: buf, offset: 1.5 }, 16, 'invalid-argument'],
    ['offset NaN', { buffer: buf, offset: NaN }, 16, 'invalid-argument'],
    ["offset '256' (a string)", { buffer: buf, offset: '256' }, 16, 'invalid-argument'],
    ['offset 4 (not a multiple of 256)', { buffer: buf, offset: 4 }, 16, 'misaligned-offset'],
    ['offset 128 (aligned for vec4, not for binding)', { buffer: buf, offset: 128 }, 16, 'misaligned-offset'],
    ['offset 257', { buffer: buf, offset: 257 }, 16, 'misaligned-offset'],
    ['no STORAGE usage', fakeBuffer({ size: 4096, usage: Usage.COPY_DST | Usage.COPY_SRC }), 16, 'buffer-usage'],
    ['UNIFORM but not STORAGE', fakeBuffer({ size: 4096, usage: Usage.UNIFORM | Usage.COPY_DST }), 16, 'buffer-usage'],
    ['MAP_READ only', fakeBuffer({ size: 4096, usage: Usage.MAP_READ | Usage.COPY_DST }), 16, 'buffer-usage'],
    ['mapped', fakeBuffer({ size: 4096, mapState: 'mapped' }), 16, 'invalid-argument'],
    ['mapping pending', fakeBuffer({ size: 4096, mapState: 'pending' }), 16, 'invalid-argument'],
    ['whole buffer too small', fakeBuffer({ size: 1020 }), 1024, 'buffer-too-small'],
    ['offset leaves too little', { buffer: buf, offset: 3328 }, 1024, 'buffer-too-small'],
    ['offset at the end', { buffer: buf, offset: 4096 }, 4, 'buffer-too-small'],
    ['offset past the end', { buffer: buf, offset: 8192 }, 4, 'buffer-too-small'],
    ['size smaller than needed', { buffer: buf, offset: 0, size: 1020 }, 1024, 'buffer-too-small'],
    ['size 0', { buffer: buf, offset: 0, size: 0 }, 4, 'buffer-too-small'],
    ['range past the end', { buffer: buf, offset: 3840, size: 512 }, 256, 'buffer-too-small'],
    ['size -4', { buffer: buf, offset: 0, size: -4 }, 4, 'invalid-argument'],
    ['size 1.5', { buffer: buf, offset: 0, size: 1.5 }, 1, 'invalid-argument'],
    ['size NaN', { buffer: buf, offset: 0, size: NaN }, 4, 'invalid-argument'],
    ['over maxStorageBufferBindingSize', fakeBuffer({ size: 4 << 20 }), (1 << 20) + 4, 'limit-exceeded'],
  ];

  for (const [name, operand, bytes, code] of bad) {
    test(`${name} → ${code}`, () => {
      expectNormError(() => resolveOperand(operand, 'gamma', bytes, LIMITS, false), code, 'gamma');
    });
  }

  test('messages name the buffer by its label and give the numbers', () => {
    const noStorage = fakeBuffer({ size: 64, usage: Usage.COPY_DST, label: 'my weights' });
    expect(thrown(() => resolveOperand(noStorage, 'gamma', 16, LIMITS, false))).toHaveProperty('message', 'gamma: buffer "my weights" lacks GPUBufferUsage.STORAGE');
    expect(thrown(() => resolveOperand({ buffer: buf, offset: 3328 }, 'x', 1024, LIMITS, false))).toHaveProperty(
      'message',
      'x: needs 1024 bytes at offset 3328, but the buffer has 768',
    );
    expect(thrown(() => resolveOperand({ buffer: buf, size: 16 }, 'x', 1024, LIMITS, false))).toHaveProperty('message', 'x: needs 1024 bytes at offset 0, but the range is 16');
  });

  test('an unlabeled buffer is called that, not quoted as ""', () => {
    const noStorage = fakeBuffer({ size: 64, usage: Usage.COPY_DST, label: '' });
    expect(thrown(() => resolveOperand(noStorage, 'x', 16, LIMITS, false))).toHaveProperty('message', 'x: an unlabeled buffer lacks GPUBufferUsage.STORAGE');
    const mapped = fakeBuffer({ size: 64, label: '', mapState: 'mapped' });
    expect(thrown(() => resolveOperand(mapped, 'x', 16, LIMITS, false))).toHaveProperty('message', 'x: an unlabeled buffer is mapped; unmap it before use');
    const shared = fakeBuffer({ size: 1 << 16, label: '' });
    const e = thrown(() =>
      checkAliasing([
        { argument: 'x', buffer: shared, offset: 0, size: 1024, writes: false },
        { argument: 'y', buffer: shared, offset: 512, size: 1024, writes: true },
      ]),
    );
    expect((e as Error).message).toContain('of an unlabeled buffer)');
    expect((e as Error).message).not.toContain('""');
  });
});

// ---------------------------------------------------------------------------------------------
describe('checkAliasing', () => {
  const a = fakeBuffer({ size: 1 << 16, label: 'a' });
  const b = fakeBuffer({ size: 1 << 16, label: 'b' });
  const r = (argument: string, buffer: GPUBuffer, offset: number, size: number, writes: boolean): NamedRange => ({ argument, buffer, offset, size, writes });

  test('y overlapping x in the same buffer is refused, blaming the output y', () => {
    const e = expectNormError(() => checkAliasing([r('x', a, 0, 1024, false), r('y', a, 512, 1024, true)]), 'aliasing', 'y');
    expect(e.message).toMatch(/^y: shares a buffer with the input x \(bytes \[512, 1536\) and \[0, 1024\) of buffer "a"\)/);
  });

  test('in-place (y exactly x) is refused', () => {
    expectNormError(() => checkAliasing([r('x', a, 256, 1024, false), r('y', a, 256, 1024, true)]), 'aliasing', 'y');
  });

  test('an output and an input may not share a buffer even at disjoint ranges (WebGPU validates usage per buffer)', () => {
    expectNormError(() => checkAliasing([r('x', a, 0, 1024, false), r('y', a, 1024, 1024, true)]), 'aliasing', 'y');
    expectNormError(() => checkAliasing([r('y', a, 8192, 1024, true), r('x', a, 0, 1024, false)]), 'aliasing', 'y');
    expectNormError(() => checkAliasing([r('x', b, 0, 64, false), r('y', b, 256, 64, true)]), 'aliasing', 'y');
    expectNormError(() => checkAliasing([r('x', b, 0, 64, false), r('y', a, 0, 64, true), r('gamma', a, 4096, 16, false)]), 'aliasing', 'y');
    expectNormError(() => checkAliasing([r('x', b, 0, 64, false), r('y', a, 0, 64, true), r('beta', b, 4096, 16, false), r('mean', b, 8192, 4, true)]), 'aliasing', 'mean');
  });

  test('outputs may share a buffer at disjoint ranges; overlapping outputs are refused, blaming the later one', () => {
    expect(() => checkAliasing([r('x', b, 0, 64, false), r('y', a, 0, 64, true), r('mean', a, 256, 32, true), r('rstd', a, 512, 32, true)])).not.toThrow();
    expect(() => checkAliasing([r('mean', a, 256, 32, true), r('rstd', a, 288, 32, true)])).not.toThrow(); // touching
    const e = expectNormError(() => checkAliasing([r('x', b, 0, 64, false), r('y', a, 0, 64, true), r('mean', a, 256, 64, true), r('rstd', a, 288, 64, true)]), 'aliasing', 'rstd');
    expect(e.message).toMatch(/^rstd: overlaps the output mean/);
    expectNormError(() => checkAliasing([r('y', a, 0, 64, true), r('mean', a, 63, 4, true)]), 'aliasing', 'mean');
  });

  test('the same ranges in different buffers do not alias', () => {
    expect(() => checkAliasing([r('x', a, 0, 1024, false), r('y', b, 0, 1024, true), r('mean', fakeBuffer({ size: 1024 }), 0, 1024, true)])).not.toThrow();
  });

  test('read-only operands may overlap each other (gamma and beta in one range, even x)', () => {
    expect(() =>
      checkAliasing([r('x', a, 0, 4096, false), r('y', b, 0, 4096, true), r('gamma', a, 0, 64, false), r('beta', a, 0, 64, false)]),
    ).not.toThrow();
  });

  test('inputs sharing one buffer and outputs sharing another, at resolved aligned offsets, pass', () => {
    const ins = fakeBuffer({ size: 8192 });
    const outs = fakeBuffer({ size: 8192 });
    const ranges = [
      resolveOperand({ buffer: ins, offset: 0 }, 'x', 1024, LIMITS, false),
      resolveOperand({ buffer: outs, offset: 0 }, 'y', 1024, LIMITS, true),
      resolveOperand({ buffer: ins, offset: 1024, size: 16 }, 'gamma', 16, LIMITS, false),
      resolveOperand({ buffer: ins, offset: 1280, size: 16 }, 'beta', 16, LIMITS, false),
      resolveOperand({ buffer: outs, offset: 1024 }, 'mean', 16, LIMITS, true),
      resolveOperand({ buffer: outs, offset: 1280 }, 'rstd', 16, LIMITS, true),
    ];
    expect(() => checkAliasing(ranges)).not.toThrow();
    // A binding size larger than the kernel uses does not count: only the bound bytes can overlap.
    const generous = [
      resolveOperand({ buffer: outs, offset: 0, size: 8192 }, 'y', 1024, LIMITS, true),
      resolveOperand({ buffer: outs, offset: 1024 }, 'mean', 16, LIMITS, true),
    ];
    expect(() => checkAliasing(generous)).not.toThrow();
  });

  test('property: refused exactly when an output shares a buffer with an input, or overlaps another output', () => {
    const names = ['x', 'y', 'gamma', 'beta', 'mean', 'rstd'];
    const range = fc.record({
      buffer: fc.constantFrom(a, b),
      offset: fc.integer({ min: 0, max: 64 }),
      size: fc.integer({ min: 1, max: 32 }),
      writes: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 6 }), (rs) => {
        const ranges = rs.map((x, i) => r(names[i]!, x.buffer, x.offset, x.size, x.writes));
        let culprit: string | undefined;
        outer: for (let i = 0; i < ranges.length; i++) {
          for (let j = i + 1; j < ranges.length; j++) {
            const p = ranges[i]!;
            const q = ranges[j]!;
            if (p.buffer !== q.buffer || (!p.writes && !q.writes)) continue;
            const overlap = Math.max(p.offset, q.offset) < Math.min(p.offset + p.size, q.offset + q.size);
            if (p.writes !== q.writes || overlap) {
              culprit = p.writes && !q.writes ? p.argument : q.argument;
              break outer;
            }
          }
        }
        const e = thrown(() => checkAliasing(ranges));
        if (culprit === undefined) {
          expect(e).toBeUndefined();
        } else {
          expect(e).toBeInstanceOf(NormError);
          expect((e as NormError).code).toBe('aliasing');
          expect((e as NormError).argument).toBe(culprit);
          // The blamed operand is always one the kernel writes.
          expect(ranges.find((x) => x.argument === culprit)!.writes).toBe(true);
        }
      }),
    );
  });
});
