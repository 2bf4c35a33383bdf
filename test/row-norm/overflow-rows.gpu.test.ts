/**
 * The documented limit of f32 statistics (README, Limitations; docs/numerics.md): a row whose sum
 * of squared deviations from its first element (RMSNorm: of squares) exceeds the f32 maximum,
 * about 3.4e38 (deviations near 3e19 in a 64-wide row), gives NaN for y and rstd in that row, and
 * only in that row; LayerNorm's mean stays finite and exact. Rows beside it, including rows near
 * 3e17 whose sums still fit, match the float64 reference. Covered for each kernel layout the
 * rule picks on CPU adapters: teams (few rows), four rows per invocation (128 rows), split rows
 * (one row of 65536).
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

interface OverflowResult {
  /** Rows whose y or rstd are not all NaN although they should be, or NaN where they should not. */
  readonly wrongNan: string[];
  /** Healthy rows outside the f32 tolerance. */
  readonly inaccurate: string[];
  readonly overflowRows: number;
}

/** Runs in the page: rows of kind `normal`, `big` (±1e18: sums fit), `over` (±3e19) and `one` (one 3e19 element). */
async function overflowCase(harness: import('../gpu/harness/harness.js').Harness, a: { op: 'layerNorm' | 'rmsNorm'; rows: number; cols: number }): Promise<OverflowResult> {
  const norm = await harness.normalizer();
  const { rows, cols } = a;
  const kinds = ['normal', 'over', 'big', 'one'] as const;
  const kindOf = (r: number) => (rows === 1 ? 'over' : kinds[r % 4]!);
  const x = new Float32Array(rows * cols);
  let s = 777;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const sign = j % 2 ? 1 : -1;
      const k = kindOf(r);
      x[r * cols + j] = k === 'normal' ? 5 + 2 * u() - 1 : k === 'big' ? sign * 3e17 * (1 + u()) : k === 'over' ? sign * 3e19 * (1 + u()) : j === cols - 1 ? 3e19 : u();
    }
  }
  const out = (a.op === 'layerNorm' ? await norm.layerNorm(x, { cols }) : await norm.rmsNorm(x, { cols })) as { y: Float32Array; mean?: Float32Array; rstd: Float32Array };
  const ref = (a.op === 'layerNorm' ? harness.lib.cpu.layerNormF64(x, { cols }) : harness.lib.cpu.rmsNormF64(x, { cols })) as { y: Float64Array; mean?: Float64Array; rstd: Float64Array };
  const wrongNan: string[] = [];
  const inaccurate: string[] = [];
  let overflowRows = 0;
  for (let r = 0; r < rows; r++) {
    const over = kindOf(r) === 'over' || kindOf(r) === 'one';
    const ys = out.y.subarray(r * cols, (r + 1) * cols);
    if (over) {
      overflowRows++;
      if (!ys.every(Number.isNaN) || !Number.isNaN(out.rstd[r]!)) wrongNan.push(`row ${r} (${kindOf(r)}): expected NaN y and rstd, got rstd ${out.rstd[r]}, y[0] ${ys[0]}`);
      if (out.mean && Math.abs(out.mean[r]! - ref.mean![r]!) > 1e-5 * Math.abs(ref.mean![r]!) + 1e-5 / ref.rstd[r]!) inaccurate.push(`row ${r}: mean ${out.mean[r]} vs ${ref.mean![r]}`);
      continue;
    }
    if (ys.some(Number.isNaN) || Number.isNaN(out.rstd[r]!)) wrongNan.push(`row ${r} (${kindOf(r)}): NaN in a row whose sums fit`);
    if (Math.abs(out.rstd[r]! - ref.rstd[r]!) > 1e-5 * ref.rstd[r]!) inaccurate.push(`row ${r}: rstd ${out.rstd[r]} vs ${ref.rstd[r]}`);
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      if (Math.abs(out.y[i]! - ref.y[i]!) > 1e-5 + 1e-5 * Math.abs(ref.y[i]!)) {
        inaccurate.push(`y[${r},${j}] ${out.y[i]} vs ${ref.y[i]}`);
        break;
      }
    }
  }
  return { wrongNan, inaccurate, overflowRows };
}

const CASES = [
  { op: 'layerNorm', rows: 8, cols: 64 },
  { op: 'rmsNorm', rows: 8, cols: 64 },
  { op: 'layerNorm', rows: 128, cols: 64 },
  { op: 'rmsNorm', rows: 128, cols: 64 },
  { op: 'layerNorm', rows: 1, cols: 65536 },
] as const;

test.each(CASES)('$op, $rows rows of $cols: rows whose squared deviations overflow f32 are NaN, the others exact', async (c) => {
  const r = await h.run(overflowCase, c);
  expect(r.overflowRows).toBeGreaterThan(0);
  expect(r.wrongNan).toEqual([]);
  expect(r.inaccurate).toEqual([]);
});
