/**
 * The limits property (test/gpu/harness/limits-fuzz.ts) in Node through Dawn, on whatever Vulkan
 * driver setup.ts or VK_ICD_FILENAMES selects (SwiftShader by default, lavapipe with its ICD):
 * random calls of every op on a device claiming small limits are refused before the GPU or match
 * the reference. Set LIMITS_SEED / LIMITS_RUNS to replay a failure or search further.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type * as Lib from '../../src/index.js';
import { limitsFuzz } from '../gpu/harness/limits-fuzz.js';

// Typed as the source, loaded as the build: the test is about the package users get.
const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;

const SEED = Number(process.env.LIMITS_SEED ?? 20261207);
const RUNS = Number(process.env.LIMITS_RUNS ?? 40);

let norm: Lib.Normalizer;
const uncaptured: string[] = [];

beforeAll(async () => {
  norm = await lib.createNormalizer();
  norm.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
});
afterAll(() => {
  norm?.destroy();
  expect(uncaptured).toEqual([]);
});

test(`limits property: ${RUNS} random calls (seed ${SEED}) are refused before the GPU or match the reference`, async () => {
  const r = await limitsFuzz(lib, norm.device, { seed: SEED, runs: RUNS });
  console.log(`limits fuzz (${norm.profile.name}): ${r.runs} cases in ${(r.ms / 1000).toFixed(1)} s; outcomes ${JSON.stringify(r.outcomes)}`);
  expect(r.failure, `limits property failed (replay: LIMITS_SEED=${SEED})`).toBeNull();
  expect(r.runs).toBe(RUNS);
  expect(r.outcomes.computed ?? 0).toBeGreaterThan(RUNS / 4);
}, 300_000);
