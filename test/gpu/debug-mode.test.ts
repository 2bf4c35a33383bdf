/**
 * `createNormalizer({ debug: true })`: GPU-side errors of the library's work become NormErrors —
 * a broken shader module is reported with the WGSL file, line and column it came from; a buffer
 * from another device is reported as `wrong-device` naming the argument. The encode forms return
 * and report through `checkErrors()` or the next call; the typed-array forms reject themselves.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ReliabilityHarness } from './harness/harness.js';
import { openHarness, type HarnessPage } from './page.js';

let h: HarnessPage;

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  await h.close();
});

test('a broken shader module: checkErrors() and the typed-array form cite row-norm/row_norm_core.wgsl:line:column', async () => {
  const r = await h.run((harness) => (harness as ReliabilityHarness).debugBrokenShader());
  expect(r.encodeThrew, 'the encode form itself returns').toBeNull();
  expect(r.fromCheck).toEqual(expect.objectContaining({ code: 'gpu-error' }));
  const fromCheck = (r.fromCheck as { message: string }).message;
  expect(fromCheck).toContain(`${r.expected}: error:`);
  expect(fromCheck).toMatch(/no_such_symbol/);
  console.log(`debug mode, broken shader: ${fromCheck.split('\n').slice(0, 3).join(' | ')}`);
  expect(r.afterCheck, 'checkErrors() clears what it reported').toBeNull();
  expect(r.fromConvenience).toEqual(expect.objectContaining({ code: 'gpu-error' }));
  expect((r.fromConvenience as { message: string }).message).toContain(r.expected);
});

test('a buffer from another device: wrong-device naming the argument, via checkErrors() and via the next call; the caller’s scope stays empty', async () => {
  const r = await h.run((harness) => (harness as ReliabilityHarness).debugWrongDevice());
  expect(r.encodeThrew).toBeNull();
  expect(r.callerScope, 'debug mode catches the error in its own scopes').toBeNull();
  expect(r.fromCheck).toEqual(expect.objectContaining({ code: 'wrong-device', argument: 'x' }));
  expect((r.fromCheck as { message: string }).message).toMatch(/"foreign" belongs to another GPUDevice/);
  expect(r.nextCall, 'surfaces on the next call').toEqual(expect.objectContaining({ code: 'wrong-device', argument: 'y' }));
  expect(r.afterwards, 'reported once, then calls work again').toBeNull();
  for (const c of r.checks) expect(c.ok, `${c.op}: ${c.detail}`).toBe(true);
  expect(r.cleanCheck).toBeNull();
  expect(r.cleanScope).toBeNull();
});

test('debug mode also guards the typed-array forms of GroupNorm, BatchNorm and the backward passes, without changing results', async () => {
  const r = await h.run(async (harness) => {
    const { createNormalizer, cpu } = harness.lib;
    const base = await harness.normalizer();
    const norm = await createNormalizer({ device: base.device, debug: true, tuning: false, persistTuning: false });
    const x = new Float32Array(2 * 6 * 5).map((_, i) => Math.sin(i * 1.7) * 3 + 1);
    const shape = { batch: 2, channels: 6, spatial: 5, groups: 3, layout: 'NCHW' as const };
    const g = await norm.groupNorm(x, shape);
    const gRef = cpu.groupNormF64(x, shape);
    const s = await norm.batchNormStats(x, { batch: 2, channels: 6, spatial: 5, layout: 'NCHW' });
    const sRef = cpu.batchNormStatsF64(x, { batch: 2, channels: 6, spatial: 5, layout: 'NCHW' });
    const fwd = cpu.layerNorm(x, { cols: 10 });
    const dy = x.map((v) => Math.cos(v));
    const b = await norm.layerNormBackward(dy, x, { cols: 10, mean: fwd.mean, rstd: fwd.rstd });
    const bRef = cpu.layerNormBackwardF64(dy, x, { cols: 10, mean: fwd.mean, rstd: fwd.rstd });
    const maxErr = (a: ArrayLike<number>, e: ArrayLike<number>) => {
      let m = 0;
      for (let i = 0; i < e.length; i++) m = Math.max(m, Math.abs(a[i]! - e[i]!));
      return m;
    };
    await norm.checkErrors();
    norm.destroy();
    return { g: maxErr(g.y, gRef.y), s: maxErr(s.var, sRef.var), b: maxErr(b.dx, bRef.dx) };
  });
  expect(r.g).toBeLessThan(1e-5);
  expect(r.s).toBeLessThan(1e-5);
  expect(r.b).toBeLessThan(1e-4);
});
