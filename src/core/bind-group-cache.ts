/**
 * The bind groups a normalizer has made, found again by what they bind: the pipeline, and each
 * binding's buffer and range. Every encode call looks one up, so the lookup builds no string: the
 * call's ranges are hashed to a number, and the bucket under that number holds each group with
 * the exact ranges it binds (a hash collision makes a bucket longer, never a wrong hit). Buckets
 * are dropped least recently used first.
 */
import type { BufferRange } from './bindings.js';

/** One cached group and what it binds: the pipeline's id, then (buffer id, offset, size) per binding. */
interface Cached {
  readonly binds: readonly number[];
  readonly group: GPUBindGroup;
}

let nextBufferId = 1;
const bufferIds = new WeakMap<GPUBuffer, number>();

/**
 * A process-wide number for a buffer, for cache keys.
 *
 * @example
 * ```ts
 * bufferId(a) === bufferId(a); // true; another buffer gets another number
 * ```
 */
export function bufferId(buffer: GPUBuffer): number {
  let id = bufferIds.get(buffer);
  if (id === undefined) {
    id = nextBufferId++;
    bufferIds.set(buffer, id);
  }
  return id;
}

/**
 * The ids of those of `buffers` that have one (a buffer no cache key ever named has none).
 *
 * @example
 * ```ts
 * cache.forget(knownBufferIds(releasedBuffers));
 * ```
 */
export function knownBufferIds(buffers: readonly GPUBuffer[]): Set<number> {
  const ids = new Set<number>();
  for (const b of buffers) {
    const id = bufferIds.get(b);
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/** The call being looked up, as `Cached.binds` lists it; reused, since a lookup never re-enters. */
const call: number[] = [];

/**
 * The bucket number of a call's binds (FNV-1a over 32-bit words; a value past 2³² folds its high
 * word in too, so ranges past 4 GiB do not all share buckets).
 *
 * @example
 * ```ts
 * hashBinds([pipelineId, bufferId(x), 0, 4096]); // a 32-bit integer
 * ```
 */
export function hashBinds(binds: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of binds) {
    h = Math.imul(h ^ (v >>> 0), 16777619);
    if (v > 0xffffffff) h = Math.imul(h ^ Math.floor(v / 0x100000000), 16777619);
  }
  return h;
}

/**
 * A bounded cache of bind groups keyed by pipeline and bound ranges.
 *
 * @example
 * ```ts
 * const cache = new BindGroupCache(1024);
 * const group = cache.get(pipeline.id, entryPointInfo(shader, 'main').bindings, { params, x, y }, () => device.createBindGroup(descriptor));
 * ```
 */
export class BindGroupCache {
  private readonly buckets = new Map<number, Cached[]>();
  private count = 0;

  /** `hash` is for the tests, to force collisions; the cache uses {@link hashBinds}. */
  constructor(
    private readonly capacity: number,
    private readonly hash: (binds: readonly number[]) => number = hashBinds,
  ) {}

  /**
   * The group binding `resources` (in the order of `bindings`, by name) for pipeline `pipelineId`,
   * made by `create` on a miss. A name without a resource is a miss that `create` is left to report.
   */
  get(pipelineId: number, bindings: readonly { readonly name: string }[], resources: Readonly<Record<string, BufferRange>>, create: () => GPUBindGroup): GPUBindGroup {
    call.length = 0;
    call.push(pipelineId);
    for (const { name } of bindings) {
      const r = resources[name];
      if (!r) return create();
      call.push(bufferId(r.buffer), r.offset, r.size);
    }
    const h = this.hash(call);
    const bucket = this.buckets.get(h);
    if (bucket) {
      for (const c of bucket) {
        if (sameBinds(c.binds, call)) {
          // Most recently used last: Map iteration order is insertion order.
          this.buckets.delete(h);
          this.buckets.set(h, bucket);
          return c.group;
        }
      }
    }
    const binds = call.slice();
    const group = create();
    if (bucket) {
      bucket.push({ binds, group });
      this.buckets.delete(h);
      this.buckets.set(h, bucket);
    } else {
      this.buckets.set(h, [{ binds, group }]);
    }
    this.count++;
    while (this.count > this.capacity) this.dropOldest();
    return group;
  }

  /** Forgets every group that binds one of the buffers `ids`: they can never be hit again. */
  forget(ids: ReadonlySet<number>): void {
    if (ids.size === 0) return;
    for (const [h, bucket] of this.buckets) {
      const kept = bucket.filter((c) => !bindsAny(c.binds, ids));
      this.count -= bucket.length - kept.length;
      if (kept.length === 0) this.buckets.delete(h);
      else if (kept.length < bucket.length) this.buckets.set(h, kept);
    }
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }

  private dropOldest(): void {
    const [h, bucket] = this.buckets.entries().next().value as [number, Cached[]];
    bucket.shift();
    this.count--;
    if (bucket.length === 0) this.buckets.delete(h);
  }
}

function sameBinds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `binds` binds one of the buffers `ids` (buffer ids sit at 1, 4, 7, …). */
function bindsAny(binds: readonly number[], ids: ReadonlySet<number>): boolean {
  for (let i = 1; i < binds.length; i += 3) if (ids.has(binds[i]!)) return true;
  return false;
}
