/**
 * The measurement core, the same code in Chromium (bench/page/) and in Node (the `webgpu`
 * package, bench/runtimes/node-worker.ts): the runtime only supplies the library module, a `GPU`
 * and the copy shader's source.
 *
 * Per op × shape:
 * 1. verify: run the encode path once and compare with the float64 reference (also compiles the
 *    pipeline, so no timed run pays for it);
 * 2. tune the copy roofline for this size;
 * 3. encode cost: many `encode…` calls into encoders that are never submitted;
 * 4. warm-up, then `reps` rounds, each sampling once: the op pass and the copy pass (timestamp
 *    writes, one submission), the convenience form (upload, run, readback; wall time), its
 *    transfer floor (the same uploads and read-back with no kernel; wall time) and the CPU path.
 *    Medians over the rounds are reported.
 * 5. with `--tune`, for the ops `norm.tune()` serves: every candidate variant timed by tune() on a
 *    normalizer of its own, against the rule's choice (tune-comparison.ts).
 */
import type { Normalizer } from '../../src/index.js';
import { BENCH_OPS } from './ops/index.js';
import { CopyRoofline, type PreparedCopy } from './copy-roofline.js';
import { prepareTransferFloor, type PreparedTransfer } from './transfer-floor.js';
import { foldWorkgroups } from '../../src/core/dispatch.js';
import { GpuTimer } from '../../src/core/gpu-timer.js';
import { median, summarize } from './stats.js';
import { combineGranularities, isQuantized } from '../../src/core/timestamp-resolution.js';
import { TuneRunner } from './tune-comparison.js';
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

/** `encode…` calls per command encoder, and samples, for the encode-cost measurement. */
const ENCODE_CALLS = 50;
const ENCODE_BATCHES = 9;
/** Shortest JS-timed sample (see {@link calibrate}), and the most calls batched into one. */
const MIN_SAMPLE_MS = 10;
const MAX_BATCH = 100_000;

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
  const copy = new CopyRoofline(device, options.copyShader, foldWorkgroups);
  const tuner = new TuneRunner(lib, device);

  // Probe: copies of a few sizes, so the header can say whether timestamps are quantized before
  // any case runs. Sizes differ so the passes' durations do too.
  let probeGranularity: number | null = null;
  if (timer.mode === 'timestamp-query') {
    const granularities: (number | null)[] = [];
    for (const elements of [1 << 12, 1 << 16, 1 << 18]) {
      const c = await copy.prepare(elements, timer);
      for (let r = 0; r < 4; r++) await timer.sample([c.record]);
      granularities.push(timer.takeReport().granularityNs);
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
    jsTimerResolutionUs: timerResolutionUs(),
  };

  return {
    environment,
    runCase: (spec, progress = () => {}) => runCase(spec, progress, { gpu, adapter, lib, norm, device, timer, copy, tuner, uncaptured }),
    close() {
      timer.destroy();
      tuner.destroy();
      norm.destroy();
      device.destroy();
    },
  };
}

interface SessionState {
  /**
   * Held only to keep them alive: with the `webgpu` package, a collected `GPU` object destroys
   * Dawn's instance under the live device, and the next event poll aborts the process.
   */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly lib: NormLibrary;
  readonly norm: Normalizer;
  readonly device: GPUDevice;
  readonly timer: GpuTimer;
  readonly copy: CopyRoofline;
  readonly tuner: TuneRunner;
  readonly uncaptured: string[];
}

