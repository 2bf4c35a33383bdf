/**
 * Overlapping typed-array calls from independent callers on one normalizer: each call has its own
 * upload, output and read-back buffers, so no result can be overwritten by another call's; every
 * result is checked against the float64 reference, and the temporaries are all freed afterwards.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ReliabilityHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

test('48 callers × 4 overlapping calls of mixed ops, shapes and dtypes all return their own right results', async () => {
  const r = await h.run((harness, a: { callers: number; per: number }) => (harness as ReliabilityHarness).concurrency(a.callers, a.per), { callers: 48, per: 4 });
  console.log(`concurrency: ${r.calls} overlapping calls, ${r.failureCount} wrong; live buffers ${r.before.liveBuffers} before, ${r.after.liveBuffers} after`);
  expect(r.failures).toEqual([]);
  expect(r.calls).toBe(192);
  // Temporaries are released; what remains is cached uniforms and dummies.
  expect(r.after.liveBuffers - r.after.cachedUniforms).toBeLessThanOrEqual(r.before.liveBuffers - r.before.cachedUniforms + 8);
});
