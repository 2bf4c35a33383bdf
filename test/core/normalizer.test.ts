/**
 * The normalizer's bookkeeping (src/normalizer.ts, src/device.ts) against a recording fake device:
 * argument checks, device ownership, destroyed / lost states, limits checked before anything is
 * allocated, and temporaries of the convenience form always freed. No shader runs here (the fake
 * returns zeros); numerics are the GPU suite's job.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { requestNormDevice, OPTIONAL_FEATURES } from '../../src/core/device.js';
import { NormError, type NormErrorCode } from '../../src/core/errors.js';
import { createNormalizer, type Normalizer } from '../../src/normalizer.js';
import { Usage } from '../../src/core/operands.js';
import { fakeDevice, type FakeBuffer, type FakeDevice, type FakeLimits } from './fake-device.js';
import { shuffledOrder } from '../../src/ops/row-norm/tune.js';
import { pickTuned, TUNE_MARGIN } from '../../src/ops/row-norm/tune-policy.js';
import { describeVariant } from '../../src/ops/row-norm/variant.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function rejection(p: unknown): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectCode(e: unknown, code: NormErrorCode, argument?: string): void {
  expect(e).toBeInstanceOf(NormError);
  expect({ code: (e as NormError).code, argument: (e as NormError).argument }).toEqual({ code, argument });
}

async function normalizerOn(limits: Partial<FakeLimits> = {}): Promise<{ fake: FakeDevice; norm: Normalizer }> {
  const fake = fakeDevice(limits);
  return { fake, norm: await createNormalizer({ device: fake.device }) };
}

/** A fake `navigator.gpu` whose adapter hands out `fake.device`. */
function fakeGpu(fake: FakeDevice, features: string[] = []) {
  const requests: GPUDeviceDescriptor[] = [];
  const adapterLimits = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024 };
  const gpu = {
    requestAdapter: async () => ({
      features: new Set(features),
      limits: adapterLimits,
      requestDevice: async (d: GPUDeviceDescriptor) => {
        requests.push(d);
        return fake.device;
      },
    }),
  };
  return { gpu: gpu as unknown as GPU, requests, adapterLimits };
}

const labels = (bs: FakeBuffer[]) => bs.map((b) => b.label);
const TEMP_LABELS = ['webgpu-norm x', 'webgpu-norm y', 'webgpu-norm mean', 'webgpu-norm rstd', 'webgpu-norm gamma', 'webgpu-norm beta', 'webgpu-norm readback'];

// ---------------------------------------------------------------------------------------------
describe('createNormalizer', () => {
  test.each<[string, unknown, string]>([
    ['null options', null, 'options'],
    ['a number', 42, 'options'],
    ['a device that is not one', { device: {} }, 'device'],
    ['a null device', { device: null }, 'device'],
    // Nothing is silently ignored: a misspelt or mistyped option is refused, not dropped.
    ['a misspelt option', { debgu: true }, 'debgu'],
    ['an unknown option', { cache: false }, 'cache'],
    ['a flag that is not a boolean', { debug: 'yes' }, 'debug'],
    ['persistTuning as a number', { persistTuning: 0 }, 'persistTuning'],
    ['probeDevice as a string', { probeDevice: 'no' }, 'probeDevice'],
    ['an unknown powerPreference', { powerPreference: 'fast' }, 'powerPreference'],
    ['a tuning that is no table', { tuning: 'yes' }, 'tuning'],
    ['a tuning table of another version', { tuning: { version: 2, entries: {} } }, 'tuning'],
    ['tuning: true', { tuning: true }, 'tuning'],
    ['adapterInfo as a string', { adapterInfo: 'swiftshader' }, 'adapterInfo'],
    ['kernels (createLeanNormalizer only)', { kernels: [] }, 'kernels'],
  ])('rejects %s', async (_, options, argument) => {
    expectCode(await rejection(createNormalizer(options as never)), 'invalid-argument', argument);
  });

  test('uses the given device', async () => {
    const { fake, norm } = await normalizerOn();
    expect(norm.device).toBe(fake.device);
    expect(norm.destroyed).toBe(false);
  });

  test('without a device it requests one through navigator.gpu, with the adapter’s buffer limits and offered features', async () => {
    const fake = fakeDevice();
    const { gpu, requests, adapterLimits } = fakeGpu(fake, ['subgroups', 'texture-compression-bc']);
    vi.stubGlobal('navigator', { gpu });
    const norm = await createNormalizer();
    expect(norm.device).toBe(fake.device);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.requiredFeatures).toEqual(['subgroups']);
    expect(requests[0]!.requiredLimits).toMatchObject({
      maxStorageBufferBindingSize: adapterLimits.maxStorageBufferBindingSize,
      maxBufferSize: adapterLimits.maxBufferSize,
    });
  });
});

