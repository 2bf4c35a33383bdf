/**
 * The assertions every GroupNorm / InstanceNorm / BatchNorm GPU case must pass, and the running
 * record of the worst error seen per output (printed at the end of each file).
 */
import { expect } from 'vitest';
import { recordHash } from '../gpu/output-hashes.js';
import { caseName } from './cases.js';
import type { ChannelNormCase, ChannelNormCaseResult } from './channel-norm-case.js';

/** Worst error per output name: f32 outputs as a fraction of the tolerance, f16 outputs in ULPs. */
export type Worst = Record<string, { ulp: number; ratio: number; at: string; ratioAt?: string; floorUsed?: number; count?: number }>;

export function checkChannelNormCase(c: ChannelNormCase, r: ChannelNormCaseResult, worst: Worst): void {
  recordHash(caseName(c), r.hash);
  expect(r.validationError, 'validation error scope').toBeNull();
  expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
  if (r.outsideUntouched !== null) expect(r.outsideUntouched, 'bytes outside the output ranges were written').toBe(true);
  if (r.runningInputsUntouched !== null) expect(r.runningInputsUntouched, 'runningMean / runningVar written although newRunning… were given').toBe(true);
  const expected =
    c.op === 'batchNormStats'
      ? ['mean', 'var']
      : c.op === 'batchNormInference'
        ? ['y']
        : c.op === 'batchNormTraining'
          ? ['y', 'mean', 'var', 'runningMean', 'runningVar']
          : ['y', 'mean', 'rstd'];
  expect(Object.keys(r.outputs).sort()).toEqual(expected.sort());
  for (const [name, out] of Object.entries(r.outputs)) {
    expect(out.failures, `${name} of ${caseName(c)}: ${out.failures}/${out.count} outside tolerance, worst ${out.worstUlp} ULP\n${out.report}`).toBe(0);
    const key = name === 'y' ? `y ${c.dtype}` : name;
    const w = (worst[key] ??= { ulp: 0, ratio: 0, at: '' });
    if (out.worstUlp > w.ulp) Object.assign(w, { ulp: out.worstUlp, at: caseName(c) });
    if (out.maxErrorRatio > w.ratio) Object.assign(w, { ratio: out.maxErrorRatio, ratioAt: caseName(c) });
    w.floorUsed = (w.floorUsed ?? 0) + out.floorUsed;
    w.count = (w.count ?? 0) + out.count;
  }
  if (r.poisoned) {
    // The poisoned statistic is reported as poisoned everywhere, and nowhere else.
    expect(r.poisoned.nonFinite, `unit ${r.poisoned.unit} holds a NaN`).toBe(r.poisoned.total);
    expect(r.poisoned.nonFiniteElsewhere, 'non-finite outputs outside the poisoned unit').toBe(0);
  }
}

export function worstSummary(worst: Worst): string {
  return Object.entries(worst)
    .map(([k, w]) => {
      const floor = w.floorUsed ? `; ${w.floorUsed} of ${w.count} beyond 1 ULP, within the cancellation floor` : '';
      // The worst ULP distance and the worst fraction of the tolerance can come from different cases.
      const ratioAt = w.ratioAt && w.ratioAt !== w.at ? `; ${(100 * w.ratio).toFixed(1)}% in ${w.ratioAt}` : '';
      return `  ${k.padEnd(7)} worst ${String(w.ulp).padStart(8)} ULP, ${(100 * w.ratio).toFixed(1)}% of the tolerance${floor} (${w.at}${ratioAt})`;
    })
    .join('\n');
}
