/**
 * `createNormalizer`: the object users hold. Each op has two forms: a convenience form that takes
 * and returns typed arrays (it uploads, runs, reads back, and frees its temporaries), and an
 * `encode…` form that records into the caller's encoder or pass with the caller's buffers and
 * never submits.
 */
import { requestNormDevice } from './device.js';
import { NormError, describe } from './errors.js';
import type { EncodeTarget, KernelContext } from './kernels/context.js';
import { encodeLayerNorm, type EncodeLayerNormOptions, type LayerNormVariant } from './kernels/layer-norm.js';
import { checkLayerNormArrays, type LayerNormOptions, type LayerNormResult } from './kernels/layer-norm-options.js';
import { Usage } from './operands.js';
import { OwnedResources, type ResourceStats } from './resources.js';
import type { BatchNormInferenceOptions, BatchNormInferenceResult, BatchNormStatsOptions, BatchNormStatsResult } from './kernels/batch-norm-options.js';
import { encodeBatchNormInference, encodeBatchNormStats, type EncodeBatchNormInferenceOptions, type EncodeBatchNormStatsOptions } from './kernels/batch-norm.js';
import type { GroupNormOptions, GroupNormResult, InstanceNormOptions } from './kernels/group-norm-options.js';
import { encodeGroupNorm, encodeInstanceNorm, type EncodeGroupNormOptions, type EncodeInstanceNormOptions, type NormPlanInfo } from './kernels/group-norm.js';
import { runBatchNormInference, runBatchNormStats, runGroupNorm, type ArrayRunContext, type SameData } from './kernels/run-arrays.js';
import type { TensorData } from './kernels/tensor-options.js';

/** Options for {@link createNormalizer}. */
export interface NormalizerOptions {
  /** Use this device (the caller keeps owning it). Without it, one is requested and owned by the normalizer. */
  readonly device?: GPUDevice | undefined;
  /** Adapter preference when the normalizer requests its own device. */
  readonly powerPreference?: GPUPowerPreference | undefined;
}

/** Normalization kernels bound to one `GPUDevice`. */
export interface Normalizer {
  /** The device every kernel runs on. */
  readonly device: GPUDevice;
  /** True after {@link Normalizer.destroy}. */
  readonly destroyed: boolean;

  /**
   * LayerNorm over the last dimension of `x` (rows = `x.length / cols`), on the GPU.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta, epsilon: 1e-5 });
   * ```
   */
  layerNorm(x: Float32Array, options: LayerNormOptions): Promise<LayerNormResult>;

