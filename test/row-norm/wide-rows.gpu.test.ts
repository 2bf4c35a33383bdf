/**
 * Wide rows as exact as narrow ones (issue #17): the widest row WebGPU's default limits bind (one f32
 * row of 2^25 elements, 128 MiB) and many-row
 * layout of wide rows, with mean 1000, unit spread and 16 outliers of 1e5 placed away from the
 * pivot, under the selection rule's own variant. The statistics of every row and y at the outliers
 * and at sampled positions must hold the f32 tolerances of docs/numerics.md. Only the statistics
 * and a sample of y are read back, and the reference is computed in the page, so the case stays
 * cheap (one upload of the row).
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

interface WideResult {
  readonly variant: string;
  readonly cols: number;
  readonly error: string | null;
  /** Worst errors as fractions of the tolerance. */
  readonly rstd: number;
  readonly mean: number;
  readonly y: number;
}

/** Runs in the page: one wide LayerNorm or RMSNorm, statistics and sampled y against float64. */
async function wideCase(harness: import('../gpu/harness/harness.js').Harness, a: { op: 'layerNorm' | 'rmsNorm'; rows: number; cols: number }): Promise<WideResult> {
  const norm = await harness.normalizer();
  const device = norm.device;
  const { rows } = a;
  const cols = a.cols;
  const n = rows * cols;
  const x = new Float32Array(n);
  let s = 12345;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) x[i] = 1000 + (u() + u() + u() - 1.5) * 2;
  // 16 outliers 1e5 above the rest, none at a row's first element (the pivot).
  const outliers: number[] = [];
  for (let k = 0; k < 16; k++) {
    const i = (k % rows) * cols + 1 + Math.floor(((k + 0.5) / 16) * (cols - 1));
    x[i] = 1000 + 1e5;
    outliers.push(i);
  }
  const S = 0x80;
  const SRC = 0x04;
  const DST = 0x08;
  const xb = device.createBuffer({ size: n * 4, usage: S | DST });
  const yb = device.createBuffer({ size: n * 4, usage: S | SRC });
  const mb = device.createBuffer({ size: rows * 4, usage: S | SRC });
  const rb = device.createBuffer({ size: rows * 4, usage: S | SRC });
  device.queue.writeBuffer(xb, 0, x);
  // y at the outliers, each row's pivot and last element, and 256 random places.
  const sample = [...outliers];
  for (let r = 0; r < rows; r++) sample.push(r * cols, r * cols + cols - 1);
  for (let k = 0; k < 256; k++) sample.push(Math.floor(u() * n));
  const out = device.createBuffer({ size: (2 * rows + sample.length) * 4, usage: 0x01 | DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  const variant = a.op === 'layerNorm' ? norm.encodeLayerNorm(encoder, { x: xb, y: yb, mean: mb, rstd: rb, rows, cols }) : norm.encodeRmsNorm(encoder, { x: xb, y: yb, rstd: rb, rows, cols });
  encoder.copyBufferToBuffer(mb, 0, out, 0, rows * 4);
  encoder.copyBufferToBuffer(rb, 0, out, rows * 4, rows * 4);
  sample.forEach((i, k) => encoder.copyBufferToBuffer(yb, i * 4, out, (2 * rows + k) * 4, 4));
  device.queue.submit([encoder.finish()]);
  await out.mapAsync(0x01);
  const got = new Float32Array(out.getMappedRange().slice(0));
  out.unmap();
  const scoped = await device.popErrorScope();
  for (const b of [xb, yb, mb, rb, out]) b.destroy();
  // float64 reference: two passes per row.
  const eps = a.op === 'layerNorm' ? 1e-5 : 1e-6;
  const refMean: number[] = [];
  const refRstd: number[] = [];
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[r * cols + j]!;
    const mean = a.op === 'layerNorm' ? sum / cols : 0;
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += (x[r * cols + j]! - mean) ** 2;
    refMean.push(mean);
    refRstd.push(1 / Math.sqrt(ss / cols + eps));
  }
  let worstRstd = 0;
  let worstMean = 0;
  let worstY = 0;
  for (let r = 0; r < rows; r++) {
    worstRstd = Math.max(worstRstd, Math.abs(got[rows + r]! - refRstd[r]!) / (1e-5 * refRstd[r]!));
    if (a.op === 'layerNorm') worstMean = Math.max(worstMean, Math.abs(got[r]! - refMean[r]!) / (1e-5 / refRstd[r]! + 1e-5 * Math.abs(refMean[r]!)));
  }
  sample.forEach((i, k) => {
    const r = Math.floor(i / cols);
    const ref = (x[i]! - refMean[r]!) * refRstd[r]!;
    worstY = Math.max(worstY, Math.abs(got[2 * rows + k]! - ref) / (1e-5 + 1e-5 * Math.abs(ref)));
  });
  const v = variant;
  return {
    variant: `wg${v.workgroupSize}/t${v.threadsPerRow}/${v.reduction}/x${v.rowsPerInvocation ?? 1}/split${v.splitRow ?? 1}`,
    cols,
    error: scoped ? scoped.message : null,
    rstd: worstRstd,
    mean: worstMean,
    y: worstY,
  };
}

// rows: 1 (a lone row: subgroup teams, split in two on CPU adapters), 32 (a row per invocation),
// 128 (four rows per invocation on CPU adapters). 2^25 f32 is the widest row WebGPU's default
// maxStorageBufferBindingSize (128 MiB) binds; devices that bind more (SwiftShader: 1 GiB) accept
// wider rows, whose error grows the same slow way (docs/numerics.md) but which cost too much to test.
const CASES = [
  { op: 'layerNorm', rows: 1, cols: 2 ** 25 },
  { op: 'rmsNorm', rows: 1, cols: 2 ** 25 },
  { op: 'layerNorm', rows: 32, cols: 65536 },
  { op: 'layerNorm', rows: 128, cols: 32768 },
] as const;

test.each(CASES)('$op: $rows rows of $cols with 16 outliers of 1e5 hold the f32 tolerance', async (c) => {
  const r = await h.run(wideCase, c);
  console.log(`${c.op} ${c.rows}x${r.cols} (${r.variant}): rstd ${(100 * r.rstd).toFixed(1)}%, mean ${(100 * r.mean).toFixed(1)}%, y ${(100 * r.y).toFixed(1)}% of the tolerance`);
  expect(r.error).toBeNull();
  expect(r.rstd).toBeLessThanOrEqual(1);
  expect(r.mean).toBeLessThanOrEqual(1);
  expect(r.y).toBeLessThanOrEqual(1);
}, 300_000);
