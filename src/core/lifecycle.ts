/**
 * A normalizer's life on its device: destroyed by the caller, or lost with the device. Read-backs
 * wait here, so that a lost device rejects every waiting call at once instead of leaving it
 * pending (an implementation may never settle `mapAsync` on a lost device).
 */
import { NormError } from './errors.js';
import { MapMode } from './gpu-flags.js';

/** The error every call gets once the device is lost. */
function lostError(info: GPUDeviceLostInfo): NormError {
  return new NormError('device-lost', `the device was lost (${info.reason}: ${info.message}); create a normalizer on a new device`);
}

/**
 * Whether the normalizer was destroyed or its device lost, and the read-backs waiting on the GPU.
 *
 * @example
 * ```ts
 * const life = new DeviceLifecycle(device);
 * life.check();                 // throws 'destroyed' or 'device-lost'
 * await life.mapRead(readback); // rejects with 'device-lost' as soon as the device is lost
 * ```
 */
export class DeviceLifecycle {
  private lostInfo: GPUDeviceLostInfo | undefined;
  private isDestroyed = false;
  /** Read-backs waiting on the GPU: rejected at once when the device is lost, so no call hangs. */
  private readonly waiting = new Set<(e: NormError) => void>();

  constructor(device: GPUDevice) {
    device.lost.then((info) => {
      this.lostInfo = info;
      const error = lostError(info);
      for (const reject of [...this.waiting]) reject(error);
      this.waiting.clear();
    });
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** Marks the normalizer destroyed; false if it already was (destroy() is idempotent). */
  markDestroyed(): boolean {
    if (this.isDestroyed) return false;
    this.isDestroyed = true;
    return true;
  }

  /**
   * `call` as its caller gets it. A call that was running when destroy() came rejects with
   * `destroyed` as before, but that rejection is marked handled: the caller ended the normalizer,
   * so a call it never awaited must not surface as an unhandled rejection. A call started after
   * destroy() is the caller's mistake and stays loud; other errors are never quieted.
   *
   * @example
   * ```ts
   * return life.settle(runTheCall()); // `await` still throws `destroyed`
   * ```
   */
  settle<T>(call: Promise<T>): Promise<T> {
    if (this.isDestroyed) return call;
    const out: Promise<T> = new Promise<T>((resolve, reject) =>
      call.then(resolve, (e: unknown) => {
        // A handler attached before the rejection: nothing is reported, awaiting still throws.
        if (e instanceof NormError && e.code === 'destroyed') out.catch(() => {});
        reject(e);
      }),
    );
    return out;
  }

  /** Throws `destroyed` after destroy(), `device-lost` once the device is lost. */
  check(): void {
    if (this.isDestroyed) throw new NormError('destroyed', 'this normalizer was destroyed; create a new one');
    if (this.lostInfo) throw lostError(this.lostInfo);
  }

  /**
   * Maps a read-back buffer for reading, or rejects with `device-lost` as soon as the device is
   * lost. When mapping fails otherwise, `recheck` (default {@link check}) may throw what explains
   * it better (the normalizer also reports debug-mode findings there); else `device-lost`.
   */
  async mapRead(buffer: GPUBuffer, recheck: () => void = () => this.check()): Promise<void> {
    if (this.lostInfo) throw lostError(this.lostInfo);
    let reject!: (e: NormError) => void;
    const lost = new Promise<never>((_, r) => (reject = r));
    this.waiting.add(reject);
    const mapped = buffer.mapAsync(MapMode.READ);
    try {
      await Promise.race([mapped, lost]);
    } catch (e) {
      mapped.catch(() => {}); // settles later on a lost device; nobody is listening any more
      if (e instanceof NormError) throw e;
      recheck();
      throw new NormError('device-lost', `reading results back failed: ${(e as Error).message}`, undefined, { cause: e });
    } finally {
      this.waiting.delete(reject);
    }
  }
}
