/**
 * Cross-form parity: one form-neutral row (op, option changes, expected outcome) runs through the
 * typed-array form `await norm.<op>(…)`, the encode form `norm.<encodeMethod(op)>(encoder, …)` and
 * the CPU reference `cpu.<op>(…)`, and all three must give the row's outcome: accept, or refuse
 * with the same NormError `code` and `argument`. The normalizer runs on the recording fake device
 * (test/core/fake-device.ts): accepted calls record work and read back zeros, which is enough, since
 * only validation is compared.
 *
 * A row states option changes over the op's fixture (a small valid call): a plain value replaces
 * or adds the option in every form, {@link OMIT} removes it, and an operand marker
 * ({@link P}, {@link like}) becomes what each form takes for that operand, sized right: a
 * Float32Array (or an activation array in the storage dtype) for the typed and CPU forms, a
 * buffer for the encode form. Operand-size mistakes are out of scope: they differ by nature between
 * forms (an array of the wrong length is `shape-mismatch`, a buffer too small `buffer-too-small`).
 */
import { test, expect } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { encodeMethod, OPS, type OpName } from '../../src/ops/table.js';
import { fakeDevice } from './fake-device.js';

/** An operand given in every form, sized like the operand `name` (the option's own key when empty). */
export class Operand {
  constructor(readonly name = '') {}
}
/** The option's own operand, present and sized right in each form. */
export const P = new Operand();
/**
 * An operand sized like `name` under another key (misspelled keys).
 *
 * @example
 * ```ts
 * row('layerNorm', "misspelled 'gama'", { gama: like('gamma') }, refuse('invalid-argument', 'gama'));
 * ```
 */
export const like = (name: string): Operand => new Operand(name);
/** Removes the option from the fixture's call. */
export const OMIT = Symbol('omit');

/** What every form must do with a row's call. */
export type Outcome = 'accept' | { readonly code: string; readonly argument: string | null };

export interface ParityRow {
  readonly op: OpName;
  /** What the row tries (the test name is `op: name`). */
  readonly name: string;
  readonly change: Readonly<Record<string, unknown>>;
  readonly expect: Outcome;
  /** Set where current src drifts: the row runs as `test.fails` and this says how. */
  readonly drift?: string;
}

/**
 * A refusal with `code` naming `argument`.
 *
 * @example
 * ```ts
 * refuse('invalid-argument', 'cols'); // { code: 'invalid-argument', argument: 'cols' }
 * ```
 */
export const refuse = (code: string, argument: string | null): Outcome => ({ code, argument });

/**
 * One row.
 *
 * @example
 * ```ts
 * row('rmsNorm', 'beta', { beta: P }, refuse('invalid-argument', 'beta'));
 * ```
 */
export function row(op: OpName, name: string, change: Record<string, unknown>, outcome: Outcome, drift?: string): ParityRow {
  return { op, name, change, expect: outcome, ...(drift ? { drift } : {}) };
}

/** Element counts, by what an operand is sized after. */
interface Sizes {
  readonly elements: number;
  readonly rows: number;
  readonly cols: number;
  readonly channels: number;
}

/** `act`: activations in the storage dtype; otherwise f32 of the given count. */
type Size = 'act' | keyof Omit<Sizes, 'elements'>;

/** A small valid call of an op, stated once for all forms. */
interface Fixture {
  /** The activation arrays the typed and CPU forms take before the options, in order. */
  readonly inputs: readonly string[];
  /** Options every call starts from (shape and required operands). */
  readonly base: Readonly<Record<string, unknown>>;
  /** Options only the encode form takes (its row count; the typed form derives it from x). */
  readonly encodeShape: Readonly<Record<string, unknown>>;
  /** Outputs only the encode form is given. */
  readonly outputs: Readonly<Record<string, Size>>;
  /** What each operand is sized after. */
  readonly operands: Readonly<Record<string, Size>>;
  readonly sizes: Sizes;
}

const ROW = { rows: 2, cols: 4, elements: 8, channels: 0 };
const CHANNEL = { batch: 2, channels: 4, spatial: 3, layout: 'NCHW' };
const CHANNEL_SIZES = { rows: 0, cols: 0, elements: 24, channels: 4 };

function fixture(op: OpName): Fixture {
  const spec = OPS[op];
  switch (spec.family) {
    case 'row-norm': {
      const add = OPS[op as 'layerNorm'].fusedAdd;
      return {
        inputs: add ? ['x', 'residual'] : ['x'],
        base: { cols: ROW.cols },
        encodeShape: { rows: ROW.rows },
        outputs: add ? { y: 'act', sum: 'act' } : { y: 'act' },
        operands: { gamma: 'cols', beta: 'cols', bias: 'cols', mean: 'rows', rstd: 'rows' },
        sizes: ROW,
      };
    }
    case 'lp-norm':
      return { inputs: ['x'], base: { cols: ROW.cols }, encodeShape: { rows: ROW.rows }, outputs: { y: 'act' }, operands: { norm: 'rows' }, sizes: ROW };
    case 'backward':
      return {
        inputs: ['dy', 'x'],
        base: { cols: ROW.cols, rstd: P, ...(op === 'layerNormBackward' ? { mean: P } : {}) },
        encodeShape: { rows: ROW.rows },
        outputs: { dx: 'act' },
        operands: { gamma: 'cols', beta: 'cols', mean: 'rows', rstd: 'rows', dsum: 'act' },
        sizes: ROW,
      };
    case 'group-norm':
      return {
        inputs: ['x'],
        base: { ...CHANNEL, ...(op === 'groupNorm' ? { groups: 2 } : {}) },
        encodeShape: {},
        outputs: { y: 'act' },
        operands: { gamma: 'channels', beta: 'channels', mean: 'channels', rstd: 'channels' },
        sizes: CHANNEL_SIZES,
      };
    case 'batch-norm':
      return op === 'batchNormStats'
        ? { inputs: ['x'], base: CHANNEL, encodeShape: {}, outputs: { mean: 'channels', var: 'channels' }, operands: { gamma: 'channels' }, sizes: CHANNEL_SIZES }
        : {
            inputs: ['x'],
            base: { ...CHANNEL, runningMean: P, runningVar: P },
            encodeShape: {},
            outputs: { y: 'act' },
            operands: {
              gamma: 'channels',
              beta: 'channels',
              runningMean: 'channels',
              runningVar: 'channels',
              ...(op === 'batchNormTraining' ? { mean: 'channels', var: 'channels', newRunningMean: 'channels', newRunningVar: 'channels' } : {}),
            },
            sizes: CHANNEL_SIZES,
          };
  }
}

