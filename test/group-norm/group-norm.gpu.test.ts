/**
 * GroupNorm and InstanceNorm on the GPU (headless Chromium, SwiftShader) against the float64
 * reference, through the built package. f32 outputs within 1e-5 relative (y: atol
 * 1e-5·max(1, |γ|)), f16 outputs within 1 f16 ULP of the reference rounded to f16. Each case runs
 * in a validation error scope that must pop empty; a failing case prints its worst elements.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { caseName, expectedApply, expectedFused, expectedStatsLayout, groupNormCases } from '../channel/cases.js';
import { checkChannelNormCase, worstSummary, type Worst } from '../channel/check.js';
import type { ChannelNormCase, ChannelNormHarness } from '../channel/channel-norm-case.js';
import type { Harness } from '../gpu/harness/harness.js';
import { openHarness, type HarnessPage } from '../gpu/page.js';
import { flushHashes } from '../gpu/output-hashes.js';

type H = Harness & ChannelNormHarness;
let h: HarnessPage;
const worst: Worst = {};

/** Invocations per workgroup of the fused layout: 4, or the subgroup size where wider (8 on lavapipe). */
let fusedLanes = 4;

beforeAll(async () => {
  h = await openHarness();
  fusedLanes = Math.max(4, (await h.run((harness) => (harness as H).adapterInfo())).profile.subgroupMinSize);
});
afterAll(async () => {
  flushHashes();
  console.log('GroupNorm / InstanceNorm accuracy over all cases:\n' + worstSummary(worst));
  expect(h.errors, 'console errors in the harness page').toEqual([]);
  await h.close();
});

const run = (c: ChannelNormCase) => h.run((harness, arg) => (harness as H).channelNormCase(arg), c);

describe('GroupNorm / InstanceNorm match the float64 reference', () => {
  for (const c of groupNormCases()) {
    test(caseName(c), async () => {
      const r = await run(c);
      checkChannelNormCase(c, r, worst);
      const fused = expectedFused(c);
      if (r.info) expect(r.info.apply, 'elementwise layout').toBe(fused ? undefined : expectedApply(c));
      if (r.info && c.op !== 'batchNormInference') {
        // The adapter here is SwiftShader: the automatic rule picks the fused layout (NCHW, enough
        // groups, f16 groups of even length), else the invocation layout unless x is under 16
        // bytes; forced cases run on a normalizer profiled as a GPU.
        expect(r.info.statsLayout, 'statistics layout').toBe(expectedStatsLayout(c));
        if (fused) expect(r.info.workgroups, `one dispatch, ${fusedLanes} groups per workgroup`).toEqual([Math.ceil((c.batch * (c.groups ?? c.channels)) / fusedLanes)]);
      }
      if (c.spatial * c.channels >= 1 << 20 && c.groups === 1) {
        // A group of 2^20 elements is reduced by many workgroups, not one.
        expect(r.info!.chunks, 'pass-1 chunks per group').toBeGreaterThanOrEqual(32);
      }
    });
  }
});

describe('scratch buffers', () => {
  test.each(['encoder', 'pass'] as const)('two GroupNorms in one %s (the second grows the scratch), and no leaks across calls', async (target) => {
    const r = await h.run((harness, t) => (harness as H).scratchReuse(t), target);
    expect(r.validationError).toBeNull();
    expect(r.uncapturedErrors).toEqual([]);
    expect(r.first, 'first GroupNorm, error / tolerance').toBeLessThanOrEqual(1);
    expect(r.second, 'second GroupNorm, error / tolerance').toBeLessThanOrEqual(1);
    expect(r.liveAfter, 'live buffers after more convenience calls').toBe(r.liveBefore);
  });
});