describe('requestNormDevice', () => {
  test('asks only for optional features the adapter has', async () => {
    const fake = fakeDevice();
    const { gpu, requests } = fakeGpu(fake, [...OPTIONAL_FEATURES, 'float32-filterable']);
    const { device } = await requestNormDevice({ gpu });
    expect(device).toBe(fake.device);
    expect([...requests[0]!.requiredFeatures!].sort()).toEqual([...OPTIONAL_FEATURES].sort());
  });

  test('no adapter → no-webgpu', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    expectCode(await rejection(requestNormDevice({ gpu })), 'no-webgpu');
  });
});

// ---------------------------------------------------------------------------------------------
describe('destroy()', () => {
  test('on a caller’s device: frees the normalizer’s buffers, leaves the device and the caller’s buffers alone', async () => {
    const { fake, norm } = await normalizerOn();
    const mine = fake.device.createBuffer({ size: 64, usage: Usage.STORAGE }) as unknown as FakeBuffer;
    await norm.layerNorm(new Float32Array(8), { cols: 4 });
    expect(norm.stats().liveBuffers).toBeGreaterThan(0);
    norm.destroy();
    expect(fake.destroyed).toBe(0);
    expect(mine.destroyed).toBe(0);
    expect(fake.live()).toEqual([mine]);
    expect(norm.stats().liveBuffers).toBe(0);
    expect(norm.destroyed).toBe(true);
  });

  test('on its own device: destroys the device too, once', async () => {
    const fake = fakeDevice();
    vi.stubGlobal('navigator', { gpu: fakeGpu(fake).gpu });
    const norm = await createNormalizer();
    norm.destroy();
    norm.destroy();
    expect(fake.destroyed).toBe(1);
  });

  test('is idempotent and makes every later call fail with code destroyed', async () => {
    const { fake, norm } = await normalizerOn();
    norm.destroy();
    norm.destroy();
    const x = fake.device.createBuffer({ size: 64, usage: Usage.STORAGE });
    const y = fake.device.createBuffer({ size: 64, usage: Usage.STORAGE });
    let sync: unknown;
    try {
      norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: 4, cols: 4 });
    } catch (e) {
      sync = e;
    }
    expectCode(sync, 'destroyed');
    // The convenience form reports it as a rejection, not a synchronous throw.
    const p = norm.layerNorm(new Float32Array(4), { cols: 4 });
    expect(p).toBeInstanceOf(Promise);
    expectCode(await rejection(p), 'destroyed');
  });

  test('a second normalizer on the same device is independent', async () => {
    const fake = fakeDevice();
    const a = await createNormalizer({ device: fake.device });
    const b = await createNormalizer({ device: fake.device });
    await a.layerNorm(new Float32Array(8), { cols: 4 });
    await b.layerNorm(new Float32Array(8), { cols: 4 });
    const aOwned = a.stats().liveBuffers;
    b.destroy();
    expect(a.stats().liveBuffers).toBe(aOwned);
    expect(fake.live()).toHaveLength(aOwned + a.stats().pooledBuffers);
    await expect(a.layerNorm(new Float32Array(8), { cols: 4 })).resolves.toBeDefined();
  });
});

describe('encode now, submit later', () => {
  test('an encoder recorded before hundreds of other distinct shapes still references no destroyed buffer', async () => {
    const { fake, norm } = await normalizerOn();
    const x = fake.device.createBuffer({ size: 1024, usage: Usage.STORAGE });
    const y = fake.device.createBuffer({ size: 1024, usage: Usage.STORAGE });
    const first = fake.bindGroups.length;
    norm.encodeLayerNorm(fake.device.createCommandEncoder(), { x, y, rows: 4, cols: 4 });
    const recorded = fake.bindGroups.slice(first).flatMap((g) => [...g.entries].map((e) => (e.resource as GPUBufferBinding).buffer as unknown as FakeBuffer));
    expect(recorded.length).toBeGreaterThan(0);
    // Far more distinct uniforms than the cache holds, each encoded (and submitted) in its own encoder.
    for (let i = 0; i < 600; i++) {
      const encoder = fake.device.createCommandEncoder();
      norm.encodeLayerNorm(encoder, { x, y, rows: 4, cols: 4, epsilon: 1e-5 * (2 + i) });
      fake.device.queue.submit([encoder.finish()]);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 0)); // every onSubmittedWorkDone reaction runs
    }
    expect(fake.buffers.filter((b) => b.destroyed > 0)).toEqual([]);
    expect(recorded.every((b) => b.destroyed === 0)).toBe(true);
  });
});

