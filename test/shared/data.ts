/**
 * Deterministic test inputs, generated identically in Node and in the browser page from a seed,
 * so a failing case can be replayed from its name alone.
 */

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller). */
export function normal(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Value patterns, each aimed at a way normalization kernels go wrong:
 * - `normal`: N(0, 1).
 * - `offset`: mean 1e4, unit variance: E[x²] − mean² in f32 loses every digit here.
 * - `constant`: every row constant (variance exactly 0): y must be exactly beta.
 * - `tiny-variance`: variance ~1e-10, far below epsilon = 1e-5: epsilon dominates.
 * - `outlier-columns`: a few feature columns ×100, as in real LLM activations.
 * - `nan-row` / `inf-row`: one row poisoned with one NaN / +Inf: no other row may change.
 * - `mixed-scale`: rows with scales from 1e-3 to 1e3, so per-row statistics must not leak.
 * - `f16-extreme`: values near ±65504 (the f16 maximum) mixed with small ones: squares overflow
 *   f16 and sums overflow anything narrower than f32.
 */
export type Pattern = 'normal' | 'offset' | 'constant' | 'tiny-variance' | 'outlier-columns' | 'nan-row' | 'inf-row' | 'mixed-scale' | 'f16-extreme';

export const PATTERNS: readonly Pattern[] = ['normal', 'offset', 'constant', 'tiny-variance', 'outlier-columns', 'nan-row', 'inf-row', 'mixed-scale'];

/** The row a `nan-row` / `inf-row` pattern poisons, or -1. */
export function poisonedRow(pattern: Pattern, rows: number): number {
  return pattern === 'nan-row' || pattern === 'inf-row' ? Math.floor(rows / 2) : -1;
}

export function makeInput(pattern: Pattern, rows: number, cols: number, seed: number): Float32Array {
  const random = rng(seed);
  const n = normal(random);
  const x = new Float32Array(rows * cols);
  switch (pattern) {
    case 'normal':
    case 'nan-row':
    case 'inf-row':
      for (let i = 0; i < x.length; i++) x[i] = n();
      break;
    case 'offset':
      for (let i = 0; i < x.length; i++) x[i] = 1e4 + n();
      break;
    case 'constant':
      for (let r = 0; r < rows; r++) x.fill(r % 2 === 0 ? 3.25 : -1e4 + r, r * cols, (r + 1) * cols);
      break;
    case 'tiny-variance':
      for (let i = 0; i < x.length; i++) x[i] = 1 + 1e-5 * n();
      break;
    case 'outlier-columns': {
      const outliers = new Set([0, Math.floor(cols / 3), cols - 1]);
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) x[r * cols + j] = n() * (outliers.has(j) ? 100 : 1);
      break;
    }
    case 'f16-extreme':
      for (let i = 0; i < x.length; i++) x[i] = random() < 0.25 ? (random() < 0.5 ? -1 : 1) * (65000 + 500 * random()) : 100 * n();
      break;
    case 'mixed-scale':
      for (let r = 0; r < rows; r++) {
        const scale = 10 ** (-3 + (6 * (r % 7)) / 6);
        for (let j = 0; j < cols; j++) x[r * cols + j] = scale * (n() + 0.5);
      }
      break;
  }
  const poisoned = poisonedRow(pattern, rows);
  if (poisoned >= 0) x[poisoned * cols + Math.floor(cols / 2)] = pattern === 'nan-row' ? NaN : Infinity;
  return x;
}

/** gamma around 1 and beta around 0, with a spread, so affine mistakes are visible. */
export function makeAffine(cols: number, seed: number): { gamma: Float32Array; beta: Float32Array } {
  const n = normal(rng(seed ^ 0x9e3779b9));
  const gamma = new Float32Array(cols);
  const beta = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    gamma[j] = 1 + 0.5 * n();
    beta[j] = 0.5 * n();
  }
  return { gamma, beta };
}
