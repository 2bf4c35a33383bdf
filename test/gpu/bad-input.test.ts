/**
 * Bad inputs against real buffers on a real device (headless Chromium, SwiftShader): every refusal
 * must be a NormError with the right code and argument, thrown before anything reaches the device,
 * so a validation error scope around the call (and around submitting the caller's encoder
 * afterwards) pops empty. Plus the lifecycle rules: destroyed normalizers refuse, and destroying a
 * normalizer never destroys a device it was given.
 *
 * Each scenario is a function serialized into the page (see `inScope`): it must be self-contained,
 * using only its parameters and page globals (GPUBufferUsage, ...).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BadInputHarness, InScopeResult } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

type Scenario = Parameters<BadInputHarness['runInScope']>[0];
type Norm = Parameters<Scenario>[0];
type Kit = Parameters<Scenario>[2];

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

/** Runs `fn(norm, device, kit, arg)` in the page inside a validation error scope. */
function inScope<A = undefined>(fn: (norm: Norm, device: GPUDevice, kit: Kit, arg: A) => unknown, arg?: A): Promise<InScopeResult<unknown>> {
  return h.run(
    (harness, p: { src: string; arg: unknown }) =>
      (harness as BadInputHarness).runInScope((norm, device, kit) => {
        const f = new Function(`return (${p.src})`)() as (n: unknown, d: unknown, k: unknown, a: unknown) => unknown;
        return f(norm, device, kit, p.arg);
      }),
    { src: fn.toString(), arg: arg ?? null },
  );
}

/** The call was refused with `code` and `argument`, and the device saw nothing wrong. */
function expectRefused(r: InScopeResult<unknown>, code: string, argument: string | null): void {
  expect(r.error, 'a NormError').toEqual(expect.objectContaining({ code, argument }));
  expect(r.validationError, 'validation error scope').toBeNull();
  expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
}

function expectClean(r: InScopeResult<unknown>): void {
  expect(r.error).toBeNull();
  expect(r.validationError, 'validation error scope').toBeNull();
  expect(r.uncapturedErrors, 'uncaptured GPU errors').toEqual([]);
}

// ---------------------------------------------------------------------------------------------
describe('the harness itself', () => {
  test('the scope does catch a real validation error (so an empty scope means something)', async () => {
    const r = await inScope((_norm, device) => {
      device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }).destroy();
    });
    expect(r.error).toBeNull();
    expect(r.validationError).not.toBeNull();
  });

  test('inputs sharing one buffer and outputs sharing another (disjoint, aligned ranges) run clean and match the reference', async () => {
    const r = await inScope(async (norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      const x = new Float32Array([1, 2, 3, 4, 10, 20, 30, 41]);
      const gamma = new Float32Array([1, -2, 0.5, 3]);
      const beta = new Float32Array([0, 1, -1, 0.25]);
      const ins = kit.buffer(3 * A);
      const outs = kit.buffer(3 * A);
      device.queue.writeBuffer(ins, 0, x);
      device.queue.writeBuffer(ins, A, gamma);
      device.queue.writeBuffer(ins, 2 * A, beta);
      const enc = device.createCommandEncoder();
      norm.encodeLayerNorm(enc, {
        x: { buffer: ins, offset: 0, size: 32 },
        gamma: { buffer: ins, offset: A, size: 16 },
        beta: { buffer: ins, offset: 2 * A, size: 16 },
        y: { buffer: outs, offset: 0, size: 32 },
        mean: { buffer: outs, offset: A, size: 8 },
        rstd: { buffer: outs, offset: 2 * A, size: 8 },
        rows: 2,
        cols: 4,
      });
      const rb = device.createBuffer({ size: 48, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.copyBufferToBuffer(outs, 0, rb, 0, 32);
      enc.copyBufferToBuffer(outs, A, rb, 32, 8);
      enc.copyBufferToBuffer(outs, 2 * A, rb, 40, 8);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const got = [...new Float32Array(rb.getMappedRange().slice(0))];
      rb.unmap();
      rb.destroy();
      const ref = kit.lib.cpu.layerNorm(x, { cols: 4, gamma, beta });
      const want = [...ref.y, ...ref.mean, ...ref.rstd];
      return Math.max(...got.map((v, i) => Math.abs(v - want[i]!) / Math.max(1, Math.abs(want[i]!))));
    });
    expectClean(r);
    expect(r.value).toBeLessThan(1e-5);
  });

  test('WebGPU itself refuses a buffer bound read-only and writable in one dispatch, even at disjoint ranges', async () => {
    // Why the library refuses x and y in one buffer: without its check this is what the caller gets.
    const r = await inScope(async (_norm, device, kit) => {
      const module = device.createShaderModule({
        code: `@group(0) @binding(0) var<storage, read> src: array<f32>;
               @group(0) @binding(1) var<storage, read_write> dst: array<f32>;
               @compute @workgroup_size(1) fn main() { dst[0] = src[0]; }`,
      });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const A = device.limits.minStorageBufferOffsetAlignment;
      const buf = kit.buffer(2 * A);
      const group = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: buf, offset: 0, size: 16 } },
          { binding: 1, resource: { buffer: buf, offset: A, size: 16 } },
        ],
      });
      const pass = kit.pass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
    });
    expect(r.error).toBeNull();
    expect(r.validationError).toMatch(/writable usage and another usage|usage/i);
  });
});

