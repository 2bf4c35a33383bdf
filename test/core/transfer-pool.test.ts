/**
 * The typed-array forms' buffer pool: size classes, reuse, the idle-memory bound, and that a
 * buffer in a call is never handed to another.
 */
import { describe, expect, test } from 'vitest';
import { POOL_EXTRA_BYTES, sizeClass, TransferPool } from '../../src/core/transfer-pool.js';
import { fakeDevice, type FakeBuffer } from './fake-device.js';

const STORAGE = 0x80;
const READ = 0x1 | 0x8;

describe('sizeClass', () => {
  test('256-byte steps up to 4 KiB, then at most 25% above the request, never below it', () => {
    expect(sizeClass(1, 1 << 30)).toBe(256);
    expect(sizeClass(3000, 1 << 30)).toBe(3072);
    expect(sizeClass(4096, 1 << 30)).toBe(4096);
    expect(sizeClass(4100, 1 << 30)).toBe(5120);
    expect(sizeClass(70000, 1 << 30)).toBe(81920);
    for (const n of [4097, 65537, 1e6, 16 << 20, (16 << 20) + 4]) {
      const c = sizeClass(n, 1 << 30);
      expect(c).toBeGreaterThanOrEqual(n);
      expect(c).toBeLessThanOrEqual(n * 1.25);
    }
  });

  test('capped at maxBufferSize, unless the request itself is larger (the caller refuses that)', () => {
    expect(sizeClass(70000, 72000)).toBe(72000);
    expect(sizeClass(80000, 72000)).toBe(80000);
  });
});

describe('TransferPool', () => {
  test('a recycled buffer is reused for the same usage and size class only', () => {
    const fake = fakeDevice();
    const pool = new TransferPool(fake.device);
    const a = pool.acquire(1000, STORAGE, 'x');
    pool.recycle([a]);
    expect(pool.acquire(900, STORAGE, 'x')).toBe(a); // same class (1024)
    const b = pool.acquire(900, READ, 'readback');
    expect(b).not.toBe(a);
    expect(pool.acquire(5000, STORAGE, 'x')).not.toBe(a);
  });

  test('a buffer taken by one call is not handed to another until recycled', () => {
    const fake = fakeDevice();
    const pool = new TransferPool(fake.device);
    const a = pool.acquire(1000, STORAGE, 'x');
    const b = pool.acquire(1000, STORAGE, 'x');
    expect(b).not.toBe(a);
    pool.recycle([a]);
    expect(pool.acquire(1000, STORAGE, 'x')).toBe(a);
  });

  test('discard destroys, and tells the owner first', () => {
    const fake = fakeDevice();
    const told: GPUBuffer[] = [];
    const pool = new TransferPool(fake.device, (gone) => told.push(...gone));
    const a = pool.acquire(1000, STORAGE, 'x');
    pool.discard([a]);
    expect((a as unknown as FakeBuffer).destroyed).toBe(1);
    expect(told).toEqual([a]);
    expect(pool.stats()).toEqual({ pooledBuffers: 0, pooledBytes: 0 });
  });

  test('keeps the latest call whatever its size, plus at most POOL_EXTRA_BYTES of older idle buffers', () => {
    const fake = fakeDevice({ maxBufferSize: 1 << 30 });
    const pool = new TransferPool(fake.device);
    const big = POOL_EXTRA_BYTES; // one class exactly
    const old = [pool.acquire(big, STORAGE, 'old'), pool.acquire(big, STORAGE, 'old')];
    pool.recycle(old);
    expect(pool.stats().pooledBuffers).toBe(2);
    const latest = [pool.acquire(4096, READ, 'new')];
    pool.recycle(latest);
    // The older of the two big ones goes; the latest call's and one allowance of others stay.
    expect(pool.stats()).toEqual({ pooledBuffers: 2, pooledBytes: big + 4096 });
    expect(old.map((b) => (b as unknown as FakeBuffer).destroyed).sort()).toEqual([0, 1]);
  });

  test('reads no buffer size or usage, nor the device limits, on a call: each is a native call in Dawn', () => {
    const fake = fakeDevice();
    const reads = { size: 0, usage: 0, limits: 0 };
    // Every created buffer and the device count reads of what the pool could ask them for.
    const counted = (b: FakeBuffer): FakeBuffer => {
      const { size, usage } = b;
      Object.defineProperty(b, 'size', { get: () => (reads.size++, size) });
      Object.defineProperty(b, 'usage', { get: () => (reads.usage++, usage) });
      return b;
    };
    const device = new Proxy(fake.device, {
      get(target, key) {
        if (key === 'limits') reads.limits++;
        if (key === 'createBuffer') return (d: GPUBufferDescriptor) => counted(target.createBuffer(d) as unknown as FakeBuffer);
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const pool = new TransferPool(device);
    const call = () => [pool.acquire(3072, STORAGE, 'x'), pool.acquire(3072, STORAGE | 0x4, 'y'), pool.acquire(6144, READ, 'readback')];
    pool.recycle(call());
    const before = { ...reads };
    for (let i = 0; i < 5; i++) {
      const taken = call();
      expect(new Set(taken).size).toBe(3);
      pool.recycle(taken);
    }
    expect(pool.stats()).toEqual({ pooledBuffers: 3, pooledBytes: 3072 + 3072 + 6144 });
    expect(reads).toEqual(before);
  });

  test('destroy() frees idle and busy buffers; a call that ends afterwards destroys its own', () => {
    const fake = fakeDevice();
    const pool = new TransferPool(fake.device);
    const idle = pool.acquire(100, STORAGE, 'x');
    pool.recycle([idle]);
    const busy = pool.acquire(100, STORAGE, 'x');
    const late = pool.acquire(100, STORAGE, 'y');
    pool.destroy();
    expect([idle, busy, late].map((b) => (b as unknown as FakeBuffer).destroyed)).toEqual([1, 1, 1]);
    pool.recycle([busy, late]); // the in-flight call's finally: already destroyed, not twice
    expect([busy, late].map((b) => (b as unknown as FakeBuffer).destroyed)).toEqual([1, 1]);
    expect(pool.stats().pooledBuffers).toBe(0);
  });
});
