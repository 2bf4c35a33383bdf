/**
 * Property-based fuzzing in the page (test/gpu/harness/fuzz.ts): for every op, a fixed seed and a
 * bounded number of runs of random shapes, options, forms, megabyte buffer offsets and values
 * (NaN, ±Inf, subnormals, ±65504, large shifts), each checked against the float64 reference; rows
 * with non-finite inputs must not disturb the other rows. A failure prints the seed and path that
 * replay it: set FUZZ_SEED / FUZZ_RUNS to replay or to search further.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ReliabilityHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';
import { opsOf } from '../../src/ops/table.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const OPS = opsOf('row-norm');

let h: HarnessPage;
let total = 0;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  console.log(`fuzz: ${total} cases run (seed ${SEED}, ${RUNS} per op)`);
  await h.close();
});

test.each(OPS)(`%s: ${RUNS} random cases (seed ${SEED}) match the reference`, async (op) => {
  const r = await h.run((harness, a: { op: (typeof OPS)[number]; seed: number; runs: number }) => (harness as ReliabilityHarness).fuzzOp(a.op, a.seed, a.runs), { op, seed: SEED, runs: RUNS });
  total += r.runs;
  console.log(`fuzz ${op}: ${r.runs} cases in ${(r.ms / 1000).toFixed(1)} s, ${r.poisonedCases} with non-finite rows (${r.isolationCases} beside healthy rows), seed ${r.seed}`);
  expect(r.failure, `fuzz failure (replay: FUZZ_SEED=${SEED})`).toBeNull();
  expect(r.runs).toBe(RUNS);
  expect(r.isolationCases, 'some cases must put a poisoned row beside healthy ones').toBeGreaterThan(0);
  // addLayerNorm's 200 cases take 100-140 s on SwiftShader on two idle cores (its random shapes
  // compile many pipelines); the project's 180 s default left no margin for a loaded machine.
}, 420_000);
