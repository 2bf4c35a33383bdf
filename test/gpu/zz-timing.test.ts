import { afterAll, beforeAll, test } from 'vitest';
import type { Harness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';
let h: HarnessPage;
beforeAll(async () => { h = await openHarness(); });
afterAll(async () => { await h.close(); });
test('timing', async () => {
  const r = await h.run(async (harness: Harness) => {
    const norm: any = await harness.normalizer();
    const device: GPUDevice = norm.device;
    const out: Record<string, number> = {};
    const N = 1, C = 320, S = 64 * 64, n = N * C * S;
    const U = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const x = device.createBuffer({ size: n * 4, usage: U });
    const y = device.createBuffer({ size: n * 4, usage: U });
    const m = device.createBuffer({ size: C * 4, usage: U });
    const v = device.createBuffer({ size: C * 4, usage: U });
    device.queue.writeBuffer(x, 0, new Float32Array(n).map((_, i) => Math.sin(i)));
    const ops: Record<string, (e: GPUCommandEncoder) => void> = {};
    for (const layout of ['NCHW', 'NHWC']) {
      for (const dtype of ['f32', 'f16']) {
        const shape = { batch: N, channels: C, spatial: S, layout, dtype };
        ops[`gn ${layout} ${dtype}`] = (e) => norm.encodeGroupNorm(e, { ...shape, groups: 32, x, y });
        ops[`bnstats ${layout} ${dtype}`] = (e) => norm.encodeBatchNormStats(e, { ...shape, x, mean: m, var: v });
        ops[`bninf ${layout} ${dtype}`] = (e) => norm.encodeBatchNormInference(e, { ...shape, x, y, runningMean: m, runningVar: v });
      }
    }
    for (const [k, f] of Object.entries(ops)) {
      const run = async (reps: number) => { const e = device.createCommandEncoder(); for (let i = 0; i < reps; i++) f(e); device.queue.submit([e.finish()]); await device.queue.onSubmittedWorkDone(); };
      await run(1);
      let best = Infinity; for (let t = 0; t < 4; t++) { const t0 = performance.now(); await run(2); best = Math.min(best, (performance.now() - t0) / 2); } out[k] = Math.round(best);
    }
    return out;
  });
  console.log(r);
});