// ---------------------------------------------------------------------------------------------
describe('encode form: operands', () => {
  test('y without STORAGE usage → buffer-usage (y)', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST), rows: 2, cols: 4 }),
    );
    expectRefused(r, 'buffer-usage', 'y');
  });

  test('gamma in a UNIFORM buffer → buffer-usage (gamma)', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeLayerNorm(kit.encoder(), {
        x: kit.buffer(32),
        y: kit.buffer(32),
        gamma: kit.buffer(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
        rows: 2,
        cols: 4,
      }),
    );
    expectRefused(r, 'buffer-usage', 'gamma');
  });

  test('x smaller than rows * cols * 4 → buffer-too-small (x)', async () => {
    const r = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(16), y: kit.buffer(32), rows: 2, cols: 4 }));
    expectRefused(r, 'buffer-too-small', 'x');
  });

  test('x given as a range too small for the shape → buffer-too-small (x)', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeLayerNorm(kit.encoder(), { x: { buffer: kit.buffer(1024), offset: 0, size: 28 }, y: kit.buffer(32), rows: 2, cols: 4 }),
    );
    expectRefused(r, 'buffer-too-small', 'x');
  });

  test('a range past the end of y → buffer-too-small (y)', async () => {
    const r = await inScope((norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      return norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: { buffer: kit.buffer(A + 16), offset: A, size: 32 }, rows: 2, cols: 4 });
    });
    expectRefused(r, 'buffer-too-small', 'y');
  });

  test('gamma shorter than cols → buffer-too-small (gamma)', async () => {
    const r = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(64), y: kit.buffer(64), gamma: kit.buffer(12), rows: 2, cols: 8 }));
    expectRefused(r, 'buffer-too-small', 'gamma');
  });

  test('offset 4 (not a multiple of minStorageBufferOffsetAlignment) → misaligned-offset (x)', async () => {
    const r = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: { buffer: kit.buffer(1024), offset: 4 }, y: kit.buffer(32), rows: 2, cols: 4 }));
    expectRefused(r, 'misaligned-offset', 'x');
  });

  test('half the alignment on rstd → misaligned-offset (rstd)', async () => {
    const r = await inScope((norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      const stats = kit.buffer(4 * A);
      return norm.encodeLayerNorm(kit.encoder(), {
        x: kit.buffer(32),
        y: kit.buffer(32),
        mean: { buffer: stats, offset: 0, size: 8 },
        rstd: { buffer: stats, offset: A / 2, size: 8 },
        rows: 2,
        cols: 4,
      });
    });
    expectRefused(r, 'misaligned-offset', 'rstd');
  });

  test('y overlapping x in the same buffer → aliasing, blaming y', async () => {
    const r = await inScope((norm, _d, kit) => {
      const buf = kit.buffer(1024);
      return norm.encodeLayerNorm(kit.encoder(), { x: { buffer: buf, offset: 0, size: 32 }, y: { buffer: buf, offset: 0 }, rows: 2, cols: 4 });
    });
    expectRefused(r, 'aliasing', 'y');
  });

  test('y in the same buffer as x at a disjoint aligned range → aliasing (y), not a device error', async () => {
    const r = await inScope((norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      const buf = kit.buffer(2 * A);
      return norm.encodeLayerNorm(kit.encoder(), { x: { buffer: buf, offset: 0, size: 32 }, y: { buffer: buf, offset: A }, rows: 2, cols: 4 });
    });
    expectRefused(r, 'aliasing', 'y');
  });

  test('rstd in the same buffer as gamma → aliasing (rstd)', async () => {
    const r = await inScope((norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      const shared = kit.buffer(2 * A);
      return norm.encodeLayerNorm(kit.encoder(), {
        x: kit.buffer(32),
        y: kit.buffer(32),
        gamma: { buffer: shared, offset: 0, size: 16 },
        mean: kit.buffer(8),
        rstd: { buffer: shared, offset: A, size: 8 },
        rows: 2,
        cols: 4,
      });
    });
    expectRefused(r, 'aliasing', 'rstd');
  });

  test('in place (y is x) → aliasing (y)', async () => {
    const r = await inScope((norm, _d, kit) => {
      const buf = kit.buffer(32);
      return norm.encodeLayerNorm(kit.encoder(), { x: buf, y: buf, rows: 2, cols: 4 });
    });
    expectRefused(r, 'aliasing', 'y');
  });

  test('mean overlapping rstd → aliasing (rstd)', async () => {
    const r = await inScope((norm, _d, kit) => {
      const stats = kit.buffer(64);
      return norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), mean: stats, rstd: stats, rows: 2, cols: 4 });
    });
    expectRefused(r, 'aliasing', 'rstd');
  });

  test('gamma and beta sharing one range (read-only aliasing) is allowed and runs clean', async () => {
    const r = await inScope((norm, _d, kit) => {
      const affine = kit.buffer(16);
      norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), gamma: affine, beta: affine, rows: 2, cols: 4 });
      return 'ok';
    });
    expectClean(r);
    expect(r.value).toBe('ok');
  });

  test('mean without rstd → invalid-argument (rstd); rstd without mean → (mean)', async () => {
    const a = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), mean: kit.buffer(8), rows: 2, cols: 4 }));
    expectRefused(a, 'invalid-argument', 'rstd');
    const b = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), rstd: kit.buffer(8), rows: 2, cols: 4 }));
    expectRefused(b, 'invalid-argument', 'mean');
  });

  test('a mapped buffer as x → invalid-argument (x)', async () => {
    const r = await inScope((norm, device, kit) => {
      const x = device.createBuffer({ size: 32, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
      try {
        return norm.encodeLayerNorm(kit.encoder(), { x, y: kit.buffer(32), rows: 2, cols: 4 });
      } finally {
        x.destroy();
      }
    });
    expectRefused(r, 'invalid-argument', 'x');
  });

  test('not a buffer at all (a typed array) as x → invalid-argument (x)', async () => {
    const r = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: new Float32Array(8) as unknown as GPUBuffer, y: kit.buffer(32), rows: 2, cols: 4 }));
    expectRefused(r, 'invalid-argument', 'x');
  });
});

