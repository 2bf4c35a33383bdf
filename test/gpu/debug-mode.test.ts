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

test('a broken shader module: checkErrors() and the typed-array form cite common/row_norm.wgsl:line:column', async () => {
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
