/**
 * The GPU memory one normalizer owns: immutable uniform buffers keyed by their contents, dummy
 * buffers standing in for absent optional operands, cached bind groups, and the temporary buffers
 * of the convenience (typed-array) forms. Everything created here is tracked until it is released
 * or, for an evicted uniform, dropped to the GC (never destroyed: an encoder recorded with it may
 * not be submitted yet), so `destroy()` frees exactly what the library still holds and tests can
 * check that nothing accumulates.
 */
import type { BufferRange } from './bindings.js';
import { BindGroupCache, knownBufferIds } from './bind-group-cache.js';
import { bindGroupEntries, entryPointInfo, packUniform } from './bindings.js';
import type { CachedPipeline } from './pipeline-cache.js';
import { Usage } from './operands.js';
import type { ShaderInfo } from './shader-info.js';
import { TransferPool, type PoolStats } from './transfer-pool.js';

/** Bounded map with least-recently-used eviction; `onEvict` decides what happens to the dropped value. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number, private readonly onEvict?: (v: V) => void) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.set(key, v);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      const evicted = this.map.get(oldest)!;
      this.map.delete(oldest);
      this.onEvict?.(evicted);
    }
  }
  clear(): void {
    this.map.clear();
  }
  get size(): number {
    return this.map.size;
  }
}

/** Distinct uniform contents (shape, epsilon) kept per normalizer before the least recent is dropped. */
export const UNIFORM_CACHE_SIZE = 512;

/** Counts of what a normalizer currently holds on the GPU. */
export interface ResourceStats extends PoolStats {
  /** Buffers created by this normalizer and not yet destroyed or released. */
  readonly liveBuffers: number;
  /** Their total size in bytes. */
  readonly liveBytes: number;
  readonly cachedUniforms: number;
  readonly cachedBindGroups: number;
}

export class OwnedResources {
  private readonly live = new Set<GPUBuffer>();
  /** Kept as the range a binding takes, so a hit asks the platform nothing (`buffer.size` is a native call). */
  private readonly uniforms: Lru<BufferRange>;
  private readonly bindGroups = new BindGroupCache(1024);
  private readonly dummies = new Map<string, GPUBuffer>();
  /** The typed-array forms' upload, output and read-back buffers, reused from call to call. */
  readonly transfers: TransferPool;

  constructor(readonly device: GPUDevice) {
    this.transfers = new TransferPool(device, (gone) => this.forgetBindGroups(gone));
    // Uniform buffers are never rewritten (that would race with work already encoded but not
    // yet submitted), so a new shape gets a new buffer. An evicted one is dropped, never
    // destroyed; see drop().
    this.uniforms = new Lru<BufferRange>(UNIFORM_CACHE_SIZE, (r) => this.drop(r.buffer));
  }

  /**
   * Forgets an evicted uniform buffer without destroying it: a command buffer the caller recorded
   * with it may still be waiting to be submitted (a runtime that records a whole model before it
   * submits), and a destroyed buffer would fail that submit and leave its outputs unwritten. The
   * library cannot see the caller's submits, so no moment is safe to destroy it; once nothing
   * refers to it (the implementation keeps it alive for recorded work), the GC reclaims it. It
   * is one small uniform struct, and from then on neither `stats()` counts it nor `destroy()` frees it.
   */
  private drop(buffer: GPUBuffer): void {
    if (!this.live.delete(buffer)) return;
    this.forgetBindGroups([buffer]);
  }

  /** Whether `buffer` is one this normalizer created and still holds (not released, dropped or destroyed). */
  owns(buffer: GPUBuffer): boolean {
    return this.live.has(buffer);
  }

  /** Creates a buffer this normalizer owns and tracks. */
  createBuffer(descriptor: GPUBufferDescriptor): GPUBuffer {
    const b = this.device.createBuffer(descriptor);
    this.live.add(b);
    return b;
  }

