/**
 * GroupNorm with `activation: 'silu'` and BatchNorm training in Node through the `webgpu` package
 * (Dawn; SwiftShader by default, lavapipe with VK_ICD_FILENAMES, see setup.ts), on the BUILT
 * dist/index.js: a second WGSL compiler for the SiLU and running-update code, against the float64
 * reference with the tolerances of test/channel/channel-norm-case.ts (the full tables run in
 * Chromium: test/group-norm/, test/batch-norm/).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compare } from '../shared/compare.js';
import { compareF16 } from '../shared/f16-compare.js';
import { makeChannelAffine, makeChannelInput, makeRunningStats, type ChannelShape } from '../shared/channel-data.js';
import type * as Lib from '../../src/index.js';

const lib = (await import(new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, cpu, toF16Array } = lib;

let norm: Lib.Normalizer;
const uncaptured: string[] = [];

beforeAll(async () => {
  norm = await createNormalizer();
  norm.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
});
afterAll(() => {
  norm?.destroy();
  expect(uncaptured).toEqual([]);
});

const channelOf = (s: ChannelShape, i: number) => (s.layout === 'NCHW' ? Math.floor(i / s.spatial) % s.channels : i % s.channels);

function expectY(got: Float32Array | Uint16Array, ref: Float64Array, s: ChannelShape, gamma: Float32Array, beta: Float32Array) {
  const cmp =
    got instanceof Uint16Array
      ? compareF16(got, ref, 1, (i) => 1e-6 * Math.max(1, Math.abs(beta[channelOf(s, i)]!)))
      : compare(got, ref, { rtol: 1e-5, atol: (i) => 1e-5 * Math.max(1, Math.abs(gamma[channelOf(s, i)]!)) });
  expect(cmp.failures, `y: ${cmp.failures}/${cmp.count} outside tolerance`).toBe(0);
}

describe('Node (Dawn): GroupNorm + SiLU, BatchNorm training', () => {
  for (const layout of ['NCHW', 'NHWC'] as const) {
    for (const dtype of ['f32', 'f16'] as const) {
      for (const [batch, channels, spatial, groups] of [[2, 16, 1024, 8], [2, 6, 999, 2]] as const) {
        test(`groupNorm silu ${batch}x${channels}x${spatial} g${groups} ${layout} ${dtype}, spikes`, async () => {
          const s: ChannelShape = { batch, channels, spatial, layout };
          const values = makeChannelInput('spikes', s, { per: 'group', groups }, spatial + channels);
          const x = dtype === 'f16' ? toF16Array(values) : values;
          const affine = makeChannelAffine(channels, spatial);
          const o = { ...s, groups, ...affine, activation: 'silu' as const };
          const got = await norm.groupNorm(x, o);
          expectY(got.y, cpu.groupNormF64(x, o).y, s, affine.gamma, affine.beta);
        });
      }

      test(`batchNormTraining 3x5x999 ${layout} ${dtype}, offset`, async () => {
        const s: ChannelShape = { batch: 3, channels: 5, spatial: 999, layout };
        const values = makeChannelInput('offset', s, { per: 'channel' }, 7);
        const x = dtype === 'f16' ? toF16Array(values) : values;
        const affine = makeChannelAffine(5, 7);
        const o = { ...s, ...affine, ...makeRunningStats(5, 7, 1e4), momentum: 0.25 };
        const got = await norm.batchNormTraining(x, o);
        const ref = cpu.batchNormTrainingF64(x, o);
        expectY(got.y, ref.y, s, affine.gamma, affine.beta);
        for (const k of ['var', 'runningVar'] as const) {
          expect(compare(got[k], ref[k], { rtol: 1e-5, atol: 0 }).failures, k).toBe(0);
        }
        const spread = Array.from(ref.var, Math.sqrt);
        expect(compare(got.mean, ref.mean, { rtol: 1e-5, atol: (i) => 1e-5 * spread[i]! }).failures, 'mean').toBe(0);
        expect(compare(got.runningMean, ref.runningMean, { rtol: 1e-5, atol: (i) => 1e-5 * (0.25 * (spread[i]! + Math.abs(ref.mean[i]!)) + 0.75 * Math.abs(o.runningMean[i]!)) }).failures, 'runningMean').toBe(0);
      });
    }
  }
});
