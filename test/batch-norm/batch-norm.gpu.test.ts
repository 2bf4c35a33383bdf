/**
 * BatchNorm on the GPU (inference with running statistics; per-channel batch statistics) against
 * the float64 reference, through the built package. Same tolerances and error-scope discipline as
 * group-norm.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { batchNormCases, caseName, expectedApply, expectedStatsLayout } from '../channel/cases.js';
import { checkChannelNormCase, worstSummary, type Worst } from '../channel/check.js';
import type { ChannelNormCase, ChannelNormHarness } from '../channel/channel-norm-case.js';
import type { Harness } from '../gpu/harness/harness.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import { flushHashes } from '../gpu/output-hashes.js';

type H = Harness & ChannelNormHarness;
let h: HarnessPage;
const worst: Worst = {};

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  flushHashes();
  console.log('BatchNorm accuracy over all cases:\n' + worstSummary(worst));
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const run = (c: ChannelNormCase) => h.run((harness, arg) => (harness as H).channelNormCase(arg), c);

describe('BatchNorm matches the float64 reference', () => {
  for (const c of batchNormCases()) {
    test(caseName(c), async () => {
      const r = await run(c);
      checkChannelNormCase(c, r, worst);
      if (r.info?.apply !== undefined) expect(r.info.apply, 'elementwise layout').toBe(expectedApply(c));
      if (r.info && c.op !== 'batchNormInference') {
        // The adapter here is SwiftShader: the automatic rule picks the invocation layout unless x
        // is under 16 bytes; forced cases run on a normalizer profiled as a GPU.
        expect(r.info.statsLayout, 'statistics layout').toBe(expectedStatsLayout(c));
      }
      if (c.op === 'batchNormStats' && c.batch * c.spatial >= 1 << 20) {
        expect(r.info!.chunks, 'pass-1 chunks per segment').toBeGreaterThanOrEqual(8);
      }
    });
  }
});
