/**
 * The bind group cache (src/core/bind-group-cache.ts): a hit only for the same pipeline, buffers,
 * offsets and sizes; colliding hashes share a bucket without ever returning another call's group;
 * least recently used buckets go first; forget() drops exactly the groups over a buffer.
 */
import { describe, expect, test } from 'vitest';
import { BindGroupCache, bufferId, hashBinds, knownBufferIds } from '../../src/core/bind-group-cache.js';
import type { BufferRange } from '../../src/core/bindings.js';

const BINDINGS = [{ name: 'params' }, { name: 'x' }, { name: 'y' }];
const buffer = (label: string) => ({ label }) as unknown as GPUBuffer;
const range = (b: GPUBuffer, offset = 0, size = 16): BufferRange => ({ buffer: b, offset, size });

/** A cache whose `create` makes a numbered stand-in group and counts the misses. */
function setup(capacity = 8, hash?: (binds: readonly number[]) => number) {
  const cache = new BindGroupCache(capacity, hash);
  let made = 0;
  const get = (pipeline: number, resources: Record<string, BufferRange>) => cache.get(pipeline, BINDINGS, resources, () => ({ label: `group ${++made}` }) as unknown as GPUBindGroup);
  return { cache, get, made: () => made };
}

describe('BindGroupCache', () => {
  const [p, x, y, z] = ['params', 'x', 'y', 'z'].map(buffer) as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];

  test('the same pipeline and ranges hit; any difference misses', () => {
    const { cache, get, made } = setup();
    const base = { params: range(p), x: range(x), y: range(y) };
    const g = get(1, base);
    expect(get(1, { ...base })).toBe(g);
    expect(made()).toBe(1);
    const others = [
      get(2, base),
      get(1, { ...base, x: range(z) }),
      get(1, { ...base, x: range(x, 256) }),
      get(1, { ...base, x: range(x, 0, 32) }),
      // The same buffers at swapped bindings.
      get(1, { params: range(p), x: range(y), y: range(x) }),
    ];
    expect(new Set([g, ...others]).size).toBe(6);
    expect(made()).toBe(6);
    expect(cache.size).toBe(6);
  });

  test('colliding hashes share a bucket and each call still gets its own group', () => {
    const { cache, get, made } = setup(8, () => 7);
    const a = get(1, { params: range(p), x: range(x), y: range(y) });
    const b = get(1, { params: range(p), x: range(z), y: range(y) });
    expect(b).not.toBe(a);
    expect(get(1, { params: range(p), x: range(x), y: range(y) })).toBe(a);
    expect(get(1, { params: range(p), x: range(z), y: range(y) })).toBe(b);
    expect(made()).toBe(2);
    expect(cache.size).toBe(2);
  });

  test('a missing resource is left to create, and nothing is cached', () => {
    const cache = new BindGroupCache(8);
    expect(() =>
      cache.get(1, BINDINGS, { params: range(p), x: range(x) }, () => {
        throw new Error('no resource supplied for binding y');
      }),
    ).toThrow('binding y');
    expect(cache.size).toBe(0);
  });

  test('bounded: the least recently used go first', () => {
    const { cache, get, made } = setup(4);
    const at = (offset: number) => get(1, { params: range(p), x: range(x, offset), y: range(y) });
    const first = at(0);
    for (let i = 1; i < 4; i++) at(i * 256);
    expect(at(0)).toBe(first); // used again: now the most recent
    at(4 * 256); // evicts offset 256, the least recent
    expect(cache.size).toBe(4);
    const n = made();
    expect(at(0)).toBe(first);
    expect(made()).toBe(n);
    at(256);
    expect(made()).toBe(n + 1);
  });

  test('forget() drops the groups that bind one of the buffers, and only those', () => {
    const { cache, get, made } = setup(8);
    const overX = get(1, { params: range(p), x: range(x), y: range(y) });
    get(1, { params: range(p), x: range(y), y: range(x) });
    const other = get(1, { params: range(p), x: range(z), y: range(y) });
    cache.forget(knownBufferIds([x, buffer('never cached')]));
    expect(cache.size).toBe(1);
    expect(get(1, { params: range(p), x: range(z), y: range(y) })).toBe(other);
    expect(get(1, { params: range(p), x: range(x), y: range(y) })).not.toBe(overX);
    expect(made()).toBe(4);
  });

  test('hashBinds folds the high word of values past 2^32 in', () => {
    const id = bufferId(x);
    expect(bufferId(x)).toBe(id);
    expect(bufferId(y)).not.toBe(id);
    expect(hashBinds([1, id, 2 ** 32, 16])).not.toBe(hashBinds([1, id, 0, 16]));
    expect(hashBinds([1, id, 0, 16])).toBe(hashBinds([1, id, 0, 16]));
  });
});
