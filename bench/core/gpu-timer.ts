/**
 * GPU time of compute passes. With `timestamp-query`, every timed pass gets `timestampWrites`
 * and the difference of its two timestamps is the GPU time of exactly that pass. Without it, each
 * pass is submitted alone and timed from submit to `onSubmittedWorkDone` (an upper bound that
 * includes the submission round trip), and the run says so.
 *
 * Kernels are interleaved (A B A B …) rather than timed in blocks, so that load from other
 * processes on a shared machine falls on all of them alike and their ratio stays meaningful.
 */
import { timestampGranularity } from './timestamp-resolution.js';

/** Records one unit of work into a compute pass the timer opened. */
export type PassRecorder = (pass: GPUComputePassEncoder) => void;

/** The timed samples of one kernel. */
export interface TimedSeries {
  /** GPU milliseconds of each timed repetition. */
  readonly ms: number[];
  /** Step of the raw timestamps (ns), null without timestamps or when not inferable. */
  readonly granularityNs: number | null;
  /** Repetitions that read as exactly 0 ns. */
  readonly zeroSamples: number;
}

/** How {@link GpuTimer} measures: see the module comment. */
export type GpuTimingMode = 'timestamp-query' | 'submit-wall';

/** Queries per query set: comfortably under every implementation's limit (4096). */
const MAX_QUERIES = 1024;
/** Repetitions per submitted command buffer, so one submission never grows huge. */
const MAX_REPS_PER_SUBMIT = 32;

export class GpuTimer {
  readonly mode: GpuTimingMode;

  constructor(private readonly device: GPUDevice) {
    this.mode = device.features.has('timestamp-query') ? 'timestamp-query' : 'submit-wall';
  }

  /** Runs `warmup` untimed then `reps` timed repetitions of every kernel, interleaved. */
  async time(kernels: readonly PassRecorder[], reps: number, warmup: number): Promise<TimedSeries[]> {
    if (warmup > 0) await this.untimed(kernels, warmup);
    return this.mode === 'timestamp-query' ? this.withTimestamps(kernels, reps) : this.withSubmitWall(kernels, reps);
  }

  private async untimed(kernels: readonly PassRecorder[], reps: number): Promise<void> {
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

  private async withTimestamps(kernels: readonly PassRecorder[], reps: number): Promise<TimedSeries[]> {
    const { device } = this;
    const perChunk = Math.max(1, Math.min(MAX_REPS_PER_SUBMIT, Math.floor(MAX_QUERIES / (2 * kernels.length))));
    const queries = 2 * kernels.length * perChunk;
    const querySet = device.createQuerySet({ label: 'bench timestamps', type: 'timestamp', count: queries });
    const resolve = device.createBuffer({ label: 'bench resolve', size: queries * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = device.createBuffer({ label: 'bench timestamps readback', size: queries * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const raw: bigint[][] = kernels.map(() => []);
    const ms: number[][] = kernels.map(() => []);
    try {
      for (let done = 0; done < reps; ) {
        const n = Math.min(perChunk, reps - done);
        const encoder = device.createCommandEncoder({ label: 'bench timed' });
        for (let r = 0; r < n; r++) {
          kernels.forEach((record, k) => {
            const q = 2 * (r * kernels.length + k);
            const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 } });
            record(pass);
            pass.end();
          });
        }
        const used = 2 * n * kernels.length;
        encoder.resolveQuerySet(querySet, 0, used, resolve, 0);
        encoder.copyBufferToBuffer(resolve, 0, readback, 0, used * 8);
        device.queue.submit([encoder.finish()]);
        await readback.mapAsync(GPUMapMode.READ, 0, used * 8);
        const stamps = new BigInt64Array(readback.getMappedRange(0, used * 8).slice(0));
        readback.unmap();
        for (let r = 0; r < n; r++) {
          for (let k = 0; k < kernels.length; k++) {
            const q = 2 * (r * kernels.length + k);
            const begin = stamps[q]!;
            const end = stamps[q + 1]!;
            raw[k]!.push(begin, end);
            // Some implementations may report end < begin across a clock reset; clamp, never negative.
            ms[k]!.push(end > begin ? Number(end - begin) / 1e6 : 0);
          }
        }
        done += n;
      }
    } finally {
      querySet.destroy();
      resolve.destroy();
      readback.destroy();
    }
    return ms.map((series, k) => ({ ms: series, granularityNs: timestampGranularity(raw[k]!), zeroSamples: series.filter((v) => v === 0).length }));
  }

  private async withSubmitWall(kernels: readonly PassRecorder[], reps: number): Promise<TimedSeries[]> {
    const ms: number[][] = kernels.map(() => []);
    for (let r = 0; r < reps; r++) {
      for (let k = 0; k < kernels.length; k++) {
        const encoder = this.device.createCommandEncoder();
        const pass = encoder.beginComputePass();
        kernels[k]!(pass);
        pass.end();
        const buffer = encoder.finish();
        const t0 = performance.now();
        this.device.queue.submit([buffer]);
        await this.device.queue.onSubmittedWorkDone();
        ms[k]!.push(performance.now() - t0);
      }
    }
    return ms.map((series) => ({ ms: series, granularityNs: null, zeroSamples: 0 }));
  }
}
