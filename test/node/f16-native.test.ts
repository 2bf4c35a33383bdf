/**
 * Native `shader-f16` row-norm kernels against the packed-u32 ones, both forced, through the BUILT
 * dist/ in Node (Dawn). Runs where the node project's adapter has `shader-f16` (lavapipe:
 * `VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json`); on an adapter without it (SwiftShader)
 * only the refusal of a forced native variant is checked and the comparisons are reported skipped.
 *
 * For each op, shape, layout (one row per invocation, four rows per invocation, a team keeping
 * chunks in registers, split rows) and access (packed, native element-wise, native vec4<f16>):
 * y within 1 f16 ULP of the packed kernel's (NaN where it has NaN), both within the library's f16
 * tolerance of the float64 reference, mean/rstd as the packed kernel's, and the fused forms' sum
 * bit-identical to the packed kernel's and to the CPU reference. Rows are adversarial: a large
 * common offset, values whose squares overflow f16, zero variance, a NaN, an Inf.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type * as Lib from '../../src/index.js';
import { expectNearReference, random, readOutputs, U, ulps } from './f16-checks.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, cpu, toF16Array, NormError, describeVariant } = lib;

let norm: Lib.Normalizer;
let native = false;
const uncaptured: string[] = [];

beforeAll(async () => {
  norm = await createNormalizer();
  native = norm.device.features.has('shader-f16');
  norm.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
});
afterAll(() => {
  norm?.destroy();
  expect(uncaptured).toEqual([]);
});

type Op = 'layerNorm' | 'rmsNorm' | 'addLayerNorm' | 'addRmsNorm';
// The fused add forms (residual broadcast, statistics outputs, optional sum) run the packed f16
// kernels only; a forced native variant there is refused (below).
const OPS: readonly Op[] = ['layerNorm', 'rmsNorm'];

/**
 * f16 rows, cycling through: plain noise, a large common offset (1000 ± 8), values whose squares
 * overflow f16 (|x| up to 60000), zero variance, a NaN, an Inf.
 */
function adversarial(rows: number, cols: number, seed: number): Uint16Array {
  const next = random(seed);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const u = next() * 2 - 1;
      const kind = r % 6;
      out[r * cols + c] = kind === 0 ? 3 * u : kind === 1 ? 1000 + 8 * u : kind === 2 ? 60000 * u : kind === 3 ? 7.5 : u;
    }
    if (r % 6 === 4) out[r * cols + Math.floor(cols / 2)] = NaN;
    if (r % 6 === 5) out[r * cols + cols - 1] = Infinity;
  }
  return toF16Array(out);
}

interface Outputs {
  y: Uint16Array;
  sum?: Uint16Array;
  mean?: Float32Array;
  rstd?: Float32Array;
}

/** One op through its encode form with a forced variant; reads back every output. */
async function run(op: Op, rows: number, cols: number, xh: Uint16Array, rh: Uint16Array, gamma: Float32Array, beta: Float32Array, variant: Lib.RowNormVariant): Promise<Outputs> {
  const device = norm.device;
  const owned: GPUBuffer[] = [];
  const buffer = (size: number, data?: ArrayBufferView) => {
    const b = device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: U.STORAGE | U.COPY_SRC | U.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, Math.ceil(data.byteLength / 4) * 4);
    owned.push(b);
    return b;
  };
  const n = rows * cols;
  const add = op.startsWith('add');
  const layer = op === 'layerNorm' || op === 'addLayerNorm';
  const o: Record<string, unknown> = { rows, cols, dtype: 'f16', variant, x: buffer(2 * n, xh), y: buffer(2 * n), gamma: buffer(4 * cols, gamma) };
  if (layer) o.beta = buffer(4 * cols, beta);
  if (add) Object.assign(o, { residual: buffer(2 * n, rh), sum: buffer(2 * n) });
  if (!add) o.rstd = buffer(4 * rows);
  if (op === 'layerNorm') o.mean = buffer(4 * rows);
  const encoder = device.createCommandEncoder();
  const encode = (norm as unknown as Record<string, (e: GPUCommandEncoder, o: object) => Lib.RowNormVariant>)[`encode${op[0]!.toUpperCase()}${op.slice(1)}`]!;
  expect(encode.call(norm, encoder, o)).toEqual(variant);
  const reads = (['y', 'sum', 'mean', 'rstd'] as const).filter((k) => o[k] !== undefined);
  const read = await readOutputs(device, encoder, Object.fromEntries(reads.map((k) => [k, o[k] as GPUBuffer])), owned);
  const out: Record<string, unknown> = {};
  for (const k of reads) {
    const bytes = read[k]!;
    out[k] = k === 'y' || k === 'sum' ? new Uint16Array(bytes, 0, n) : new Float32Array(bytes, 0, rows);
  }
  for (const b of owned) b.destroy();
  return out as unknown as Outputs;
}

