/**
 * Wide rows as exact as narrow ones in the backward passes, as test/row-norm/wide-rows.gpu.test.ts
 * checks the forward ones: rows up to the widest WebGPU's default limits bind (2^25 f32 elements,
 * 128 MiB), x with mean 1000, unit spread and 16 outliers of 1e5 placed away from the pivot (f16:
 * mean 0 and outliers of 6e4, which f16 holds), under the selection rule's own dx kernel. dy is
 * x̂ plus a little noise (the gradient of ½‖y‖² plus a target's), so Σ g·x̂ is mostly a sum of
 * positive terms that the outliers dominate: a per-invocation running sum that already holds an
 * outlier's term rounds away the low bits of every small block added after it. The three-level
 * blocked sums of shaders/backward/row_norm_backward_core.wgsl (docs/numerics.md) keep that within
 * the tolerance; the two-level sums before them did not (each case fails with them). The
 * statistics are computed here in float64 and rounded to f32, and the same f32 values feed the GPU
 * and the float64 reference; dx is read back at the outliers, each row's ends and sampled
 * positions and held to the library's tolerance (test/backward/backward-case.ts). Only the samples
 * are read back, so a case stays cheap (one upload of x and dy).
 *
 * The last case does the same for the sums across rows, dgamma and dbeta of a very tall input
 * (shaders/backward/param_grad_final_core.wgsl).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openHarness, type HarnessPage } from '../gpu/page.js';

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

interface WideBackwardResult {
  readonly variant: string;
  readonly error: string | null;
  /** Samples outside the tolerance, and how many were checked. */
  readonly failures: number;
  readonly count: number;
  /** Worst error as a fraction of the tolerance (f16: the smaller of ULPs over 1 and error over the f32 bound). */
  readonly worst: number;
}

/**
 * Runs in the page: one wide LayerNorm or RMSNorm backward (no gamma), dx at sampled places against
 * float64. dy = x̂ + noise · (u + u + u − 1.5) with u uniform in [0, 1).
 */
