/**
 * The measurement core, the same code in Chromium (bench/page/) and in Node (the `webgpu`
 * package, bench/runtimes/node-worker.ts): the runtime only supplies the library module, a `GPU`
 * and the copy shader's source.
 *
 * Per op × shape, in this order:
 * 1. verify: run the encode path once and compare with the float64 reference (also compiles the
 *    pipeline, so no timed run pays for it);
 * 2. GPU time: op pass and copy-roofline pass interleaved, each with timestamp writes;
 * 3. encode cost: many `encode…` calls into one encoder that is never submitted;
 * 4. wall time of the convenience form (upload, run, readback);
 * 5. the CPU path.
 */
import type { Normalizer } from '../../src/index.js';
import { BENCH_OPS } from './ops/index.js';
import { CopyRoofline } from './copy-roofline.js';
import { GpuTimer } from './gpu-timer.js';
import { median, summarize } from './stats.js';
import { combineGranularities, isQuantized } from './timestamp-resolution.js';
import type { CaseRecord, CaseSpec, EnvironmentInfo, NormLibrary, ProgressFn } from './types.js';

/** What a runtime hands the core. */
export interface SessionOptions {
  readonly lib: NormLibrary;
  readonly gpu: GPU;
  /** Source of bench/copy.wgsl (the page imports it with `?raw`, Node reads the file). */
  readonly copyShader: string;
  readonly runtime: EnvironmentInfo['runtime'];
  readonly userAgent: string;
}

/** An open device with everything compiled once; measures cases one at a time. */
export interface BenchSession {
  readonly environment: EnvironmentInfo;
  runCase(spec: CaseSpec, progress?: ProgressFn): Promise<CaseRecord>;
  close(): void;
}

/** Optional features the device is created with when the adapter has them: timestamps to time,
 * and what the library's kernels may use (the same list `requestNormDevice` asks for), so the
 * library picks the variants it would pick for a user. */
const FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

/** `encode…` calls per batch, and batches, for the encode-cost measurement. */
const ENCODE_CALLS = 100;
const ENCODE_BATCHES = 9;

/**
 * Requests an adapter and device, builds a normalizer on it, compiles the copy roofline and
 * probes the timestamp resolution.
 *
 * @example
 * ```ts
 * const session = await openBenchSession({ lib, gpu: navigator.gpu, copyShader, runtime: 'chromium', userAgent: navigator.userAgent });
 * const record = await session.runCase({ op: 'layerNorm', shape: { rows: 128, cols: 768 }, reps: 30, warmup: 3 });
 * ```
 */
export async function openBenchSession(options: SessionOptions): Promise<BenchSession> {
  const { lib, gpu } = options;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('requestAdapter() returned null: no WebGPU adapter');
  const a = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'webgpu-norm bench',
    requiredFeatures: FEATURES.filter((f) => adapter.features.has(f)),
    // As requestNormDevice: the largest buffers the adapter allows, so big shapes fit.
    requiredLimits: {
      maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
      maxBufferSize: a.maxBufferSize,
      maxComputeWorkgroupStorageSize: a.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
    },
  });
  const uncaptured: string[] = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  const norm = await lib.createNormalizer({ device });
  const timer = new GpuTimer(device);
  const copy = new CopyRoofline(device, options.copyShader, lib.foldWorkgroups);

  // Probe: copies of a few sizes, so the header can say whether timestamps are quantized before
  // any case runs. Sizes differ so the passes' durations do too.
  let probeGranularity: number | null = null;
  if (timer.mode === 'timestamp-query') {
    const granularities: (number | null)[] = [];
    for (const elements of [1 << 12, 1 << 16, 1 << 18]) {
      const c = await copy.prepare(elements, timer);
      const [s] = await timer.time([c.record], 8, 1);
      granularities.push(s!.granularityNs);
      c.destroy();
    }
    probeGranularity = combineGranularities(granularities);
  }

  const info = adapter.info;
  const environment: EnvironmentInfo = {
    runtime: options.runtime,
    userAgent: options.userAgent,
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description },
    adapterFeatures: [...adapter.features].sort(),
    deviceFeatures: [...device.features].sort(),
    limits: {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    },
    gpuTiming: timer.mode,
    timestampGranularityNs: probeGranularity,
    timestampsQuantized: isQuantized(probeGranularity),
  };

  return {
    environment,
    runCase: (spec, progress = () => {}) => runCase(spec, progress, { lib, norm, device, timer, copy, uncaptured }),
    close() {
      norm.destroy();
      device.destroy();
    },
  };
}

