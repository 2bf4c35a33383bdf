/**
 * The chunk-at-a-time packed f16 kernels (`f16vec`: row_norm_f16_vec.wgsl, add_row_norm_f16_vec.wgsl,
 * chosen for f16 → f16 with cols % 4 == 0) against the element-wise packed kernels, bit for bit,
 * through the BUILT dist/ in Node (Dawn; any adapter, no `shader-f16` needed).
 *
 * The element-wise kernels serve the same width when y is f32 (input_f16.wgsl / add_input_f16.wgsl
 * with output_scalar.wgsl): the same input side and core, y stored unrounded. So for each op,
 * shape, option set and forced layout, the f16 y must be that f32 y rounded once (src/core/f16.ts,
 * bit-identical to the kernels' rounding; NaN as the quiet NaN of its sign), and sum, mean and
 * rstd must be the same bits (on SwiftShader; elsewhere up to a NaN's sign, see NAN_SIGN_EXACT). y is also checked against the float64 reference at the library's f16
 * tolerance. Rows are adversarial: a large common offset, values whose squares (and sums) overflow
 * f16, zero variance, subnormal halves, a NaN, an Inf; the option sets cover bias, a broadcast
 * residual, no sum, the statistics, Gemma's 1 + gamma and the epsilon conventions. (The exact
 * sum of ONNX's float16 Skip* nodes, internal only, is in test/onnx/onnx.gpu.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as Lib from '../../src/index.js';
import { expectNearReference, random, readOutputs, U } from './f16-checks.js';
import { DRIVER_ENV } from './drivers.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, cpu, toF16Array, f32ToF16, describeVariant } = lib;

let norm: Lib.Normalizer;
const uncaptured: string[] = [];

beforeAll(async () => {
  norm = await createNormalizer();
  norm.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
});
afterAll(() => {
  norm?.destroy();
  expect(uncaptured).toEqual([]);
});

type Op = 'layerNorm' | 'rmsNorm' | 'addLayerNorm' | 'addRmsNorm';

/**
 * Rows of x (or, `residual`, of the residual) cycling through: noise, a large common offset,
 * |x| up to 60000 (squares overflow f16; x + residual may too), zero variance (x and residual
 * constant), subnormal halves (|v| < 2^-14), a NaN, an Inf (in x only).
 */
function adversarial(rows: number, cols: number, seed: number, residual: boolean): Uint16Array {
  const next = random(seed);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const kind = r % 7;
    for (let c = 0; c < cols; c++) {
      const u = next() * 2 - 1;
      const v = [3 * u, 1000 + 8 * u, 60000 * u, 7.5, 2 ** -15 * u, u, u][kind]!;
      out[r * cols + c] = residual ? [u, 0.5 * u, 30000 * u, -2.5, 2 ** -16 * u, u, u][kind]! : v;
    }
    if (!residual && kind === 5) out[r * cols + Math.floor(cols / 2)] = NaN;
    if (!residual && kind === 6) out[r * cols + cols - 1] = Infinity;
  }
  return toF16Array(out);
}

interface Outputs {
  /** The variant that ran. */
  variant: Lib.RowNormVariant;
  y: Uint16Array | Uint32Array;
  sum?: Uint16Array;
  mean?: Uint32Array;
  rstd?: Uint32Array;
}

interface OptionSet {
  readonly name: string;
  readonly bias?: boolean;
  /** Rows of the residual (a divisor of rows); absent: rows. */
  readonly residualRows?: number;
  readonly noSum?: boolean;
  readonly stats?: boolean;
  readonly gammaOffset?: number;
  readonly epsilonMode?: 'add-to-std';
  readonly unbiased?: boolean;
}

const OPTION_SETS: Record<Op, readonly OptionSet[]> = {
  layerNorm: [{ name: 'statistics', stats: true }, { name: 'eps added to std, unbiased', stats: true, epsilonMode: 'add-to-std', unbiased: true }],
  rmsNorm: [{ name: 'statistics, 1 + gamma', stats: true, gammaOffset: 1 }],
  addLayerNorm: [
    { name: 'bias, sum, statistics', bias: true, stats: true },
    { name: 'residual broadcast, no sum, statistics', residualRows: 7, noSum: true, stats: true },
    { name: 'one residual row, bias, sum', residualRows: 1, bias: true },
  ],
  addRmsNorm: [
    { name: 'bias, sum, statistics, 1 + gamma', bias: true, stats: true, gammaOffset: 1 },
    { name: 'residual broadcast, bias, no sum, statistics', residualRows: 7, bias: true, noSum: true, stats: true },
  ],
};

interface Inputs {
  rows: number;
  cols: number;
  x: Uint16Array;
  residual: Uint16Array;
  residualRows: number;
  gamma: Float32Array;
  beta: Float32Array;
  bias: Float32Array;
}