async function wideBackward(
  harness: import('../gpu/harness/harness.js').Harness,
  a: { op: 'layerNorm' | 'rmsNorm'; rows: number; cols: number; dtype: 'f32' | 'f16'; noise: number },
): Promise<WideBackwardResult> {
  const norm = await harness.normalizer();
  const { f32ToF16, f16ToF32 } = harness.lib;
  const device = norm.device;
  const { rows, cols, dtype } = a;
  const rms = a.op === 'rmsNorm';
  const f16 = dtype === 'f16';
  const n = rows * cols;
  let s = 12345;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  // Stored values, and their f16 bits for f16 cases.
  const store = (v: Float32Array<ArrayBuffer>): Uint16Array<ArrayBuffer> | Float32Array<ArrayBuffer> => {
    if (!f16) return v;
    const bits = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      bits[i] = f32ToF16(v[i]!);
      v[i] = f16ToF32(bits[i]!);
    }
    return bits;
  };
  // f16 steps are 0.5 at 1000, and 1e5 overflows f16.
  const center = f16 ? 0 : 1000;
  const jump = f16 ? 6e4 : 1e5;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = center + (u() + u() + u() - 1.5) * 2;
  // 16 outliers above the rest, none at a row's first element (the pivot).
  const outliers: number[] = [];
  for (let k = 0; k < 16; k++) {
    const i = (k % rows) * cols + 1 + Math.floor(((k + 0.5) / 16) * (cols - 1));
    x[i] = center + jump;
    outliers.push(i);
  }
  const xStored = store(x);
  // Statistics in float64, rounded to f32: what a forward pass hands the backward pass.
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[r * cols + j]!;
    const m = rms ? 0 : sum / cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += (x[r * cols + j]! - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(ss / cols + 1e-5);
  }
  const xhat = (i: number) => {
    const r = Math.floor(i / cols);
    return (x[i]! - mean[r]!) * rstd[r]!;
  };
  const dy = new Float32Array(n);
  for (let i = 0; i < n; i++) dy[i] = xhat(i) + a.noise * (u() + u() + u() - 1.5);
  const dyStored = store(dy);

  const S = 0x80;
  const SRC = 0x04;
  const DST = 0x08;
  const bytes = Math.ceil((n * (f16 ? 2 : 4)) / 4) * 4;
  // writeBuffer takes whole words: an odd number of halves gets a zero half after it.
  const upload = (data: Float32Array<ArrayBuffer> | Uint16Array<ArrayBuffer>) => {
    const b = device.createBuffer({ size: bytes, usage: S | DST });
    let view: Uint8Array<ArrayBuffer> | Float32Array<ArrayBuffer> | Uint16Array<ArrayBuffer> = data;
    if (data.byteLength !== bytes) {
      const padded = new Uint8Array(bytes);
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      view = padded;
    }
    device.queue.writeBuffer(b, 0, view);
    return b;
  };
  const xb = upload(xStored);
  const dyb = upload(dyStored);
  const dxb = device.createBuffer({ size: bytes, usage: S | SRC });
  const mb = device.createBuffer({ size: rows * 4, usage: S | DST });
  const rb = device.createBuffer({ size: rows * 4, usage: S | DST });
  device.queue.writeBuffer(mb, 0, mean);
  device.queue.writeBuffer(rb, 0, rstd);
  // dx at the outliers, each row's first and last element, and 256 random places.
  const sample = [...outliers];
  for (let r = 0; r < rows; r++) sample.push(r * cols, r * cols + cols - 1);
  for (let k = 0; k < 256; k++) sample.push(Math.floor(u() * n));
  // The 4-byte word holding each sample (f16: two halves to a word).
  const wordOf = (i: number) => (f16 ? i >> 1 : i);
  const out = device.createBuffer({ size: sample.length * 4, usage: 0x01 | DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  const common = { dy: dyb, x: xb, dx: dxb, rstd: rb, rows, cols, dtype };
  const variant = rms ? norm.encodeRmsNormBackward(encoder, common) : norm.encodeLayerNormBackward(encoder, { ...common, mean: mb });
  sample.forEach((i, k) => encoder.copyBufferToBuffer(dxb, wordOf(i) * 4, out, k * 4, 4));
  device.queue.submit([encoder.finish()]);
  await out.mapAsync(0x01);
  const words = new Uint32Array(out.getMappedRange().slice(0));
  out.unmap();
  const scoped = await device.popErrorScope();
  for (const b of [xb, dyb, dxb, mb, rb, out]) b.destroy();

  // float64 reference over the stored values and the same f32 statistics, with the tolerance
  // scales of test/backward/backward-case.ts: S1 = Σg, S2 = Σg·x̂, A = Σ|g|, B = Σ|g·x̂| per row.
  const sums: [number, number, number, number][] = [];
  for (let r = 0; r < rows; r++) {
    let s1 = 0;
    let s2 = 0;
    let sa = 0;
    let sb = 0;
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const g = dy[i]!;
      const gx = g * xhat(i);
      s1 += g;
      s2 += gx;
      sa += Math.abs(g);
      sb += Math.abs(gx);
    }
    sums.push([s1, s2, sa, sb]);
  }
  const f32 = new Float32Array(words.buffer);
  const ordered = (b: number) => (b & 0x8000 ? -(b & 0x7fff) : b);
  let failures = 0;
  let worst = 0;
  sample.forEach((i, k) => {
    const r = Math.floor(i / cols);
    const [s1, s2, sa, sb] = sums[r]!;
    const xh = xhat(i);
    const g = dy[i]!;
    const ref = rstd[r]! * ((g - (rms ? 0 : s1 / cols)) - xh * (s2 / cols));
    const atol = 1e-5 * rstd[r]! * (Math.abs(g) + sa / cols + Math.abs(xh) * (sb / cols));
    if (!f16) {
      const ratio = Math.abs(f32[k]! - ref) / (1e-4 * Math.abs(ref) + atol);
      if (!(ratio <= 1)) failures++;
      worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
      return;
    }
    // f16: within 1 ULP of the reference rounded to f16, or within the f32 bound near zero.
    const bits = (i & 1 ? words[k]! >>> 16 : words[k]!) & 0xffff;
    const ulp = (bits & 0x7c00) === 0x7c00 ? Infinity : Math.abs(ordered(bits) - ordered(f32ToF16(ref)));
    const ratio = Math.min(ulp, Math.abs(f16ToF32(bits) - ref) / atol);
    if (!(ratio <= 1)) failures++;
    worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
  });
  const v = variant;
  return {
    variant: `wg${v.workgroupSize}/t${v.threadsPerRow}/${v.vec4 ? 'vec4' : 'scalar'}/${v.reduction}`,
    error: scoped ? scoped.message : null,
    failures,
    count: sample.length,
    worst,
  };
}

// 2^25 f32 is the widest row WebGPU's default maxStorageBufferBindingSize (128 MiB) binds. rows: 1
// (a lone row: a subgroup team of 4 on SwiftShader, 2^21 chunks per invocation), 32 (one
// invocation takes four rows at once, 2^18 chunks each); vec4 (cols % 4 = 0), scalar (odd cols),
// and f16 storage. Every case has more than BLOCK² = 1024 chunks per invocation, where two-level
// and three-level sums differ. RMSNorm's f32 case has less noise: with mean 1000 every x̂ is about
// 1, so Σ g·x̂ is a sum of like terms, whose rounding adds up only while the noise of a block's
// sum stays below the running total's unit in the last place (as for the forward RMSNorm).
const CASES = [
  { op: 'layerNorm', rows: 1, cols: 2 ** 25, dtype: 'f32', noise: 0.25 },
  { op: 'layerNorm', rows: 1, cols: 2 ** 25, dtype: 'f32', noise: 0.01 },
  { op: 'rmsNorm', rows: 1, cols: 2 ** 25, dtype: 'f32', noise: 0.01 },
  { op: 'layerNorm', rows: 1, cols: 2 ** 25 - 1, dtype: 'f32', noise: 0.25 },
  { op: 'layerNorm', rows: 32, cols: 2 ** 20, dtype: 'f32', noise: 0.25 },
  { op: 'rmsNorm', rows: 1, cols: 2 ** 25 - 1, dtype: 'f16', noise: 0.25 },
] as const;

