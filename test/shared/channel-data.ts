/**
 * Deterministic (batch, channels, spatial) test tensors for GroupNorm / InstanceNorm / BatchNorm,
 * generated identically in Node and in the browser page from a seed. Values are drawn in logical
 * (n, c, s) order and then placed by layout, so the NCHW and NHWC tensors of one seed hold the
 * same values, transposed.
 *
 * Patterns are defined per *unit*: the set of elements one statistic covers, (image, group) for
 * GroupNorm and channel for BatchNorm, so adversarial content lands exactly on statistic
 * boundaries:
 * - `normal`: N(0, 1).
 * - `offset`: mean 1e4, unit variance (E[x²] − mean² in f32 loses every digit).
 * - `zero-variance`: every other unit constant (variance exactly 0: y must be exactly beta).
 * - `tiny-variance`: 1 + 1e-5·N(0, 1): epsilon dominates the variance.
 * - `f16-extreme`: units near +65504, near −65504, and spread over ±65504 (variance ≈ 4e9),
 *   representable in f16: squares and sums must stay in f32 without overflow.
 * - `mixed-scale`: unit scales from 1e-3 to 1e3: statistics must not leak between units.
 * - `nan-unit`: one NaN in unit floor(units / 2): no other unit may change.
 * - `spikes` (not in CHANNEL_PATTERNS; used where asked for): N(0, 1) with +1000 at every 16th
 *   position (about 3.9 standard deviations out). Chunks of the invocation layout are multiples of
 *   16 positions, so many start on a spike: their local pivot is an outlier and they take the
 *   exact second pass.
 */
import { normal, rng } from './data.js';

export type ChannelPattern = 'normal' | 'offset' | 'zero-variance' | 'tiny-variance' | 'f16-extreme' | 'mixed-scale' | 'nan-unit' | 'spikes';

export const CHANNEL_PATTERNS: readonly ChannelPattern[] = ['normal', 'offset', 'zero-variance', 'tiny-variance', 'f16-extreme', 'mixed-scale', 'nan-unit'];

export interface ChannelShape {
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly layout: 'NCHW' | 'NHWC';
}

/** Which statistic elements belong to: per (image, group), or per channel (BatchNorm). */
export type UnitKind = { readonly per: 'group'; readonly groups: number } | { readonly per: 'channel' };

export function unitCount(shape: ChannelShape, kind: UnitKind): number {
  return kind.per === 'group' ? shape.batch * kind.groups : shape.channels;
}

export function unitOf(shape: ChannelShape, kind: UnitKind, n: number, c: number): number {
  return kind.per === 'group' ? n * kind.groups + Math.floor(c / (shape.channels / kind.groups)) : c;
}

export function indexOf(shape: ChannelShape, n: number, c: number, s: number): number {
  return shape.layout === 'NCHW' ? (n * shape.channels + c) * shape.spatial + s : (n * shape.spatial + s) * shape.channels + c;
}

/** (n, c) of element i. */
export function coordsOf(shape: ChannelShape, i: number): { n: number; c: number } {
  if (shape.layout === 'NCHW') {
    const row = Math.floor(i / shape.spatial);
    return { n: Math.floor(row / shape.channels), c: row % shape.channels };
  }
  return { n: Math.floor(i / (shape.spatial * shape.channels)), c: i % shape.channels };
}

/** The unit a `nan-unit` pattern poisons, or -1. */
export function poisonedUnit(pattern: ChannelPattern, shape: ChannelShape, kind: UnitKind): number {
  return pattern === 'nan-unit' ? Math.floor(unitCount(shape, kind) / 2) : -1;
}

export function makeChannelInput(pattern: ChannelPattern, shape: ChannelShape, kind: UnitKind, seed: number): Float32Array {
  const random = rng(seed);
  const n01 = normal(random);
  const { batch, channels, spatial } = shape;
  const x = new Float32Array(batch * channels * spatial);
  const bad = poisonedUnit(pattern, shape, kind);
  let poisoned = false;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const u = unitOf(shape, kind, n, c);
      for (let s = 0; s < spatial; s++) {
        let v: number;
        switch (pattern) {
          case 'normal':
          case 'nan-unit':
            v = n01();
            break;
          case 'offset':
            v = 1e4 + n01();
            break;
          case 'zero-variance':
            v = u % 2 === 0 ? (u % 4 === 0 ? 3.25 : -1e4 + u) : n01();
            break;
          case 'tiny-variance':
            v = 1 + 1e-5 * n01();
            break;
          case 'f16-extreme': {
            const kindOf = u % 3;
            const r = random();
            v = kindOf === 0 ? 65504 - 2000 * r : kindOf === 1 ? -65504 + 2000 * r : (random() < 0.5 ? -1 : 1) * 65504 * (0.9 + 0.1 * r);
            break;
          }
          case 'mixed-scale':
            v = 10 ** (-3 + (u % 7)) * (n01() + 0.5);
            break;
          case 'spikes':
            v = n01() + (s % 16 === 0 ? 1000 : 0);
            break;
        }
        if (u === bad && !poisoned && s === Math.floor(spatial / 2)) {
          v = NaN;
          poisoned = true;
        }
        x[indexOf(shape, n, c, s)] = v;
      }
    }
  }
  return x;
}

/** Per-channel gamma around 1 and beta around 0, with a spread. */
export function makeChannelAffine(channels: number, seed: number): { gamma: Float32Array; beta: Float32Array } {
  const n = normal(rng(seed ^ 0x9e3779b9));
  const gamma = new Float32Array(channels);
  const beta = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    gamma[c] = 1 + 0.5 * n();
    beta[c] = 0.5 * n();
  }
  return { gamma, beta };
}

/** Running statistics for BatchNorm inference: means spread over ±2 (plus an offset), variances in [0.25, 4]. */
export function makeRunningStats(channels: number, seed: number, offset = 0): { runningMean: Float32Array; runningVar: Float32Array } {
  const random = rng(seed ^ 0x51ed27);
  const runningMean = new Float32Array(channels);
  const runningVar = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    runningMean[c] = offset + 4 * (random() - 0.5);
    runningVar[c] = 0.25 * 16 ** random();
  }
  return { runningMean, runningVar };
}
