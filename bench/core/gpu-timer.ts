/**
 * GPU time of compute passes. With `timestamp-query`, every timed pass gets `timestampWrites`
 * and the difference of its two timestamps is the GPU time of exactly that pass. Without it, each
 * pass is submitted alone and timed from submit to `onSubmittedWorkDone` (an upper bound that
 * includes the submission round trip), and the run says so.
 *
 * One {@link GpuTimer.sample} runs each given kernel once, back to back in one submission, so
 * kernels sampled together (the op and its copy roofline) see the same machine load.
 */
import { timestampGranularity } from './timestamp-resolution.js';

/** Records one unit of work into a compute pass the timer opened. */
export type PassRecorder = (pass: GPUComputePassEncoder) => void;

/** How {@link GpuTimer} measures: see the module comment. */
export type GpuTimingMode = 'timestamp-query' | 'submit-wall';

/** What the timestamps of a series of samples looked like. */
export interface TimestampReport {
  /** Step of the raw timestamps (ns); null without timestamps or when not inferable. */
  readonly granularityNs: number | null;
  /** Timed passes that read as exactly 0 ns. */
  readonly zeroSamples: number;
}

/** Times passes on one device. Not reentrant: await each call before the next. */
export class GpuTimer {
  readonly mode: GpuTimingMode;
  private capacity = 0;
  private querySet: GPUQuerySet | undefined;
  private resolveBuffer: GPUBuffer | undefined;
  private readback: GPUBuffer | undefined;
  private raw: bigint[] = [];
  private zeros = 0;

  constructor(private readonly device: GPUDevice) {
    this.mode = device.features.has('timestamp-query') ? 'timestamp-query' : 'submit-wall';
  }

  /** Runs every kernel once, in order, and returns each one's GPU milliseconds. */
  async sample(kernels: readonly PassRecorder[]): Promise<number[]> {
    return this.mode === 'timestamp-query' ? this.withTimestamps(kernels) : this.withSubmitWall(kernels);
  }

  /** Runs every kernel `reps` times, untimed, in one submission (warm-up). */
  async untimed(kernels: readonly PassRecorder[], reps: number): Promise<void> {
    const encoder = this.device.createCommandEncoder({ label: 'bench warm-up' });
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
    this.querySet?.destroy();
    this.resolveBuffer?.destroy();
    this.readback?.destroy();
    this.capacity = 0;
  }

  private ensureCapacity(queries: number): void {
    if (queries <= this.capacity) return;
    this.destroy();
    const { device } = this;
    this.querySet = device.createQuerySet({ label: 'bench timestamps', type: 'timestamp', count: queries });
    this.resolveBuffer = device.createBuffer({ label: 'bench resolve', size: queries * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ label: 'bench timestamps readback', size: queries * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.capacity = queries;
  }

  private async withTimestamps(kernels: readonly PassRecorder[]): Promise<number[]> {
    const queries = 2 * kernels.length;
    this.ensureCapacity(queries);
    const querySet = this.querySet!;
    const readback = this.readback!;
    const encoder = this.device.createCommandEncoder({ label: 'bench timed' });
    kernels.forEach((record, k) => {
      const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 } });
      record(pass);
      pass.end();
    });
    encoder.resolveQuerySet(querySet, 0, queries, this.resolveBuffer!, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer!, 0, readback, 0, queries * 8);
    this.device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ, 0, queries * 8);
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
