/**
 * The benchmark's `--tune` in a real session (Dawn in Node on this project's driver, the built
 * library, as `npm run bench -- --runtime node --tune` and the real-GPU kit run it): tune()'s
 * candidates come back beside the timed figures, the rule's variant is among them, and tuning on
 * its own normalizer leaves the variant of the timed measurements alone.
 */
import { readFileSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openBenchSession, type BenchSession } from '../../bench/core/bench-session.js';
import type { CaseSpec, NormLibrary } from '../../bench/core/types.js';

Object.assign(globalThis, globals);
const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as NormLibrary;
// Held for the whole file: a collected GPU object tears Dawn down under its devices (docs/software-drivers.md).
const gpu = create(['disable-dawn-features=timestamp_quantization']);
let session: BenchSession;

beforeAll(async () => {
  const copyShader = readFileSync(new URL('../../bench/copy.wgsl', import.meta.url), 'utf8');
  session = await openBenchSession({ lib, gpu, copyShader, runtime: 'node', userAgent: 'vitest' });
});
afterAll(() => session?.close());

const spec = (op: string, rows: number, cols: number, tune?: boolean, dtype: 'f32' | 'f16' = 'f32'): CaseSpec => ({ op, shape: { rows, cols }, dtype, reps: 3, warmup: 1, ...(tune ? { tune } : {}) });

test.each([
  ['layerNorm', 'f32'],
  ['rmsNorm', 'f16'],
] as const)('%s %s with --tune: every candidate timed, the rule among them, the fastest first', async (op, dtype) => {
  const r = await session.runCase(spec(op, 64, 256, true, dtype));
  expect(r.withinTolerance).toBe(true);
  const t = r.tune!;
  expect(t).toBeDefined();
  expect(t.candidates).toBeGreaterThanOrEqual(4);
  expect(t.ruleRank).not.toBeNull();
  expect(t.ruleRank!).toBeGreaterThanOrEqual(1);
  expect(t.ruleRank!).toBeLessThanOrEqual(t.candidates);
  expect(t.ruleMs!).toBeGreaterThanOrEqual(t.bestMs);
  expect(t.ruleRatio!).toBeCloseTo(t.ruleMs! / t.bestMs, 12);
  expect(t.worstMs).toBeGreaterThanOrEqual(t.ruleMs!);
  expect(t.bestMs).toBeGreaterThan(0);
  expect(t.timer).toBe(session.environment.gpuTiming);
  if (t.ruleRank === 1) expect(t.best).toBe(r.variant);
  else expect(t.best).not.toBe(r.variant);
  // What tune() keeps: the rule's variant (ratio 1), or a candidate beating it by the margin.
  if (t.picked === r.variant) expect(t.pickedVsRule).toBe(1);
  else expect(t.pickedVsRule).toBeLessThan(1 - lib.TUNE_MARGIN);
});

test('the winner of tune() does not change the variant the timed measurements use', async () => {
  const tuned = await session.runCase(spec('layerNorm', 64, 256, true));
  const again = await session.runCase(spec('layerNorm', 64, 256));
  expect(again.variant).toBe(tuned.variant);
  expect(again.tune).toBeUndefined();
});

test('ops tune() does not serve carry no comparison, even with --tune', async () => {
  const r = await session.runCase(spec('rmsNormBackward', 64, 256, true));
  expect(r.tune).toBeUndefined();
  expect(r.withinTolerance).toBe(true);
});
