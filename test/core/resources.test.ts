/**
 * The GPU memory a normalizer owns (src/resources.ts), against a recording fake device: content-
 * keyed uniform buffers, per-name dummies, bind groups cached by buffer identity, LRU bounds, and
 * destroy() freeing exactly what was created.
 */
import { describe, expect, test } from 'vitest';
import { packUniform, type BufferRange } from '../../src/core/bindings.js';
import { reflectWgsl } from '../../src/build/reflect-wgsl.js';
import { Usage } from '../../src/core/operands.js';
import type { CachedPipeline } from '../../src/core/pipeline-cache.js';
import { OwnedResources } from '../../src/core/resources.js';
import { fakeDevice, type FakeBuffer } from './fake-device.js';

const SHADER = reflectWgsl(
  'toy',
  `struct Params { rows: u32, cols: u32, epsilon: f32 }
   @group(0) @binding(0) var<uniform> params: Params;
   @group(0) @binding(1) var<storage, read> x: array<f32>;
   @group(0) @binding(2) var<storage, read_write> y: array<f32>;
   @compute @workgroup_size(1) fn main() { y[0] = x[0] * params.epsilon + f32(params.rows + params.cols); }`,
);
const OTHER = { ...SHADER, name: 'other' };

/** One id per key, as the pipeline cache gives one per pipeline. */
const pipelineIds = new Map<string, number>();
const pipeline = (key = 'toy.main()'): CachedPipeline => {
  if (!pipelineIds.has(key)) pipelineIds.set(key, pipelineIds.size + 1);
  return {
    pipeline: { label: key } as unknown as GPUComputePipeline,
    layout: { label: `layout ${key}` } as unknown as GPUBindGroupLayout,
    key,
    id: pipelineIds.get(key)!,
  };
};

function setup() {
  const fake = fakeDevice();
  return { fake, res: new OwnedResources(fake.device) };
}

/** A caller's buffer: created outside the resources object. */
function callerBuffer(fake: ReturnType<typeof fakeDevice>, size = 1024): FakeBuffer {
  return fake.device.createBuffer({ size, usage: Usage.STORAGE }) as unknown as FakeBuffer;
}

const asRange = (b: FakeBuffer, offset = 0, size = b.size): BufferRange => ({ buffer: b as unknown as GPUBuffer, offset, size });

