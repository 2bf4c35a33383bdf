/**
 * Leak soak: 10,000+ calls of mixed ops, shapes, dtypes and forms (encode-heavy, tiny shapes, so
 * it stays fast on SwiftShader) with ~1,500 distinct epsilons, so the uniform cache evicts
 * constantly. Live GPU buffers and bytes — by `norm.stats()` and by an independent count of what
 * the library's device created and destroyed — must be the same after as after warm-up, and the
 * JS heap (after a forced GC) must not grow beyond a small bound. Then the encode-now-submit-later
 * case: an evicted uniform must still be usable by an encoder recorded before its eviction.
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

async function heapAfterGc(): Promise<number> {
  const cdp = await h.page.createCDPSession();
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return (await h.page.metrics()).JSHeapUsedSize!;
}

test('10,000+ mixed calls: live buffers, bytes and JS heap stay flat', async () => {
  await h.run((harness) => (harness as ReliabilityHarness).soakSetup());
  const run = (n: number) => h.run((harness, n: number) => (harness as ReliabilityHarness).soakRun(n), n);
  await run(1500); // warm-up: pipelines compiled, the uniform cache full and evicting
  const before = await run(500);
  const heapBefore = await heapAfterGc();
  let last = before;
  let ms = 0;
  for (let i = 0; i < 10; i++) {
    last = await run(1000);
    ms += last.ms;
    // The count must never climb between chunks either (a slow leak would show here first).
    expect(last.stats.liveBuffers, `after ${last.calls} calls`).toBeLessThanOrEqual(before.stats.liveBuffers);
  }
  const heapAfter = await heapAfterGc();
  const after = await h.run((harness) => (harness as ReliabilityHarness).soakTeardown());
  const soakCalls = last.calls - before.calls;
  console.log(
    `soak: ${last.calls} calls in all (${soakCalls} measured, ${(ms / 1000).toFixed(1)} s); live buffers ${before.stats.liveBuffers} → ${last.stats.liveBuffers} ` +
      `(${before.stats.liveBytes} → ${last.stats.liveBytes} bytes; independently counted ${before.counted.buffers} → ${last.counted.buffers}), ` +
      `cached uniforms ${last.stats.cachedUniforms}, bind groups ${last.stats.cachedBindGroups}; JS heap ${(heapBefore / 1e6).toFixed(2)} → ${(heapAfter / 1e6).toFixed(2)} MB; ` +
      `after destroy(): ${after.counted.buffers} buffers`,
  );
  expect(soakCalls).toBeGreaterThanOrEqual(10_000);
  expect(last.uncaptured).toEqual([]);
  // stats() covers every non-uniform buffer the library holds (live, or idle in the typed-array
  // forms' transfer pool), plus exactly the cached uniforms: an evicted uniform is dropped to the
  // GC and never destroyed (an encoder recorded with it may not be submitted yet), so the JS heap
  // bound below is what shows dropped ones are reclaimed.
  for (const m of [before, last]) {
    expect(m.counted.buffers + m.stats.cachedUniforms).toBe(m.stats.liveBuffers + m.stats.pooledBuffers);
    expect(m.stats.liveBytes + m.stats.pooledBytes).toBeGreaterThan(m.counted.bytes);
  }
  expect(last.stats.pooledBuffers, 'the transfer pool stays bounded').toBe(before.stats.pooledBuffers);
  expect(last.uniforms.created, 'the uniform cache evicted').toBeGreaterThan(last.stats.cachedUniforms);
  expect(last.uniforms.destroyed, 'no uniform destroyed while the normalizer lives').toBe(0);
  expect(last.counted.bytes).toBe(before.counted.bytes);
  expect(last.stats.liveBuffers).toBe(before.stats.liveBuffers);
  expect(heapAfter - heapBefore, 'JS heap growth over 10,000 calls').toBeLessThan(4e6);
  expect(after.counted.buffers, 'destroy() frees every non-uniform buffer').toBe(0);
  expect(after.uniforms.destroyed, 'destroy() frees exactly the cached uniforms').toBe(last.stats.cachedUniforms);
}, 600_000);

test('encode now, submit later: an encoder submitted after 600 other distinct uniforms were encoded still computes y', async () => {
  const r = await h.run((harness) => (harness as ReliabilityHarness).encodeThenSubmitLater(600));
  expect(r.cachedUniforms).toBeLessThan(600); // the cache evicted the late encoder's uniform
  expect(r.error).toBeNull();
  expect(r.uncaptured).toEqual([]);
  expect(r.maxError).toBeLessThan(1e-5);
}, 600_000);