describe('bad input is refused with a NormError before anything reaches the GPU', () => {
  type Refusal = { code: string; argument?: string; message: string } | { other: string } | null;
  // Each case builds its operands inside the page and calls one op; the harness reports the
  // NormError (code, argument). An empty validation error scope proves nothing was encoded.
  const cases: [string, string, string | undefined, (norm: any, device: GPUDevice) => unknown][] = [
    ['channels not a multiple of groups', 'shape-mismatch', 'groups', (norm, d) => {
      const b = d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm(d.createCommandEncoder(), { x: b, y: d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE }), batch: 1, channels: 6, spatial: 4, groups: 4, layout: 'NCHW' });
    }],
    ['bad layout string', 'invalid-argument', 'layout', (norm, d) => {
      const b = d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeInstanceNorm(d.createCommandEncoder(), { x: b, y: b, batch: 1, channels: 6, spatial: 4, layout: 'HWC' });
    }],
    ['x too small for f32', 'buffer-too-small', 'x', (norm, d) => {
      const x = d.createBuffer({ size: 92, usage: GPUBufferUsage.STORAGE });
      const y = d.createBuffer({ size: 96, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm(d.createCommandEncoder(), { x, y, batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NHWC' });
    }],
    ['odd f16 y must cover the whole last word', 'buffer-too-small', 'y', (norm, d) => {
      const x = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
      const y = d.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
      // 7 halves need 4 words = 16 bytes; a 14-byte range is refused.
      return norm.encodeInstanceNorm(d.createCommandEncoder(), { x, y: { buffer: y, offset: 0, size: 12 }, batch: 1, channels: 7, spatial: 1, layout: 'NCHW', dtype: 'f16' });
    }],
    // checkAliasing (src/operands.ts) names the first operand of the overlapping pair.
    ['y aliasing x', 'aliasing', 'y', (norm, d) => {
      const b = d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm(d.createCommandEncoder(), { x: b, y: b, batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NCHW' });
    }],
    ['mean without rstd', 'invalid-argument', 'rstd', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm(d.createCommandEncoder(), { x: mk(), y: mk(), mean: mk(), batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NCHW' });
    }],
    ['not an encoder', 'invalid-argument', 'target', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm({}, { x: mk(), y: mk(), batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NCHW' });
    }],
    ['Float32Array with dtype f16', 'invalid-argument', 'x', (norm) => norm.groupNorm(new Float32Array(24), { batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NCHW', dtype: 'f16' })],
    ['wrong x length', 'shape-mismatch', 'x', (norm) => norm.instanceNorm(new Uint16Array(23), { batch: 1, channels: 6, spatial: 4, layout: 'NHWC' })],
    ['gamma of the wrong length', 'shape-mismatch', 'gamma', (norm) => norm.groupNorm(new Float32Array(24), { batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NCHW', gamma: new Float32Array(5) })],
    ['batchNormStats without var', 'invalid-argument', 'var', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeBatchNormStats(d.createCommandEncoder(), { x: mk(), mean: mk(), batch: 1, channels: 6, spatial: 4, layout: 'NCHW' });
    }],
    ['runningVar lacks STORAGE usage', 'buffer-usage', 'runningVar', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      const rv = d.createBuffer({ size: 1024, usage: GPUBufferUsage.UNIFORM });
      return norm.encodeBatchNormInference(d.createCommandEncoder(), { x: mk(), y: mk(), runningMean: mk(), runningVar: rv, batch: 1, channels: 6, spatial: 4, layout: 'NCHW' });
    }],
    ['batchNormInference with a Uint16Array runningMean', 'invalid-argument', 'runningMean', (norm) =>
      norm.batchNormInference(new Float32Array(24), { batch: 1, channels: 6, spatial: 4, layout: 'NCHW', runningMean: new Uint16Array(6), runningVar: new Float32Array(6) })],
    ['groupNorm activation relu (only none and silu)', 'invalid-argument', 'activation', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeGroupNorm(d.createCommandEncoder(), { x: mk(), y: mk(), batch: 1, channels: 6, spatial: 4, groups: 3, layout: 'NHWC', activation: 'relu' });
    }],
    ['batchNormTraining momentum 2', 'invalid-argument', 'momentum', (norm) =>
      norm.batchNormTraining(new Float32Array(24), { batch: 1, channels: 6, spatial: 4, layout: 'NCHW', runningMean: new Float32Array(6), runningVar: new Float32Array(6), momentum: 2 })],
    ['batchNormTraining with one value per channel and the unbiased update', 'invalid-argument', 'runningVarUnbiased', (norm) =>
      norm.batchNormTraining(new Float32Array(6), { batch: 1, channels: 6, spatial: 1, layout: 'NHWC', runningMean: new Float32Array(6), runningVar: new Float32Array(6) })],
    ['batchNormTraining newRunningMean without newRunningVar', 'invalid-argument', 'newRunningVar', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeBatchNormTraining(d.createCommandEncoder(), { x: mk(), y: mk(), runningMean: mk(), runningVar: mk(), newRunningMean: mk(), batch: 1, channels: 6, spatial: 4, layout: 'NCHW' });
    }],
    ['batchNormTraining in place with runningVar sharing x\'s buffer', 'aliasing', 'runningVar', (norm, d) => {
      const mk = () => d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      const x = d.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
      return norm.encodeBatchNormTraining(d.createCommandEncoder(), { x: { buffer: x, offset: 0, size: 96 }, y: mk(), runningMean: mk(), runningVar: { buffer: x, offset: 256, size: 24 }, batch: 1, channels: 6, spatial: 4, layout: 'NCHW' });
    }],
  ];
  for (const [name, code, argument, fn] of cases) {
    test(name, async () => {
      const r = await h.run(
        async (harness, src: string) => {
          const device = (await harness.normalizer()).device;
          device.pushErrorScope('validation');
          const f = new Function(`return (${src})`)() as (n: unknown, d: GPUDevice) => unknown;
          const refusal = await harness.expectNormError(f as never);
          const scope = await device.popErrorScope();
          return { refusal, scope: scope ? scope.message : null };
        },
        fn.toString(),
      );
      const refusal = r.refusal as Refusal;
      expect(refusal && 'code' in refusal ? { code: refusal.code, argument: refusal.argument } : refusal).toEqual({ code, argument });
      expect(r.scope, 'nothing invalid reached the GPU').toBeNull();
    });
  }
});
