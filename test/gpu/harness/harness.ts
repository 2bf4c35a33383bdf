/**
 * Runs inside headless Chromium. Imports the *built* library (dist/index.js), so the tests cover
 * the package users install. Generates each case's inputs from its seed, runs it on the GPU inside
 * a validation error scope, compares with the float64 reference, and returns a small summary (no
 * large arrays cross the DevTools protocol).
 */
import * as lib from '../../../dist/index.js';
import { createNormalizer, NormError, type Normalizer } from '../../../dist/index.js';
import { rowNormCase, type RowNormCase } from '../../row-norm/row-norm-case.js';
import { addLayerNormBackwardChain } from '../../row-norm/chain-case.js';
import { reliability } from './reliability.js';
import { fuzz } from './fuzz.js';
import { limitsFuzz } from './limits-fuzz.js';

export type { RowNormCase, RowNormCaseResult } from '../../row-norm/row-norm-case.js';

let normPromise: Promise<Normalizer> | undefined;
const uncaptured: string[] = [];

export function normalizer(): Promise<Normalizer> {
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
async function runAddLayerNormBackwardChain(c: Parameters<typeof addLayerNormBackwardChain>[1]) {
  return addLayerNormBackwardChain(await normalizer(), c);
}

/** The limits property (limits-fuzz.ts) over the shared normalizer's device. */
async function runLimitsFuzz(a: { seed: number; runs: number; timeLimitMs?: number; scratch?: boolean }) {
  return limitsFuzz(lib, (await normalizer()).device, a);
}

const harness = { runRowNormCase, runAddLayerNormBackwardChain, expectNormError, adapterInfo, normalizer, lib, runLimitsFuzz };
// The page's tests reach it as window.harness; in Node (test/gpu/page.ts, node projects) the
// same object is globalThis.harness.
(globalThis as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;

// ---------------------------------------------------------------------------------------------
// Bad-input helpers (test/gpu/bad-input.test.ts): run a function against the shared normalizer
// inside a validation error scope, with a kit of tracked GPU objects. Kept apart from the case
// runner above; it only reads `normalizer` and `uncaptured`.

type Library = typeof import('../../../dist/index.js');

/** Tracked objects for a bad-input call; cleaned up (and checked) after it. */
export interface BadInputKit {
  /** A buffer (default usage STORAGE | COPY_SRC | COPY_DST), destroyed after the call. */
  buffer(size: number, usage?: number): GPUBuffer;
  /** A command encoder that is finished and submitted after the call: a refused call must leave it usable. */
  encoder(): GPUCommandEncoder;
  /** An open compute pass on a tracked encoder, ended after the call. */
  pass(): GPUComputePassEncoder;
  /** The built library, for second normalizers and the CPU reference. */
  readonly lib: Library;
}

export interface InScopeResult<T> {
  /** What `fn` returned (when it did not throw). */
  readonly value: T | null;
  /** The NormError `fn` threw (code, argument, message), anything else it threw, or null. */
  readonly error: { code: string; argument: string | null; message: string } | { other: string } | null;
  /** The validation error scope around the call and the follow-up submit of the kit's encoders. */
  readonly validationError: string | null;
  readonly uncapturedErrors: readonly string[];
}

/**
 * Runs `fn(norm, device, kit)` on the shared normalizer between pushErrorScope('validation') and
 * popErrorScope, after ending the kit's passes and submitting its encoders (so a call that threw
 * halfway through recording would show up as a validation error), then destroys the kit's buffers.
 */
export async function runInScope<T>(fn: (norm: Normalizer, device: GPUDevice, kit: BadInputKit) => T | Promise<T>): Promise<InScopeResult<T>> {
  const norm = await normalizer();
  const lib = (await import('../../../dist/index.js')) as Library;
  const device = norm.device;
  const buffers: GPUBuffer[] = [];
  const encoders: GPUCommandEncoder[] = [];
  const passes: GPUComputePassEncoder[] = [];
  const kit: BadInputKit = {
    buffer(size, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST) {
      const b = device.createBuffer({ size, usage });
      buffers.push(b);
      return b;
    },
    encoder() {
      const e = device.createCommandEncoder();
      encoders.push(e);
      return e;
    },
    pass() {
      const p = kit.encoder().beginComputePass();
      passes.push(p);
      return p;
    },
    lib,
  };
  uncaptured.length = 0;
  device.pushErrorScope('validation');
  let value: T | null = null;
  let error: InScopeResult<T>['error'] = null;
  try {
    value = await fn(norm, device, kit);
  } catch (e) {
    error = e instanceof lib.NormError ? { code: e.code, argument: e.argument ?? null, message: e.message } : { other: String(e) };
  }
  for (const p of passes) p.end();
  if (encoders.length > 0) device.queue.submit(encoders.map((e) => e.finish()));
  await device.queue.onSubmittedWorkDone();
  const scope = await device.popErrorScope();
  for (const b of buffers) b.destroy();
  return { value, error, validationError: scope ? scope.message : null, uncapturedErrors: [...uncaptured] };
}

const badInputHarness = { runInScope };
Object.assign(harness, badInputHarness);
export type BadInputHarness = Harness & typeof badInputHarness;

// ---- GroupNorm / InstanceNorm / BatchNorm: functions in ./channel-norm.ts, added to the same
// window.harness object (tests type it as Harness & ChannelNormHarness). ----
import { channelNormHarness } from '../../channel/channel-norm-case.js';
Object.assign(harness, channelNormHarness);

// Backward passes (test/backward/backward.gpu.test.ts).
import { backwardCase, backwardDeterminism, type BackwardCase } from '../../backward/backward-case.js';
const backwardHarness = {
  runBackwardCase: async (c: BackwardCase) => backwardCase(await normalizer(), c),
  backwardDeterminism: async (c: BackwardCase) => backwardDeterminism(await normalizer(), c),
};
Object.assign(harness, backwardHarness);
export type BackwardHarness = Harness & typeof backwardHarness;
// Lp normalization (test/lp-norm/lp-norm.gpu.test.ts).
import { lpNormCase, type LpNormCase } from '../../lp-norm/lp-norm-case.js';
const lpNormHarness = {
  runLpNormCase: async (c: LpNormCase) => {
    const norm = await normalizer();
    uncaptured.length = 0;
    const result = await lpNormCase(norm, c);
    return { ...result, uncapturedErrors: [...uncaptured] };
  },
};
Object.assign(harness, lpNormHarness);
export type LpNormHarness = Harness & typeof lpNormHarness;
import { trainMlp } from './mlp-train.js';
Object.assign(harness, { trainMlp: async (steps: number) => trainMlp(await normalizer(), steps) });
export type TrainHarness = BackwardHarness & { trainMlp(steps: number): Promise<{ gpu: number[]; cpu: number[] }> };

// Reliability suites (bad-input table, debug mode, device loss, concurrency, soak, fuzz): see
// reliability.ts and fuzz.ts. Registered here so every GPU test file shares one page.
Object.assign(harness, reliability, fuzz);
export type ReliabilityHarness = BadInputHarness & typeof reliability & typeof fuzz;
// ONNX nodes (test/onnx/onnx.gpu.test.ts).
import { onnxCase, type OnnxCase } from '../../onnx/onnx-case.js';
import { onnxEncodeInPass, onnxGraph } from '../../onnx/onnx-graph.js';
import { onnxExactSum, type ExactSumCase } from '../../onnx/onnx-exact-sum.js';
const onnxHarness = {
  runOnnxCase: async (c: OnnxCase) => {
    const norm = await normalizer();
    uncaptured.length = 0;
    const result = await onnxCase(norm, c);
    return { ...result, uncapturedErrors: [...uncaptured] };
  },
  runOnnxGraph: async (g: Parameters<typeof onnxGraph>[1]) => onnxGraph(await normalizer(), g),
  runOnnxEncodeInPass: async (seed: number) => onnxEncodeInPass(await normalizer(), seed),
  runOnnxExactSum: async (c: ExactSumCase) => {
    const norm = await normalizer();
    uncaptured.length = 0;
    const result = await onnxExactSum(norm, c);
    return { ...result, uncapturedErrors: [...uncaptured] };
  },
};
Object.assign(harness, onnxHarness);
export type OnnxHarness = Harness & typeof onnxHarness;
