/**
 * Property-based fuzzing of the row-norm family in the page (fast-check, bundled by Vite): shapes,
 * options, forms, buffer offsets and values — ordinary ones mixed with NaN, ±Inf, f32 and f16
 * subnormals, ±65504 and large per-row shifts — every result checked against the float64
 * reference (check-row-norm.ts), rows with non-finite inputs excluded from y/mean/rstd but never
 * allowed to disturb the other rows. Fixed seed, bounded runs, no shrinking (SwiftShader is slow):
 * a failure reports the seed and path, which replay it exactly.
 */
import fc from 'fast-check';
import { f32ToF16, type Normalizer } from '../../../dist/index.js';
import { checkRowNorm, isAdd, isRms, runConvenience, type RowOp, type RowOptions, type RowOutputs } from '../../row-norm/check-row-norm.js';
import { normalizer } from './harness.js';
import { encodeMethod } from '../../../src/ops/table.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e-39, 1.4e-45, 65504, -65504, 6e-8, -6.1e-5, 1e15, -1e15];
const value = fc.oneof(
  // fc.double leans on edge values (0, -0, ±8); the integer grid gives ordinary spread-out rows.
  { arbitrary: fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((i) => i / 2 ** 17), weight: 20 },
  { arbitrary: fc.double({ min: -8, max: 8, noNaN: true, noDefaultInfinity: true }), weight: 10 },
  { arbitrary: fc.constantFrom(...SPECIAL), weight: 1 },
);
const param = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
const floats = (n: number, arb: fc.Arbitrary<number>) => fc.array(arb, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

interface FuzzCase {
  rows: number;
  cols: number;
  dtype: 'f32' | 'f16';
  shift: number;
  epsilon: number;
  epsilonMode: 'inside-sqrt' | 'add-to-std';
  unbiased: boolean;
  gammaOffset: number;
  form: 'convenience' | 'encode' | 'pass';
  /** Operand offsets in units of minStorageBufferOffsetAlignment (up to 4096: megabyte offsets). */
  slots: number[];
  x: Float32Array;
  residual: Float32Array;
  gamma: Float32Array | undefined;
  beta: Float32Array | undefined;
  bias: Float32Array | undefined;
}

function fuzzCase(op: RowOp): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      rows: fc.integer({ min: 1, max: 6 }),
      cols: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 40 }), weight: 4 }, { arbitrary: fc.constantFrom(64, 100, 257, 768), weight: 1 }),
      dtype: fc.constantFrom<'f32' | 'f16'>('f32', 'f16'),
      shift: fc.constantFrom(0, 0, 0, 1e3, -1e4, 1e5),
      epsilon: fc.constantFrom(1e-5, 1e-6, 1e-3, 0.1),
      epsilonMode: isRms(op) ? fc.constant<'inside-sqrt'>('inside-sqrt') : fc.constantFrom<'inside-sqrt' | 'add-to-std'>('inside-sqrt', 'add-to-std'),
      unbiased: isRms(op) ? fc.constant(false) : fc.boolean(),
      gammaOffset: isRms(op) ? fc.constantFrom(0, 1) : fc.constant(0),
      form: fc.constantFrom<'convenience' | 'encode' | 'pass'>('convenience', 'encode', 'pass'),
      slots: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4096 })), { minLength: 9, maxLength: 9 }),
      withGamma: fc.boolean(),
      withBeta: fc.boolean(),
      withBias: fc.boolean(),
    })
    .chain((c) =>
      fc.record({
        c: fc.constant(c),
        x: floats(c.rows * c.cols, value),
        residual: isAdd(op) ? floats(c.rows * c.cols, value) : fc.constant(new Float32Array(0)),
        gamma: floats(c.cols, param),
        beta: floats(c.cols, param),
        bias: floats(c.cols, param),
      }),
    )
    .map(({ c, x, residual, gamma, beta, bias }) => ({
      ...c,
      x: c.shift ? x.map((v) => v + c.shift) : x,
      residual,
      gamma: c.withGamma ? gamma : undefined,
      beta: c.withBeta && !isRms(op) ? beta : undefined,
      bias: c.withBias && isAdd(op) ? bias : undefined,
    }));
}

const toStorage = (v: Float32Array, dtype: 'f32' | 'f16') => (dtype === 'f16' ? Uint16Array.from(v, (t) => f32ToF16(t)) : v);

