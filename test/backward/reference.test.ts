/**
 * The float64 backward reference (`cpu.layerNormBackward…`, `cpu.rmsNormBackward…`) against
 * central finite differences of an independent float64 forward pass, plus its validation.
 *
 * Loss L = Σ w ⊙ y, so dy = w. The forward here is written out in float64 on float64 inputs, so
 * the step can be small (1e-6 · scale) and the O(h²) truncation error stays ~1e-9; the reference
 * reads mean/rstd rounded to f32 (as the GPU writes them), which moves the gradient by ~1e-7
 * relative. Tolerance: |analytic − numeric| ≤ 1e-5 · (Σ|terms| scale) per element.
 */
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { NormError } from '../../src/core/errors.js';
import { normal, rng } from '../shared/data.js';

function forward(rms: boolean, x: Float64Array, cols: number, gamma: Float64Array, beta: Float64Array, eps: number, gammaOffset = 0): { y: Float64Array; mean: Float64Array; rstd: Float64Array } {
  const rows = x.length / cols;
  const y = new Float64Array(x.length);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    if (!rms) {
      for (let j = 0; j < cols; j++) m += x[r * cols + j]!;
      m /= cols;
    }
    let v = 0;
    for (let j = 0; j < cols; j++) v += (x[r * cols + j]! - m) ** 2;
    const s = 1 / Math.sqrt(v / cols + eps);
    mean[r] = m;
    rstd[r] = s;
    for (let j = 0; j < cols; j++) y[r * cols + j] = (x[r * cols + j]! - m) * s * (gamma[j]! + gammaOffset) + (rms ? 0 : beta[j]!);
  }
  return { y, mean, rstd };
}

const loss = (y: Float64Array, w: Float64Array) => y.reduce((acc, v, i) => acc + v * w[i]!, 0);

function numeric(f: (p: Float64Array) => number, p: Float64Array, step: number): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i]!;
    p[i] = keep + step;
    const up = f(p);
    p[i] = keep - step;
    const down = f(p);
    p[i] = keep;
    out[i] = (up - down) / (2 * step);
  }
  return out;
}

function expectClose(analytic: ArrayLike<number>, num: ArrayLike<number>, scale: number, what: string): number {
  let worst = 0;
  for (let i = 0; i < num.length; i++) worst = Math.max(worst, Math.abs(analytic[i]! - num[i]!) / scale);
  expect(worst, `${what}: worst |analytic − numeric| / scale`).toBeLessThan(1e-5);
  return worst;
}

const cases = [
  { rows: 1, cols: 1 },
  { rows: 3, cols: 5 },
  { rows: 4, cols: 13 },
  { rows: 2, cols: 64 },
] as const;

describe.each([false, true])('rms = %s: the reference matches central finite differences', (rms) => {
  test.each(cases)('$rows x $cols', ({ rows, cols }) => {
    const n = normal(rng(rows * 31 + cols + (rms ? 7 : 0)));
    const x32 = Float32Array.from({ length: rows * cols }, () => 3 + 2 * n());
    const gamma32 = Float32Array.from({ length: cols }, () => 1 + 0.3 * n());
    const beta = Float64Array.from({ length: cols }, () => 0.1 * n());
    const w = Float64Array.from({ length: rows * cols }, () => n());
    const dy = Float32Array.from(w);
    const w64 = Float64Array.from(dy); // the loss weights exactly as the reference reads dy
    const eps = 1e-5;
    const gammaOffset = rms ? 0.5 : 0;
    const x = Float64Array.from(x32);
    const gamma = Float64Array.from(gamma32);
    const stats = forward(rms, x, cols, gamma, beta, eps, gammaOffset);
    const ref = rms
      ? cpu.rmsNormBackwardF64(dy, x32, { cols, gamma: gamma32, rstd: Float32Array.from(stats.rstd), gammaOffset })
      : cpu.layerNormBackwardF64(dy, x32, { cols, gamma: gamma32, mean: Float32Array.from(stats.mean), rstd: Float32Array.from(stats.rstd) });
    const L = (xx: Float64Array, gg: Float64Array, bb: Float64Array) => loss(forward(rms, xx, cols, gg, bb, eps, gammaOffset).y, w64);
    const wScale = Math.max(...w64.map(Math.abs));
    const rScale = Math.max(...stats.rstd);
    const gScale = Math.max(...gamma.map((g) => Math.abs(g + gammaOffset)));
    // A width-1 LayerNorm row is constant after centring: dx is exactly 0 and rstd = 1/sqrt(eps).
    expectClose(ref.dx, numeric((p) => L(p, gamma, beta), x.slice(), 1e-6), wScale * rScale * gScale * (cols === 1 && !rms ? 1e3 : 1), 'dx');
    expectClose(ref.dgamma, numeric((p) => L(x, p, beta), gamma.slice(), 1e-6), wScale * rows * 3, 'dgamma');
    if (!rms) expectClose((ref as unknown as { dbeta: Float64Array }).dbeta, numeric((p) => L(x, gamma, p), beta.slice(), 1e-6), wScale * rows, 'dbeta');
  });
});

