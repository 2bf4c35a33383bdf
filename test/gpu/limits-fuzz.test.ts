/**
 * The limits property in Chromium/SwiftShader (test/gpu/harness/limits-fuzz.ts): random calls of
 * every op, form, shape up to and past the claimed limits, forced variant, imported tuning entry,
 * option edge value and operand layout, on a device that claims 1 MiB bindings and 1.5 MiB
 * buffers. Each is refused with a NormError having touched nothing, or computes with no GPU error
 * and matches the CPU reference. Set LIMITS_SEED / LIMITS_RUNS to replay a failure or search
 * further.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openHarness, type HarnessPage } from './page.js';

const SEED = Number(process.env.LIMITS_SEED ?? 20261206);
const RUNS = Number(process.env.LIMITS_RUNS ?? 45);
const SCRATCH_RUNS = Number(process.env.LIMITS_SCRATCH_RUNS ?? 30);

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

test(`limits property: ${RUNS} random calls (seed ${SEED}) are refused before the GPU or match the reference`, async () => {
  const r = await h.run((harness, a: { seed: number; runs: number }) => harness.runLimitsFuzz(a), { seed: SEED, runs: RUNS });
  console.log(`limits fuzz: ${r.runs} cases in ${(r.ms / 1000).toFixed(1)} s; outcomes ${JSON.stringify(r.outcomes)}; computed by op ${JSON.stringify(r.computedByOp)}`);
  expect(r.failure, `limits property failed (replay: LIMITS_SEED=${SEED})`).toBeNull();
  expect(r.runs).toBe(RUNS);
  // The generator must reach both sides: computed cases and limit refusals.
  expect(r.outcomes.computed ?? 0).toBeGreaterThan(RUNS / 4);
  expect(r.outcomes['limit-exceeded'] ?? 0).toBeGreaterThan(0);
  expect(h.errors).toEqual([]);
}, 300_000);

test(`limits property, leaning on scratch: ${SCRATCH_RUNS} calls of many narrow rows or channels with split-row tuning entries and forced variants (seed ${SEED})`, async () => {
  const r = await h.run((harness, a: { seed: number; runs: number }) => harness.runLimitsFuzz({ ...a, scratch: true }), { seed: SEED, runs: SCRATCH_RUNS });
  console.log(`limits fuzz (scratch): ${r.runs} cases in ${(r.ms / 1000).toFixed(1)} s; outcomes ${JSON.stringify(r.outcomes)}`);
  expect(r.failure, `limits property failed (replay: LIMITS_SEED=${SEED})`).toBeNull();
  expect(r.runs).toBe(SCRATCH_RUNS);
  expect(r.outcomes.computed ?? 0).toBeGreaterThan(SCRATCH_RUNS / 4);
  expect(r.outcomes['limit-exceeded'] ?? 0).toBeGreaterThan(0);
}, 300_000);
