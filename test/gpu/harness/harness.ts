/**
 * Runs inside headless Chromium. Imports the *built* library (dist/index.js), so the tests cover
 * the package users install. Generates each case's inputs from its seed, runs it on the GPU inside
 * a validation error scope, compares with the float64 reference, and returns a small summary (no
 * large arrays cross the DevTools protocol).
 */
import * as lib from '../../../dist/index.js';
import { createNormalizer, NormError, type Normalizer } from '../../../dist/index.js';
import { rowNormCase, type RowNormCase } from './row-norm-case.js';

export type { RowNormCase, RowNormCaseResult } from './row-norm-case.js';

let normPromise: Promise<Normalizer> | undefined;
const uncaptured: string[] = [];

function normalizer(): Promise<Normalizer> {
  normPromise ??= createNormalizer().then((n) => {
    n.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
    return n;
  });
  return normPromise;
}

/** Runs one row-norm case; uncaptured device errors raised meanwhile are returned with it. */
async function runRowNormCase(c: RowNormCase) {
  const norm = await normalizer();
  uncaptured.length = 0;
  const result = await rowNormCase(norm, c);
  return { ...result, uncapturedErrors: [...uncaptured] };
}

/** Calls `fn` and reports the NormError it throws (code, argument), or null if it did not throw one. */
async function expectNormError(fn: (norm: Normalizer, device: GPUDevice) => unknown): Promise<{ code: string; argument?: string; message: string } | { other: string } | null> {
  const norm = await normalizer();
  try {
    await fn(norm, norm.device);
    return null;
  } catch (e) {
    if (e instanceof NormError) return { code: e.code, argument: e.argument, message: e.message };
    return { other: String(e) };
  }
}

async function adapterInfo() {
  const norm = await normalizer();
  const d = norm.device;
  return { profile: norm.profile, features: [...d.features], vendor: d.adapterInfo?.vendor, architecture: d.adapterInfo?.architecture, limits: { maxComputeWorkgroupsPerDimension: d.limits.maxComputeWorkgroupsPerDimension, minStorageBufferOffsetAlignment: d.limits.minStorageBufferOffsetAlignment } };
}

/** `lib` is the built package itself, for tests that script the public API directly. */
const harness = { runRowNormCase, expectNormError, adapterInfo, normalizer, lib };
(window as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;