/** Statistics of the two paths: the same f32 arithmetic on the same values. */
function expectSameStats(a: Float32Array | undefined, b: Float32Array | undefined, what: string) {
  expect(a === undefined, what).toBe(b === undefined);
  if (!a || !b) return;
  for (let i = 0; i < a.length; i++) {
    const same = Object.is(a[i], b[i]) || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)) || Math.abs(a[i]! - b[i]!) <= 1e-6 * Math.abs(b[i]!);
    expect(same, `${what}[${i}]: native ${a[i]} packed ${b[i]}`).toBe(true);
  }
}

/**
 * Layouts forced for a shape, one per way the kernels call the I/O functions: whole rows (one or
 * four per invocation), a team keeping chunks in registers, split rows (the fused forms' second
 * dispatch reads back the sum the first wrote). Each (op, layout, access) is a pipeline that
 * lavapipe compiles slowly, so the list is kept to these.
 */
function layouts(rows: number, subgroups: boolean): Omit<Lib.RowNormVariant, 'vec4'>[] {
  const out: Omit<Lib.RowNormVariant, 'vec4'>[] = [
    { reduction: 'workgroup', workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 },
    { reduction: 'workgroup', workgroupSize: 8, threadsPerRow: 8, cachedChunks: 0, splitRow: 3 },
    { reduction: subgroups ? 'subgroup' : 'workgroup', workgroupSize: 8, threadsPerRow: 8, cachedChunks: 2 },
  ];
  if (rows >= 8) out.push({ reduction: 'workgroup', workgroupSize: 4, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 });
  return out;
}

/** Pipeline compilation on lavapipe, on two shared cores, takes minutes for the first shapes. */
const TIMEOUT_MS = 600_000;

const SHAPES = [
  { rows: 6, cols: 13 },
  { rows: 12, cols: 768 },
  { rows: 7, cols: 4099 },
  { rows: 2, cols: 4096 },
];

