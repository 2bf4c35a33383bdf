/**
 * The typed-array (convenience) forms of GroupNorm, InstanceNorm and BatchNorm: validate, upload,
 * record through the encode forms, submit, read back, and free every temporary, whatever happens.
 * `normalizer.ts` wires these into the `Normalizer` methods.
 */
import { NormError } from '../errors.js';
import { Usage } from '../operands.js';
import {
  checkBatchNormInferenceArrays,
  checkBatchNormStatsArrays,
  type BatchNormInferenceOptions,
  type BatchNormInferenceResult,
  type BatchNormStatsOptions,
  type BatchNormStatsResult,
} from './batch-norm-options.js';
import { encodeBatchNormInference, encodeBatchNormStats } from './batch-norm.js';
import type { KernelContext } from './context.js';
import { checkGroupNormArrays, type GroupNormOptions, type GroupNormResult, type InstanceNormOptions } from './group-norm-options.js';
import { encodeGroupNorm, encodeInstanceNorm } from './group-norm.js';
import { storageBytes, type StorageDtype, type TensorData } from './tensor-options.js';

/**
 * What the typed-array forms need from their normalizer: the kernel context and a `mapAsync`
 * that turns a lost device into a `NormError`.
 *
 * @example
 * ```ts
 * const run: ArrayRunContext = { ...ctx, map: (b) => b.mapAsync(GPUMapMode.READ) };
 * ```
 */
export interface ArrayRunContext extends KernelContext {
  map(buffer: GPUBuffer): Promise<void>;
}

/**
 * The output data type matching an input: f16 bits in, f16 bits out.
 *
 * @example
 * ```ts
 * type Y = SameData<Uint16Array>; // Uint16Array
 * ```
 */
export type SameData<X extends TensorData> = X extends Uint16Array ? Uint16Array : Float32Array;

/**
 * Temporary buffers of one typed-array call (uploads, outputs, one read-back), all released in
 * `release()`. Every convenience form uses it.
 *
 * @example
 * ```ts
 * const io = new Transfers(run);
 * try {
 *   encodeSomething(encoder, { x: io.upload(x, 'x'), y: io.output(bytes, 'y') });
 *   const [y] = await io.readBack(encoder, [yBuffer]);
 * } finally {
 *   io.release();
 * }
 * ```
 */
export class Transfers {
  private readonly temps: GPUBuffer[] = [];
  constructor(private readonly ctx: ArrayRunContext) {}

  private create(descriptor: GPUBufferDescriptor): GPUBuffer {
    const max = this.ctx.limits.maxBufferSize;
    if (descriptor.size > max) {
      throw new NormError('limit-exceeded', `${descriptor.size} bytes exceed the device's maxBufferSize (${max}); split the batch into several calls`, 'x');
    }
    const b = this.ctx.resources.createBuffer(descriptor);
    this.temps.push(b);
    return b;
  }

  upload(data: TensorData, label: string): GPUBuffer {
    // Mapped-at-creation sizes must be multiples of 4; an odd-length f16 tensor gets a zero pad.
    const b = this.create({ label: `webgpu-norm ${label}`, size: align4(data.byteLength), usage: Usage.STORAGE, mappedAtCreation: true });
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    return b;
  }

  output(bytes: number, label: string): GPUBuffer {
    return this.create({ label: `webgpu-norm ${label}`, size: bytes, usage: Usage.STORAGE | Usage.COPY_SRC });
  }

  /** Copies each buffer into one readback buffer, submits `encoder`, and returns their bytes. */
  async readBack(encoder: GPUCommandEncoder, buffers: readonly GPUBuffer[]): Promise<ArrayBuffer[]> {
    const total = buffers.reduce((sum, b) => sum + b.size, 0);
    const readback = this.create({ label: 'webgpu-norm readback', size: total, usage: Usage.MAP_READ | Usage.COPY_DST });
    let offset = 0;
    for (const b of buffers) {
      encoder.copyBufferToBuffer(b, 0, readback, offset, b.size);
      offset += b.size;
    }
    this.ctx.device.queue.submit([encoder.finish()]);
    await this.ctx.map(readback);
    const all = readback.getMappedRange();
    offset = 0;
    const out = buffers.map((b) => {
      const bytes = all.slice(offset, offset + b.size);
      offset += b.size;
      return bytes;
    });
    readback.unmap();
    return out;
  }

