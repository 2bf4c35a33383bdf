/**
 * The temporaries of a typed-array (convenience) call: uploads, outputs and one read-back buffer,
 * all released whatever happens. Every op family's `run.ts` goes through {@link Transfers}.
 */
import type { BufferRange } from './bindings.js';
import { NormError } from './errors.js';
import { Usage } from './operands.js';
import type { KernelContext } from './context.js';
import type { Dtype, TensorData } from './tensor.js';

/**
 * What the typed-array forms need from their normalizer: the kernel context and a `mapAsync`
 * that turns a lost device into a `NormError`.
 *
 * @example
 * ```ts
 * const run: ArrayRunContext = { ...ctx, map: (b) => b.mapAsync(MapMode.READ) };
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
 * The sizes of every temporary a typed-array call will create, stated before it creates any: each
 * upload and output is bound as storage (so must fit `maxStorageBufferBindingSize` and
 * `maxBufferSize`), and the outputs are read back in one buffer (their sum must fit
 * `maxBufferSize`). `argument` is what a refusal names (the tensor that sets the sizes).
 */
export interface TransferSizes {
  readonly uploads: readonly number[];
  readonly outputs: readonly number[];
  readonly argument?: string | undefined;
  /** Names the outputs in the read-back refusal's message. */
  readonly outputNames?: readonly string[] | undefined;
}

/**
 * Refuses, with `limit-exceeded`, a typed-array call whose temporaries would not fit the device
 * (see {@link TransferSizes}); creates nothing. {@link Transfers} calls it in its constructor, so
 * every typed-array form checks all of its sizes before its first upload.
 *
 * @example
 * ```ts
 * checkTransfers(ctx.limits, { uploads: [xBytes, cols * 4], outputs: [xBytes, rows * 4], argument: 'x' });
 * ```
 */
export function checkTransfers(limits: Pick<GPUSupportedLimits, 'maxBufferSize' | 'maxStorageBufferBindingSize'>, sizes: TransferSizes): void {
  const argument = sizes.argument ?? 'x';
  const all = [...sizes.uploads, ...sizes.outputs];
  const largest = Math.max(0, ...all.map(align4));
  checkBufferSize(limits, largest, argument);
  checkBindingSize(limits, largest, argument);
  const total = sizes.outputs.reduce((sum, b) => sum + b, 0);
  const named = sizes.outputNames ? ` (the outputs ${sizes.outputNames.join(', ')} are read back in one buffer)` : ' (the outputs are read back in one buffer)';
  checkBufferSize(limits, total, argument, named);
}

/**
 * The buffers of one typed-array call (uploads, outputs, one read-back), taken from the
 * normalizer's `TransferPool` and given back in `release()`: kept for the next call when
 * the read-back finished, destroyed when the call failed. Every convenience form uses it; its
 * sizes are checked when it is constructed ({@link checkTransfers}), so a refusal comes before
 * anything is created. The cost per call is what the transfer itself needs: one `writeBuffer` per
 * input, one copy of the outputs into a read-back buffer, one map, one copy of each output out of
 * the mapping.
 *
 * @example
 * ```ts
 * const io = new Transfers(run, { uploads: [x.byteLength], outputs: [bytes] });
 * try {
 *   encodeSomething(encoder, { x: io.upload(x, 'x'), y: io.output(bytes, 'y') });
 *   const [y] = await io.readBack(encoder, [yBuffer]);
 * } finally {
 *   io.release();
 * }
 * ```
 */
export class Transfers {
  private readonly taken: GPUBuffer[] = [];
  /** Bytes the call asked for, per output buffer (pooled buffers may be larger). */
  private readonly wanted = new Map<GPUBuffer, number>();
  /** Set once the read-back has finished: the GPU is done with every buffer of the call. */
  private finished = false;
  constructor(
    private readonly ctx: ArrayRunContext,
    sizes: TransferSizes,
  ) {
    checkTransfers(ctx.limits, sizes);
  }