  /**
   * Destroys a buffer made by {@link createBuffer}, and forgets the bind groups over it: they can
   * never be hit again, and left in the cache they would push out bind groups that can.
   */
  release(buffer: GPUBuffer): void {
    this.releaseAll([buffer]);
  }

  /** {@link release} for many buffers with one pass over the bind group cache. */
  private releaseAll(buffers: readonly GPUBuffer[]): void {
    const released = buffers.filter((buffer) => this.live.delete(buffer));
    for (const buffer of released) buffer.destroy();
    this.forgetBindGroups(released);
  }

  /** Drops the cached bind groups over `buffers`: they can never be hit again. */
  private forgetBindGroups(buffers: readonly GPUBuffer[]): void {
    this.bindGroups.forget(knownBufferIds(buffers));
  }

  /** A uniform buffer holding `values` packed as the shader's struct `variable`; same contents, same buffer. */
  uniform(shader: ShaderInfo, variable: string, values: Readonly<Record<string, number>>): BufferRange {
    const info = shader.uniforms[variable];
    if (!info) throw new Error(`${shader.name}.wgsl has no uniform ${variable}`);
    // Keyed by what the bytes will be (member order, f32 members rounded), built without packing
    // so a cache hit costs a few string appends.
    let key = `${shader.name}.${variable}`;
    for (const name in info.members) {
      const v = values[name]!;
      key += `|${info.members[name]!.type === 'f32' ? Math.fround(v) : v}`;
    }
    const hit = this.uniforms.get(key);
    if (hit) return hit;
    const bytes = packUniform(info, values);
    const buffer = this.createBuffer({ label: `webgpu-norm ${key}`, size: bytes.byteLength, usage: Usage.UNIFORM, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
    buffer.unmap();
    const range: BufferRange = Object.freeze({ buffer, offset: 0, size: bytes.byteLength });
    this.uniforms.set(key, range);
    return range;
  }

  /**
   * A small storage buffer bound where an optional operand is absent (WebGPU needs every binding
   * an entry point uses, even behind a false override). One per `name` (and size), because two
   * writable bindings in one dispatch must not alias each other, and the range must fit the buffer.
   */
  dummy(name: string, size = 16): BufferRange {
    // The usual 16 bytes keyed by name alone: no key to build on the hot path.
    const key = size === 16 ? name : `${name}:${size}`;
    let buffer = this.dummies.get(key);
    if (!buffer) {
      buffer = this.createBuffer({ label: `webgpu-norm dummy ${name}`, size, usage: Usage.STORAGE });
      this.dummies.set(key, buffer);
    }
    return { buffer, offset: 0, size };
  }

  /** A bind group for `pipeline` with `resources` bound by WGSL name, cached by buffer identity and range. */
  bindGroup(shader: ShaderInfo, entryPoint: string, pipeline: CachedPipeline, resources: Readonly<Record<string, BufferRange>>): GPUBindGroup {
    const entry = entryPointInfo(shader, entryPoint);
    // bindGroupEntries reports a missing name (such a call is always a miss) and a name the shader
    // lacks; the latter on the call that makes the group, so a code path that binds a stray name
    // fails the first time it runs.
    return this.bindGroups.get(pipeline.id, entry.bindings, resources, () =>
      this.device.createBindGroup({ label: pipeline.key, layout: pipeline.layout, entries: bindGroupEntries(shader, entryPoint, resources) }),
    );
  }

  stats(): ResourceStats {
    let liveBytes = 0;
    for (const b of this.live) liveBytes += b.size;
    return { liveBuffers: this.live.size, liveBytes, cachedUniforms: this.uniforms.size, cachedBindGroups: this.bindGroups.size, ...this.transfers.stats() };
  }

  /** Destroys every buffer this normalizer still owns and forgets all cached objects. */
  destroy(): void {
    this.transfers.destroy();
    for (const b of this.live) b.destroy();
    this.live.clear();
    this.uniforms.clear();
    this.bindGroups.clear();
    this.dummies.clear();
  }
}