/** The encode form with every operand in its own buffer at `slots[i] * alignment`. */
async function runEncodedAt(norm: Normalizer, op: RowOp, c: FuzzCase, x: Float32Array | Uint16Array, residual: Float32Array | Uint16Array | undefined, options: RowOptions): Promise<RowOutputs> {
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const actBytes = Math.ceil(x.byteLength / 4) * 4;
  const created: GPUBuffer[] = [];
  let slot = 0;
  const place = (bytes: number, data?: Float32Array | Uint16Array) => {
    const offset = c.slots[slot++]! * A;
    const buffer = device.createBuffer({ size: offset + bytes, usage });
    created.push(buffer);
    if (data) {
      const padded = new Uint8Array(bytes);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      device.queue.writeBuffer(buffer, offset, padded);
    }
    return { buffer, offset, size: bytes };
  };
  const o: Record<string, unknown> = { rows: c.rows, cols: c.cols, dtype: c.dtype, epsilon: options.epsilon, x: place(actBytes, x), y: place(actBytes) };
  if (options.gamma) o.gamma = place(c.cols * 4, options.gamma);
  if (options.beta) o.beta = place(c.cols * 4, options.beta);
  if (options.epsilonMode) o.epsilonMode = options.epsilonMode;
  if (options.unbiased) o.unbiased = true;
  if (options.gammaOffset) o.gammaOffset = options.gammaOffset;
  if (isAdd(op)) {
    o.residual = place(actBytes, residual);
    o.sum = place(actBytes);
    if (options.bias) o.bias = place(c.cols * 4, options.bias);
  } else {
    if (!isRms(op)) o.mean = place(c.rows * 4);
    o.rstd = place(c.rows * 4);
  }
  const method = encodeMethod(op);
  const encoder = device.createCommandEncoder();
  const encode = (t: GPUCommandEncoder | GPUComputePassEncoder) => (norm[method] as (t: unknown, o: unknown) => unknown).call(norm, t, o);
  if (c.form === 'pass') {
    const pass = encoder.beginComputePass();
    encode(pass);
    pass.end();
  } else {
    encode(encoder);
  }
  const names = (['y', 'sum', 'mean', 'rstd'] as const).filter((n) => o[n]);
  const sizes = names.map((n) => (o[n] as { size: number }).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const rb = device.createBuffer({ size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  created.push(rb);
  let at = 0;
  names.forEach((n, i) => {
    const r = o[n] as { buffer: GPUBuffer; offset: number; size: number };
    encoder.copyBufferToBuffer(r.buffer, r.offset, rb, at, sizes[i]!);
    at += sizes[i]!;
  });
  device.queue.submit([encoder.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const data = rb.getMappedRange();
  const out: Partial<RowOutputs> = {};
  at = 0;
  names.forEach((n, i) => {
    const isAct = n === 'y' || n === 'sum';
    const slice = data.slice(at, at + (isAct ? x.byteLength : sizes[i]!));
    out[n] = (isAct && c.dtype === 'f16' ? new Uint16Array(slice) : new Float32Array(slice)) as Float32Array & Uint16Array;
    at += sizes[i]!;
  });
  rb.unmap();
  for (const b of created) b.destroy();
  return out as RowOutputs;
}

export interface FuzzReport {
  readonly op: RowOp;
  readonly seed: number;
  readonly runs: number;
  /** Cases that had at least one poisoned (non-finite reference) row, and at least one healthy row beside it. */
  readonly poisonedCases: number;
  readonly isolationCases: number;
  readonly validationErrors: number;
  /** fast-check's report (seed, path, counterexample, error) when a property failed, else null. */
  readonly failure: string | null;
  readonly ms: number;
}

/** Runs `numRuns` fuzz cases of `op` with `seed` on the shared normalizer. */
async function fuzzOp(op: RowOp, seed: number, numRuns: number): Promise<FuzzReport> {
  const norm = await normalizer();
  let runs = 0;
  let poisonedCases = 0;
  let isolationCases = 0;
  let validationErrors = 0;
  const t0 = performance.now();
  const property = fc.asyncProperty(fuzzCase(op), async (c) => {
    runs++;
    const x = toStorage(c.x, c.dtype);
    const residual = isAdd(op) ? toStorage(c.residual, c.dtype) : undefined;
    const options: RowOptions = {
      cols: c.cols,
      dtype: c.dtype,
      epsilon: c.epsilon,
      ...(c.gamma ? { gamma: c.gamma } : {}),
      ...(c.beta ? { beta: c.beta } : {}),
      ...(c.bias ? { bias: c.bias } : {}),
      // gammaOffset needs gamma (refused without it: the bad-input table covers that).
      ...(isRms(op) ? (c.gammaOffset && c.gamma ? { gammaOffset: c.gammaOffset } : {}) : { epsilonMode: c.epsilonMode, unbiased: c.unbiased }),
    };
    norm.device.pushErrorScope('validation');
    let out: RowOutputs;
    try {
      out = c.form === 'convenience' ? await runConvenience(norm, op, x, residual, options) : await runEncodedAt(norm, op, c, x, residual, options);
    } finally {
      const e = await norm.device.popErrorScope();
      if (e) {
        validationErrors++;
        throw new Error(`validation error: ${e.message}`);
      }
    }
    const r = checkRowNorm(op, x, residual, options, out);
    if (r.poisonedRows > 0) poisonedCases++;
    if (r.poisonedRows > 0 && r.poisonedRows < c.rows) isolationCases++;
    if (!r.ok) throw new Error(`${op} ${c.rows}x${c.cols} ${c.dtype} ${c.form} shift ${c.shift} eps ${c.epsilon}: ${r.detail}`);
  });
  const details = await fc.check(property, { seed, numRuns, endOnFailure: true });
  // The check's own message first (what failed, worst elements), then the (long) counterexample.
  const failure = details.failed
    ? `seed ${seed}, path "${details.counterexamplePath}": ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}\n${fc.defaultReportMessage(details) ?? ''}`.slice(0, 6000)
    : null;
  return { op, seed, runs, poisonedCases, isolationCases, validationErrors, failure, ms: performance.now() - t0 };
}

export const fuzz = { fuzzOp };
