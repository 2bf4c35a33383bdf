/**
 * The CPU reference's new options against what they must equal: a broadcast residual is the tiled
 * residual, an f16 y is the float64 y rounded once to f16 (an f32 y from f16 x the float64 y
 * rounded once to f32), and the fused ops' statistics are LayerNorm's / RMSNorm's of sum.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { f32ToF16 } from '../../src/core/f16.js';

const B = 3;
const S = 2;
const H = 5;
const x = Float32Array.from({ length: B * S * H }, (_, i) => 1000 + Math.sin(i * 1.7) * 3);
const skip = Float32Array.from({ length: S * H }, (_, i) => Math.cos(i * 0.9));
const tiled = Float32Array.from({ length: B * S * H }, (_, i) => skip[i % (S * H)]!);
const gamma = Float32Array.from({ length: H }, (_, j) => 1 + j / 10);
const beta = Float32Array.from({ length: H }, (_, j) => j / 7 - 0.3);

describe('residualRows', () => {
  test('residualRows S broadcasts the (S, H) residual over the batch: the tiled residual, bit for bit', () => {
    const a = cpu.addLayerNorm(x, skip, { cols: H, gamma, beta, residualRows: S });
    const b = cpu.addLayerNorm(x, tiled, { cols: H, gamma, beta });
    expect(a).toEqual(b);
    const c = cpu.addRmsNorm(x, skip.subarray(0, H), { cols: H, gamma, residualRows: 1 });
    const d = cpu.addRmsNorm(x, Float32Array.from({ length: B * S * H }, (_, i) => skip[i % H]!), { cols: H, gamma });
    expect(c).toEqual(d);
  });

  test("the fused ops' mean and rstd are the plain op's statistics of sum", () => {
    const a = cpu.addLayerNorm(x, skip, { cols: H, gamma, beta, residualRows: S });
    const plain = cpu.layerNorm(a.sum, { cols: H, gamma, beta });
    expect({ mean: a.mean, rstd: a.rstd, y: a.y }).toEqual({ mean: plain.mean, rstd: plain.rstd, y: plain.y });
    const r = cpu.addRmsNorm(x, skip, { cols: H, residualRows: S });
    expect(r.rstd).toEqual(cpu.rmsNorm(r.sum, { cols: H }).rstd);
  });
});

describe('outputDtype', () => {
  test('f32 x, f16 y: the float64 y rounded once to f16; sum stays f32', () => {
    const y64 = cpu.addLayerNormF64(x, skip, { cols: H, gamma, beta, residualRows: S }).y;
    const r = cpu.addLayerNorm(x, skip, { cols: H, gamma, beta, residualRows: S, outputDtype: 'f16' });
    expect(Array.from(r.y)).toEqual(Array.from(y64, (v) => f32ToF16(v)));
    expect(r.sum).toBeInstanceOf(Float32Array);
  });

  test('f16 x, f32 y: the float64 y of the f16 input rounded once to f32', () => {
    const x16 = Uint16Array.from(x, (v) => f32ToF16(v / 1000));
    const y64 = cpu.rmsNormF64(x16, { cols: H, gamma }).y;
    expect(Array.from(cpu.rmsNorm(x16, { cols: H, gamma, outputDtype: 'f32' }).y)).toEqual(Array.from(y64, (v) => Math.fround(v)));
  });
});
