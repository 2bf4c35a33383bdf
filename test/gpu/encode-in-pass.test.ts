/**
 * Our kernels inside the caller's own compute pass, between the caller's own kernels, with every
 * operand at a non-zero offset in a shared buffer: the caller's kernel before ours produces x, ours
 * normalizes it (LayerNorm, then fused add + RMSNorm), the caller's kernel after ours consumes y.
 * encode… sets its pipeline and bind group 0 only, so the caller re-sets group 0 (as documented)
 * but NOT group 1, which it set before our calls and must still be bound. The caller's data is
 * checked bit for bit, ours against the float64 reference, and the bytes around every operand
 * must be untouched.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const CALLER_WGSL = /* wgsl */ `
struct Params { scale: f32, shift: f32, n: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> extra: array<f32>;
@group(1) @binding(0) var<uniform> p: Params;
// before ours: dst = src * scale + shift;  after ours: dst = src * scale + extra (extra = x)
@compute @workgroup_size(64) fn pre(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= p.n) { return; }
  dst[g.x] = src[g.x] * p.scale + p.shift;
}
@compute @workgroup_size(64) fn post(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= p.n) { return; }
  dst[g.x] = src[g.x] * p.scale + extra[g.x];
}`;

test("caller's kernels before and after ours in one compute pass, operands at offsets", async () => {
  const r = await h.run(
    async (harness, { wgsl }) => {
      const { cpu } = harness.lib;
      const norm = await harness.normalizer();
      const device = norm.device;
      const align = device.limits.minStorageBufferOffsetAlignment;
      const rows = 5;
      const cols = 300; // not a multiple of 4: the scalar kernel path
      const n = rows * cols;
      const SENTINEL = 7.25;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      // Each operand in its own buffer, after a guard of `align` bytes and before another one
      // (WebGPU refuses a buffer bound read-only and writable in one dispatch, and our validation
      // refuses outputs sharing a buffer with inputs, so the caller keeps them apart).
      const regions: { name: string; buffer: GPUBuffer; floats: number }[] = [];
      const region = (name: string, floats: number, data?: Float32Array) => {
        const size = Math.ceil((floats * 4) / align) * align;
        const buffer = device.createBuffer({ size: align + size + align, usage, label: name });
        device.queue.writeBuffer(buffer, 0, new Float32Array(buffer.size / 4).fill(SENTINEL));
        if (data) device.queue.writeBuffer(buffer, align, data);
        regions.push({ name, buffer, floats });
        return { buffer, offset: align, size: floats * 4 };
      };
      const srcArr = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.37) * 3 + (i % 7)));
      const residArr = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.cos(i * 0.11)));
      const gammaArr = Float32Array.from({ length: cols }, (_, j) => Math.fround(1 + j / cols));
      const src = region('src', n, srcArr);
      const resid = region('resid', n, residArr);
      const gamma = region('gamma', cols, gammaArr);
      const x = region('x', n);
      const y = region('y', n);
      const mean = region('mean', rows);
      const rstd = region('rstd', rows);
      const sum = region('sum', n);
      const y2 = region('y2', n);
      const z = region('z', n);

      const module = device.createShaderModule({ code: wgsl });
      // One explicit layout for both entry points ('auto' would drop `extra`, unused by `pre`).
      const storage = (type: GPUBufferBindingType, binding: number): GPUBindGroupLayoutEntry => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
      const layout0 = device.createBindGroupLayout({ entries: [storage('read-only-storage', 0), storage('storage', 1), storage('read-only-storage', 2)] });
      const layout1 = device.createBindGroupLayout({ entries: [storage('uniform', 0)] });
      const layout = device.createPipelineLayout({ bindGroupLayouts: [layout0, layout1] });
      const pre = device.createComputePipeline({ layout, compute: { module, entryPoint: 'pre' } });
      const post = device.createComputePipeline({ layout, compute: { module, entryPoint: 'post' } });
      const params = (scale: number, shift: number) => {
        const b = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
        const d = new ArrayBuffer(16);
        new Float32Array(d, 0, 2).set([scale, shift]);
        new Uint32Array(d, 8, 1)[0] = n;
        device.queue.writeBuffer(b, 0, d);
        return b;
      };
      const group = (_pipeline: GPUComputePipeline, index: number, entries: GPUBindingResource[]) =>
        device.createBindGroup({ layout: index === 0 ? layout0 : layout1, entries: entries.map((resource, binding) => ({ binding, resource })) });

      device.pushErrorScope('validation');
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      // 1. caller: x = src · 4 + 0.5 (exact in f32, FMA or not)
      pass.setPipeline(pre);
      pass.setBindGroup(0, group(pre, 0, [src, x, resid]));
      pass.setBindGroup(1, group(pre, 1, [{ buffer: params(4, 0.5) }]));
      pass.dispatchWorkgroups(Math.ceil(n / 64));
      // The post kernel's group 1, set now and never again: our kernels must leave it bound.
      pass.setBindGroup(1, group(post, 1, [{ buffer: params(2, 0) }]));
      // 2. ours: y = LayerNorm(x)·γ with mean/rstd; then sum = x + resid, y2 = RMSNorm(sum)·γ
      norm.encodeLayerNorm(pass, { x, y, gamma, mean, rstd, rows, cols });
      norm.encodeAddRmsNorm(pass, { x, residual: resid, sum, y: y2, gamma, rows, cols });
      // 3. caller: z = y · 2 + x. Group 0 is re-set (encode… replaced it); group 1 is not.
      pass.setPipeline(post);
      pass.setBindGroup(0, group(post, 0, [y, z, x]));
      pass.dispatchWorkgroups(Math.ceil(n / 64));
      pass.end();
      const staging = regions.map((reg) => {
        const b = device.createBuffer({ size: reg.buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        encoder.copyBufferToBuffer(reg.buffer, 0, b, 0, reg.buffer.size);
        return b;
      });
      device.queue.submit([encoder.finish()]);
      const validation = await device.popErrorScope();
      const got: Record<string, Float32Array> = {};
      let guardViolations = 0;
      for (let k = 0; k < regions.length; k++) {
        await staging[k]!.mapAsync(GPUMapMode.READ);
        const all = new Float32Array(staging[k]!.getMappedRange().slice(0));
        const a = align / 4;
        const { name, floats } = regions[k]!;
        got[name] = all.slice(a, a + floats);
        for (let i = 0; i < all.length; i++) if ((i < a || i >= a + floats) && all[i] !== SENTINEL) guardViolations++;
        staging[k]!.destroy();
        regions[k]!.buffer.destroy();
      }

      // Caller's data: bit-exact.
      const xExpected = srcArr.map((v) => Math.fround(v * 4 + 0.5));
      const xMismatch = xExpected.filter((v, i) => v !== got.x![i]).length;
      const zMismatch = got.z!.filter((v, i) => v !== Math.fround(got.y![i]! * 2 + got.x![i]!)).length;
      // Ours: the library's tolerance against the float64 reference.
      const ln = cpu.layerNormF64(xExpected, { cols, gamma: gammaArr });
      const rms = cpu.addRmsNormF64(xExpected, residArr, { cols, gamma: gammaArr });
      const worst = (a: Float32Array, ref: ArrayLike<number>, g?: Float32Array) => {
        let w = 0;
        for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - ref[i]!) / (1e-5 * Math.max(1, g ? Math.abs(g[i % cols]!) : 1) + 1e-5 * Math.abs(ref[i]!)));
        return w;
      };
      const sumMismatch = got.sum!.filter((v, i) => v !== Math.fround(xExpected[i]! + residArr[i]!)).length;
      return {
        validation: validation?.message ?? null,
        guardViolations,
        xMismatch,
        zMismatch,
        sumMismatch,
        yRatio: worst(got.y!, ln.y, gammaArr),
        meanRatio: worst(got.mean!, ln.mean),
        rstdRatio: worst(got.rstd!, ln.rstd),
        y2Ratio: worst(got.y2!, rms.y, gammaArr),
      };
    },
    { wgsl: CALLER_WGSL },
  );
  expect(r.validation).toBeNull();
  expect(r.xMismatch, "caller's pre kernel output").toBe(0);
  expect(r.zMismatch, "caller's post kernel: its group 1 survived our calls").toBe(0);
  expect(r.guardViolations, 'bytes outside the operands').toBe(0);
  expect(r.sumMismatch, 'fused sum, bit-exact').toBe(0);
  expect(r.yRatio).toBeLessThanOrEqual(1);
  expect(r.meanRatio).toBeLessThanOrEqual(1);
  expect(r.rstdRatio).toBeLessThanOrEqual(1);
  expect(r.y2Ratio).toBeLessThanOrEqual(1);
});