  /**
   * Records LayerNorm into the caller's command encoder or compute pass. Never submits.
   *
   * @example
   * ```ts
   * const enc = device.createCommandEncoder();
   * norm.encodeLayerNorm(enc, { x: { buffer: act, offset: 256 }, y: out, rows, cols: 768 });
   * device.queue.submit([enc.finish()]);
   * ```
   */
  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): LayerNormVariant;

  // ---- GroupNorm / InstanceNorm / BatchNorm (src/kernels/group-norm.ts, batch-norm.ts, run-arrays.ts) ----

  /**
   * GroupNorm of a (batch, channels, spatial) tensor: f32 (`Float32Array`) or f16 bits
   * (`Uint16Array`, `y` comes back as f16 bits too); mean/rstd per (image, group) are f32.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.groupNorm(x, { batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout: 'NCHW', gamma, beta });
   * ```
   */
  groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>>;

  /**
   * Records GroupNorm (partial statistics → merge → normalize) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeGroupNorm(encoder, { x, y, batch: 2, channels: 320, spatial: 4096, groups: 32, layout: 'NHWC', dtype: 'f16' });
   * ```
   */
  encodeGroupNorm(target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo;

  /**
   * InstanceNorm: GroupNorm with one channel per group.
   *
   * @example
   * ```ts
   * const { y } = await norm.instanceNorm(x, { batch: 4, channels: 64, spatial: 1024, layout: 'NHWC' });
   * ```
   */
  instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>>;

  /**
   * Records InstanceNorm into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeInstanceNorm(pass, { x, y, batch: 4, channels: 64, spatial: 1024, layout: 'NCHW' });
   * ```
   */
  encodeInstanceNorm(target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo;

  /**
   * BatchNorm inference: `y = (x − runningMean[c]) / sqrt(runningVar[c] + ε) · γ[c] + β[c]`.
   *
   * @example
   * ```ts
   * const { y } = await norm.batchNormInference(x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', runningMean, runningVar });
   * ```
   */
  batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): Promise<BatchNormInferenceResult<SameData<X>>>;

  /**
   * Records BatchNorm inference (one elementwise dispatch) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeBatchNormInference(encoder, { x, y, runningMean, runningVar, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
   * ```
   */
  encodeBatchNormInference(target: EncodeTarget, options: EncodeBatchNormInferenceOptions): NormPlanInfo;

  /**
   * Per-channel mean and (biased, unless `unbiased`) variance over batch × spatial.
   *
   * @example
   * ```ts
   * const { mean, var: variance } = await norm.batchNormStats(x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW' });
   * ```
   */
  batchNormStats(x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult>;

  /**
   * Records the per-channel batch statistics (partial statistics → merge) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeBatchNormStats(encoder, { x, mean, var: variance, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
   * ```
   */
  encodeBatchNormStats(target: EncodeTarget, options: EncodeBatchNormStatsOptions): NormPlanInfo;

  // ---- end GroupNorm / InstanceNorm / BatchNorm ----

  /** GPU memory this normalizer currently owns (uniforms, dummies, in-flight temporaries). */
  stats(): ResourceStats;

  /** Frees what this normalizer created (and the device, if it requested it). Idempotent. */
  destroy(): void;
}

/**
 * Creates a normalizer on `options.device`, or on a newly requested device.
 *
 * @example
 * ```ts
 * import { createNormalizer } from 'webgpu-norm';
 * const norm = await createNormalizer();                 // owns its device
 * const mine = await createNormalizer({ device });       // uses yours
 * const { y } = await norm.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
 * norm.destroy();
 * ```
 */
export async function createNormalizer(options: NormalizerOptions = {}): Promise<Normalizer> {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  if (options.device !== undefined) {
    if (typeof (options.device as GPUDevice)?.createBuffer !== 'function') {
      throw new NormError('invalid-argument', `expected a GPUDevice, got ${describe(options.device)}`, 'device');
    }
    return new GpuNormalizer(options.device, false);
  }
  const { device } = await requestNormDevice({ powerPreference: options.powerPreference });
  return new GpuNormalizer(device, true);
}

class GpuNormalizer implements Normalizer {
  private readonly ctx: KernelContext;
  private lost: GPUDeviceLostInfo | undefined;
  private isDestroyed = false;

  constructor(readonly device: GPUDevice, private readonly ownsDevice: boolean) {
    this.ctx = { device, limits: device.limits, resources: new OwnedResources(device) };
    device.lost.then((info) => {
      this.lost = info;
    });
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  private check(): void {
    if (this.isDestroyed) throw new NormError('destroyed', 'this normalizer was destroyed; create a new one');
    if (this.lost) throw new NormError('device-lost', `the device was lost (${this.lost.reason}: ${this.lost.message}); create a normalizer on a new device`);
  }

  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): LayerNormVariant {
    this.check();
    return encodeLayerNorm(this.ctx, target, options);
  }

  async layerNorm(x: Float32Array, options: LayerNormOptions): Promise<LayerNormResult> {
    this.check();
    const { rows, cols, epsilon } = checkLayerNormArrays(x, options);
    const { resources } = this.ctx;
    const temps: GPUBuffer[] = [];
    const upload = (data: Float32Array, label: string): GPUBuffer => {
      const b = resources.createBuffer({ label: `webgpu-norm ${label}`, size: data.byteLength, usage: Usage.STORAGE, mappedAtCreation: true });
      temps.push(b);
      new Float32Array(b.getMappedRange()).set(data);
      b.unmap();
      return b;
    };
    const output = (bytes: number, label: string): GPUBuffer => {
      const b = resources.createBuffer({ label: `webgpu-norm ${label}`, size: bytes, usage: Usage.STORAGE | Usage.COPY_SRC });
      temps.push(b);
      return b;
    };
    try {
      this.checkBufferSize(x.byteLength, 'x');
      const yBytes = rows * cols * 4;
      const statBytes = rows * 4;
      const xb = upload(x, 'x');
      const y = output(yBytes, 'y');
      const mean = output(statBytes, 'mean');
      const rstd = output(statBytes, 'rstd');
      const readback = resources.createBuffer({ label: 'webgpu-norm readback', size: yBytes + 2 * statBytes, usage: Usage.MAP_READ | Usage.COPY_DST });
      temps.push(readback);
      const encoder = this.device.createCommandEncoder({ label: 'webgpu-norm layerNorm' });
      encodeLayerNorm(this.ctx, encoder, {
        x: xb,
        y,
        mean,
        rstd,
        gamma: options.gamma && upload(options.gamma, 'gamma'),
        beta: options.beta && upload(options.beta, 'beta'),
        rows,
        cols,
        epsilon,
      });
      encoder.copyBufferToBuffer(y, 0, readback, 0, yBytes);
      encoder.copyBufferToBuffer(mean, 0, readback, yBytes, statBytes);
      encoder.copyBufferToBuffer(rstd, 0, readback, yBytes + statBytes, statBytes);
      this.device.queue.submit([encoder.finish()]);
      await this.map(readback);
      const all = new Float32Array(readback.getMappedRange().slice(0));
      readback.unmap();
      return { y: all.subarray(0, rows * cols), mean: all.subarray(rows * cols, rows * cols + rows), rstd: all.subarray(rows * cols + rows) };
    } finally {
      for (const b of temps) resources.release(b);
    }
  }

  // ---- GroupNorm / InstanceNorm / BatchNorm ----

  private get arrayRun(): ArrayRunContext {
    return { ...this.ctx, map: (b) => this.map(b) };
  }

  encodeGroupNorm(target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo {
    this.check();
    return encodeGroupNorm(this.ctx, target, options);
  }

  async groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>> {
    this.check();
    return runGroupNorm(this.arrayRun, x, options);
  }

  encodeInstanceNorm(target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo {
    this.check();
    return encodeInstanceNorm(this.ctx, target, options);
  }

  async instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>> {
    this.check();
    return runGroupNorm(this.arrayRun, x, options, true);
  }

  encodeBatchNormInference(target: EncodeTarget, options: EncodeBatchNormInferenceOptions): NormPlanInfo {
    this.check();
    return encodeBatchNormInference(this.ctx, target, options);
  }

  async batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): Promise<BatchNormInferenceResult<SameData<X>>> {
    this.check();
    return runBatchNormInference(this.arrayRun, x, options);
  }

  encodeBatchNormStats(target: EncodeTarget, options: EncodeBatchNormStatsOptions): NormPlanInfo {
    this.check();
    return encodeBatchNormStats(this.ctx, target, options);
  }

  async batchNormStats(x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult> {
    this.check();
    return runBatchNormStats(this.arrayRun, x, options);
  }

  // ---- end GroupNorm / InstanceNorm / BatchNorm ----

  private checkBufferSize(bytes: number, argument: string): void {
    const max = this.ctx.limits.maxBufferSize;
    if (bytes > max) {
      throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxBufferSize (${max}); split the rows into several calls`, argument);
    }
  }

  private async map(buffer: GPUBuffer): Promise<void> {
    try {
      await buffer.mapAsync(1 /* GPUMapMode.READ */);
    } catch (e) {
      this.check();
      throw new NormError('device-lost', `reading results back failed: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  stats(): ResourceStats {
    return this.ctx.resources.stats();
  }

  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.ctx.resources.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
