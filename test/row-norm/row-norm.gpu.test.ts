/**
 * The row-norm family (LayerNorm, RMSNorm, fused residual add + either; f32 and packed f16) on the
 * GPU in headless Chromium (SwiftShader) against the float64 reference, through the built package.
 * Tolerances: test/shared/tolerance.ts. Each case runs in a validation error scope that must pop
 * empty; a failing case prints its worst elements.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatWorst, type Comparison } from '../shared/compare.js';
import { caseName, familyCases, layerNormCases, variantCases } from './cases.js';
import { optionCases } from './cases-options.js';
import { wideWorkgroupCases } from './cases-variants.js';
import type { RowNormCase, RowNormCaseResult } from '../gpu/harness/harness.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import { flushHashes, recordHash } from '../gpu/output-hashes.js';

let h: HarnessPage;
type Output = 'y' | 'sum' | 'mean' | 'rstd';
/** Worst error per output across all passing cases, reported at the end (the README quotes it). */
const worst: Record<string, { ulp: number; ratio: number; at: string }> = {};

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  flushHashes();
  console.log(
    'Row-norm accuracy over all cases (healthy rows; ratio = error / allowance):\n' +
      Object.entries(worst)
        .map(([k, w]) => `  ${k.padEnd(9)} worst ${String(w.ulp).padStart(9)} ULP, ${(100 * w.ratio).toFixed(1).padStart(5)}% of the tolerance (${w.at})`)
        .join('\n'),
  );
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

function explain(what: string, c: RowNormCase, cmp: Comparison): string {
  const label = what === 'y' || what === 'sum' ? (i: number) => `[${Math.floor(i / c.cols)},${i % c.cols}]` : (i: number) => `[${i}]`;
  const type = what === 'y' ? (c.outputDtype ?? c.dtype) : c.dtype;
  const unit = type === 'f16' && (what === 'y' || what === 'sum') ? ' (errors in f16 ULPs)' : '';
  return (
    `${what} of ${caseName(c)}: ${cmp.failures}/${cmp.count} outside tolerance${unit}, ` +
    `max |err| ${cmp.maxAbsError.toExponential(3)}, ${cmp.maxErrorRatio.toFixed(3)}× the allowance, worst ${cmp.worstUlp} ULP\n` +
    formatWorst(cmp.worst, label)
  );
}

function check(c: RowNormCase, r: RowNormCaseResult & { uncapturedErrors: string[] }): void {
  recordHash(caseName(c), r.hash);
  expect(r.validationError, 'validation error scope').toBeNull();
  expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
  for (const what of ['y', 'sum', 'mean', 'rstd'] as Output[]) {
    const cmp = r[what];
    if (!cmp) continue;
    expect(cmp.failures, explain(what, c, cmp)).toBe(0);
    // A precision budget for forced variants: every layout (teams, several rows per invocation,
    // split rows) must stay within a quarter of the tolerance on its f32 outputs, as the default
    // layouts do (worst over the whole table ~10 %). A layout that loses precision but still fits
    // the tolerance fails here (a split row once did, merging f32 means around an outlier pivot:
    // 102 f16 ULP near zero where the tolerance allows the f32 bound; the same loss shows in f32).
    // f16 y is exempt: its tolerance is one f16 ULP, which rounding alone may use up.
    if (c.variant && (what !== 'y' || (c.outputDtype ?? c.dtype) === 'f32') && what !== 'sum') {
      expect(cmp.maxErrorRatio, `${what} of ${caseName(c)} uses over 25 % of the tolerance`).toBeLessThan(0.25);
    }
    const key = `${what} ${what === 'y' ? (c.outputDtype ?? c.dtype) : c.dtype}${what === 'y' && c.outputDtype && c.outputDtype !== c.dtype ? ` from ${c.dtype}` : ''}`;
    const w = (worst[key] ??= { ulp: 0, ratio: 0, at: '' });
    if (cmp.maxErrorRatio >= w.ratio) Object.assign(w, { ratio: cmp.maxErrorRatio, ulp: cmp.worstUlp, at: caseName(c) });
  }
  if (r.poisoned) {
    // The poisoned row is reported as poisoned: every output of it is NaN or ±Inf.
    expect(r.poisoned.nonFinite, `row ${r.poisoned.row} holds a NaN/Inf input`).toBe(r.poisoned.cols);
  }
  if (c.variant) expect(r.variant).toEqual(c.variant);
}

const run = (c: RowNormCase) => h.run((harness, arg) => harness.runRowNormCase(arg), c);

describe('LayerNorm matches the float64 reference', () => {
  for (const c of layerNormCases()) test(caseName(c), async () => check(c, await run(c)));
});

describe('RMSNorm, fused add + norm, f16 storage, conventions, forms', () => {
  for (const c of familyCases()) test(caseName(c), async () => check(c, await run(c)));
});

describe('every kernel variant, forced', () => {
  // SwiftShader (and every device this suite targets) has subgroups; the table includes the
  // subgroup reduction only where the device reports it (checked in the first test).
  test('the device reports the features the variant table assumes', async () => {
    const info = await h.run((harness) => harness.adapterInfo());
    expect(info.profile.subgroups, 'subgroups feature + subgroup_id').toBe(true);
  });
  for (const c of variantCases(true)) test(caseName(c), async () => check(c, await run(c)));
});

describe('outputDtype, and the fused ops\' statistics, broadcast residual and optional sum, on every layout', () => {
  for (const c of optionCases(true)) test(caseName(c), async () => check(c, await run(c)));
});

describe('layerNormBackward fed from addLayerNorm\'s mean and rstd', () => {
  for (const [rows, cols, residualRows, seed] of [
    [6, 13, 3, 4001],
    [6, 768, 1, 4002],
    [4, 4100, 2, 4003],
  ] as const) {
    test(`${rows}x${cols}, residualRows ${residualRows} #${seed}`, async () => {
      const r = await h.run((harness, arg) => harness.runAddLayerNormBackwardChain(arg), { rows, cols, residualRows, seed });
      expect(r.validationError, 'validation error scope').toBeNull();
      for (const what of ['mean', 'rstd', 'dx', 'dgamma', 'dbeta'] as const) {
        expect(r[what].failures, `${what}: ${r[what].failures}/${r[what].count}, ${r[what].maxErrorRatio.toFixed(3)}x the allowance`).toBe(0);
        expect(r[what].count, what).toBeGreaterThan(0);
      }
    });
  }
});

describe('512- and 1024-invocation workgroups, forced: run where the device allows them, refused where not', () => {
  // lavapipe and most GPUs allow 1024 invocations (subgroups of 8 on lavapipe, 32 on most GPUs);
  // SwiftShader allows 256, so there each case must be refused before anything reaches the GPU.
  let allowed = 0;
  beforeAll(async () => {
    const info = await h.run((harness) => harness.adapterInfo());
    allowed = info.profile.maxForcedWorkgroupSize ?? info.profile.maxWorkgroupSize;
  });
  for (const c of wideWorkgroupCases(true)) {
    test(caseName(c), async () => {
      if (c.variant!.workgroupSize <= allowed) return check(c, await run(c));
      await expect(run(c)).rejects.toThrow(/variant\.workgroupSize: expected a power of two <= /);
    });
  }
});