describe('uniform buffers', () => {
  test('hold the packed struct, are UNIFORM, filled at creation and unmapped', () => {
    const { fake, res } = setup();
    const r = res.uniform(SHADER, 'params', { rows: 3, cols: 768, epsilon: 1e-5 });
    expect(fake.buffers).toHaveLength(1);
    const b = fake.buffers[0]!;
    expect(r).toEqual({ buffer: b, offset: 0, size: 16 });
    expect(b.usage).toBe(Usage.UNIFORM);
    expect(b.mapState).toBe('unmapped');
    expect(new Uint8Array(b.data)).toEqual(new Uint8Array(packUniform(SHADER.uniforms.params!, { rows: 3, cols: 768, epsilon: 1e-5 })));
  });

  test('the same contents give the same buffer; different contents a new one', () => {
    const { fake, res } = setup();
    const a = res.uniform(SHADER, 'params', { rows: 3, cols: 768, epsilon: 1e-5 });
    const b = res.uniform(SHADER, 'params', { epsilon: 1e-5, cols: 768, rows: 3 });
    expect(b.buffer).toBe(a.buffer);
    expect(fake.buffers).toHaveLength(1);
    const c = res.uniform(SHADER, 'params', { rows: 4, cols: 768, epsilon: 1e-5 });
    const d = res.uniform(SHADER, 'params', { rows: 3, cols: 768, epsilon: 1e-6 });
    expect(new Set([a.buffer, c.buffer, d.buffer]).size).toBe(3);
    expect(fake.buffers).toHaveLength(3);
    expect(res.stats().cachedUniforms).toBe(3);
  });

  test('the key is the bytes: epsilons equal after float32 rounding share a buffer', () => {
    const { res } = setup();
    const a = res.uniform(SHADER, 'params', { rows: 1, cols: 1, epsilon: 1e-5 });
    const b = res.uniform(SHADER, 'params', { rows: 1, cols: 1, epsilon: 1e-5 * (1 + 1e-12) });
    expect(Math.fround(1e-5) === Math.fround(1e-5 * (1 + 1e-12))).toBe(true);
    expect(b.buffer).toBe(a.buffer);
  });

  test('different shaders never share a uniform buffer', () => {
    const { res } = setup();
    const a = res.uniform(SHADER, 'params', { rows: 1, cols: 2, epsilon: 0 });
    const b = res.uniform(OTHER, 'params', { rows: 1, cols: 2, epsilon: 0 });
    expect(b.buffer).not.toBe(a.buffer);
  });

  test('an unknown uniform variable or member throws and creates nothing', () => {
    const { fake, res } = setup();
    expect(() => res.uniform(SHADER, 'nope', { rows: 1 })).toThrow('toy.wgsl has no uniform nope');
    expect(() => res.uniform(SHADER, 'params', { rows: 1, cols: 1 })).toThrow(/epsilon/);
    expect(fake.buffers).toHaveLength(0);
  });

  test('LRU: at most 512 are kept; the least recently used is evicted, not the oldest touched one', () => {
    const { fake, res } = setup();
    const u = (rows: number) => res.uniform(SHADER, 'params', { rows, cols: 1, epsilon: 0 }).buffer;
    const first = u(0);
    for (let i = 1; i < 512; i++) u(i);
    expect(res.stats().cachedUniforms).toBe(512);
    expect(u(0)).toBe(first); // touch 0: now 1 is the least recently used
    const second = fake.buffers[1]!;
    u(512); // evicts rows = 1
    expect(res.stats().cachedUniforms).toBe(512);
    // The evicted one is dropped at once: no longer counted, never destroyed.
    expect(res.stats().liveBuffers).toBe(512);
    expect(second.destroyed).toBe(0);
    expect(u(0)).toBe(first);
    const created = fake.buffers.length;
    u(1); // was evicted: a new buffer
    expect(fake.buffers.length).toBe(created + 1);
    for (let i = 1000; i < 3000; i++) u(i);
    expect(res.stats().cachedUniforms).toBe(512);
    expect(res.stats().liveBuffers).toBe(512);
    expect(res.stats().liveBytes).toBe(512 * 16);
    expect(fake.buffers.filter((b) => b.destroyed > 0)).toEqual([]);
  });

  test('an evicted uniform is never destroyed, even after the queue drains: an encoder recorded with it may be submitted later', async () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    // "Record an encoder": the uniform and bind group of its dispatch.
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 1e-5 });
    res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    // Encode enough other distinct shapes to evict it, then let every queue wait resolve.
    for (let i = 0; i < 600; i++) res.uniform(SHADER, 'params', { rows: 2 + i, cols: 4, epsilon: 1e-5 });
    await settle();
    expect(res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 1e-5 }).buffer).not.toBe(params.buffer); // it was evicted
    expect((params.buffer as unknown as FakeBuffer).destroyed).toBe(0);
    expect(fake.buffers.filter((b) => b.destroyed > 0)).toEqual([]);
    // destroy() frees what the normalizer still holds (the cache), each once, and not what it dropped.
    res.destroy();
    expect(fake.buffers.filter((b) => b.destroyed > 1)).toEqual([]);
    expect(fake.buffers.filter((b) => b.destroyed === 1)).toHaveLength(512);
    expect((params.buffer as unknown as FakeBuffer).destroyed).toBe(0);
  });

  test('evicting a uniform forgets the bind groups over it, and only those', () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    const bind = (rows: number) => res.bindGroup(SHADER, 'main', pipeline(), { params: res.uniform(SHADER, 'params', { rows, cols: 4, epsilon: 0 }), x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    for (let i = 0; i < 512; i++) bind(i);
    expect(res.stats().cachedBindGroups).toBe(512);
    res.uniform(SHADER, 'params', { rows: 512, cols: 4, epsilon: 0 }); // evicts rows = 0
    expect(res.stats().cachedBindGroups).toBe(511);
  });
});

