/**
 * GPU time of compute passes, for the benchmark (bench/) and for `norm.tune()`
 * (src/ops/row-norm/tune.ts), so both measure the same way. With `timestamp-query`, every timed pass gets `timestampWrites`
 * and the difference of its two timestamps is the GPU time of exactly that pass. Without it, each
 * pass is submitted alone and timed from submit to `onSubmittedWorkDone` (an upper bound that
 * includes the submission round trip), and the run says so.
 *
 * One {@link GpuTimer.sample} runs each given kernel once, back to back in one submission, so
 * kernels sampled together (the op and its copy roofline) see the same machine load. Each
 * submission starts with an untimed one-invocation dispatch: the first pass of a submission pays
 * the implementation's start-up (on SwiftShader ~0.04 ms of waking its worker threads, measured:
 * LayerNorm 1×768 0.074 ms as the first pass, 0.034 ms after such a dispatch), which is a cost of
 * the submission, not of whichever kernel happens to come first. The order of the timed passes
 * rotates from sample to sample, so no kernel always runs right after another one.
 */
import { timestampGranularity } from './timestamp-resolution.js';
import { MapMode, ShaderStage } from './gpu-flags.js';
import { Usage } from './operands.js';

/**
 * The order in which {@link GpuTimer.sample} runs `n` kernels: from index `rotate` (mod n),
 * wrapping around.
 *
 * @example
 * ```ts
 * rotatedOrder(3, 1); // [1, 2, 0]
 * ```
 */
export function rotatedOrder(n: number, rotate: number): number[] {
  const start = n > 0 ? ((rotate % n) + n) % n : 0;
  return Array.from({ length: n }, (_, i) => (start + i) % n);
}

/**
 * Records one unit of work into a compute pass the timer opened.
 *
 * @example
 * ```ts
 * const record: PassRecorder = (pass) => norm.encodeLayerNorm(pass, { x, y, rows, cols });
 * ```
 */
export type PassRecorder = (pass: GPUComputePassEncoder) => void;

/**
 * How {@link GpuTimer} measures: see the module comment.
 *
 * @example
 * ```ts
 * const exact = new GpuTimer(device).mode === 'timestamp-query';
 * ```
 */
export type GpuTimingMode = 'timestamp-query' | 'submit-wall';

/**
 * What the timestamps of a series of samples looked like.
 *
 * @example
 * ```ts
 * const { granularityNs, zeroSamples } = timer.takeReport();
 * ```
 */
export interface TimestampReport {
  /** Step of the raw timestamps (ns); null without timestamps or when not inferable. */
  readonly granularityNs: number | null;
  /** Timed passes that read as exactly 0 ns. */
  readonly zeroSamples: number;
}

/**
 * What a {@link GpuTimer} may be given besides its device.
 *
 * @example
 * ```ts
 * const timer = new GpuTimer(device, { label: 'webgpu-norm tune', map: (b) => lifecycle.mapRead(b) });
 * ```
 */
export interface GpuTimerOptions {
  /**
   * Maps the timestamp read-back buffer for reading. Default `buffer.mapAsync(MapMode.READ)`; the
   * normalizer passes its own, which rejects with `device-lost` instead of waiting forever.
   */
  readonly map?: ((buffer: GPUBuffer) => Promise<void>) | undefined;
  /** Prefix of the labels of the timer's GPU objects. Default `'bench'`. */
  readonly label?: string | undefined;
}

/**
 * Times passes on one device. Not reentrant: await each call before the next.
 *
 * @example
 * ```ts
 * const timer = new GpuTimer(device);
 * await timer.untimed([record], 1); // compile and warm up
 * const [ms] = await timer.sample([record]);
 * timer.destroy();
 * ```
 */
export class GpuTimer {
  readonly mode: GpuTimingMode;
  private capacity = 0;
  private querySet: GPUQuerySet | undefined;
  private resolveBuffer: GPUBuffer | undefined;
  private readback: GPUBuffer | undefined;
  private raw: bigint[] = [];
  private zeros = 0;
  private wake: { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; buffer: GPUBuffer } | undefined;

  private readonly map: (buffer: GPUBuffer) => Promise<void>;
  private readonly label: string;

  constructor(
    private readonly device: GPUDevice,
    options: GpuTimerOptions = {},
  ) {
    this.mode = device.features.has('timestamp-query') ? 'timestamp-query' : 'submit-wall';
    this.map = options.map ?? ((buffer) => buffer.mapAsync(MapMode.READ));
    this.label = options.label ?? 'bench';
  }