/** One op through its encode form (y in `outputDtype`, a forced variant or the rule's); reads back every output as bits. */
async function run(op: Op, inp: Inputs, set: OptionSet, outputDtype: 'f16' | 'f32', variant: Lib.RowNormVariant | undefined): Promise<Outputs> {
  const device = norm.device;
  const owned: GPUBuffer[] = [];
  const buffer = (size: number, data?: ArrayBufferView) => {
    const b = device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: U.STORAGE | U.COPY_SRC | U.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, Math.ceil(data.byteLength / 4) * 4);
    owned.push(b);
    return b;
  };
  const { rows, cols } = inp;
  const n = rows * cols;
  const add = op.startsWith('add');
  const layer = op === 'layerNorm' || op === 'addLayerNorm';
  const yBytes = outputDtype === 'f16' ? 2 : 4;
  const o: Record<string, unknown> = { rows, cols, dtype: 'f16', outputDtype, x: buffer(2 * n, inp.x), y: buffer(yBytes * n), gamma: buffer(4 * cols, inp.gamma) };
  if (variant) o.variant = variant;
  if (layer) o.beta = buffer(4 * cols, inp.beta);
  if (add) {
    o.residual = buffer(2 * inp.residualRows * cols, inp.residual);
    if (inp.residualRows !== rows) o.residualRows = inp.residualRows;
    if (set.bias) o.bias = buffer(4 * cols, inp.bias);
    if (!set.noSum) o.sum = buffer(2 * n);
  }
  if (set.stats) {
    o.rstd = buffer(4 * rows);
    if (layer) o.mean = buffer(4 * rows);
  }
  if (set.gammaOffset !== undefined) o.gammaOffset = set.gammaOffset;
  if (set.epsilonMode) o.epsilonMode = set.epsilonMode;
  if (set.unbiased) o.unbiased = true;
  const encoder = device.createCommandEncoder();
  const encode = (norm as unknown as Record<string, (e: GPUCommandEncoder, o: object) => Lib.RowNormVariant>)[`encode${op[0]!.toUpperCase()}${op.slice(1)}`]!;
  const used = encode.call(norm, encoder, o);
  if (variant) expect(used).toEqual(variant);
  const reads = (['y', 'sum', 'mean', 'rstd'] as const).filter((k) => o[k] !== undefined);
  const read = await readOutputs(device, encoder, Object.fromEntries(reads.map((k) => [k, o[k] as GPUBuffer])), owned);
  const out: Record<string, unknown> = { variant: used };
  for (const k of reads) {
    const bytes = read[k]!;
    const half = k === 'sum' || (k === 'y' && outputDtype === 'f16');
    out[k] = half ? new Uint16Array(bytes, 0, n) : new Uint32Array(bytes, 0, k === 'y' ? n : rows);
  }
  for (const b of owned) b.destroy();
  return out as unknown as Outputs;
}

/** f32 bits rounded once to f16 bits, as the kernels round (NaN: the quiet NaN of its sign). */
function roundBits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) & 0x8000) | 0x7e00;
  return f32ToF16(new Float32Array(new Uint32Array([bits]).buffer)[0]!);
}

/**
 * SwiftShader's code for the two kernels gives a NaN the same sign; lavapipe's LLVM may commute
 * the operands of an addition or multiplication of two NaNs (IEEE 754 leaves the sign of a NaN
 * result unspecified), so there a NaN's sign may differ, as it does between layouts of one kernel.
 */
const NAN_SIGN_EXACT = process.env[DRIVER_ENV] === 'swiftshader';

/**
 * Where two bit arrays (f16 halves or f32 words) differ: '' when identical (up to a NaN's sign
 * where NAN_SIGN_EXACT is off), else the count and the first difference.
 */
function differences(a: ArrayLike<number>, b: ArrayLike<number>, half: boolean, at: (i: number) => string): string {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const sign = half ? 0x8000 : 0x80000000;
  const nan = (v: number) => (half ? (v & 0x7fff) > 0x7c00 : (v & 0x7fffffff) > 0x7f800000);
  let count = 0;
  let first = '';
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (!NAN_SIGN_EXACT && nan(a[i]!) && nan(b[i]!) && ((a[i]! ^ b[i]!) >>> 0) === sign) continue;
    if (count++ === 0) first = `${at(i)}: chunk kernel 0x${a[i]!.toString(16)}, element-wise 0x${b[i]!.toString(16)}`;
  }
  return count === 0 ? '' : `${count}/${a.length} differ, first ${first}`;
}

/**
 * Layouts forced, one per way the kernels call the I/O functions (whole rows, one or four per
 * invocation; teams keeping chunks in registers or not, both reductions; split rows, whose second
 * dispatch reads back what the first wrote), and the selection rule's own choice (undefined).
 */