  release(): void {
    for (const b of this.temps) this.ctx.resources.release(b);
  }
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

function tensorView(bytes: ArrayBuffer, dtype: StorageDtype, count: number): TensorData {
  return dtype === 'f16' ? new Uint16Array(bytes, 0, count) : new Float32Array(bytes, 0, count);
}

/**
 * GroupNorm (or, with `instance`, InstanceNorm) of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = await runGroupNorm(run, x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' });
 * ```
 */
export async function runGroupNorm<X extends TensorData>(
  ctx: ArrayRunContext,
  x: X,
  options: GroupNormOptions | InstanceNormOptions,
  instance = false,
): Promise<GroupNormResult<SameData<X>>> {
  const s = checkGroupNormArrays(x, options, instance);
  const io = new Transfers(ctx);
  try {
    const statBytes = s.batch * s.groups * 4;
    const y = io.output(storageBytes(s.elements, s.dtype), 'y');
    const mean = io.output(statBytes, 'mean');
    const rstd = io.output(statBytes, 'rstd');
    const encoder = ctx.device.createCommandEncoder({ label: instance ? 'webgpu-norm instanceNorm' : 'webgpu-norm groupNorm' });
    const operands = {
      ...options,
      x: io.upload(x, 'x'),
      y,
      mean,
      rstd,
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
      dtype: s.dtype,
      groups: s.groups,
    };
    if (instance) encodeInstanceNorm(ctx, encoder, operands);
    else encodeGroupNorm(ctx, encoder, operands);
    const [yb, mb, rb] = (await io.readBack(encoder, [y, mean, rstd])) as [ArrayBuffer, ArrayBuffer, ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.elements) as SameData<X>, mean: new Float32Array(mb), rstd: new Float32Array(rb) };
  } finally {
    io.release();
  }
}

/**
 * BatchNorm inference of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y } = await runBatchNormInference(run, x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', runningMean, runningVar });
 * ```
 */
export async function runBatchNormInference<X extends TensorData>(
  ctx: ArrayRunContext,
  x: X,
  options: BatchNormInferenceOptions,
): Promise<BatchNormInferenceResult<SameData<X>>> {
  const s = checkBatchNormInferenceArrays(x, options);
  const io = new Transfers(ctx);
  try {
    const y = io.output(storageBytes(s.elements, s.dtype), 'y');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm batchNormInference' });
    encodeBatchNormInference(ctx, encoder, {
      ...options,
      x: io.upload(x, 'x'),
      y,
      runningMean: io.upload(options.runningMean, 'runningMean'),
      runningVar: io.upload(options.runningVar, 'runningVar'),
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
      dtype: s.dtype,
    });
    const [yb] = (await io.readBack(encoder, [y])) as [ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.elements) as SameData<X> };
  } finally {
    io.release();
  }
}

/**
 * Per-channel batch statistics of a typed array on the GPU.
 *
 * @example
 * ```ts
 * const { mean, var: variance } = await runBatchNormStats(run, x, { batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
 * ```
 */
export async function runBatchNormStats(ctx: ArrayRunContext, x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult> {
  const s = checkBatchNormStatsArrays(x, options);
  const io = new Transfers(ctx);
  try {
    const mean = io.output(s.channels * 4, 'mean');
    const variance = io.output(s.channels * 4, 'var');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm batchNormStats' });
    encodeBatchNormStats(ctx, encoder, { ...options, x: io.upload(x, 'x'), mean, var: variance, dtype: s.dtype });
    const [mb, vb] = (await io.readBack(encoder, [mean, variance])) as [ArrayBuffer, ArrayBuffer];
    return { mean: new Float32Array(mb), var: new Float32Array(vb) };
  } finally {
    io.release();
  }
}