describe('encode form: target, shape, limits', () => {
  test.each([
    ['a plain object', 'object'],
    ['the queue', 'queue'],
    ['a finished command buffer', 'commandBuffer'],
    ['null', 'null'],
  ])('target = %s → invalid-argument (target)', async (_, which) => {
    const r = await inScope(
      (norm, device, kit, which) => {
        const target = which === 'object' ? {} : which === 'queue' ? device.queue : which === 'commandBuffer' ? device.createCommandEncoder().finish() : null;
        return norm.encodeLayerNorm(target as unknown as GPUCommandEncoder, { x: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4 });
      },
      which,
    );
    expectRefused(r, 'invalid-argument', 'target');
  });

  test('rows * cols * 4 over maxStorageBufferBindingSize, with tiny buffers → limit-exceeded (rows) before any size check', async () => {
    const r = await inScope((norm, device, kit) => {
      const cols = 4;
      const rows = Math.floor(device.limits.maxStorageBufferBindingSize / (4 * cols)) + 1;
      return norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(16), y: kit.buffer(16), rows, cols });
    });
    expectRefused(r, 'limit-exceeded', 'rows');
  });

  test.each([
    ['rows 0', 'rows0', 'rows'],
    ['rows 1.5', 'rows1.5', 'rows'],
    ['cols -4', 'cols-4', 'cols'],
    ["cols '4' (a string)", 'colsString', 'cols'],
    ['epsilon NaN', 'epsNaN', 'epsilon'],
    ['epsilon Infinity', 'epsInf', 'epsilon'],
    ['epsilon -1', 'eps-1', 'epsilon'],
  ])('%s → invalid-argument', async (_, which, argument) => {
    const r = await inScope(
      (norm, _d, kit, which) => {
        // Built in the page: NaN and Infinity do not survive the trip as JSON.
        const patches: Record<string, object> = {
          rows0: { rows: 0 },
          'rows1.5': { rows: 1.5 },
          'cols-4': { cols: -4 },
          colsString: { cols: '4' },
          epsNaN: { epsilon: NaN },
          epsInf: { epsilon: Infinity },
          'eps-1': { epsilon: -1 },
        };
        return norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4, ...patches[which as string] });
      },
      which,
    );
    expectRefused(r, 'invalid-argument', argument);
  });

  test('refused inside the caller’s compute pass: the pass ends and submits clean', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeLayerNorm(kit.pass(), { x: kit.buffer(32), y: kit.buffer(32, GPUBufferUsage.COPY_DST), rows: 2, cols: 4 }),
    );
    expectRefused(r, 'buffer-usage', 'y');
  });
});

