/**
 * The float64 CPU reference (`cpu.layerNormF64`, `cpu.layerNorm`) every GPU result is judged by,
 * and the fast CPU path (`cpu.fast.layerNorm`) the benchmark compares with.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as cpu from '../../src/cpu.js';
import { makeAffine, makeInput, type Pattern } from '../shared/data.js';

/** Unit roundoff of float64. */
const U = Number.EPSILON / 2;

const f32 = (values: readonly number[]) => new Float32Array(values);

function rowStats(x: ArrayLike<number>, start: number, n: number): { mean: number; variance: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (let j = 0; j < n; j++) {
    sum += x[start + j]!;
    maxAbs = Math.max(maxAbs, Math.abs(x[start + j]!));
  }
  const mean = sum / n;
  let sq = 0;
  for (let j = 0; j < n; j++) sq += (x[start + j]! - mean) ** 2;
  return { mean, variance: sq / n, maxAbs };
}

/** The exact mean of float32 values (dyadic rationals), via BigInt, rounded once or twice to a double. */
function exactMean(x: ArrayLike<number>, start: number, n: number): number {
  const SCALE = 2 ** 149; // every float32 times 2^149 is an integer, and still a finite double
  let s = 0n;
  for (let j = 0; j < n; j++) s += BigInt(x[start + j]! * SCALE);
  return Number(s) / n / SCALE;
}