test.each(CASES)('$op $dtype: $rows rows of $cols with 16 outliers, dy = x̂ + $noise noise: dx holds the tolerance', async (c) => {
  const r = await h.run(wideBackward, c);
  console.log(`${c.op} ${c.dtype} ${c.rows}x${c.cols} noise ${c.noise} (${r.variant}): dx worst ${(100 * r.worst).toFixed(1)}% of the tolerance, ${r.failures}/${r.count} samples outside`);
  expect(r.error).toBeNull();
  expect(r.failures).toBe(0);
  expect(r.worst).toBeLessThanOrEqual(1);
}, 300_000);

interface TallResult {
  readonly error: string | null;
  /** Worst error of dgamma and of dbeta as fractions of the tolerance. */
  readonly dgamma: number;
  readonly dbeta: number;
}

/**
 * Runs in the page: dgamma/dbeta of a very tall LayerNorm backward (a column sums `rows` terms)
 * whose first row's dy is 65537 and every other row's about 8e-7, positive, with x̂ of one sign
 * per column (x = ±(1 + noise)): the small terms are 2.6e-5 of the sum, and every run of blocks
 * (4096 rows on CPU adapters, 1024 on GPUs) adds less than half a unit in the last place of
 * 65537, so a run added straight to the total is lost; super-runs of 32 runs are not.
 */
async function tallParamGrad(harness: import('../gpu/harness/harness.js').Harness, a: { rows: number }): Promise<TallResult> {
  const norm = await harness.normalizer();
  const device = norm.device;
  const { rows } = a;
  const cols = 4;
  const n = rows * cols;
  let s = 777;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n);
  const dy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (i % cols < 2 ? 1 : -1) * (1 + 0.1 * u());
    dy[i] = 8e-7 * (1 + 0.1 * (u() - 0.5));
  }
  for (let j = 0; j < cols; j++) dy[j] = 65537;
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[r * cols + j]!;
    const m = sum / cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += (x[r * cols + j]! - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(ss / cols + 1e-5);
  }
  const S = 0x80;
  const SRC = 0x04;
  const DST = 0x08;
  const make = (data: Float32Array<ArrayBuffer> | number) => {
    const b = device.createBuffer({ size: typeof data === 'number' ? data : data.byteLength, usage: S | SRC | DST });
    if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data);
    return b;
  };
  const xb = make(x);
  const dyb = make(dy);
  const dxb = make(n * 4);
  const mb = make(mean);
  const rb = make(rstd);
  const dgb = make(cols * 4);
  const dbb = make(cols * 4);
  const out = device.createBuffer({ size: 2 * cols * 4, usage: 0x01 | DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  norm.encodeLayerNormBackward(encoder, { dy: dyb, x: xb, dx: dxb, mean: mb, rstd: rb, dgamma: dgb, dbeta: dbb, rows, cols });
  encoder.copyBufferToBuffer(dgb, 0, out, 0, cols * 4);
  encoder.copyBufferToBuffer(dbb, 0, out, cols * 4, cols * 4);
  device.queue.submit([encoder.finish()]);
  await out.mapAsync(0x01);
  const got = new Float32Array(out.getMappedRange().slice(0));
  out.unmap();
  const scoped = await device.popErrorScope();
  for (const b of [xb, dyb, dxb, mb, rb, dgb, dbb, out]) b.destroy();
  // float64 reference with the same f32 statistics; tolerances of test/backward/backward-case.ts.
  let dgamma = 0;
  let dbeta = 0;
  for (let j = 0; j < cols; j++) {
    let g = 0;
    let ag = 0;
    let b = 0;
    let ab = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * cols + j;
      const t = dy[i]! * (x[i]! - mean[r]!) * rstd[r]!;
      g += t;
      ag += Math.abs(t);
      b += dy[i]!;
      ab += Math.abs(dy[i]!);
    }
    const eg = Math.abs(got[j]! - g) / (1e-5 * ag);
    const eb = Math.abs(got[cols + j]! - b) / (1e-5 * ab);
    dgamma = Math.max(dgamma, Number.isNaN(eg) ? Infinity : eg);
    dbeta = Math.max(dbeta, Number.isNaN(eb) ? Infinity : eb);
  }
  return { error: scoped ? scoped.message : null, dgamma, dbeta };
}

// 2^21 rows of 4: 16384 blocks of 128 rows on CPU adapters (65536 of 32 on GPUs), more than
// BLOCK² = 1024, where the final stage's two-level and three-level sums differ.
test('layerNorm: dgamma and dbeta of 2^21 rows with an outlier row hold the f32 tolerance', async () => {
  const r = await h.run(tallParamGrad, { rows: 2 ** 21 });
  console.log(`layerNorm 2^21x4: dgamma ${(100 * r.dgamma).toFixed(1)}%, dbeta ${(100 * r.dbeta).toFixed(1)}% of the tolerance`);
  expect(r.error).toBeNull();
  expect(r.dgamma).toBeLessThanOrEqual(1);
  expect(r.dbeta).toBeLessThanOrEqual(1);
}, 300_000);