/** Lets pending promise reactions (the fake queue's onSubmittedWorkDone) run. */
const settle = () => new Promise<void>((r) => setTimeout(r, 0));

describe('dummy buffers', () => {
  test('one STORAGE buffer per name, reused', () => {
    const { fake, res } = setup();
    const g = res.dummy('gamma');
    expect(res.dummy('gamma').buffer).toBe(g.buffer);
    const m = res.dummy('mean');
    expect(m.buffer).not.toBe(g.buffer);
    expect(fake.buffers).toHaveLength(2);
    expect(g).toEqual({ buffer: fake.buffers[0], offset: 0, size: 16 });
    expect((g.buffer as unknown as FakeBuffer).usage & Usage.STORAGE).toBeTruthy();
  });

  test('a larger size for a known name gets a buffer that holds the range', () => {
    const { res } = setup();
    res.dummy('gamma');
    const big = res.dummy('gamma', 64);
    expect(big.size).toBe(64);
    expect(big.buffer.size).toBeGreaterThanOrEqual(64);
  });
});

describe('bind groups', () => {
  test('cached by pipeline, buffer identity, offset and size', () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    const p = pipeline();
    const g1 = res.bindGroup(SHADER, 'main', p, { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    const g2 = res.bindGroup(SHADER, 'main', p, { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    expect(g2).toBe(g1);
    expect(fake.bindGroups).toHaveLength(1);
    const variants = [
      res.bindGroup(SHADER, 'main', p, { params, x: asRange(x, 256, 16), y: asRange(y, 0, 16) }),
      res.bindGroup(SHADER, 'main', p, { params, x: asRange(x, 0, 32), y: asRange(y, 0, 16) }),
      res.bindGroup(SHADER, 'main', p, { params, x: asRange(y, 0, 16), y: asRange(x, 0, 16) }),
      res.bindGroup(SHADER, 'main', pipeline('toy.main(K=1)'), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) }),
      res.bindGroup(SHADER, 'main', p, { params: res.uniform(SHADER, 'params', { rows: 2, cols: 4, epsilon: 0 }), x: asRange(x, 0, 16), y: asRange(y, 0, 16) }),
    ];
    expect(new Set([g1, ...variants]).size).toBe(6);
    expect(fake.bindGroups).toHaveLength(6);
    expect(res.stats().cachedBindGroups).toBe(6);
  });

  test('are created from the pipeline layout with entries matched by name', () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    const p = pipeline();
    res.bindGroup(SHADER, 'main', p, { y: asRange(y, 512, 64), x: asRange(x, 256, 64), params });
    const d = fake.bindGroups[0]!;
    expect(d.layout).toBe(p.layout);
    expect(d.label).toBe(p.key);
    expect([...d.entries]).toEqual([
      { binding: 0, resource: { buffer: params.buffer, offset: 0, size: 16 } },
      { binding: 1, resource: { buffer: x, offset: 256, size: 64 } },
      { binding: 2, resource: { buffer: y, offset: 512, size: 64 } },
    ]);
  });

  test('a missing binding throws before anything is created', () => {
    const { fake, res } = setup();
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    expect(() => res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(callerBuffer(fake)) })).toThrow('no resource supplied for binding y');
    expect(fake.bindGroups).toHaveLength(0);
    expect(res.stats().cachedBindGroups).toBe(0);
  });

  test('LRU-bounded at 1024', () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake, 1 << 20);
    const y = callerBuffer(fake);
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    for (let i = 0; i < 1500; i++) res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, i * 256, 16), y: asRange(y, 0, 16) });
    expect(res.stats().cachedBindGroups).toBe(1024);
    // The most recent survive, the first were evicted.
    const n = fake.bindGroups.length;
    res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 1499 * 256, 16), y: asRange(y, 0, 16) });
    expect(fake.bindGroups.length).toBe(n);
    res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    expect(fake.bindGroups.length).toBe(n + 1);
  });
});