  private take(bytes: number, usage: number, label: string): GPUBuffer {
    const max = this.ctx.limits.maxBufferSize;
    if (bytes > max) {
      throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxBufferSize (${max}); split the batch into several calls`, 'x');
    }
    const b = this.ctx.resources.transfers.acquire(bytes, usage, label);
    this.taken.push(b);
    return b;
  }

  upload(data: TensorData, label: string): GPUBuffer {
    const b = this.take(align4(data.byteLength), Usage.STORAGE | Usage.COPY_DST, label);
    // writeBuffer sizes must be multiples of 4: an odd-length f16 tensor's last element goes with a zero pad.
    const whole = data.byteLength & ~3;
    const queue = this.ctx.device.queue;
    if (whole > 0) queue.writeBuffer(b, 0, data.buffer, data.byteOffset, whole);
    if (whole < data.byteLength) {
      const tail = new Uint8Array(4);
      tail.set(new Uint8Array(data.buffer, data.byteOffset + whole, data.byteLength - whole));
      queue.writeBuffer(b, whole, tail);
    }
    return b;
  }

  /**
   * {@link upload} as the range a family's `record…` function binds (`size` bytes from 0);
   * absent data stays absent.
   */
  uploadRange(data: TensorData | undefined, label: string, size: number): BufferRange | undefined {
    return data === undefined ? undefined : { buffer: this.upload(data, label), offset: 0, size };
  }

  /** {@link output} as the range a family's `record…` function binds. */
  outputRange(bytes: number, label: string): BufferRange {
    return { buffer: this.output(bytes, label), offset: 0, size: bytes };
  }

  output(bytes: number, label: string): GPUBuffer {
    const b = this.take(bytes, Usage.STORAGE | Usage.COPY_SRC, label);
    this.wanted.set(b, bytes);
    return b;
  }

  /**
   * Copies each output into one read-back buffer, submits `encoder`, maps once and returns each
   * output's bytes (as many as `output()` asked for), copied out of the mapping once.
   */
  async readBack(encoder: GPUCommandEncoder, buffers: readonly GPUBuffer[]): Promise<ArrayBuffer[]> {
    const sizes = buffers.map((b) => align4(this.wanted.get(b) ?? b.size));
    const total = sizes.reduce((sum, n) => sum + n, 0);
    const readback = this.take(total, Usage.MAP_READ | Usage.COPY_DST, 'readback');
    let offset = 0;
    buffers.forEach((b, i) => {
      encoder.copyBufferToBuffer(b, 0, readback, offset, sizes[i]!);
      offset += sizes[i]!;
    });
    this.ctx.device.queue.submit([encoder.finish()]);
    await this.ctx.map(readback);
    const all = readback.getMappedRange(0, total);
    offset = 0;
    const out = sizes.map((n) => {
      const bytes = all.slice(offset, offset + n);
      offset += n;
      return bytes;
    });
    readback.unmap();
    this.finished = true;
    return out;
  }

  release(): void {
    const pool = this.ctx.resources.transfers;
    if (this.finished) pool.recycle(this.taken);
    else pool.discard(this.taken);
  }
}

/**
 * Refuses a typed-array call whose buffer (or combined read-back) would exceed the device's
 * `maxBufferSize`, before anything is allocated: such a buffer would be a device validation error
 * (and a failed read-back reported as device-lost), not a NormError.
 *
 * @example
 * ```ts
 * checkBufferSize(ctx.limits, total, 'x', ' (the outputs y, mean, rstd are read back in one buffer)');
 * ```
 */
export function checkBufferSize(limits: Pick<GPUSupportedLimits, 'maxBufferSize'>, bytes: number, argument: string, why = ''): void {
  const max = limits.maxBufferSize;
  if (bytes > max) {
    throw new NormError('limit-exceeded', `${bytes} bytes${why} exceed the device's maxBufferSize (${max}); split the rows into several calls`, argument);
  }
}

/**
 * Refuses a typed-array call whose tensor would not fit one storage binding.
 *
 * @example
 * ```ts
 * checkBindingSize(ctx.limits, storageBytes(rows * cols, dtype), 'x');
 * ```
 */
export function checkBindingSize(limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize'>, bytes: number, argument: string): void {
  const maxBinding = limits.maxStorageBufferBindingSize;
  if (bytes > maxBinding) {
    throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxStorageBufferBindingSize (${maxBinding}); split the rows into several calls`, argument);
  }
}

export function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

export function tensorView(bytes: ArrayBuffer, dtype: Dtype, count: number): TensorData {
  return dtype === 'f16' ? new Uint16Array(bytes, 0, count) : new Float32Array(bytes, 0, count);
}