async function runCase(spec: CaseSpec, progress: ProgressFn, s: SessionState): Promise<CaseRecord> {
  const op = BENCH_OPS.get(spec.op);
  if (!op) throw new Error(`unknown op ${spec.op}; known: ${[...BENCH_OPS.keys()].join(', ')}`);
  const { rows, cols } = spec.shape;
  const { reps, warmup } = spec;
  s.uncaptured.length = 0;
  s.timer.takeReport(); // forget earlier cases' timestamps
  const instance = op.create({ lib: s.lib, norm: s.norm, device: s.device, dtype: spec.dtype }, spec.shape);
  let prepared: PreparedCopy | undefined;
  let reread: PreparedCopy | undefined;
  let floor: PreparedTransfer | undefined;
  let byHand: PreparedTransfer | undefined;
  try {
    progress('verify');
    const verification = await instance.verify();

    progress('copy tuning');
    prepared = await s.copy.prepare(instance.copyElements, s.timer);
    reread = await s.copy.prepare(instance.copyElements, s.timer, 'reread');

    progress('encode cost');
    const encode = await measureEncode(s.device, instance.encode);
    // The variant the timed passes use: same shape, same options, same choice.
    const variant = instance.encode(s.device.createCommandEncoder());

    progress('warm-up');
    const kernels = [instance.record, prepared.record, reread.record];
    await s.timer.untimed(kernels, Math.max(1, warmup));
    floor = prepareTransferFloor(s.device, instance.transfer);
    byHand = prepareTransferFloor(s.device, instance.transfer, (encoder) => void instance.encode(encoder));
    const convenience = () => instance.convenience();
    const transfer = floor.run;
    const hand = byHand.run;
    const cpu = () => instance.cpu();
    // At least one of each, so the library's pooled transfer buffers exist before any timing,
    // as they do for a caller's second call.
    for (let i = 0; i < Math.max(1, warmup); i++) {
      await convenience();
      await transfer();
      await hand();
      cpu();
    }
    const wallBatch = await calibrate(convenience);
    const transferBatch = await calibrate(transfer);
    const handBatch = await calibrate(hand);
    const cpuBatch = await calibrate(cpu);

    // Round-robin: each round samples every measurement once, so load from other processes
    // (this machine may be shared) lands on all of them alike instead of on one block.
    const gpuMs: number[] = [];
    const copyMs: number[] = [];
    const rereadMs: number[] = [];
    const wallMs: number[] = [];
    const transferMs: number[] = [];
    const handMs: number[] = [];
    const cpuMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      progress(`round ${r + 1}/${reps}`);
      const [g, c, rr] = await s.timer.sample(kernels, r);
      gpuMs.push(g!);
      copyMs.push(c!);
      rereadMs.push(rr!);
      wallMs.push((await timeTotal(convenience, wallBatch)) / wallBatch);
      transferMs.push((await timeTotal(transfer, transferBatch)) / transferBatch);
      handMs.push((await timeTotal(hand, handBatch)) / handBatch);
      cpuMs.push((await timeTotal(cpu, cpuBatch)) / cpuBatch);
    }

    await s.device.queue.onSubmittedWorkDone();
    if (s.uncaptured.length > 0) throw new Error(`uncaptured WebGPU error: ${s.uncaptured.join('; ')}`);

    // After every timed measurement, so the tuning runs share no round with them.
    let tune: CaseRecord['tune'];
    if (s.tuner.applies(spec)) {
      progress('tune() candidates');
      tune = await s.tuner.compare(spec, variant);
      if (s.uncaptured.length > 0) throw new Error(`uncaptured WebGPU error during tune(): ${s.uncaptured.join('; ')}`);
    }

    const stamps = s.timer.takeReport();
    const gpu = summarize(gpuMs);
    const copy = summarize(copyMs);
    const twice = summarize(rereadMs);
    const cpuMedian = median(cpuMs);
    const wall = median(wallMs);
    const moved = summarize(transferMs);
    const manual = median(handMs);
    return {
      op: spec.op,
      rows,
      cols,
      dtype: spec.dtype,
      variant,
      reps,
      bytes: instance.bytes,
      gpuMs: gpu.median,
      gpu,
      copyMs: copy.median,
      copy,
      copyVariant: prepared.label,
      copyBytes: prepared.bytes,
      rereadMs: twice.median,
      reread: twice,
      rereadVariant: reread.label,
      rereadBytes: reread.bytes,
      wallMs: wall,
      transferMs: moved.median,
      transfer: moved,
      transferBytes: floor.bytes,
      wallRatio: wall / (moved.median + gpu.median),
      handMs: manual,
      handRatio: wall / manual,
      cpuMs: cpuMedian,
      encodeUs: encode.us,
      batches: { wall: wallBatch, transfer: transferBatch, hand: handBatch, cpu: cpuBatch, encode: encode.calls },
      gbps: instance.bytes / (gpu.median * 1e6),
      copyGbps: prepared.bytes / (copy.median * 1e6),
      rooflineRatio: gpu.median / copy.median,
      rereadRatio: gpu.median / twice.median,
      cpuSpeedup: cpuMedian / gpu.median,
      maxAbsError: verification.maxAbsError,
      withinTolerance: verification.withinTolerance,
      timestampGranularityNs: stamps.granularityNs,
      timestampsQuantized: isQuantized(stamps.granularityNs),
      zeroSamples: stamps.zeroSamples,
      ...(tune ? { tune } : {}),
    };
  } finally {
    prepared?.destroy();
    reread?.destroy();
    floor?.destroy();
    byHand?.destroy();
    instance.destroy();
  }
}

/**
 * Calls per sample for JS-timed measurements: enough that one sample lasts {@link MIN_SAMPLE_MS}.
 * Browsers coarsen `performance.now()` (100 µs steps in a page that is not cross-origin
 * isolated), so a 5 µs CPU call timed alone would read as 0 or 100 µs; a batch of them does not.
 */
async function calibrate(fn: () => unknown): Promise<number> {
  let n = 1;
  for (;;) {
    const total = await timeTotal(fn, n);
    if (total >= MIN_SAMPLE_MS || n >= MAX_BATCH) return n;
    n = Math.min(MAX_BATCH, total > 0 ? Math.max(2 * n, Math.ceil((1.2 * n * MIN_SAMPLE_MS) / total)) : 10 * n);
  }
}

/** Wall milliseconds of `n` consecutive calls of `fn` (each awaited if it returns a promise). */
async function timeTotal(fn: () => unknown, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  return performance.now() - t0;
}

/**
 * µs of JS per encode call with warm caches: batches of calls into one command encoder that is
 * dropped unsubmitted (finishing or submitting would time the GPU, not the JS).
 */
async function measureEncode(device: GPUDevice, encode: (target: GPUCommandEncoder) => string): Promise<{ us: number; calls: number }> {
  const batch = (n: number) => {
    const encoder = device.createCommandEncoder({ label: 'bench encode cost (never submitted)' });
    for (let i = 0; i < n; i++) encode(encoder);
  };
  batch(1); // warm: pipeline, uniform and bind group are cached from here on
  const calls = await calibrate(() => batch(ENCODE_CALLS));
  const perCall: number[] = [];
  for (let b = 0; b < ENCODE_BATCHES; b++) perCall.push(((await timeTotal(() => batch(ENCODE_CALLS), calls)) * 1000) / (calls * ENCODE_CALLS));
  return { us: median(perCall), calls: calls * ENCODE_CALLS };
}

/** The smallest step of `performance.now()` seen in a short busy loop, in µs. */
function timerResolutionUs(): number {
  let step = Infinity;
  let last = performance.now();
  const end = last + 20;
  for (let seen = 0; seen < 200; ) {
    const t = performance.now();
    if (t > last) {
      step = Math.min(step, t - last);
      last = t;
      seen++;
    }
    if (t > end) break;
  }
  return step * 1000;
}