describe('encode form: the other members of the family', () => {
  test('fused add with sum written into the buffer x is read from (an in-place residual update) → aliasing (sum)', async () => {
    const r = await inScope((norm, device, kit) => {
      const A = device.limits.minStorageBufferOffsetAlignment;
      const stream = kit.buffer(2 * A);
      return norm.encodeAddLayerNorm(kit.encoder(), {
        x: { buffer: stream, offset: 0, size: 32 },
        residual: kit.buffer(32),
        sum: { buffer: stream, offset: A, size: 32 },
        y: kit.buffer(32),
        rows: 2,
        cols: 4,
      });
    });
    expectRefused(r, 'aliasing', 'sum');
  });

  test('fused add without residual → invalid-argument (residual)', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeAddRmsNorm(kit.encoder(), { x: kit.buffer(32), sum: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4 } as unknown as Parameters<typeof norm.encodeAddRmsNorm>[1]),
    );
    expectRefused(r, 'invalid-argument', 'residual');
  });

  test('RMSNorm given beta → invalid-argument (beta)', async () => {
    const r = await inScope((norm, _d, kit) =>
      norm.encodeRmsNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), beta: kit.buffer(16), rows: 2, cols: 4 } as unknown as Parameters<typeof norm.encodeRmsNorm>[1]),
    );
    expectRefused(r, 'invalid-argument', 'beta');
  });

  test('f16 activations: x of 8 bytes for a 2x3 shape → buffer-too-small (x)', async () => {
    // 6 halves need 12 bytes (3 words); 8 bytes hold only 4.
    const r = await inScope((norm, _d, kit) => norm.encodeLayerNorm(kit.encoder(), { x: kit.buffer(8), y: kit.buffer(12), rows: 2, cols: 3, dtype: 'f16' }));
    expectRefused(r, 'buffer-too-small', 'x');
  });
});

// ---------------------------------------------------------------------------------------------
describe('convenience form', () => {
  test('x.length not a multiple of cols → shape-mismatch (x)', async () => {
    expectRefused(await inScope((norm) => norm.layerNorm(new Float32Array(5), { cols: 2 })), 'shape-mismatch', 'x');
  });

  test('gamma of the wrong length → shape-mismatch (gamma)', async () => {
    expectRefused(await inScope((norm) => norm.layerNorm(new Float32Array(8), { cols: 4, gamma: new Float32Array(3) })), 'shape-mismatch', 'gamma');
  });

  test('epsilon NaN → invalid-argument (epsilon)', async () => {
    expectRefused(await inScope((norm) => norm.layerNorm(new Float32Array(8), { cols: 4, epsilon: NaN })), 'invalid-argument', 'epsilon');
  });

  test('a Float64Array x → invalid-argument (x)', async () => {
    expectRefused(await inScope((norm) => norm.layerNorm(new Float64Array(8) as unknown as Float32Array, { cols: 4 })), 'invalid-argument', 'x');
  });

  test('refused calls leave no buffers behind', async () => {
    const r = await inScope(async (norm) => {
      const before = norm.stats();
      const calls = [
        () => norm.layerNorm(new Float32Array(5), { cols: 2 }),
        () => norm.layerNorm(new Float32Array(8), { cols: 4, beta: new Float32Array(5) }),
        () => norm.layerNorm(new Float32Array(8), { cols: 4, epsilon: -1 }),
        () => norm.layerNorm(new Float32Array(0), { cols: 4 }),
      ];
      const codes: string[] = [];
      for (const call of calls) {
        try {
          await call();
          codes.push('none');
        } catch (e) {
          codes.push((e as { code: string }).code);
        }
      }
      return { before: before.liveBuffers, bytes: before.liveBytes, after: norm.stats().liveBuffers, afterBytes: norm.stats().liveBytes, codes };
    });
    expectClean(r);
    const v = r.value as { before: number; after: number; bytes: number; afterBytes: number; codes: string[] };
    expect(v.codes).toEqual(['shape-mismatch', 'shape-mismatch', 'invalid-argument', 'shape-mismatch']);
    expect(v.after).toBe(v.before);
    expect(v.afterBytes).toBe(v.bytes);
  });
});