describe('backward reference details', () => {
  test('dsum is added to dx; gamma absent means 1; rounded forms agree with F64', () => {
    const x = new Float32Array([1, 2, 4, 8, -1, 0, 1, 3]);
    const dy = new Float32Array([0.5, -1, 2, 0.25, 1, 1, -1, 0]);
    const dsum = new Float32Array([1, 1, 1, 1, 2, 2, 2, 2]);
    const { mean, rstd } = cpu.layerNorm(x, { cols: 4 });
    const a = cpu.layerNormBackwardF64(dy, x, { cols: 4, mean, rstd });
    const b = cpu.layerNormBackwardF64(dy, x, { cols: 4, mean, rstd, dsum, gamma: new Float32Array([1, 1, 1, 1]) });
    for (let i = 0; i < 8; i++) expect(b.dx[i]).toBeCloseTo(a.dx[i]! + dsum[i]!, 12);
    const r = cpu.layerNormBackward(dy, x, { cols: 4, mean, rstd });
    expect(Array.from(r.dx)).toEqual(Array.from(Float32Array.from(a.dx)));
    expect(Array.from(r.dbeta)).toEqual([1.5, 0, 1, 0.25]);
    // Σ_j dx_j = 0 for LayerNorm (the gradient is orthogonal to the all-ones direction).
    expect(Math.abs(a.dx.slice(0, 4).reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
  });

  test('f16 inputs are decoded exactly and dx comes back as half bits', () => {
    const x = new Uint16Array([0x3c00, 0x4000, 0x4400]); // 1, 2, 4
    const dy = new Uint16Array([0x3c00, 0, 0xbc00]); // 1, 0, -1
    const { rstd } = cpu.rmsNorm(new Float32Array([1, 2, 4]), { cols: 3 });
    const r = cpu.rmsNormBackward(dy, x, { cols: 3, rstd });
    expect(r.dx).toBeInstanceOf(Uint16Array);
    const f = cpu.rmsNormBackwardF64(new Float32Array([1, 0, -1]), new Float32Array([1, 2, 4]), { cols: 3, rstd });
    expect(Array.from(r.dgamma)).toEqual(Array.from(Float32Array.from(f.dgamma)));
  });

  test('validation: NormError with code and argument', () => {
    const x = new Float32Array(6);
    const s = new Float32Array(2);
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(NormError);
        return [(e as NormError).code, (e as NormError).argument];
      }
      return null;
    };
    expect(bad(() => cpu.layerNormBackward(new Float32Array(5), x, { cols: 3, mean: s, rstd: s }))).toEqual(['shape-mismatch', 'dy']);
    expect(bad(() => cpu.layerNormBackward(x, x, { cols: 4, mean: s, rstd: s }))).toEqual(['shape-mismatch', 'x']);
    expect(bad(() => cpu.layerNormBackward(x, x, { cols: 3, mean: new Float32Array(3), rstd: s }))).toEqual(['shape-mismatch', 'mean']);
    expect(bad(() => cpu.layerNormBackward(x, x, { cols: 3, rstd: s } as never))).toEqual(['invalid-argument', 'mean']);
    expect(bad(() => cpu.rmsNormBackward(x, x, { cols: 3, rstd: s, mean: s } as never))).toEqual(['invalid-argument', 'mean']);
    expect(bad(() => cpu.rmsNormBackward(x, x, { cols: 3, rstd: s, gamma: new Float32Array(2) }))).toEqual(['shape-mismatch', 'gamma']);
    expect(bad(() => cpu.rmsNormBackward(new Uint16Array(6) as unknown as Float32Array, x, { cols: 3, rstd: s }))).toEqual(['invalid-argument', 'dy']);
    expect(bad(() => cpu.layerNormBackward(x, x, { cols: 3, mean: s, rstd: s, epsilonMode: 'add-to-std' } as never))).toEqual(['invalid-argument', 'epsilonMode']);
    expect(bad(() => cpu.layerNormBackward(x, x, { cols: 0, mean: s, rstd: s }))).toEqual(['invalid-argument', 'cols']);
  });
});

describe('dgamma/dbeta row blocking', async () => {
  const { paramGradBlocks } = await import('../../src/ops/backward/encode.js');
  test('about the target number of blocks, at most 32 groups each; scratch within the binding limit', () => {
    expect(paramGradBlocks(1, 768, 128 << 20)).toEqual({ rowsPerBlock: 1, blocks: 1 });
    expect(paramGradBlocks(1, 768, 128 << 20, 4, 256)).toEqual({ rowsPerBlock: 4, blocks: 1 });
    expect(paramGradBlocks(128, 768, 128 << 20, 4, 256)).toEqual({ rowsPerBlock: 4, blocks: 32 });
    expect(paramGradBlocks(4096, 1024, 128 << 20, 4, 256)).toEqual({ rowsPerBlock: 16, blocks: 256 });
    expect(paramGradBlocks(4096, 1024, 128 << 20)).toEqual({ rowsPerBlock: 4, blocks: 1024 });
    expect(paramGradBlocks(100_000, 3, 128 << 20, 4, 256)).toEqual({ rowsPerBlock: 128, blocks: 782 });
    expect(paramGradBlocks(100_000, 3, 128 << 20)).toEqual({ rowsPerBlock: 32, blocks: 3125 });
    const wide = paramGradBlocks(100_000, 65536, 128 << 20);
    expect(wide.blocks * 8 * 65536).toBeLessThanOrEqual(128 << 20);
    expect(() => paramGradBlocks(10, 1 << 25, 128 << 20)).toThrow(NormError);
  });
});