type Form = 'typed' | 'encode' | 'cpu';

/** The row's options with its changes applied, operands made for `form`. */
function materialize(f: Fixture, change: Readonly<Record<string, unknown>>, form: Form, device: GPUDevice): { inputs: unknown[]; options: Record<string, unknown> } {
  const merged: Record<string, unknown> = { ...(form === 'encode' ? f.encodeShape : {}), ...f.base, ...change };
  const f16 = merged.dtype === 'f16';
  const count = (size: Size) => (size === 'act' ? f.sizes.elements : f.sizes[size]);
  const array = (size: Size) => (size === 'act' && f16 ? new Uint16Array(count(size)) : new Float32Array(count(size)));
  const bytes = (size: Size) => (size === 'act' && f16 ? Math.ceil(count(size) / 2) * 4 : count(size) * 4);
  const buffer = (size: Size) => device.createBuffer({ size: bytes(size), usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST });
  const make = (size: Size) => (form === 'encode' ? buffer(size) : array(size));
  const sizeOf = (name: string): Size => {
    const size = f.operands[name] ?? (f.inputs.includes(name) ? 'act' : undefined);
    if (size === undefined) throw new Error(`the fixture has no operand '${name}'`);
    return size;
  };
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (value === OMIT) continue;
    options[key] = value instanceof Operand ? make(sizeOf(value.name || key)) : value;
  }
  if (form === 'encode') {
    // An input or output the row changes keeps the row's value (a row may pass a non-buffer there).
    for (const name of f.inputs) if (!(name in change)) options[name] = buffer('act');
    for (const [name, size] of Object.entries(f.outputs)) {
      if (name in change) continue;
      // y in another dtype than x (the row-norm ops' outputDtype) is sized in that dtype.
      const other = name === 'y' && (merged.outputDtype === 'f16' || merged.outputDtype === 'f32') && merged.outputDtype !== (f16 ? 'f16' : 'f32');
      options[name] = other ? device.createBuffer({ size: merged.outputDtype === 'f16' ? Math.ceil(f.sizes.elements / 2) * 4 : f.sizes.elements * 4, usage: Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST }) : buffer(size);
    }
    return { inputs: [], options };
  }
  return { inputs: f.inputs.map(() => array('act')), options };
}

/** What a call did: accepted, or the NormError's code and argument (anything else is reported as such). */
async function outcome(call: () => unknown): Promise<Outcome> {
  try {
    await call();
    return 'accept';
  } catch (e) {
    if (e instanceof NormError) return { code: e.code, argument: e.argument ?? null };
    return { code: `not a NormError: ${String(e)}`, argument: null };
  }
}

/**
 * Runs `row` through the three forms on a fresh normalizer over a fake device.
 *
 * @example
 * ```ts
 * await runParity(row('layerNorm', 'cols 0', { cols: 0 }, refuse('invalid-argument', 'cols')));
 * // { typed: { code: 'invalid-argument', argument: 'cols' }, encode: …, cpu: … }
 * ```
 */
export async function runParity(r: ParityRow): Promise<Record<Form, Outcome>> {
  const { device } = fakeDevice();
  const norm: Normalizer = await createNormalizer({ device, tuning: false, persistTuning: false });
  const f = fixture(r.op);
  const call = (target: object, method: string, form: Form) => {
    const { inputs, options } = materialize(f, r.change, form, device);
    const fn = (target as Record<string, (...a: unknown[]) => unknown>)[method]!;
    return outcome(() => (form === 'encode' ? fn.call(target, device.createCommandEncoder(), options) : fn.call(target, ...inputs, options)));
  };
  const result = {
    typed: await call(norm, r.op, 'typed'),
    encode: await call(norm, encodeMethod(r.op), 'encode'),
    cpu: await call(cpu, r.op, 'cpu'),
  };
  norm.destroy();
  return result;
}

/**
 * Registers one vitest test per row: all three forms must give the row's outcome. Rows with a
 * `drift` run as `test.fails` (the drift is named in the row and in the test name).
 *
 * @example
 * ```ts
 * parityTests(ROWS);
 * ```
 */
export function parityTests(rows: readonly ParityRow[]): void {
  for (const r of rows) {
    const name = `${r.op}: ${r.name}${r.drift ? ` [drift: ${r.drift}]` : ''}`;
    (r.drift ? test.fails : test)(name, async () => {
      const got = await runParity(r);
      const say = (o: Outcome) => (o === 'accept' ? 'accept' : `${o.code} (${o.argument})`);
      expect(got, `expected ${say(r.expect)}; typed: ${say(got.typed)}, encode: ${say(got.encode)}, cpu: ${say(got.cpu)}`).toEqual({ typed: r.expect, encode: r.expect, cpu: r.expect });
    });
  }
}
