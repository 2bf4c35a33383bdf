/**
 * LayerNorm on the GPU (headless Chromium, SwiftShader) against the float64 reference, through the
 * built package. Tolerances: test/shared/tolerance.ts. Each case runs in a validation error scope
 * that must pop empty; a failing case prints its worst elements.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatWorst, type Comparison } from '../shared/compare.js';
import { caseName, layerNormCases, variantCases } from './cases.js';
import type { LayerNormCase, LayerNormCaseResult } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;
/** Worst error per output across all passing cases, reported at the end (the README quotes it). */
const worst = { y: { ulp: 0, ratio: 0, at: '' }, mean: { ulp: 0, ratio: 0, at: '' }, rstd: { ulp: 0, ratio: 0, at: '' } };

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  console.log(
    'LayerNorm accuracy over all cases (excluding poisoned rows):\n' +
      Object.entries(worst)
        .map(([k, w]) => `  ${k.padEnd(4)} worst ${String(w.ulp).padStart(4)} ULP, ${(100 * w.ratio).toFixed(1)}% of the tolerance (${w.at})`)
        .join('\n'),
  );
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

function explain(what: string, c: LayerNormCase, cmp: Comparison): string {
  const label = what === 'y' ? (i: number) => `[${Math.floor(i / c.cols)},${i % c.cols}]` : (i: number) => `[${i}]`;
  return (
    `${what} of ${caseName(c)}: ${cmp.failures}/${cmp.count} outside tolerance, ` +
    `max |err| ${cmp.maxAbsError.toExponential(3)}, ${cmp.maxErrorRatio.toFixed(3)}× the allowance, worst ${cmp.worstUlp} ULP\n` +
    formatWorst(cmp.worst, label)
  );
}

function check(c: LayerNormCase, r: LayerNormCaseResult): void {
  expect(r.validationError, 'validation error scope').toBeNull();
  expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
  for (const what of ['y', 'mean', 'rstd'] as const) {
    const cmp = r[what];
    expect(cmp.failures, explain(what, c, cmp)).toBe(0);
    const w = worst[what];
    if (cmp.worstUlp > w.ulp) Object.assign(w, { ulp: cmp.worstUlp, at: caseName(c) });
    w.ratio = Math.max(w.ratio, cmp.maxErrorRatio);
  }
  if (r.poisoned) {
    // The poisoned row is reported as poisoned: every output of it is NaN or ±Inf.
    expect(r.poisoned.nonFinite, `row ${r.poisoned.row} holds a NaN/Inf input`).toBe(r.poisoned.cols);
  }
  if (c.variant) expect(r.variant).toEqual(c.variant);
}

const run = (c: LayerNormCase) => h.run((harness, arg) => harness.layerNormCase(arg), c);

describe('LayerNorm matches the float64 reference', () => {
  for (const c of layerNormCases()) {
    test(caseName(c), async () => check(c, await run(c)));
  }
});

describe('every kernel variant, forced', () => {
  for (const c of variantCases(256)) {
    test(caseName(c), async () => check(c, await run(c)));
  }
});
