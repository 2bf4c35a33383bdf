/**
 * GroupNorm and InstanceNorm on the GPU (headless Chromium, SwiftShader) against the float64
 * reference, through the built package. f32 outputs within 1e-5 relative (y: atol
 * 1e-5·max(1, |γ|)), f16 outputs within 1 f16 ULP of the reference rounded to f16. Each case runs
 * in a validation error scope that must pop empty; a failing case prints its worst elements.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseName, groupNormCases } from './channel-norm-cases.js';
import { checkChannelNormCase, worstSummary, type Worst } from './channel-norm-check.js';
import type { ChannelNormCase, ChannelNormHarness } from './harness/channel-norm.js';
import type { Harness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

type H = Harness & ChannelNormHarness;
let h: HarnessPage;
const worst: Worst = {};

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  console.log('GroupNorm / InstanceNorm accuracy over all cases:\n' + worstSummary(worst));
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const run = (c: ChannelNormCase) => h.run((harness, arg) => (harness as H).channelNormCase(arg), c);

describe('GroupNorm / InstanceNorm match the float64 reference', () => {
  for (const c of groupNormCases()) {
    test(caseName(c), async () => {
      const r = await run(c);
      checkChannelNormCase(c, r, worst);
      if (c.spatial * c.channels >= 1 << 20 && c.groups === 1) {
        // A group of 2^20 elements is reduced by many workgroups, not one.
        expect(r.info!.chunks, 'pass-1 chunks per group').toBeGreaterThanOrEqual(32);
      }
    });
  }
});

describe('scratch buffers', () => {
  test('two GroupNorms in one encoder (the second grows the scratch), and no leaks across calls', async () => {
    const r = await h.run((harness) => (harness as H).scratchReuse());
    expect(r.validationError).toBeNull();
    expect(r.uncapturedErrors).toEqual([]);
    expect(r.first, 'first GroupNorm, error / tolerance').toBeLessThanOrEqual(1);
    expect(r.second, 'second GroupNorm, error / tolerance').toBeLessThanOrEqual(1);
    expect(r.liveAfter, 'live buffers after more convenience calls').toBe(r.liveBefore);
  });
});