describe('device loss', () => {
  test('every call after the loss fails with device-lost, naming the reason', async () => {
    const { fake, norm } = await normalizerOn();
    fake.lose('unknown', 'GPU hung');
    await Promise.resolve();
    const e = await rejection(norm.layerNorm(new Float32Array(4), { cols: 4 }));
    expectCode(e, 'device-lost');
    expect((e as NormError).message).toContain('GPU hung');
  });

  test('a failed read-back is device-lost, and the temporaries are still freed', async () => {
    const { fake, norm } = await normalizerOn();
    await norm.layerNorm(new Float32Array(8), { cols: 4 }); // warm: uniforms and dummies exist
    const before = norm.stats().liveBuffers;
    fake.failNextMap = true;
    const e = await rejection(norm.layerNorm(new Float32Array(8), { cols: 4, gamma: new Float32Array(4) }));
    expectCode(e, 'device-lost');
    expect((e as NormError).cause).toBeInstanceOf(Error);
    expect(norm.stats().liveBuffers).toBe(before);
    expect(labels(fake.live()).filter((l) => TEMP_LABELS.includes(l))).toEqual([]);
  });

  test('destroy() while a convenience call is in flight: that call fails with destroyed', async () => {
    const { fake, norm } = await normalizerOn();
    fake.failNextMap = true; // the destroyed read-back buffer cannot map
    const p = norm.layerNorm(new Float32Array(8), { cols: 4 });
    norm.destroy();
    expectCode(await rejection(p), 'destroyed');
  });

  /** Runs `fn`, then lets Node report unhandled rejections (it does once microtasks drain). */
  async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
    const unhandled: unknown[] = [];
    const listener = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', listener);
    try {
      await fn();
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', listener);
    }
    return unhandled;
  }

  test('a call destroy() rejects that nobody awaits is no unhandled rejection', async () => {
    const { fake, norm } = await normalizerOn();
    const unhandled = await unhandledDuring(async () => {
      fake.failNextMap = true;
      void norm.layerNorm(new Float32Array(8), { cols: 4 }); // never awaited
      norm.destroy();
    });
    expect(unhandled).toEqual([]);
  });

  test('other rejections stay loud: a bad argument, or a call made after destroy()', async () => {
    const { norm } = await normalizerOn();
    const late: Promise<unknown>[] = [];
    const unhandled = await unhandledDuring(async () => {
      void norm.layerNorm(new Float32Array(8), { cols: 3 });
      norm.destroy();
      late.push(norm.rmsNorm(new Float32Array(8), { cols: 4 }));
    });
    // Reported in no particular order: the one started first takes one more promise hop.
    expect(unhandled.map((e) => `${(e as NormError).code} ${(e as NormError).argument}`).sort()).toEqual(['destroyed undefined', 'shape-mismatch x']);
    expectCode(await rejection(late[0]), 'destroyed');
  });
});

