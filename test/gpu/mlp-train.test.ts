/**
 * Training works end to end: a 2-layer MLP with LayerNorm (GPU forward and backward) learns a toy
 * regression task, and its loss curve matches the same steps run with the CPU reference norm.
 * See test/gpu/harness/mlp-train.ts.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TrainHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

test('MLP + LayerNorm on the GPU: loss falls and tracks the CPU run', async () => {
  const steps = 150;
  const { gpu, cpu } = await h.run((harness, n) => (harness as TrainHarness).trainMlp(n), steps);
  let worst = 0;
  for (let i = 0; i < steps; i++) worst = Math.max(worst, Math.abs(gpu[i]! - cpu[i]!) / cpu[i]!);
  console.log(`MLP loss: ${cpu[0]!.toFixed(4)} → ${cpu[steps - 1]!.toFixed(4)} (CPU), ${gpu[steps - 1]!.toFixed(4)} (GPU); worst relative gap ${worst.toExponential(2)}`);
  expect(gpu[0]).toBeCloseTo(cpu[0]!, 6);
  expect(gpu[steps - 1]!).toBeLessThan(0.3 * gpu[0]!);
  // The runs differ only by f32 rounding inside the norm (~1e-7 relative per step); SGD on a
  // smooth loss keeps that small over 150 steps.
  expect(worst).toBeLessThan(1e-3);
});
