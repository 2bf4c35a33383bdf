/**
 * The buffers of the typed-array (convenience) forms, kept for the next call. Creating a buffer
 * per call costs more than the kernel on small shapes: the implementation zero-fills every new
 * buffer before its first use, and every new buffer needs new bind groups. A pooled buffer skips
 * both. Each call takes its buffers out of the pool and gives them back only once its read-back
 * has finished, so two calls in flight never share one.
 */

/** What the pool holds now, for `Normalizer.stats()`. */
export interface PoolStats {
  /** Idle transfer buffers kept for reuse (not counted in `liveBuffers`). */
  readonly pooledBuffers: number;
  readonly pooledBytes: number;
}

/**
 * Idle bytes kept beyond the latest call's own buffers: a decode loop's small calls always hit,
 * and one large call's buffers (always kept) do not push out everything else.
 */
export const POOL_EXTRA_BYTES = 32 << 20;

/**
 * The size a request is rounded up to: 256-byte steps up to 4 KiB, then four steps per power of
 * two (at most 25% larger), so a sequence that grows a row at a time still reuses its buffers.
 * Never above `max` (the device's maxBufferSize) unless the request itself is.
 *
 * @example
 * ```ts
 * sizeClass(3000, 1 << 30);  // 3072
 * sizeClass(70000, 1 << 30); // 81920 (65536 · 1.25)
 * ```
 */
export function sizeClass(bytes: number, max: number): number {
  let c: number;
  if (bytes <= 4096) c = Math.max(256, Math.ceil(bytes / 256) * 256);
  else {
    const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
    c = Math.ceil(bytes / step) * step;
  }
  return Math.max(bytes, Math.min(c, max));
}

/**
 * A per-normalizer pool of transfer buffers, keyed by usage and {@link sizeClass}. Idle buffers
 * beyond the latest call's plus {@link POOL_EXTRA_BYTES} are destroyed, least recently used first.
 *
 * @example
 * ```ts
 * const pool = new TransferPool(device, (gone) => forgetBindGroups(gone));
 * const b = pool.acquire(bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'x');
 * // … submit, await the read-back …
 * pool.recycle([b]);
 * ```
 */
export class TransferPool {
  /**
   * Least recently used first. Size and usage are kept beside each buffer: reading them from a
   * GPUBuffer is a call into the implementation (a native getter in Node's Dawn), several per call.
   */
  private idle: PooledBuffer[] = [];
  private readonly busy = new Map<GPUBuffer, PooledBuffer>();
  private closed = false;
  /** A device's limits never change; read once, not per call (`device.limits` is a native getter too). */
  private readonly maxBufferSize: number;

  constructor(
    private readonly device: GPUDevice,
    /** Called with buffers about to be destroyed (the owner drops its bind groups over them). */
    private readonly onDestroy: (buffers: readonly GPUBuffer[]) => void = () => {},
  ) {
    this.maxBufferSize = device.limits.maxBufferSize;
  }

  /** A buffer of at least `bytes` with exactly `usage`, idle or new; it is the caller's until recycled. */
  acquire(bytes: number, usage: number, label: string): GPUBuffer {
    const size = sizeClass(bytes, this.maxBufferSize);
    const i = this.idle.findIndex((p) => p.size === size && p.usage === usage);
    const pooled = i >= 0 ? this.idle.splice(i, 1)[0]! : { buffer: this.device.createBuffer({ label: `webgpu-norm ${label}`, size, usage }), size, usage };
    this.busy.set(pooled.buffer, pooled);
    return pooled.buffer;
  }

  /**
   * Gives back the buffers of a call whose GPU work has finished (its read-back resolved). After
   * a failure call {@link discard} instead: the GPU may still be using them.
   */
  recycle(buffers: readonly GPUBuffer[]): void {
    const mine = this.takeBack(buffers);
    if (this.closed) {
      this.destroyAll(mine);
      return;
    }
    this.idle.push(...mine);
    // Keep the buffers just returned whatever their size, plus the most recent others up to the
    // extra allowance.
    let budget = mine.reduce((s, p) => s + p.size, 0) + POOL_EXTRA_BYTES;
    const keep: PooledBuffer[] = [];
    const drop: PooledBuffer[] = [];
    for (let j = this.idle.length - 1; j >= 0; j--) {
      const p = this.idle[j]!;
      if (p.size <= budget) {
        budget -= p.size;
        keep.unshift(p);
      } else drop.push(p);
    }
    this.idle = keep;
    this.destroyAll(drop);
  }

  /** Destroys a call's buffers instead of keeping them (the call failed). */
  discard(buffers: readonly GPUBuffer[]): void {
    this.destroyAll(this.takeBack(buffers));
  }

  stats(): PoolStats {
    return { pooledBuffers: this.idle.length, pooledBytes: this.idle.reduce((s, p) => s + p.size, 0) };
  }

  /** Destroys every buffer, idle or in a call (whose read-back then rejects); later recycles destroy. */
  destroy(): void {
    this.closed = true;
    this.destroyAll([...this.idle, ...this.busy.values()]);
    this.idle = [];
    this.busy.clear();
  }

  /** The entries of `buffers` that this pool lent out, no longer busy. */
  private takeBack(buffers: readonly GPUBuffer[]): PooledBuffer[] {
    const mine: PooledBuffer[] = [];
    for (const b of buffers) {
      const p = this.busy.get(b);
      if (p === undefined) continue;
      this.busy.delete(b);
      mine.push(p);
    }
    return mine;
  }

  private destroyAll(pooled: readonly PooledBuffer[]): void {
    if (pooled.length === 0) return;
    const buffers = pooled.map((p) => p.buffer);
    this.onDestroy(buffers);
    for (const b of buffers) b.destroy();
  }
}

/** A pooled buffer with the size and usage it was created with. */
interface PooledBuffer {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly usage: number;
}