describe('hand-computed examples', () => {
  test('[1, 2, 3, 4] with epsilon 0: mean 2.5, variance 1.25, y = (x - 2.5) / sqrt(1.25)', () => {
    const r = cpu.layerNormF64(f32([1, 2, 3, 4]), { cols: 4, epsilon: 0 });
    expect(r.mean[0]).toBe(2.5);
    expect(r.rstd[0]).toBeCloseTo(1 / Math.sqrt(1.25), 15);
    const s = 0.894427190999916; // 1 / sqrt(1.25)
    const expected = [-1.5 * s, -0.5 * s, 0.5 * s, 1.5 * s];
    r.y.forEach((v, j) => expect(v).toBeCloseTo(expected[j]!, 14));
    expect(r.y[3]).toBeCloseTo(1.3416407864998738, 14);
  });

  test('the default epsilon is 1e-5 (PyTorch)', () => {
    const r = cpu.layerNormF64(f32([1, 2, 3, 4]), { cols: 4 });
    expect(r.rstd[0]).toBeCloseTo(1 / Math.sqrt(1.25 + 1e-5), 15);
    expect(cpu.layerNormF64(f32([1, 2, 3, 4]), { cols: 4, epsilon: undefined }).rstd[0]).toBe(r.rstd[0]);
  });

  test('epsilon enters inside the square root: [0, 2] has variance 1, epsilon 3 gives rstd 1/2', () => {
    const r = cpu.layerNormF64(f32([0, 2]), { cols: 2, epsilon: 3 });
    expect(r.mean[0]).toBe(1);
    expect(r.rstd[0]).toBe(0.5);
    expect([...r.y]).toEqual([-0.5, 0.5]);
    const r0 = cpu.layerNormF64(f32([0, 2]), { cols: 2, epsilon: 0 });
    expect([...r0.y]).toEqual([-1, 1]);
  });

  test('larger epsilon always shrinks |y| and rstd', () => {
    const x = makeInput('normal', 3, 16, 7);
    let prev = cpu.layerNormF64(x, { cols: 16, epsilon: 0 });
    for (const epsilon of [1e-5, 1e-2, 1, 100]) {
      const r = cpu.layerNormF64(x, { cols: 16, epsilon });
      for (let i = 0; i < 3; i++) expect(r.rstd[i]).toBeLessThan(prev.rstd[i]!);
      for (let i = 0; i < x.length; i++) expect(Math.abs(r.y[i]!)).toBeLessThanOrEqual(Math.abs(prev.y[i]!));
      prev = r;
    }
  });

  test('gamma and beta apply per column, the same for every row', () => {
    // Row 2 is row 1 times 10, so with epsilon 0 both rows normalize to the same values.
    const x = f32([1, 2, 3, 4, 10, 20, 30, 40]);
    const gamma = f32([1, 2, -1, 0]);
    const beta = f32([0, 1, 2, 3]);
    const plain = cpu.layerNormF64(x, { cols: 4, epsilon: 0 });
    const r = cpu.layerNormF64(x, { cols: 4, epsilon: 0, gamma, beta });
    for (let row = 0; row < 2; row++) {
      for (let j = 0; j < 4; j++) {
        expect(r.y[row * 4 + j]).toBeCloseTo(plain.y[row * 4 + j]! * gamma[j]! + beta[j]!, 14);
      }
    }
    expect(r.y[3]).toBe(3); // gamma 0: the column is beta exactly
    expect(r.y[7]).toBe(3);
    // mean and rstd do not depend on gamma and beta.
    expect([...r.mean]).toEqual([...plain.mean]);
    expect([...r.rstd]).toEqual([...plain.rstd]);
  });

  test('gamma alone scales, beta alone shifts', () => {
    const x = f32([1, 2, 3, 4]);
    const plain = cpu.layerNormF64(x, { cols: 4, epsilon: 0 });
    const g = cpu.layerNormF64(x, { cols: 4, epsilon: 0, gamma: f32([2, 2, 2, 2]) });
    const b = cpu.layerNormF64(x, { cols: 4, epsilon: 0, beta: f32([1, 1, 1, 1]) });
    for (let j = 0; j < 4; j++) {
      expect(g.y[j]).toBe(2 * plain.y[j]!);
      expect(b.y[j]).toBe(plain.y[j]! + 1);
    }
  });

  test('a single column normalizes to 0 (then beta), with rstd 1/sqrt(epsilon)', () => {
    const r = cpu.layerNormF64(f32([5, -7, 1e6]), { cols: 1, epsilon: 0.25, beta: f32([0.5]) });
    expect([...r.mean]).toEqual([5, -7, 1e6]);
    expect([...r.rstd]).toEqual([2, 2, 2]);
    expect([...r.y]).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('numerically hard rows', () => {
  test('constant rows: mean is the value exactly and y is beta exactly', () => {
    const values = [3.25, -1e4 + 3, Math.fround(0.1), Math.fround(1e30), Math.fround(-7e-30), 0];
    const cols = 33;
    const x = new Float32Array(values.length * cols);
    values.forEach((v, r) => x.fill(v, r * cols, (r + 1) * cols));
    const { gamma, beta } = makeAffine(cols, 3);
    const r = cpu.layerNormF64(x, { cols, gamma, beta, epsilon: 1e-5 });
    values.forEach((v, row) => {
      expect(r.mean[row], `row ${row}`).toBe(v);
      expect(r.rstd[row]).toBe(1 / Math.sqrt(1e-5));
      for (let j = 0; j < cols; j++) expect(r.y[row * cols + j] === beta[j]).toBe(true);
    });
    // Without beta every output is a zero.
    const z = cpu.layerNormF64(x, { cols, gamma, epsilon: 1e-5 });
    expect(z.y.every((v) => v === 0)).toBe(true);
  });

  test('large offset: mean 1e4 + unit variance normalizes to mean 0, variance 1 (to 1e-9)', () => {
    const rows = 8;
    const cols = 4096;
    const x = makeInput('offset', rows, cols, 11);
    const r = cpu.layerNormF64(x, { cols, epsilon: 0 });
    for (let row = 0; row < rows; row++) {
      const s = rowStats(r.y, row * cols, cols);
      expect(Math.abs(s.mean)).toBeLessThan(1e-9);
      expect(Math.abs(s.variance - 1)).toBeLessThan(1e-9);
      // The input statistics themselves: mean near 1e4, variance near 1.
      expect(Math.abs(r.mean[row]! - 1e4)).toBeLessThan(0.1);
      expect(Math.abs(1 / r.rstd[row]! ** 2 - 1)).toBeLessThan(0.1);
      const exact = exactMean(x, row * cols, cols);
      expect(Math.abs(r.mean[row]! - exact)).toBeLessThanOrEqual(6 * U * exact);
    }
  });

  test.each<[string, number]>([
    ['NaN', NaN],
    ['+Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('a %s poisons its own row only', (_, bad) => {
    const rows = 5;
    const cols = 13;
    const x = makeInput('normal', rows, cols, 5);
    const { gamma, beta } = makeAffine(cols, 5);
    const clean = cpu.layerNormF64(x, { cols, gamma, beta });
    x[2 * cols + 6] = bad;
    const r = cpu.layerNormF64(x, { cols, gamma, beta });
    for (let row = 0; row < rows; row++) {
      const ys = [...r.y.subarray(row * cols, (row + 1) * cols)];
      if (row === 2) {
        expect(ys.every((v) => !Number.isFinite(v)), `row ${row}: ${ys}`).toBe(true);
        expect(Number.isFinite(r.mean[row]!)).toBe(false);
        expect(Number.isFinite(r.rstd[row]!)).toBe(false);
      } else {
        // Bit-identical to the unpoisoned run.
        expect(ys).toEqual([...clean.y.subarray(row * cols, (row + 1) * cols)]);
        expect(r.mean[row]).toBe(clean.mean[row]);
        expect(r.rstd[row]).toBe(clean.rstd[row]);
      }
    }
  });

  test('compensated summation gets the exact mean where naive summation loses it', () => {
    const big = Math.fround(1e30);
    const x = f32([big, 1, -big, 1]);
    const ref = cpu.layerNormF64(x, { cols: 4 });
    let naive = 0;
    for (const v of x) naive += v;
    expect(exactMean(x, 0, 4)).toBe(0.5);
    expect(ref.mean[0]).toBe(0.5); // (1 + 1) / 4, exactly
    expect(naive / 4).toBe(0.25); // the first 1 vanished into 1e30 and never came back
  });

  test('compensated summation on a long adversarial row: reference mean exact, naive far off', () => {
    // Pairs (+big, -big) interleaved with small values: every small value is absorbed by a naive sum.
    const cols = 4000;
    const x = new Float32Array(cols);
    for (let j = 0; j < cols; j += 4) {
      x[j] = Math.fround(2 ** 60 + j * 2 ** 37);
      x[j + 1] = 1 + (j % 7);
      x[j + 2] = -x[j]!;
      x[j + 3] = Math.fround(0.5 + j / 8);
    }
    const exact = exactMean(x, 0, cols);
    const ref = cpu.layerNormF64(x, { cols });
    let naive = 0;
    for (const v of x) naive += v;
    naive /= cols;
    expect(exact).toBe(63.5625);
    expect(ref.mean[0]).toBe(exact);
    expect(Math.abs(naive - exact) / exact).toBeGreaterThan(1e-2); // 62.46: each small value rounded at 2^60

  });

  test('property: the reference mean stays within the compensated-summation error bound', () => {
    // Neumaier: |sum error| <= 2u|S| + O(n²u²)·sum|x|. The values stay within 1e8 so the second term
    // is tiny and the bound says "a few ulps"; a naive sum's bound, n·u·sum|x|, is not.
    const value = fc.float({ min: -1e8, max: 1e8, noNaN: true });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 64 }), fc.array(value, { maxLength: 64 }), (a, b) => {
        // Append the negations of some values, so large terms cancel and the small ones decide the mean.
        const x = f32([...a, ...b, ...b.map((v) => -v)]);
        const n = x.length;
        const exact = exactMean(x, 0, n);
        let absSum = 0;
        for (const v of x) absSum += Math.abs(v);
        const mean = cpu.layerNormF64(x, { cols: n }).mean[0]!;
        const allowed = 6 * U * Math.abs(exact) + 4 * n * U * U * absSum;
        expect(Math.abs(mean - exact)).toBeLessThanOrEqual(allowed);
      }),
    );
  });
});

describe('cpu.layerNorm is the reference rounded to float32', () => {
  test.each<Pattern>(['normal', 'offset', 'constant', 'tiny-variance', 'outlier-columns', 'nan-row', 'mixed-scale'])('%s', (pattern) => {
    const rows = 6;
    const cols = 37;
    const x = makeInput(pattern, rows, cols, 21);
    const { gamma, beta } = makeAffine(cols, 21);
    const f64 = cpu.layerNormF64(x, { cols, gamma, beta, epsilon: 1e-5 });
    const r = cpu.layerNorm(x, { cols, gamma, beta, epsilon: 1e-5 });
    expect(r.y).toBeInstanceOf(Float32Array);
    expect(r.mean).toBeInstanceOf(Float32Array);
    expect(r.rstd).toBeInstanceOf(Float32Array);
    expect(f64.y).toBeInstanceOf(Float64Array);
    expect([...r.y]).toEqual([...f64.y].map(Math.fround));
    expect([...r.mean]).toEqual([...f64.mean].map(Math.fround));
    expect([...r.rstd]).toEqual([...f64.rstd].map(Math.fround));
  });

  test('result lengths: y like x, mean and rstd one per row', () => {
    const r = cpu.layerNorm(new Float32Array(12), { cols: 4 });
    expect([r.y.length, r.mean.length, r.rstd.length]).toEqual([12, 3, 3]);
  });

  test('does not modify its inputs', () => {
    const x = makeInput('normal', 2, 8, 1);
    const { gamma, beta } = makeAffine(8, 1);
    const copies = [x, gamma, beta].map((a) => a.slice());
    cpu.layerNorm(x, { cols: 8, gamma, beta });
    cpu.fast.layerNorm(x, { cols: 8, gamma, beta });
    expect([x, gamma, beta]).toEqual(copies);
  });
});

describe('cpu.fast.layerNorm agrees with the reference', () => {
  const patterns: Pattern[] = ['normal', 'offset', 'constant', 'tiny-variance', 'outlier-columns', 'mixed-scale'];
  const affines = ['none', 'gamma', 'beta', 'both'] as const;
  for (const pattern of patterns) {
    for (const affine of affines) {
      test(`${pattern}, ${affine}: within 1e-6 relative`, () => {
        const rows = 7;
        const cols = 257;
        const seed = patterns.indexOf(pattern) * 10 + affines.indexOf(affine);
        const x = makeInput(pattern, rows, cols, seed);
        const a = makeAffine(cols, seed);
        const gamma = affine === 'gamma' || affine === 'both' ? a.gamma : undefined;
        const beta = affine === 'beta' || affine === 'both' ? a.beta : undefined;
        const ref = cpu.layerNormF64(x, { cols, gamma, beta });
        const fast = cpu.fast.layerNorm(x, { cols, gamma, beta });
        for (let i = 0; i < x.length; i++) {
          // y is O(1) per row; the scale term keeps the check relative where y crosses zero.
          const scale = gamma ? Math.max(1, Math.abs(gamma[i % cols]!)) : 1;
          expect(Math.abs(fast.y[i]! - ref.y[i]!), `y[${i}]`).toBeLessThanOrEqual(1e-6 * (Math.abs(ref.y[i]!) + scale));
        }
        for (let r = 0; r < rows; r++) {
          const std = 1 / ref.rstd[r]!;
          expect(Math.abs(fast.mean[r]! - ref.mean[r]!), `mean[${r}]`).toBeLessThanOrEqual(1e-6 * (Math.abs(ref.mean[r]!) + std));
          expect(Math.abs(fast.rstd[r]! - ref.rstd[r]!), `rstd[${r}]`).toBeLessThanOrEqual(1e-6 * ref.rstd[r]!);
        }
      });
    }
  }

  test('honours epsilonMode and unbiased (they were once ignored by the fast path)', () => {
    const x = makeInput('normal', 5, 33, 41);
    for (const o of [{ epsilonMode: 'add-to-std' as const, epsilon: 1e-2 }, { unbiased: true }, { epsilonMode: 'add-to-std' as const, unbiased: true, epsilon: 0.5 }]) {
      const ref = cpu.layerNormF64(x, { cols: 33, ...o });
      const fast = cpu.fast.layerNorm(x, { cols: 33, ...o });
      const plain = cpu.layerNormF64(x, { cols: 33, epsilon: o.epsilon });
      for (let r = 0; r < 5; r++) {
        expect(Math.abs(fast.rstd[r]! - ref.rstd[r]!), JSON.stringify(o)).toBeLessThanOrEqual(1e-6 * ref.rstd[r]!);
        // The convention changes rstd well beyond that tolerance, so ignoring it would fail.
        expect(Math.abs(plain.rstd[r]! - ref.rstd[r]!), JSON.stringify(o)).toBeGreaterThan(1e-4 * ref.rstd[r]!);
      }
      for (let i = 0; i < x.length; i++) expect(Math.abs(fast.y[i]! - ref.y[i]!)).toBeLessThanOrEqual(1e-6 * (Math.abs(ref.y[i]!) + 1));
    }
  });

  test('a poisoned row is poisoned in both, and only that row', () => {
    const x = makeInput('nan-row', 9, 16, 3);
    const ref = cpu.layerNormF64(x, { cols: 16 });
    const fast = cpu.fast.layerNorm(x, { cols: 16 });
    for (let i = 0; i < x.length; i++) expect(Number.isFinite(fast.y[i]!)).toBe(Number.isFinite(ref.y[i]!));
    expect(ref.y.filter((v) => !Number.isFinite(v)).length).toBe(16);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random shapes and values.

interface Sample {
  readonly rows: number;
  readonly cols: number;
  readonly x: Float32Array;
  readonly epsilon: number;
}

/** Rows of either arbitrary float32 values in [-1e4, 1e4], or an offset plus a spread (hard when the offset dwarfs it). */
const sample: fc.Arbitrary<Sample> = fc
  .record({
    rows: fc.integer({ min: 1, max: 4 }),
    cols: fc.integer({ min: 1, max: 48 }),
    epsilon: fc.constantFrom(0, 1e-12, 1e-5, 1e-2, 1),
    offset: fc.constantFrom(0, 1, -3e3, 1e4),
    spread: fc.constantFrom(1e-2, 1, 100),
    wide: fc.boolean(),
  })
  .chain(({ rows, cols, epsilon, offset, spread, wide }) =>
    fc
      .array(wide ? fc.float({ min: -1e4, max: 1e4, noNaN: true }) : fc.double({ min: -1, max: 1, noNaN: true }), {
        minLength: rows * cols,
        maxLength: rows * cols,
      })
      .map((v) => ({ rows, cols, epsilon, x: new Float32Array(wide ? v : v.map((u) => offset + spread * u)) })),
  )
  // epsilon 0 with a constant row is 0/0 by definition; keep such samples out.
  .filter(({ rows, cols, x, epsilon }) => {
    if (epsilon > 0) return true;
    for (let r = 0; r < rows; r++) if (rowStats(x, r * cols, cols).variance === 0) return false;
    return true;
  });

/** How badly a row is conditioned for normalization: 1 + max|x| / std. Rounding errors in y scale with it. */
function condition(x: Float32Array, start: number, cols: number): number {
  const s = rowStats(x, start, cols);
  return s.variance > 0 ? 1 + s.maxAbs / Math.sqrt(s.variance) : 1;
}

describe('properties of the reference', () => {
  test('each output row has mean ~0 and biased variance ~ var / (var + epsilon)', () => {
    fc.assert(
      fc.property(sample, ({ rows, cols, x, epsilon }) => {
        const r = cpu.layerNormF64(x, { cols, epsilon });
        for (let row = 0; row < rows; row++) {
          const inp = rowStats(x, row * cols, cols);
          const out = rowStats(r.y, row * cols, cols);
          const kappa = condition(x, row * cols, cols);
          const ymax = Math.max(1, out.maxAbs);
          expect(Math.abs(out.mean), `row ${row} mean`).toBeLessThanOrEqual(16 * U * (kappa + cols) * ymax);
          const expected = inp.variance / (inp.variance + epsilon);
          expect(Math.abs(out.variance - expected), `row ${row} variance`).toBeLessThanOrEqual(64 * U * (kappa + cols) * ymax * ymax);
        }
      }),
    );
  });

  test('permuting the columns (and gamma, beta with them) permutes the outputs', () => {
    fc.assert(
      fc.property(
        sample.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...Array(s.cols).keys()], { minLength: s.cols, maxLength: s.cols }))),
        fc.integer(),
        ([{ rows, cols, x, epsilon }, perm], seed) => {
          const { gamma, beta } = makeAffine(cols, seed);
          const xp = new Float32Array(x.length);
          for (let row = 0; row < rows; row++) for (let j = 0; j < cols; j++) xp[row * cols + j] = x[row * cols + perm[j]!]!;
          const gp = Float32Array.from(perm, (p) => gamma[p]!);
          const bp = Float32Array.from(perm, (p) => beta[p]!);
          const r = cpu.layerNormF64(x, { cols, gamma, beta, epsilon });
          const rp = cpu.layerNormF64(xp, { cols, gamma: gp, beta: bp, epsilon });
          for (let row = 0; row < rows; row++) {
            const kappa = condition(x, row * cols, cols);
            let absSum = 0;
            for (let j = 0; j < cols; j++) absSum += Math.abs(x[row * cols + j]!);
            // Both means are within the compensated-sum bound of the exact one.
            const meanTol = 8 * U * Math.abs(r.mean[row]!) + 8 * cols * U * U * absSum + 1e-300;
            expect(Math.abs(rp.mean[row]! - r.mean[row]!)).toBeLessThanOrEqual(meanTol);
            expect(Math.abs(rp.rstd[row]! - r.rstd[row]!)).toBeLessThanOrEqual(16 * U * r.rstd[row]!);
            for (let j = 0; j < cols; j++) {
              const a = rp.y[row * cols + j]!;
              const b = r.y[row * cols + perm[j]!]!;
              const g = Math.abs(gp[j]!);
              const tol = 16 * U * (kappa * g + Math.abs(b) + Math.abs(bp[j]!)) + r.rstd[row]! * g * meanTol;
              expect(Math.abs(a - b), `y[${row}, ${j}]`).toBeLessThanOrEqual(tol);
            }
          }
        },
      ),
    );
  });

  test('with epsilon 0, scaling x by a power of two leaves y bit-identical (mean and rstd scale exactly)', () => {
    fc.assert(
      fc.property(sample, fc.integer({ min: -20, max: 20 }), ({ cols, x }, k) => {
        const c = 2 ** k;
        const xs = x.map((v) => v * c);
        // Only where the scaled values are exact float32s (no underflow into subnormals).
        fc.pre(xs.every((v, i) => v === x[i]! * c));
        const r = cpu.layerNormF64(x, { cols, epsilon: 0 });
        const rs = cpu.layerNormF64(xs, { cols, epsilon: 0 });
        expect([...rs.y]).toEqual([...r.y]);
        expect([...rs.mean]).toEqual([...r.mean].map((m) => m * c));
        expect([...rs.rstd]).toEqual([...r.rstd].map((s) => s / c));
      }),
    );
  });

  test('with epsilon 0, scaling x by any positive c leaves y unchanged up to the float32 rounding of c·x', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), ({ rows, cols, x }, c) => {
        const xs = x.map((v) => v * c); // rounded to float32 on store
        fc.pre(xs.every((v) => v === 0 || Math.abs(v) >= 2 ** -126));
        const r = cpu.layerNormF64(x, { cols, epsilon: 0 });
        const rs = cpu.layerNormF64(xs, { cols, epsilon: 0 });
        for (let row = 0; row < rows; row++) {
          fc.pre(rowStats(xs, row * cols, cols).variance > 0);
          // Each input moves by <= 2^-24 relative, so y moves by about that times the row's condition.
          const tol = 4 * 2 ** -24 * condition(x, row * cols, cols) * Math.sqrt(cols);
          for (let j = 0; j < cols; j++) {
            expect(Math.abs(rs.y[row * cols + j]! - r.y[row * cols + j]!)).toBeLessThanOrEqual(tol);
          }
        }
      }),
    );
  });
});
