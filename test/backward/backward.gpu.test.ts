/**
 * LayerNorm / RMSNorm backward passes on the GPU (headless Chromium, SwiftShader) through the
 * built package, against the float64 reference fed the same f32 statistics the GPU forward pass
 * wrote. Tolerances: test/backward/backward-case.ts. Also: determinism (two runs, identical
 * bits) and validation (NormError before anything reaches the GPU).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatWorst, type Comparison } from '../shared/compare.js';
import type { BackwardCase } from './backward-case.js';
import { backwardCases, forcedVariantCases, oneBlockCases } from './cases.js';
import type { BackwardHarness } from '../gpu/harness/harness.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import { flushHashes, recordHash } from '../gpu/output-hashes.js';

let h: HarnessPage;
const worst: Record<string, { ratio: number; ulp: number; at: string }> = {};

beforeAll(async () => {
  h = await openHarness();
});
afterAll(async () => {
  flushHashes();
  console.log(
    'Backward accuracy over all cases (ratio = error / allowance):\n' +
      Object.entries(worst)
        .map(([k, w]) => `  ${k.padEnd(11)} ${(100 * w.ratio).toFixed(1).padStart(6)}% of the tolerance, ${w.ulp} ULP (${w.at})`)
        .join('\n'),
  );
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const name = (c: BackwardCase) =>
  `${c.op} ${c.dtype} ${c.rows}x${c.cols} ${c.pattern} ${c.gamma ? 'gamma' : 'no-gamma'} ${c.form}${c.dsum ? ' +dsum' : ''}${c.gammaOffset ? ` off${c.gammaOffset}` : ''}` +
  (c.variant ? ` wg${c.variant.workgroupSize}/t${c.variant.threadsPerRow}/${c.variant.vec4 ? 'vec4' : 'scalar'}/${c.variant.reduction}` : '');

const run = (c: BackwardCase) => h.run((harness, arg) => (harness as BackwardHarness).runBackwardCase(arg), c);

function check(c: BackwardCase, r: Awaited<ReturnType<typeof run>>) {
  recordHash(`backward ${name(c)} #${c.seed}`, r.hash);
  expect(r.validationError, 'validation error scope').toBeNull();
  for (const [what, cmp] of [['dx', r.dx], ['dgamma', r.dgamma], ['dbeta', r.dbeta]] as [string, Comparison | null][]) {
    if (!cmp) continue;
    expect(cmp.failures, `${what} of ${name(c)}: ${cmp.failures}/${cmp.count} outside tolerance, ${cmp.maxErrorRatio.toFixed(3)}× the allowance\n${formatWorst(cmp.worst)}`).toBe(0);
    const key = `${what} ${what === 'dx' ? c.dtype : 'f32'}`;
    const w = (worst[key] ??= { ratio: 0, ulp: 0, at: '' });
    if (cmp.maxErrorRatio >= w.ratio) Object.assign(w, { ratio: cmp.maxErrorRatio, ulp: cmp.worstUlp, at: name(c) });
  }
  if (c.variant) expect(r.variant).toEqual({ ...c.variant, cachedChunks: 0 });
}

describe('backward passes match the float64 reference', () => {
  for (const c of backwardCases()) test(name(c), async () => check(c, await run(c)));
});

describe('every dx kernel variant, forced', () => {
  for (const c of forcedVariantCases()) test(name(c), async () => check(c, await run(c)));
});

describe('one block: dgamma/dbeta straight from the dx kernel, every variant', () => {
  for (const c of oneBlockCases()) test(name(c), async () => check(c, await run(c)));
});

describe('determinism: two runs give identical bits', () => {
  const det: BackwardCase[] = [
    { op: 'layerNorm', rows: 100000, cols: 3, dtype: 'f32', pattern: 'normal', gamma: true, form: 'encode', seed: 900 },
    { op: 'layerNorm', rows: 300, cols: 768, dtype: 'f32', pattern: 'normal', gamma: true, form: 'convenience', seed: 901 },
    { op: 'rmsNorm', rows: 513, cols: 129, dtype: 'f16', pattern: 'normal', gamma: true, form: 'pass', seed: 902 },
  ];
  for (const c of det) {
    test(name(c), async () => {
      const r = await h.run((harness, arg) => (harness as BackwardHarness).backwardDeterminism(arg), c);
      expect(r.differing).toBe(0);
    });
  }
});

describe('bad input: NormError before anything reaches the GPU', () => {
  test('typed-array and encode forms', async () => {
    const r = await h.run(async (harness) => {
      const out: Record<string, unknown> = {};
      const x = new Float32Array(6);
      const s = new Float32Array(2);
      const f32 = (n: number) => new Float32Array(n);
      out.dyLength = await harness.expectNormError((n) => n.layerNormBackward(f32(5), x, { cols: 3, mean: s, rstd: s }));
      out.noMean = await harness.expectNormError((n) => n.layerNormBackward(x, x, { cols: 3, rstd: s } as never));
      out.rmsBeta = await harness.expectNormError((n, d) => {
        const b = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
        try {
          n.encodeRmsNormBackward(d.createCommandEncoder(), { dy: b, x: b, dx: b, rstd: b, rows: 2, cols: 3, dbeta: b } as never);
        } finally {
          b.destroy();
        }
      });
      out.aliasing = await harness.expectNormError((n, d) => {
        const b = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
        const c = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
        try {
          n.encodeLayerNormBackward(d.createCommandEncoder(), { dy: b, x: c, dx: b, mean: c, rstd: c, rows: 2, cols: 3 });
        } finally {
          b.destroy();
          c.destroy();
        }
      });
      out.tooSmall = await harness.expectNormError((n, d) => {
        const b = d.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
        const c = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
        try {
          n.encodeLayerNormBackward(d.createCommandEncoder(), { dy: c, x: c, dx: b, mean: c, rstd: c, rows: 2, cols: 3 });
        } finally {
          b.destroy();
          c.destroy();
        }
      });
      return out;
    });
    expect(r.dyLength).toMatchObject({ code: 'shape-mismatch', argument: 'dy' });
    expect(r.noMean).toMatchObject({ code: 'invalid-argument', argument: 'mean' });
    expect(r.rmsBeta).toMatchObject({ code: 'invalid-argument', argument: 'dbeta' });
    expect(r.aliasing).toMatchObject({ code: 'aliasing', argument: 'dx' });
    expect(r.tooSmall).toMatchObject({ code: 'buffer-too-small', argument: 'dx' });
  });
});