// ---------------------------------------------------------------------------------------------
describe('convenience form (typed arrays)', () => {
  test('returns y, mean, rstd of the right lengths and submits once', async () => {
    const { fake, norm } = await normalizerOn();
    const r = await norm.layerNorm(new Float32Array(12), { cols: 4 });
    expect([r.y.length, r.mean.length, r.rstd.length]).toEqual([12, 3, 3]);
    expect(r.y).toBeInstanceOf(Float32Array);
    expect(fake.submits).toEqual([1]);
    expect(fake.validationErrors).toEqual([]);
  });

  test('keeps each call\'s buffers (x, y, mean, rstd, gamma, beta, read-back) for the next call, and destroy() frees them', async () => {
    const { fake, norm } = await normalizerOn();
    const call = () => norm.layerNorm(new Float32Array(8), { cols: 4, gamma: new Float32Array(4), beta: new Float32Array(4) });
    await call();
    const temps = fake.buffers.filter((b) => TEMP_LABELS.includes(b.label));
    expect(labels(temps).sort()).toEqual([...TEMP_LABELS].sort());
    expect(temps.every((b) => b.destroyed === 0)).toBe(true);
    expect(norm.stats()).toMatchObject({ pooledBuffers: TEMP_LABELS.length });
    const created = fake.buffers.length;
    await call();
    await call();
    expect(fake.buffers.length).toBe(created); // reused: no new buffer, so nothing zero-filled again
    expect(norm.stats()).toMatchObject({ pooledBuffers: TEMP_LABELS.length });
    norm.destroy();
    expect(temps.every((b) => b.destroyed === 1)).toBe(true);
    expect(labels(fake.live()).filter((l) => TEMP_LABELS.includes(l))).toEqual([]);
  });

  test('calls in flight together never share a buffer', async () => {
    const { fake, norm } = await normalizerOn();
    const x = new Float32Array(8);
    await Promise.all([norm.layerNorm(x, { cols: 4 }), norm.layerNorm(x, { cols: 4 })]);
    // Two sets (x, y, mean, rstd, read-back), both kept afterwards.
    expect(fake.buffers.filter((b) => TEMP_LABELS.includes(b.label))).toHaveLength(10);
    expect(norm.stats()).toMatchObject({ pooledBuffers: 10 });
    const created = fake.buffers.length;
    await Promise.all([norm.layerNorm(x, { cols: 4 }), norm.layerNorm(x, { cols: 4 })]);
    expect(fake.buffers.length).toBe(created);
  });

  test('repeated calls of one shape do not accumulate buffers or bind groups', async () => {
    const { norm } = await normalizerOn();
    const x = new Float32Array(64);
    await norm.layerNorm(x, { cols: 16 });
    const first = norm.stats();
    for (let i = 0; i < 20; i++) await norm.layerNorm(x, { cols: 16 });
    const after = norm.stats();
    expect(after.liveBuffers).toBe(first.liveBuffers);
    expect(after.liveBytes).toBe(first.liveBytes);
    expect(after.cachedUniforms).toBe(first.cachedUniforms);
    // Bind groups over freed temporaries can never be hit again; they must not pile up in the cache.
    expect(after.cachedBindGroups).toBeLessThanOrEqual(first.cachedBindGroups);
  });

  test('bad arguments are refused before any buffer is created', async () => {
    const { fake, norm } = await normalizerOn();
    const cases: [Promise<unknown>, NormErrorCode, string][] = [
      [norm.layerNorm(new Float32Array(5), { cols: 2 }), 'shape-mismatch', 'x'],
      [norm.layerNorm(new Float32Array(4), { cols: 4, gamma: new Float32Array(3) }), 'shape-mismatch', 'gamma'],
      [norm.layerNorm(new Float32Array(4), { cols: 4, epsilon: NaN }), 'invalid-argument', 'epsilon'],
      [norm.layerNorm([1, 2, 3, 4] as unknown as Float32Array, { cols: 4 }), 'invalid-argument', 'x'],
    ];
    for (const [p, code, argument] of cases) expectCode(await rejection(p), code, argument);
    expect(fake.buffers).toHaveLength(0);
  });
});