function layouts(subgroups: boolean): (Lib.RowNormVariant | undefined)[] {
  const wg = (workgroupSize: number, threadsPerRow: number, more: Partial<Lib.RowNormVariant> = {}): Lib.RowNormVariant => ({ reduction: 'workgroup', vec4: false, workgroupSize, threadsPerRow, cachedChunks: 0, ...more });
  return [
    undefined,
    wg(16, 1),
    wg(4, 1, { rowsPerInvocation: 4 }),
    wg(8, 8, { cachedChunks: 2, ...(subgroups ? { reduction: 'subgroup' as const } : {}) }),
    wg(16, 4, { cachedChunks: 1 }),
    wg(8, 8, { splitRow: 3 }),
  ];
}

// Widths that are multiples of 4: a single chunk, a typical width, a row longer than the
// registers hold and split rows uneven in chunks; 14 rows: two of each kind, and residual
// broadcasts over 7 rows.
const SHAPES = [
  { rows: 14, cols: 4 },
  { rows: 14, cols: 768 },
  { rows: 14, cols: 4100 },
];

/**
 * Under `NODE_CASE_SAMPLE` (npm test's budget, test/node/setup.ts) each option set runs the rule's
 * layout and one forced layout, rotating through them over the option sets and shapes, so every
 * layout still runs on every driver; `npm run test:node` runs every layout for every set.
 */
const SAMPLED = Number(process.env.NODE_CASE_SAMPLE ?? '1') > 1;

describe('packed f16 chunk kernels (f16vec) vs the element-wise packed kernels, bit for bit, built dist/index.js', () => {
  for (const op of ['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm'] as const) {
    for (const [shapeIndex, { rows, cols }] of SHAPES.entries()) {
      test(`${op} f16 ${rows}x${cols}: y, sum, mean, rstd as the element-wise kernel's (y rounded from its f32 y), y near the float64 reference`, async () => {
        const subgroups = norm.device.features.has('subgroups');
        const gamma = Float32Array.from({ length: cols }, (_, i) => 1 + 0.25 * Math.sin(i));
        const beta = Float32Array.from({ length: cols }, (_, i) => 0.1 * Math.cos(i));
        const bias = Float32Array.from({ length: cols }, (_, i) => 0.5 * Math.sin(3 * i + 1));
        for (const [setIndex, set] of OPTION_SETS[op].entries()) {
          const residualRows = set.residualRows ?? rows;
          const inp: Inputs = { rows, cols, x: adversarial(rows, cols, rows * 131 + cols, false), residual: adversarial(residualRows, cols, cols + 7, true), residualRows, gamma, beta, bias };
          const layer = op === 'layerNorm' || op === 'addLayerNorm';
          const o = {
            cols,
            gamma,
            ...(layer ? { beta } : {}),
            ...(set.bias ? { bias } : {}),
            ...(residualRows !== rows ? { residualRows } : {}),
            ...(set.gammaOffset !== undefined ? { gammaOffset: set.gammaOffset } : {}),
            ...(set.epsilonMode ? { epsilonMode: set.epsilonMode } : {}),
            ...(set.unbiased ? { unbiased: true } : {}),
          };
          const f64 = op === 'layerNorm' ? cpu.layerNormF64(inp.x, o) : op === 'rmsNorm' ? cpu.rmsNormF64(inp.x, o) : op === 'addLayerNorm' ? cpu.addLayerNormF64(inp.x, inp.residual, o) : cpu.addRmsNormF64(inp.x, inp.residual, o);
          const all = layouts(subgroups);
          const forced = 1 + ((setIndex + shapeIndex) % (all.length - 1));
          for (const variant of SAMPLED ? [all[0], all[forced]] : all) {
            const what = `${set.name}, ${variant ? describeVariant(variant) : 'rule'}`;
            let fast = await run(op, inp, set, 'f16', variant);
            if (fast.variant.nativeF16) {
              // The rule's choice on a device with shader-f16 (plain ops): its layout, packed.
              const { nativeF16: _, ...layout } = fast.variant;
              fast = await run(op, inp, set, 'f16', { ...layout, vec4: false });
            }
            // The element-wise kernel on the layout the chunk kernel ran (the rule's choice too).
            const slow = await run(op, inp, set, 'f32', fast.variant);
            const at = (i: number) => `[${Math.floor(i / cols)},${i % cols}]`;
            expect(differences(fast.y, Array.from(slow.y, roundBits), true, at), `${what}: y`).toBe('');
            expect(fast.sum === undefined, `${what}: sum written by both or neither`).toBe(slow.sum === undefined);
            if (fast.sum) expect(differences(fast.sum, slow.sum!, true, at), `${what}: sum`).toBe('');
            for (const k of ['mean', 'rstd'] as const) {
              expect(fast[k] === undefined, `${what}: ${k} written by both or neither`).toBe(slow[k] === undefined);
              if (fast[k]) expect(differences(fast[k], slow[k]!, false, (i) => `[${i}]`), `${what}: ${k}`).toBe('');
            }
            expectNearReference(fast.y as Uint16Array, f64.y, `${what}: y`);
          }
        }
      }, 600_000);
    }
  }
});