  /**
   * Runs every kernel once and returns each one's GPU milliseconds (in the order given). The
   * kernels run starting at index `rotate` (mod their count) and wrapping around; pass the round
   * number so that the order rotates.
   */
  async sample(kernels: readonly PassRecorder[], rotate = 0): Promise<number[]> {
    if (this.mode !== 'timestamp-query') return this.withSubmitWall(kernels);
    const order = rotatedOrder(kernels.length, rotate);
    const ms = await this.withTimestamps(order.map((k) => kernels[k]!));
    const out = new Array<number>(kernels.length);
    order.forEach((k, i) => (out[k] = ms[i]!));
    return out;
  }

  /** Runs every kernel `reps` times, untimed, in one submission (warm-up). */
  async untimed(kernels: readonly PassRecorder[], reps: number): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label: `${this.label} warm-up` });
    for (let r = 0; r < reps; r++) {
      for (const record of kernels) {
        const pass = encoder.beginComputePass();
        record(pass);
        pass.end();
      }
    }
    this.device.queue.submit([encoder.finish()]);
    await this.device.queue.onSubmittedWorkDone();
  }

  /** The timestamps seen since the last call (or creation), and forgets them. */
  takeReport(): TimestampReport {
    const report = { granularityNs: timestampGranularity(this.raw), zeroSamples: this.zeros };
    this.raw = [];
    this.zeros = 0;
    return report;
  }

  /** Frees the query set and buffers. */
  destroy(): void {
    this.wake?.buffer.destroy();
    this.wake = undefined;
    this.freeQueries();
  }

  private freeQueries(): void {
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    this.readback?.destroy();
    this.capacity = 0;
  }

  private ensureCapacity(queries: number): void {
    if (queries <= this.capacity) return;
    this.freeQueries();
    const { device } = this;
    this.querySet = device.createQuerySet({ label: `${this.label} timestamps`, type: 'timestamp', count: queries });
    this.resolveBuffer = device.createBuffer({ label: `${this.label} resolve`, size: queries * 8, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC });
    this.readback = device.createBuffer({ label: `${this.label} timestamps readback`, size: queries * 8, usage: Usage.MAP_READ | Usage.COPY_DST });
    this.capacity = queries;
  }

  private async withTimestamps(kernels: readonly PassRecorder[]): Promise<number[]> {
    const queries = 2 * kernels.length;
    this.ensureCapacity(queries);
    const querySet = this.querySet!;
    const readback = this.readback!;
    const encoder = this.device.createCommandEncoder({ label: `${this.label} timed` });
    this.recordWake(encoder);
    kernels.forEach((record, k) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
      record(pass);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, queries, this.resolveBuffer!, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer!, 0, readback, 0, queries * 8);
    this.device.queue.submit([encoder.finish()]);
    // Mapped whole (it may be larger, from an earlier sample of more kernels); only these queries are read.
    await this.map(readback);
    const stamps = new BigInt64Array(readback.getMappedRange(0, queries * 8).slice(0));
    readback.unmap();
    return kernels.map((_, k) => {
      const begin = stamps[2 * k]!;
      const end = stamps[2 * k + 1]!;
      this.raw.push(begin, end);
      if (end <= begin) this.zeros++;
      // An implementation may report end < begin (e.g. across a clock reset): clamp, never negative.
      return end > begin ? Number(end - begin) / 1e6 : 0;
    });
  }

  /** The untimed dispatch that opens every timed submission (see the module comment). */
  private recordWake(encoder: GPUCommandEncoder): void {
    if (!this.wake) {
      const { device } = this;
      const label = `${this.label} wake`;
      const layout = device.createBindGroupLayout({
        label,
        entries: [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'storage', minBindingSize: 4 } }],
      });
      const module = device.createShaderModule({
        label,
        code: '@group(0) @binding(0) var<storage, read_write> w: array<u32>;\n@compute @workgroup_size(1) fn main() { w[0] = w[0] + 1u; }\n',
      });
      const pipeline = device.createComputePipeline({ label, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
      const buffer = device.createBuffer({ label, size: 4, usage: Usage.STORAGE });
      this.wake = { pipeline, bindGroup: device.createBindGroup({ label, layout, entries: [{ binding: 0, resource: { buffer } }] }), buffer };
    }
    const pass = encoder.beginComputePass({ label: `${this.label} wake` });
    pass.setPipeline(this.wake.pipeline);
    pass.setBindGroup(0, this.wake.bindGroup);
    pass.dispatchWorkgroups(1);
    pass.end();
  }

  private async withSubmitWall(kernels: readonly PassRecorder[]): Promise<number[]> {
    const ms: number[] = [];
    for (const record of kernels) {
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      record(pass);
      pass.end();
      const buffer = encoder.finish();
      const t0 = performance.now();
      this.device.queue.submit([buffer]);
      await this.device.queue.onSubmittedWorkDone();
      ms.push(performance.now() - t0);
    }
    return ms;
  }
}
