/**
 * One case of the row-normalization family, run in the page: inputs from a seed, the op on the
 * GPU (convenience form, caller's encoder, or caller's compute pass with operands at non-zero
 * offsets), inside a validation error scope; the result compared with the float64 reference.
 */
import { cpu, f16ToF32, f32ToF16, type RowNormVariant, type Normalizer } from '../../dist/index.js';
import { compare, compareF16, type Comparison } from '../shared/compare.js';
import { makeAffine, makeInput, normal, poisonedRow, rng, type Pattern } from '../shared/data.js';
import { meanTolerance, rstdTolerance, yTolerance } from '../shared/tolerance.js';
import { outputHash } from '../shared/output-hash.js';
import { encodeMethod, OPS, type RowNormOpName } from '../../src/ops/table.js';

export type RowOp = RowNormOpName;

export interface RowNormCase {
  readonly op: RowOp;
  readonly rows: number;
  readonly cols: number;
  readonly pattern: Pattern;
  readonly seed: number;
  /** Which per-feature parameters are given (beta is ignored by the RMS ops). */
  readonly affine: 'none' | 'gamma' | 'beta' | 'both';
  readonly epsilon: number;
  readonly dtype: 'f32' | 'f16';
  /** convenience: typed arrays; encode: caller's encoder, operands at non-zero offsets; pass: caller's compute pass. */
  readonly form: 'convenience' | 'encode' | 'pass';
  readonly epsilonMode?: 'inside-sqrt' | 'add-to-std';
  readonly unbiased?: boolean;
  readonly gammaOffset?: number;
  /** Fused ops: add a per-feature bias. */
  readonly bias?: boolean;
  readonly variant?: RowNormVariant;
  /** The dtype y is written in (default dtype). */
  readonly outputDtype?: 'f32' | 'f16';
  /** Fused ops: the residual has this many rows, broadcast over x's rows (row r adds r % residualRows). */
  readonly residualRows?: number;
  /** Fused ops, encode forms: also write sum's mean (addLayerNorm) and rstd. */
  readonly stats?: boolean;
  /** Fused ops, encode forms: leave sum out (not written). */
  readonly noSum?: boolean;
}

export interface RowNormCaseResult {
  readonly y: Comparison;
  readonly sum: Comparison | null;
  readonly mean: Comparison | null;
  readonly rstd: Comparison | null;
  /** The poisoned row (nan-row / inf-row), how many of its outputs are non-finite, and of how many. */
  readonly poisoned: { row: number; nonFinite: number; cols: number } | null;
  readonly validationError: string | null;
  readonly variant: RowNormVariant | null;
  readonly gpuMs: number;
  /** Digest of every output's bytes (y, sum, mean, rstd), to prove a refactor bit-identical. */
  readonly hash: string;
}

type Outputs = { y: Float32Array | Uint16Array; sum?: Float32Array | Uint16Array; mean?: Float32Array; rstd?: Float32Array };

const align = (n: number, a: number) => Math.ceil(n / a) * a;
const isRms = (op: RowOp) => OPS[op].statistic === 'mean-square';
const isAdd = (op: RowOp) => OPS[op].fusedAdd;

function toStorage(values: Float32Array, dtype: 'f32' | 'f16'): Float32Array | Uint16Array {
  if (dtype === 'f32') return values;
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = f32ToF16(values[i]!);
  return bits;
}