describe('ownership: createBuffer, release, destroy, stats', () => {
  test('stats count live buffers and bytes', () => {
    const { res } = setup();
    expect(res.stats()).toEqual({ liveBuffers: 0, liveBytes: 0, cachedUniforms: 0, cachedBindGroups: 0, pooledBuffers: 0, pooledBytes: 0 });
    const t = res.createBuffer({ size: 1000, usage: Usage.STORAGE });
    res.uniform(SHADER, 'params', { rows: 1, cols: 1, epsilon: 0 });
    res.dummy('mean');
    expect(res.stats()).toEqual({ liveBuffers: 3, liveBytes: 1000 + 16 + 16, cachedUniforms: 1, cachedBindGroups: 0, pooledBuffers: 0, pooledBytes: 0 });
    res.release(t);
    expect(res.stats()).toMatchObject({ liveBuffers: 2, liveBytes: 32 });
  });

  test('release destroys its own buffer once and never a caller buffer', () => {
    const { fake, res } = setup();
    const mine = res.createBuffer({ size: 64, usage: Usage.STORAGE }) as unknown as FakeBuffer;
    const theirs = callerBuffer(fake);
    res.release(mine as unknown as GPUBuffer);
    res.release(mine as unknown as GPUBuffer);
    res.release(theirs as unknown as GPUBuffer);
    expect(mine.destroyed).toBe(1);
    expect(theirs.destroyed).toBe(0);
  });

  test('release() also forgets the bind groups over that buffer, and only those', () => {
    const { fake, res } = setup();
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    const keep = res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    const temp = res.createBuffer({ size: 64, usage: Usage.STORAGE }) as unknown as FakeBuffer;
    res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(temp, 0, 16) });
    res.bindGroup(SHADER, 'main', pipeline('toy.main(K=1)'), { params, x: asRange(temp, 0, 16), y: asRange(callerBuffer(fake), 0, 16) });
    expect(res.stats().cachedBindGroups).toBe(3);
    res.release(temp as unknown as GPUBuffer);
    expect(res.stats().cachedBindGroups).toBe(1);
    const n = fake.bindGroups.length;
    const again = res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    expect(again).toBe(keep);
    expect(fake.bindGroups.length).toBe(n);
  });

  test('destroy() destroys every buffer it still owns, each once, and nothing else', () => {
    const { fake, res } = setup();
    const x = callerBuffer(fake);
    const y = callerBuffer(fake);
    const params = res.uniform(SHADER, 'params', { rows: 1, cols: 4, epsilon: 0 });
    res.uniform(SHADER, 'params', { rows: 2, cols: 4, epsilon: 0 });
    res.dummy('gamma');
    res.dummy('rstd');
    const temp = res.createBuffer({ size: 128, usage: Usage.STORAGE });
    const released = res.createBuffer({ size: 128, usage: Usage.STORAGE });
    res.release(released);
    res.bindGroup(SHADER, 'main', pipeline(), { params, x: asRange(x, 0, 16), y: asRange(y, 0, 16) });
    const owned = fake.buffers.filter((b) => b !== x && b !== y && (b as unknown) !== released);
    expect(owned).toHaveLength(5);
    expect(owned).toContain(temp);

    res.destroy();
    expect(owned.every((b) => b.destroyed === 1)).toBe(true);
    expect((released as unknown as FakeBuffer).destroyed).toBe(1);
    expect(x.destroyed).toBe(0);
    expect(y.destroyed).toBe(0);
    expect(res.stats()).toEqual({ liveBuffers: 0, liveBytes: 0, cachedUniforms: 0, cachedBindGroups: 0, pooledBuffers: 0, pooledBytes: 0 });

    res.destroy(); // idempotent: nothing destroyed twice
    expect(fake.buffers.every((b) => b.destroyed <= 1)).toBe(true);
  });

  test('after destroy() the caches are empty: asking again creates fresh buffers', () => {
    const { fake, res } = setup();
    const a = res.uniform(SHADER, 'params', { rows: 1, cols: 1, epsilon: 0 });
    const d = res.dummy('beta');
    res.destroy();
    expect(res.uniform(SHADER, 'params', { rows: 1, cols: 1, epsilon: 0 }).buffer).not.toBe(a.buffer);
    expect(res.dummy('beta').buffer).not.toBe(d.buffer);
    expect(fake.live()).toHaveLength(2);
  });
});