interface SessionState {
  readonly lib: NormLibrary;
  readonly norm: Normalizer;
  readonly device: GPUDevice;
  readonly timer: GpuTimer;
  readonly copy: CopyRoofline;
  readonly uncaptured: string[];
}

async function runCase(spec: CaseSpec, progress: ProgressFn, s: SessionState): Promise<CaseRecord> {
  const op = BENCH_OPS.get(spec.op);
  if (!op) throw new Error(`unknown op ${spec.op}; known: ${[...BENCH_OPS.keys()].join(', ')}`);
  const { rows, cols } = spec.shape;
  const { reps, warmup } = spec;
  s.uncaptured.length = 0;
  const instance = op.create({ lib: s.lib, norm: s.norm, device: s.device }, spec.shape);
  let prepared: Awaited<ReturnType<CopyRoofline['prepare']>> | undefined;
  try {
    progress('verify');
    const verification = await instance.verify();

    progress('copy tuning');
    prepared = await s.copy.prepare(instance.copyElements, s.timer);
    progress('gpu timing');
    const [gpu, copy] = await s.timer.time([instance.record, prepared.record], reps, warmup);

    progress('encode cost');
    const encodeUs = measureEncode(s.device, instance.encode);
    // The variant is the one the timed passes used: same shape, same options, same choice.
    const variant = instance.encode(s.device.createCommandEncoder());

    progress('convenience wall');
    const wall = await timeAsync(() => instance.convenience(), reps, warmup);
    progress('cpu');
    const cpu = await timeAsync(() => instance.cpu(), reps, warmup);

    await s.device.queue.onSubmittedWorkDone();
    if (s.uncaptured.length > 0) throw new Error(`uncaptured WebGPU error: ${s.uncaptured.join('; ')}`);

    const gpuSummary = summarize(gpu!.ms);
    const copySummary = summarize(copy!.ms);
    const granularity = combineGranularities([gpu!.granularityNs, copy!.granularityNs]);
    const gpuMs = gpuSummary.median;
    const copyMs = copySummary.median;
    const cpuMs = median(cpu);
    return {
      op: spec.op,
      rows,
      cols,
      dtype: 'f32',
      variant,
      reps,
      bytes: instance.bytes,
      gpuMs,
      gpu: gpuSummary,
      copyMs,
      copy: copySummary,
      copyVariant: prepared.label,
      copyBytes: prepared.bytes,
      wallMs: median(wall),
      cpuMs,
      encodeUs,
      gbps: instance.bytes / (gpuMs * 1e6),
      copyGbps: prepared.bytes / (copyMs * 1e6),
      rooflineRatio: gpuMs / copyMs,
      cpuSpeedup: cpuMs / gpuMs,
      maxAbsError: verification.maxAbsError,
      withinTolerance: verification.withinTolerance,
      timestampGranularityNs: granularity,
      timestampsQuantized: isQuantized(granularity),
      zeroSamples: gpu!.zeroSamples + copy!.zeroSamples,
    };
  } finally {
    prepared?.destroy();
    instance.destroy();
  }
}

/**
 * µs of JS per encode call with warm caches: batches of calls into one command encoder that is
 * dropped unsubmitted (finishing or submitting would time the GPU, not the JS).
 */
function measureEncode(device: GPUDevice, encode: (target: GPUCommandEncoder) => string): number {
  encode(device.createCommandEncoder()); // warm: pipeline, uniform and bind group are cached now
  const perCall: number[] = [];
  for (let b = 0; b < ENCODE_BATCHES; b++) {
    const encoder = device.createCommandEncoder({ label: 'bench encode cost (never submitted)' });
    const t0 = performance.now();
    for (let i = 0; i < ENCODE_CALLS; i++) encode(encoder);
    perCall.push(((performance.now() - t0) * 1000) / ENCODE_CALLS);
  }
  return median(perCall);
}

/** Wall milliseconds of each of `reps` calls of `fn`, after `warmup` untimed ones. */
async function timeAsync(fn: () => unknown, reps: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}
