/**
 * LayerNorm / RMSNorm backward passes on the GPU (headless Chromium, SwiftShader) through the
 * built package, against the float64 reference fed the same f32 statistics the GPU forward pass
 * wrote. Tolerances: test/backward/backward-case.ts. Also: determinism (two runs, identical
 * bits) and validation (NormError before anything reaches the GPU).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatWorst, type Comparison } from '../shared/compare.js';
import type { BackwardCase } from './backward-case.js';
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

function cases(): BackwardCase[] {
  const out: BackwardCase[] = [];
  let seed = 1;
  const add = (c: Omit<BackwardCase, 'seed'>) => out.push({ ...c, seed: seed++ });
  for (const op of ['layerNorm', 'rmsNorm'] as const) {
    for (const dtype of ['f32', 'f16'] as const) {
      for (const [rows, cols] of [[1, 1], [7, 3], [5, 13], [64, 768], [3, 1001], [2, 4096]] as const) {
        add({ op, rows, cols, dtype, pattern: 'normal', gamma: true, form: 'convenience' });
      }
      add({ op, rows: 33, cols: 13, dtype, pattern: 'normal', gamma: false, form: 'encode' });
      add({ op, rows: 40, cols: 64, dtype, pattern: 'offset', gamma: true, form: 'pass' });
      add({ op, rows: 9, cols: 101, dtype, pattern: 'mixed-scale', gamma: true, form: 'encode', dsum: true });
      add({ op, rows: 1, cols: 4099, dtype, pattern: 'outlier-columns', gamma: true, form: 'pass' });
      // One row: one block, dgamma/dbeta written by the dx kernel itself (vec4 access for f32).
      add({ op, rows: 1, cols: 768, dtype, pattern: 'offset', gamma: true, form: 'convenience' });
    }
    add({ op, rows: 70000, cols: 3, dtype: 'f32', pattern: 'normal', gamma: true, form: 'encode' });
    add({ op, rows: 100000, cols: 3, dtype: 'f32', pattern: 'offset', gamma: false, form: 'convenience' });
    add({ op, rows: 3000, cols: 257, dtype: 'f16', pattern: 'normal', gamma: true, form: 'convenience' });
  }
  add({ op: 'rmsNorm', rows: 17, cols: 48, dtype: 'f32', pattern: 'normal', gamma: true, form: 'encode', gammaOffset: 1 });
  add({ op: 'layerNorm', rows: 4, cols: 768, dtype: 'f32', pattern: 'constant', gamma: true, form: 'convenience' });
  add({ op: 'layerNorm', rows: 50, cols: 31, dtype: 'f32', pattern: 'tiny-variance', gamma: true, form: 'convenience' });
  return out;
}

const variants = [
  { reduction: 'workgroup', vec4: true, workgroupSize: 64, threadsPerRow: 16, cachedChunks: 0 },
  { reduction: 'workgroup', vec4: false, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 0 },
  { reduction: 'subgroup', vec4: true, workgroupSize: 64, threadsPerRow: 64, cachedChunks: 0 },
  { reduction: 'subgroup', vec4: false, workgroupSize: 4, threadsPerRow: 4, cachedChunks: 0 },
  { reduction: 'workgroup', vec4: false, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 },
] as const;

describe('backward passes match the float64 reference', () => {
  for (const c of cases()) test(name(c), async () => check(c, await run(c)));
});

describe('every dx kernel variant, forced', () => {
  let seed = 500;
  for (const op of ['layerNorm', 'rmsNorm'] as const) {
    for (const v of variants) {
      for (const dtype of v.vec4 ? (['f32'] as const) : (['f32', 'f16'] as const)) {
        const c: BackwardCase = { op, rows: 37, cols: 1028, dtype, pattern: 'offset', gamma: true, form: 'encode', seed: seed++, variant: { ...v } };
        test(name(c), async () => check(c, await run(c)));
      }
    }
  }
});

describe('one block: dgamma/dbeta straight from the dx kernel, every variant', () => {
  // Rows that make a single block: one row for teams, up to four for one-invocation rows (which
  // take four rows at once). Without dsum the `direct` kernels write dgamma and dbeta; with dsum,
  // LayerNorm goes through the partials and the final stage, RMSNorm writes dgamma as the block's
  // one partial row.
  let seed = 700;
  const oneBlock = [...variants, { reduction: 'workgroup', vec4: true, workgroupSize: 16, threadsPerRow: 1, cachedChunks: 0 }] as const;
  for (const op of ['layerNorm', 'rmsNorm'] as const) {
    for (const v of oneBlock) {
      for (const dtype of v.vec4 ? (['f32'] as const) : (['f32', 'f16'] as const)) {
        const rows = v.threadsPerRow === 1 ? 3 : 1;
        const c: BackwardCase = { op, rows, cols: 1028, dtype, pattern: 'offset', gamma: true, form: 'encode', seed: seed++, variant: { ...v } };
        test(name(c), async () => check(c, await run(c)));
      }
    }
    const withDsum: BackwardCase = { op, rows: 1, cols: 772, dtype: 'f32', pattern: 'normal', gamma: true, form: 'encode', dsum: true, seed: seed++ };
    test(name(withDsum), async () => check(withDsum, await run(withDsum)));
  }
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
