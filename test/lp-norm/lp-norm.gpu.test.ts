/**
 * Lp normalization on the GPU (headless Chromium, SwiftShader) against the float64 reference,
 * through the built package. One explicit row per case: widths from 1 to 65539 (odd widths start
 * f16 rows mid-word), p = 1 and 2, f32 and f16, the adversarial patterns of test/shared/data.ts,
 * inputs scaled to 1e30 / 1e36 (the f32 sum overflows: the kernel's exact rescaling path) and
 * 1e-30 (squares underflow), all-zero rows (ε clamps the norm), more rows than one dispatch
 * dimension, the three forms, and both kernel layouts forced. Tolerances: test/lp-norm/lp-norm-case.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatWorst } from '../shared/compare.js';
import type { Pattern } from '../shared/data.js';
import type { LpNormHarness } from '../gpu/harness/harness.js';
import { flushHashes, recordHash } from '../gpu/output-hashes.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import type { LpNormCase } from './lp-norm-case.js';

let h: HarnessPage;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  flushHashes();
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

type Row = [rows: number, cols: number, p: 1 | 2, dtype: 'f32' | 'f16', pattern: Pattern, scale: number, form: LpNormCase['form'], seed: number, extra?: Partial<LpNormCase>];

// prettier-ignore
const ROWS: readonly Row[] = [
  [1, 1, 2, 'f32', 'normal', 1, 'convenience', 1],
  [5, 3, 2, 'f32', 'normal', 1, 'convenience', 2],
  [9, 4, 1, 'f32', 'normal', 1, 'encode', 3],
  [7, 13, 2, 'f16', 'normal', 1, 'convenience', 4],
  [7, 13, 1, 'f16', 'mixed-scale', 1, 'pass', 5],
  [33, 768, 2, 'f32', 'normal', 1, 'convenience', 6],
  [33, 768, 1, 'f32', 'normal', 1, 'encode', 7],
  [9, 768, 2, 'f32', 'offset', 1, 'pass', 8],
  [9, 768, 2, 'f32', 'outlier-columns', 1, 'convenience', 9],
  [9, 768, 2, 'f32', 'constant', 1, 'convenience', 10],
  [9, 768, 2, 'f32', 'tiny-variance', 1, 'encode', 11],
  [9, 768, 2, 'f32', 'nan-row', 1, 'convenience', 12],
  [9, 768, 1, 'f32', 'inf-row', 1, 'encode', 13],
  [9, 768, 2, 'f32', 'mixed-scale', 1, 'convenience', 14],
  [7, 1001, 2, 'f16', 'normal', 1, 'encode', 15],
  [7, 1001, 2, 'f16', 'f16-extreme', 1, 'convenience', 16],
  [7, 1001, 1, 'f16', 'f16-extreme', 1, 'pass', 17],
  [7, 1001, 2, 'f16', 'inf-row', 1, 'convenience', 18],
  [7, 1001, 2, 'f16', 'nan-row', 1, 'encode', 19],
  [3, 4096, 2, 'f32', 'normal', 1, 'convenience', 20],
  [3, 4096, 1, 'f16', 'offset', 1, 'convenience', 21],
  [2, 65539, 2, 'f32', 'normal', 1, 'convenience', 22],
  [2, 65539, 1, 'f32', 'outlier-columns', 1, 'encode', 23],
  [3, 65539, 2, 'f16', 'normal', 1, 'convenience', 24],
  // The f32 sum overflows (squares of 1e30; |x| sums of 1e36 over 65539 columns): rescaled exactly.
  [9, 768, 2, 'f32', 'normal', 1e30, 'convenience', 25],
  [9, 768, 2, 'f32', 'mixed-scale', 1e30, 'encode', 26],
  [2, 65539, 1, 'f32', 'normal', 1e36, 'convenience', 27], // the norm itself exceeds f32's range: +Inf, y exact
  // Squares underflow f32: rescaled exactly.
  [9, 768, 2, 'f32', 'normal', 1e-30, 'convenience', 28],
  [9, 13, 2, 'f32', 'normal', 1e-30, 'pass', 29],
  // All-zero rows: the norm is 0, ε keeps y at 0 instead of 0/0.
  [5, 768, 2, 'f32', 'normal', 0, 'convenience', 30],
  [5, 7, 1, 'f16', 'normal', 0, 'encode', 31, { epsilon: 1e-3 }],
  // A large ε clamps small norms: y = x / ε.
  [9, 13, 2, 'f32', 'normal', 1e-6, 'convenience', 32, { epsilon: 1e-3 }],
  // More rows than one dispatch dimension (2D grid fold).
  [70000, 3, 2, 'f32', 'normal', 1, 'convenience', 33],
  [70001, 3, 1, 'f16', 'normal', 1, 'encode', 34],
  // Both layouts of the norms pass forced, on both paths of the sum.
  [9, 768, 2, 'f32', 'normal', 1, 'encode', 35, { variant: { rowPerWorkgroup: true, workgroupSize: 64 } }],
  [9, 1001, 1, 'f16', 'nan-row', 1, 'pass', 36, { variant: { rowPerWorkgroup: true, workgroupSize: 256 } }],
  [3, 65539, 2, 'f32', 'normal', 1e30, 'encode', 37, { variant: { rowPerWorkgroup: true, workgroupSize: 256 } }],
  [9, 768, 2, 'f32', 'normal', 1e-30, 'encode', 38, { variant: { rowPerWorkgroup: true, workgroupSize: 4 } }],
  [70000, 3, 2, 'f32', 'inf-row', 1, 'encode', 39, { variant: { rowPerWorkgroup: true, workgroupSize: 32 } }],
  [9, 13, 2, 'f16', 'normal', 1, 'encode', 40, { variant: { rowPerWorkgroup: false, workgroupSize: 1 } }],
  [100, 768, 1, 'f32', 'mixed-scale', 1, 'pass', 41, { variant: { rowPerWorkgroup: false, workgroupSize: 256 } }],
  // Rows interleaved `inner` apart (a middle axis of (outer, cols, inner)): both norms layouts.
  [12, 33, 2, 'f32', 'normal', 1, 'convenience', 42, { inner: 4 }],
  [12, 33, 1, 'f16', 'offset', 1, 'encode', 43, { inner: 3 }],
  [12, 300, 2, 'f32', 'normal', 1e30, 'encode', 44, { inner: 6, variant: { rowPerWorkgroup: true, workgroupSize: 64 } }],
  [15, 7, 2, 'f16', 'mixed-scale', 1, 'pass', 45, { inner: 5, variant: { rowPerWorkgroup: true, workgroupSize: 4 } }],
];

const cases: LpNormCase[] = ROWS.map(([rows, cols, p, dtype, pattern, scale, form, seed, extra]) => ({ rows, cols, p, dtype, pattern, scale, form, seed, ...extra }));

function caseName(c: LpNormCase): string {
  const v = c.variant ? ` [${c.variant.rowPerWorkgroup ? 'row per workgroup' : 'row per invocation'} wg${c.variant.workgroupSize}]` : '';
  const eps = (c.epsilon !== undefined ? ` eps=${c.epsilon}` : '') + (c.inner !== undefined ? ` inner=${c.inner}` : '');
  return `lpNorm p${c.p} ${c.dtype} ${c.rows}x${c.cols} ${c.pattern} x${c.scale}${eps} ${c.form}${v} #${c.seed}`;
}

describe('Lp normalization matches the float64 reference', () => {
  for (const c of cases) {
    test(caseName(c), async () => {
      const r = await h.run((harness, arg) => (harness as LpNormHarness).runLpNormCase(arg), c);
      recordHash(caseName(c), r.hash);
      expect(r.validationError, 'validation error scope').toBeNull();
      expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
      expect(r.y.failures, `y: ${r.y.failures}/${r.y.count} outside tolerance, ${r.y.maxErrorRatio.toFixed(3)}x the allowance\n${formatWorst(r.y.worst)}`).toBe(0);
      expect(r.norm.failures, `norm: ${r.norm.failures}/${r.norm.count} outside tolerance\n${formatWorst(r.norm.worst)}`).toBe(0);
      expect(r.y.count, 'compared elements').toBeGreaterThan(0);
      for (const n of r.normOverflow) expect(n, 'a norm beyond f32 range').toBe('Infinity');
      if (c.p === 1 && c.scale >= 1e36) expect(r.normOverflow, 'rows whose norm exceeds f32').toHaveLength(c.rows);
      if (r.poisoned) {
        // A row holding NaN or Inf is poisoned: every y of it is NaN, its norm is not finite.
        expect(r.poisoned.nan, `row ${r.poisoned.row}`).toBe(r.poisoned.cols);
        expect(r.poisoned.normFinite).toBe(false);
      }
      if (c.variant) expect(r.variant).toEqual(c.variant);
    });
  }
});