describe('convenience form: device limits are checked before anything is allocated', () => {
  test('x larger than maxBufferSize → limit-exceeded (x)', async () => {
    const { fake, norm } = await normalizerOn({ maxBufferSize: 4096, maxStorageBufferBindingSize: 4096 });
    expectCode(await rejection(norm.layerNorm(new Float32Array(1025), { cols: 1025 })), 'limit-exceeded', 'x');
    expect(fake.buffers).toHaveLength(0);
  });

  test('x larger than maxStorageBufferBindingSize → limit-exceeded, nothing allocated', async () => {
    const { fake, norm } = await normalizerOn({ maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 2048 });
    expectCode(await rejection(norm.layerNorm(new Float32Array(600), { cols: 600 })), 'limit-exceeded', 'x');
    expect(fake.buffers).toHaveLength(0);
    expect(fake.validationErrors).toEqual([]);
  });

  test('x fits maxBufferSize but y + mean + rstd read back together do not → limit-exceeded, no GPU error', async () => {
    // rows = 1024, cols = 1: y is 4096 bytes, the read-back 4096 + 2 * 4096.
    const { fake, norm } = await normalizerOn({ maxBufferSize: 4096, maxStorageBufferBindingSize: 4096 });
    expectCode(await rejection(norm.layerNorm(new Float32Array(1024), { cols: 1 })), 'limit-exceeded', 'x');
    expect(fake.validationErrors).toEqual([]);
    expect(fake.buffers).toHaveLength(0);
  });

  test('fused add: x fits, but y and sum read back together (twice x) do not → limit-exceeded, nothing allocated', async () => {
    const { fake, norm } = await normalizerOn({ maxBufferSize: 4096, maxStorageBufferBindingSize: 4096 });
    const x = new Float32Array(768); // 3072 bytes each for x, residual, y and sum; the read-back would be 6144
    expectCode(await rejection(norm.addLayerNorm(x, new Float32Array(768), { cols: 768 })), 'limit-exceeded', 'x');
    expect(fake.buffers).toHaveLength(0);
    expect(fake.validationErrors).toEqual([]);
  });

  test('exactly at the limits it runs', async () => {
    // cols = 1024, rows = 1: y is 4096 bytes = the binding limit; the read-back 4104 bytes = maxBufferSize.
    const { fake, norm } = await normalizerOn({ maxBufferSize: 4104, maxStorageBufferBindingSize: 4096 });
    const r = await norm.layerNorm(new Float32Array(1024), { cols: 1024 });
    expect(r.y.length).toBe(1024);
    expect(fake.validationErrors).toEqual([]);
  });
});

describe('backward: dispatches recorded', () => {
  const S = 0x80; // GPUBufferUsage.STORAGE
  async function backward(rows: number, cols: number, o: { dbeta?: boolean; dsum?: boolean; op?: 'layerNorm' | 'rmsNorm' }) {
    const { fake, norm } = await normalizerOn();
    const buf = (n: number) => fake.device.createBuffer({ size: Math.max(16, n * 4), usage: S });
    const common = { dy: buf(rows * cols), x: buf(rows * cols), dx: buf(rows * cols), rstd: buf(rows), dgamma: buf(cols), rows, cols, ...(o.dsum ? { dsum: buf(rows * cols) } : {}) };
    if (o.op === 'rmsNorm') norm.encodeRmsNormBackward(fake.device.createCommandEncoder(), common);
    else norm.encodeLayerNormBackward(fake.device.createCommandEncoder(), { ...common, mean: buf(rows), ...(o.dbeta === false ? {} : { dbeta: buf(cols) }) });
    return fake.dispatches.map((l) => l.split('|')[0]);
  }

  test('one block, no dsum: the dx kernel writes dgamma and dbeta itself (one dispatch)', async () => {
    const d = await backward(1, 768, {});
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(/^row_norm_backward_vec4\+param_grad_direct_vec4\+reduce_/);
    expect(await backward(1, 770, {})).toEqual([expect.stringMatching(/^row_norm_backward_scalar\+param_grad_direct_scalar\+/)]);
  });

  test('one block with dsum: partials and the final stage for LayerNorm; RMSNorm writes dgamma as the partial row', async () => {
    const ln = await backward(1, 768, { dsum: true });
    expect(ln).toHaveLength(2);
    expect(ln[0]).toMatch(/^row_norm_backward_vec4\+param_grad_partials_vec4\+/);
    expect(await backward(1, 768, { dsum: true, op: 'rmsNorm' })).toEqual([expect.stringMatching(/^row_norm_backward_vec4\+param_grad_partials_vec4\+/)]);
  });

  test('many blocks: partials, then the final stage', async () => {
    const d = await backward(4096, 768, {});
    expect(d).toHaveLength(2);
    expect(d[0]).toMatch(/param_grad_partials_vec4/);
  });
});

