/**
 * Device loss mid-stream (`device.destroy()` with calls in flight): every pending call rejects
 * with NormError `device-lost` (none hang, none fail otherwise), later calls refuse at once, debug
 * mode's checks settle, and a normalizer created on a new device works.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ReliabilityHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

test('device.destroy() with calls in flight: all reject device-lost, nothing hangs, a new device works', async () => {
  const r = await h.run((harness) => (harness as ReliabilityHarness).deviceLoss());
  console.log(`device loss: owned ${JSON.stringify(r.ownedOutcomes)}; caller's device (debug) ${JSON.stringify(r.debugOutcomes)}`);
  expect(r.ownedOutcomes, 'no call hung').not.toBe('timeout');
  for (const o of r.ownedOutcomes as string[]) expect(['device-lost', 'ok']).toContain(o);
  expect((r.ownedOutcomes as string[]).filter((o) => o === 'device-lost').length).toBeGreaterThan(0);
  expect(r.lostInfo).toBe('destroyed');
  expect(r.afterLossConvenience).toEqual(expect.objectContaining({ code: 'device-lost' }));
  expect(r.afterLossEncode).toEqual(expect.objectContaining({ code: 'device-lost' }));
  expect(r.debugOutcomes, 'no call hung').not.toBe('timeout');
  for (const o of r.debugOutcomes as string[]) expect(['device-lost', 'ok']).toContain(o);
  expect(r.debugCheck, 'checkErrors() settles after loss').not.toBe('timeout');
  expect(r.fresh.ok, r.fresh.detail).toBe(true);
});