describe('native shader-f16 row norms vs packed f16 (forced), built dist/index.js', () => {
  test('a forced native variant is refused where the device has no shader-f16 and by the backward kernels, accepted by the forward ones where it has', () => {
    const v: Lib.RowNormVariant = { reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0, nativeF16: true };
    const owned = [2 * 768, 2 * 768, 2 * 768, 2 * 768, 4, 4].map((size) => norm.device.createBuffer({ size, usage: U.STORAGE }));
    const [x, y, dy, dx, mean, rstd] = owned as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(NormError);
        return (e as InstanceType<typeof NormError>).argument;
      }
      return 'accepted';
    };
    const encoder = norm.device.createCommandEncoder();
    try {
      const forward = refusal(() => expect(norm.encodeLayerNorm(encoder, { x, y, rows: 1, cols: 768, dtype: 'f16', variant: v })).toEqual(v));
      expect(forward).toBe(native ? 'accepted' : 'variant.nativeF16');
      // The backward kernels read f16 packed only: a native variant there is refused, not ignored.
      expect(refusal(() => norm.encodeLayerNormBackward(encoder, { dy, x, dx, mean, rstd, rows: 1, cols: 768, dtype: 'f16', variant: v }))).toBe('variant.nativeF16');
      // The fused add forms and an f32 y run the packed modules: native is refused, not ignored.
      expect(refusal(() => norm.encodeAddLayerNorm(encoder, { x, residual: dy, y, sum: dx, rows: 1, cols: 768, dtype: 'f16', variant: v }))).toBe('variant.nativeF16');
      expect(refusal(() => norm.encodeLayerNorm(encoder, { x, y: dx, rows: 1, cols: 384, dtype: 'f16', outputDtype: 'f32', variant: v }))).toBe('variant.nativeF16');
      const packed = { ...v, vec4: false, nativeF16: false };
      expect(refusal(() => norm.encodeLayerNormBackward(encoder, { dy, x, dx, mean, rstd, rows: 1, cols: 768, dtype: 'f16', variant: packed }))).toBe('accepted');
    } finally {
      encoder.finish();
      for (const b of owned) b.destroy();
    }
  });

  for (const op of OPS) {
    for (const { rows, cols } of SHAPES) {
      test(`${op} f16 ${rows}x${cols}: native within 1 ULP of packed, both near the float64 reference`, async (ctx) => {
        if (!native) ctx.skip();
        const n = rows * cols;
        const pad = (a: Uint16Array) => {
          const out = new Uint16Array(n + (n % 2));
          out.set(a);
          return out;
        };
        const xh = pad(adversarial(rows, cols, rows * 131 + cols));
        const rh = pad(toF16Array(Array.from({ length: n }, random(cols + 7)).map((u) => 2 * u - 1)));
        const gamma = Float32Array.from({ length: cols }, (_, i) => 1 + 0.25 * Math.sin(i));
        const beta = Float32Array.from({ length: cols }, (_, i) => 0.1 * Math.cos(i));
        const xs = xh.subarray(0, n);
        const rs = rh.subarray(0, n);
        const layer = op === 'layerNorm' || op === 'addLayerNorm';
        const o = layer ? { cols, gamma, beta } : { cols, gamma };
        const f64 = op === 'layerNorm' ? cpu.layerNormF64(xs, o) : op === 'rmsNorm' ? cpu.rmsNormF64(xs, o) : op === 'addLayerNorm' ? cpu.addLayerNormF64(xs, rs, o) : cpu.addRmsNormF64(xs, rs, o);
        const refSum = op === 'addLayerNorm' ? cpu.addLayerNorm(xs, rs, o).sum : op === 'addRmsNorm' ? cpu.addRmsNorm(xs, rs, o).sum : undefined;
        const subgroups = norm.device.features.has('subgroups');
        for (const layout of layouts(rows, subgroups)) {
          const packedVariant: Lib.RowNormVariant = { ...layout, vec4: false };
          const packed = await run(op, rows, cols, xh, rh, gamma, beta, packedVariant);
          const label = describeVariant(packedVariant);
          expectNearReference(packed.y, f64.y, `packed ${label} y`);
          for (const vec4 of cols % 4 === 0 ? [false, true] : [false]) {
            const v: Lib.RowNormVariant = { ...layout, vec4, nativeF16: true };
            const got = await run(op, rows, cols, xh, rh, gamma, beta, v);
            const what = `${describeVariant(v)}`;
            let worst = 0;
            for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(got.y[i]!, packed.y[i]!));
            expect(worst, `${what}: y vs packed, largest distance in f16 ULPs`).toBeLessThanOrEqual(1);
            expectNearReference(got.y, f64.y, `${what} y`);
            expectSameStats(got.mean, packed.mean, `${what} mean`);
            expectSameStats(got.rstd, packed.rstd, `${what} rstd`);
            if (refSum) {
              expect(Array.from(got.sum!), `${what} sum vs packed`).toEqual(Array.from(packed.sum!));
              expect(Array.from(got.sum!), `${what} sum vs CPU`).toEqual(Array.from(refSum as Uint16Array));
            }
          }
        }
      }, TIMEOUT_MS);
    }
  }
});