describe('tune()', () => {
  test('without timestamp-query it times wall clock through the shared GPU timer, stores the winner for the bucket and frees its buffers', async () => {
    const fake = fakeDevice();
    const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
    const r = await norm.tune('rmsNorm', { rows: 48, cols: 256 }, { repetitions: 3 });
    expect(r.timer).toBe('wall');
    expect(r.candidates.length).toBeGreaterThan(1);
    expect(r.candidates.map((c) => c.ms)).toEqual([...r.candidates.map((c) => c.ms)].sort((a, b) => a - b));
    // The winner is a candidate: the one that beats the rule round for round by the margin, or the rule.
    const chosen = r.candidates.find((c) => describeVariant(c.variant) === describeVariant(r.variant))!;
    expect(chosen.ms).toBe(r.ms);
    const challenger = r.candidates.reduce((a, c) => (c.vsRule < a.vsRule ? c : a));
    if (challenger.vsRule < 1 - TUNE_MARGIN) expect(chosen.vsRule).toBe(challenger.vsRule);
    else expect(chosen.vsRule).toBe(1);
    expect(Object.keys(norm.exportTuning().entries)).toEqual([expect.stringMatching(/\|rmsNorm\|f32\|64x256v$/)]);
    // Every candidate pass ran: each one warm-up and three timed samples, each its own submission.
    expect(fake.dispatches.length).toBeGreaterThanOrEqual(4 * r.candidates.length);
    // Cached uniforms and dummies stay; the tune operands (x, y, gamma) do not.
    expect(labels(fake.buffers).filter((l) => l === 'webgpu-norm tune')).toHaveLength(3);
    expect(labels(fake.live()).filter((l) => l === 'webgpu-norm tune')).toEqual([]);
  });

  test('each round times every candidate once, in a shuffled order that differs from round to round', async () => {
    const fake = fakeDevice();
    const norm = await createNormalizer({ device: fake.device, tuning: false, persistTuning: false });
    const r = await norm.tune('layerNorm', { rows: 48, cols: 256 }, { repetitions: 4 });
    const n = r.candidates.length;
    // The last passes: one warm-up of every candidate in candidate order, then four timed rounds.
    const tail = fake.dispatches.slice(-5 * n);
    const warm = tail.slice(0, n);
    expect(new Set(warm).size).toBe(n);
    const rounds = [1, 2, 3, 4].map((i) => tail.slice(i * n, (i + 1) * n));
    for (const [i, round] of rounds.entries()) {
      expect([...round].sort()).toEqual([...warm].sort());
      expect(round).toEqual(shuffledOrder(n, i).map((k) => warm[k]));
    }
    expect(new Set(rounds.map((round) => round.join())).size).toBeGreaterThan(1);
  });

  test('pickTuned: the rule (candidate 0) stays unless a candidate beats it round for round by more than TUNE_MARGIN', () => {
    const rule = [1.0, 1.2, 0.9, 1.1, 1.0];
    const scaled = (f: number) => rule.map((t) => t * f);
    // 5 % faster in every round: replaces the rule; 2 % faster: within the margin, the rule stays.
    expect(pickTuned([rule, scaled(1.1), scaled(0.95)]).index).toBe(2);
    expect(pickTuned([rule, scaled(0.98)]).index).toBe(0);
    expect(pickTuned([rule, scaled(0.98)], 0.01).index).toBe(1);
    // The lowest per-round ratio wins, not the lowest median time.
    const r = pickTuned([rule, scaled(0.9), scaled(0.8)]);
    expect(r.index).toBe(2);
    expect(r.vsRule.map((v) => +v.toFixed(12))).toEqual([1, 0.9, 0.8]);
    expect(r.ms).toEqual([1.0, 0.9, 0.8]);
    // Load that hits the rule in three rounds and the candidate in two: their medians say the
    // candidate is 5× faster, the rounds say it is 5 % slower in four of five. The rule stays.
    const loadedRule = [5, 5, 5, 1, 1];
    const candidate = [5.25, 5.25, 1.05, 1.05, 1.05];
    const spiky = pickTuned([loadedRule, candidate]);
    expect(spiky.ms[1]! < spiky.ms[0]!).toBe(true);
    expect(spiky.vsRule[1]).toBeCloseTo(1.05, 12);
    expect(spiky.index).toBe(0);
    // Rounds shorter than the timestamp step (0 ns): a zero rule time gives no ratio against it.
    expect(pickTuned([[0, 1, 1], [0, 0.5, 0.5]]).vsRule).toEqual([1, 0.5]);
    expect(pickTuned([[0, 0, 1], [1, 1, 1]]).vsRule[1]).toBe(Infinity);
    expect(() => pickTuned([])).toThrow(/no rounds/);
  });

  test('shuffledOrder: a permutation, the same for the same seed, another for another seed', () => {
    for (const n of [0, 1, 2, 7, 23]) {
      expect([...shuffledOrder(n, 3)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(shuffledOrder(n, 3)).toEqual(shuffledOrder(n, 3));
    }
    expect(shuffledOrder(23, 0)).not.toEqual(shuffledOrder(23, 1));
    expect(shuffledOrder(23, 1)).not.toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  // Each shape fits every check but one; tune() must refuse before it creates any buffer (a buffer
  // past the limits would be a device validation error, a size past 2^53 a TypeError).
  test.each([
    ['past maxStorageBufferBindingSize', { maxStorageBufferBindingSize: 1 << 20 }, { rows: 1024, cols: 257 }],
    ['past maxBufferSize', { maxBufferSize: 1 << 20 }, { rows: 1024, cols: 257 }],
    ['f16 whose f32 gamma is the largest operand', { maxStorageBufferBindingSize: 1 << 20 }, { rows: 1, cols: (1 << 18) + 4, dtype: 'f16' as const }],
    ['over 2^53 bytes', {}, { rows: 2 ** 30, cols: 2 ** 30 }],
  ])('a shape %s is refused with limit-exceeded before any buffer is created', async (_, limits, shape) => {
    const { fake, norm } = await normalizerOn(limits);
    const before = fake.buffers.length;
    expectCode(await rejection(norm.tune('layerNorm', shape)), 'limit-exceeded', 'rows');
    expect(fake.buffers.length).toBe(before);
    expect(fake.validationErrors).toEqual([]);
    expect(fake.dispatches).toEqual([]);
  });

  test('an op that cannot be tuned is refused before anything runs', async () => {
    const { fake, norm } = await normalizerOn();
    expectCode(await rejection(norm.tune('groupNorm' as 'layerNorm', { rows: 4, cols: 4 })), 'invalid-argument', 'op');
    expect(fake.dispatches).toEqual([]);
  });

  // Infinity rounds would time forever and NaN none at all; a misspelled key would tune f32 or
  // 7 rounds without a word. Each is refused before any buffer exists.
  test.each([
    ['repetitions Infinity', { rows: 4, cols: 4 }, { repetitions: Infinity }, 'repetitions', /integer in \[3, 1000\], got Infinity/],
    ['repetitions NaN', { rows: 4, cols: 4 }, { repetitions: NaN }, 'repetitions', /integer in \[3, 1000\]/],
    ['repetitions 2 (below 3)', { rows: 4, cols: 4 }, { repetitions: 2 }, 'repetitions', /got 2/],
    ['repetitions 1001', { rows: 4, cols: 4 }, { repetitions: 1001 }, 'repetitions', /got 1001/],
    ["repetitions '9'", { rows: 4, cols: 4 }, { repetitions: '9' }, 'repetitions', /integer/],
    ['repetitions 7.5', { rows: 4, cols: 4 }, { repetitions: 7.5 }, 'repetitions', /integer/],
    ['a misspelled shape key', { rows: 4, cols: 4, dtpye: 'f16' }, {}, 'dtpye', /unknown option of tune; did you mean 'dtype'\?/],
    ['a misspelled option', { rows: 4, cols: 4 }, { reps: 20 }, 'reps', /unknown option of tune; .*known options: repetitions/],
    ['options null', { rows: 4, cols: 4 }, null, 'options', /expected \{ repetitions\? \}, got null/],
  ])('tune() refuses %s before anything runs', async (_, shape, options, argument, says) => {
    const { fake, norm } = await normalizerOn();
    const before = fake.buffers.length;
    const e = await rejection(norm.tune('layerNorm', shape as { rows: number; cols: number }, options as { repetitions?: number }));
    expectCode(e, 'invalid-argument', argument);
    expect((e as Error).message).toMatch(says);
    expect(fake.buffers.length).toBe(before);
    expect(fake.dispatches).toEqual([]);
  });

  test('tune() accepts repetitions from 3 to 1000, and an explicit undefined as absent', async () => {
    const { norm } = await normalizerOn();
    for (const options of [{ repetitions: 3 }, { repetitions: undefined }, {}]) {
      const r = await norm.tune('rmsNorm', { rows: 4, cols: 4, dtype: undefined }, options);
      expect(r.candidates.length).toBeGreaterThan(1);
    }
  });
});