// ---------------------------------------------------------------------------------------------
describe('lifecycle', () => {
  test('a destroyed normalizer refuses with code destroyed (both forms); the shared one keeps working', async () => {
    const encode = await inScope(async (_norm, device, kit) => {
      const second = await kit.lib.createNormalizer({ device });
      second.destroy();
      if (!second.destroyed) throw new Error('destroyed flag not set');
      return second.encodeLayerNorm(kit.encoder(), { x: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4 });
    });
    expectRefused(encode, 'destroyed', null);

    const convenience = await inScope(async (_norm, device, kit) => {
      const second = await kit.lib.createNormalizer({ device });
      await second.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
      second.destroy();
      return second.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
    });
    expectRefused(convenience, 'destroyed', null);

    const first = await inScope(async (norm, _d, kit) => {
      const x = new Float32Array([1, 2, 3, 4, -5, 0.5, 7, 1e4]);
      const r = await norm.layerNorm(x, { cols: 4 });
      const ref = kit.lib.cpu.layerNorm(x, { cols: 4 });
      return { destroyed: norm.destroyed, err: Math.max(...r.y.map((v, i) => Math.abs(v - ref.y[i]!))) };
    });
    expectClean(first);
    expect(first.value).toEqual({ destroyed: false, err: expect.any(Number) });
    expect((first.value as { err: number }).err).toBeLessThan(1e-5);
  });

  test('destroy() on a normalizer given a device leaves that device working', async () => {
    const r = await inScope(async (norm, device, kit) => {
      const second = await kit.lib.createNormalizer({ device });
      await second.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
      const owned = second.stats().liveBuffers;
      second.destroy();
      const state = await Promise.race([device.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('alive'), 200))]);
      // A round trip through the device: write, copy, map.
      const src = kit.buffer(16, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
      device.queue.writeBuffer(src, 0, new Float32Array([1, 2, 3, 4]));
      const rb = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, rb, 0, 16);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(GPUMapMode.READ);
      const roundTrip = [...new Float32Array(rb.getMappedRange().slice(0))];
      rb.unmap();
      rb.destroy();
      // And the normalizer that shares the device still computes.
      const y = [...(await norm.layerNorm(new Float32Array([0, 2]), { cols: 2, epsilon: 0 })).y];
      return { owned, after: second.stats().liveBuffers, state, roundTrip, y };
    });
    expectClean(r);
    const v = r.value as { owned: number; after: number; state: string; roundTrip: number[]; y: number[] };
    expect(v.owned).toBeGreaterThan(0);
    expect(v.after).toBe(0);
    expect(v.state).toBe('alive');
    expect(v.roundTrip).toEqual([1, 2, 3, 4]);
    expect(v.y[0]).toBeCloseTo(-1, 5);
    expect(v.y[1]).toBeCloseTo(1, 5);
  });

  test('destroy() on a normalizer that requested its own device destroys that device', async () => {
    const r = await inScope(async (norm, _d, kit) => {
      const own = await kit.lib.createNormalizer();
      const device = own.device;
      await own.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
      own.destroy();
      const info = await Promise.race([device.lost, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
      return { distinct: device !== norm.device, reason: info ? info.reason : 'not lost' };
    });
    expectClean(r);
    expect(r.value).toEqual({ distinct: true, reason: 'destroyed' });
  });
});