/** Records the op with every operand in a caller-made buffer at a non-zero offset, reads back. */
async function runEncoded(norm: Normalizer, c: RowNormCase, inputs: Record<string, Float32Array | Uint16Array | undefined>): Promise<Outputs & { variant: RowNormVariant }> {
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const elementBytes = align(c.rows * c.cols * (c.dtype === 'f16' ? 2 : 4), 4);
  const yDtype = c.outputDtype ?? c.dtype;
  const yBytes = align(c.rows * c.cols * (yDtype === 'f16' ? 2 : 4), 4);
  const created: GPUBuffer[] = [];
  // Each operand gets its own buffer with `A` bytes of padding in front (and a second offset for y).
  const place = (data: Float32Array | Uint16Array | undefined, bytes: number, offset = A) => {
    const buffer = device.createBuffer({ size: offset + align(bytes, 4), usage: S });
    created.push(buffer);
    if (data) {
      const padded = new Uint8Array(align(data.byteLength, 4));
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      device.queue.writeBuffer(buffer, offset, padded);
    }
    return { buffer, offset, size: align(bytes, 4) };
  };
  const operands: Record<string, unknown> = {
    rows: c.rows,
    cols: c.cols,
    epsilon: c.epsilon,
    dtype: c.dtype,
    variant: c.variant,
    x: place(inputs.x, elementBytes),
    y: place(undefined, yBytes, 2 * A),
  };
  if (c.outputDtype) operands.outputDtype = c.outputDtype;
  for (const name of ['gamma', 'beta', 'bias'] as const) if (inputs[name]) operands[name] = place(inputs[name], c.cols * 4);
  if (c.epsilonMode) operands.epsilonMode = c.epsilonMode;
  if (c.unbiased) operands.unbiased = c.unbiased;
  if (c.gammaOffset !== undefined) operands.gammaOffset = c.gammaOffset;
  if (isAdd(c.op)) {
    operands.residual = place(inputs.residual, align(inputs.residual!.byteLength, 4));
    if (c.residualRows !== undefined) operands.residualRows = c.residualRows;
    if (!c.noSum) operands.sum = place(undefined, elementBytes, 3 * A);
    if (c.stats) {
      if (!isRms(c.op)) operands.mean = place(undefined, c.rows * 4);
      operands.rstd = place(undefined, c.rows * 4, 2 * A);
    }
  } else {
    if (!isRms(c.op)) operands.mean = place(undefined, c.rows * 4);
    operands.rstd = place(undefined, c.rows * 4, 2 * A);
  }
  const encoder = device.createCommandEncoder();
  const method = encodeMethod(c.op);
  const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) => (norm[method] as (t: typeof target, o: unknown) => RowNormVariant)(target, operands);
  let variant: RowNormVariant;
  if (c.form === 'pass') {
    const pass = encoder.beginComputePass();
    variant = encode(pass);
    pass.end();
  } else {
    variant = encode(encoder);
  }
  const outs = (['y', 'sum', 'mean', 'rstd'] as const).filter((n) => operands[n]);
  let total = 0;
  const at: Record<string, number> = {};
  for (const n of outs) {
    at[n] = total;
    total += (operands[n] as { size: number }).size;
  }
  const rb = device.createBuffer({ size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  created.push(rb);
  for (const n of outs) {
    const o = operands[n] as { buffer: GPUBuffer; offset: number; size: number };
    encoder.copyBufferToBuffer(o.buffer, o.offset, rb, at[n]!, o.size);
  }
  device.queue.submit([encoder.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const data = rb.getMappedRange();
  const n = c.rows * c.cols;
  const act = (name: string) =>
    (name === 'y' ? yDtype : c.dtype) === 'f16' ? new Uint16Array(data.slice(at[name]!, at[name]! + n * 2)) : new Float32Array(data.slice(at[name]!, at[name]! + n * 4));
  const out: Outputs & { variant: RowNormVariant } = { y: act('y'), variant };
  if (outs.includes('sum')) out.sum = act('sum');
  if (outs.includes('mean')) out.mean = new Float32Array(data.slice(at.mean!, at.mean! + c.rows * 4));
  if (outs.includes('rstd')) out.rstd = new Float32Array(data.slice(at.rstd!, at.rstd! + c.rows * 4));
  rb.unmap();
  for (const b of created) b.destroy();
  return out;
}

function* rowsExcept(rows: number, skip: number) {
  for (let r = 0; r < rows; r++) if (r !== skip) yield r;
}

/** Runs one case on `norm` and compares every output with the float64 reference. */
export async function rowNormCase(norm: Normalizer, c: RowNormCase): Promise<RowNormCaseResult> {
  const { rows, cols, op, dtype } = c;
  const rms = isRms(op);
  const add = isAdd(op);
  const xValues = makeInput(c.pattern, rows, cols, c.seed);
  const affine = makeAffine(cols, c.seed);
  const gamma = c.affine === 'gamma' || c.affine === 'both' ? affine.gamma : undefined;
  const beta = !rms && (c.affine === 'beta' || c.affine === 'both') ? affine.beta : undefined;
  let residualValues: Float32Array | undefined;
  let bias: Float32Array | undefined;
  if (add) {
    const n = normal(rng(c.seed * 7919 + 1));
    residualValues = new Float32Array((c.residualRows ?? rows) * cols);
    for (let i = 0; i < residualValues.length; i++) residualValues[i] = 0.5 * n();
    if (c.bias) bias = affine.beta.map((b) => b * 0.25);
  }
  const x = toStorage(xValues, dtype);
  const residual = residualValues && toStorage(residualValues, dtype);
  const options = {
    cols,
    gamma,
    beta,
    bias,
    dtype,
    epsilon: c.epsilon,
    ...(c.epsilonMode ? { epsilonMode: c.epsilonMode } : {}),
    ...(c.unbiased ? { unbiased: c.unbiased } : {}),
    ...(c.gammaOffset !== undefined ? { gammaOffset: c.gammaOffset } : {}),
    ...(c.outputDtype ? { outputDtype: c.outputDtype } : {}),
    ...(c.residualRows !== undefined ? { residualRows: c.residualRows } : {}),
  };
  const yDtype = c.outputDtype ?? dtype;

  norm.device.pushErrorScope('validation');
  const t0 = performance.now();
  let out!: Outputs & { variant: RowNormVariant | null };
  let scopeError: GPUError | null = null;
  try {
    if (c.form === 'convenience') {
      const call = norm[op] as (...a: unknown[]) => Promise<Outputs>;
      out = { ...(await (add ? call.call(norm, x, residual, options) : call.call(norm, x, options))), variant: null };
    } else {
      out = await runEncoded(norm, c, { x, residual, gamma, beta, bias });
    }
  } finally {
    scopeError = await norm.device.popErrorScope();
  }
  const gpuMs = performance.now() - t0;

  const refFn = cpu[`${op}F64`] as (...a: unknown[]) => { y: Float64Array; sum?: Float64Array; mean?: Float64Array; rstd: Float64Array };
  const ref = add ? refFn(x, residual, options) : refFn(x, options);
  const bad = poisonedRow(c.pattern, rows);
  const healthyElements = function* () {
    for (const r of rowsExcept(rows, bad)) for (let j = 0; j < cols; j++) yield r * cols + j;
  };
  const activation = (actual: Float32Array | Uint16Array, expected: Float64Array, exact: boolean, type = dtype): Comparison =>
    type === 'f16'
      ? compareF16(actual as Uint16Array, expected, f32ToF16, exact ? 0 : 1, healthyElements(), exact ? () => 0 : (yTolerance(cols, gamma, c.gammaOffset ?? 0).atol as (i: number) => number), f16ToF32)
      : compare(actual, expected, exact ? { rtol: 0, atol: 0 } : yTolerance(cols, gamma, c.gammaOffset ?? 0), healthyElements());
  let nonFinite = 0;
  if (bad >= 0) {
    for (let j = 0; j < cols; j++) {
      const v = out.y[bad * cols + j]!;
      if (yDtype === 'f16' ? (v & 0x7c00) === 0x7c00 : !Number.isFinite(v)) nonFinite++;
    }
  }
  return {
    y: activation(out.y, ref.y, false, yDtype),
    // h is formed by the same f32 additions on both sides: it must match to the bit.
    sum: add && out.sum ? activation(out.sum, ref.sum!, true) : null,
    mean: out.mean && ref.mean ? compare(out.mean, ref.mean, meanTolerance(ref.rstd), rowsExcept(rows, bad)) : null,
    rstd: out.rstd ? compare(out.rstd, ref.rstd, rstdTolerance, rowsExcept(rows, bad)) : null,
    poisoned: bad >= 0 ? { row: bad, nonFinite, cols } : null,
    validationError: scopeError ? scopeError.message : null,
    variant: out.variant,
    gpuMs,
    // The fused ops' statistics (returned since outputDtype/residualRows came in) are compared above
    // but not digested, so the digests of the cases written before them stay comparable.
    hash: add ? outputHash(out.y, out.sum, undefined, undefined) : outputHash(out.y, out.sum, out.mean, out.rstd),
  };
}
