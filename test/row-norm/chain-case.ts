/**
 * addLayerNorm's per-row statistics feeding layerNormBackward, in the page: the fused forward
 * (broadcast residual, large mean offset) on the GPU, then the backward pass on the GPU from the
 * forward's sum, mean and rstd. The statistics are compared with the float64 reference of sum
 * (row-norm tolerances), and dx / dgamma / dbeta with the float64 backward fed the same f32
 * statistics (the tolerances of test/backward/backward-case.ts).
 */
import { cpu, type Normalizer } from '../../dist/index.js';
import { compare, type Comparison } from '../shared/compare.js';
import { makeAffine, makeInput, normal, rng } from '../shared/data.js';
import { meanTolerance, rstdTolerance } from '../shared/tolerance.js';

export interface ChainResult {
  readonly mean: Comparison;
  readonly rstd: Comparison;
  readonly dx: Comparison;
  readonly dgamma: Comparison;
  readonly dbeta: Comparison;
  readonly validationError: string | null;
}

/**
 * Runs the chain on `rows` = B·S rows of width `cols`, the residual of `residualRows` rows.
 *
 * @example
 * ```ts
 * const r = await addLayerNormBackwardChain(norm, { rows: 6, cols: 13, residualRows: 3, seed: 1 });
 * ```
 */
export async function addLayerNormBackwardChain(norm: Normalizer, c: { rows: number; cols: number; residualRows: number; seed: number }): Promise<ChainResult> {
  const { rows, cols, residualRows } = c;
  const x = makeInput('offset', rows, cols, c.seed);
  const { gamma, beta } = makeAffine(cols, c.seed);
  const n = normal(rng(c.seed * 31 + 7));
  const residual = new Float32Array(residualRows * cols).map(() => 0.5 * n());
  const dy = new Float32Array(rows * cols).map(() => n());
  const options = { cols, gamma, beta, residualRows };
  norm.device.pushErrorScope('validation');
  let fwd, bwd;
  let scope: GPUError | null;
  try {
    fwd = await norm.addLayerNorm(x, residual, options);
    bwd = await norm.layerNormBackward(dy, fwd.sum, { cols, gamma, mean: fwd.mean, rstd: fwd.rstd });
  } finally {
    scope = await norm.device.popErrorScope();
  }
  const ref = cpu.addLayerNormF64(x, residual, options);
  const refB = cpu.layerNormBackwardF64(dy, fwd.sum, { cols, gamma, mean: fwd.mean, rstd: fwd.rstd });
  // Tolerance scales from the same inputs and statistics (as backward-case.ts).
  const scale = new Float64Array(rows * cols);
  const sumAbsDgamma = new Float64Array(cols);
  const sumAbsDbeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    let ag = 0;
    let agx = 0;
    const xh = (j: number) => (fwd.sum[r * cols + j]! - fwd.mean[r]!) * fwd.rstd[r]!;
    for (let j = 0; j < cols; j++) {
      const g = dy[r * cols + j]! * gamma[j]!;
      ag += Math.abs(g);
      agx += Math.abs(g * xh(j));
      sumAbsDgamma[j] = sumAbsDgamma[j]! + Math.abs(dy[r * cols + j]! * xh(j));
      sumAbsDbeta[j] = sumAbsDbeta[j]! + Math.abs(dy[r * cols + j]!);
    }
    for (let j = 0; j < cols; j++) {
      const g = dy[r * cols + j]! * gamma[j]!;
      scale[r * cols + j] = fwd.rstd[r]! * (Math.abs(g) + ag / cols + Math.abs(xh(j)) * (agx / cols));
    }
  }
  return {
    mean: compare(fwd.mean, ref.mean, meanTolerance(ref.rstd)),
    rstd: compare(fwd.rstd, ref.rstd, rstdTolerance),
    dx: compare(bwd.dx, refB.dx, { rtol: 1e-4, atol: (i) => 1e-5 * scale[i]! }),
    dgamma: compare(bwd.dgamma, refB.dgamma, { rtol: 0, atol: (j) => 1e-5 * sumAbsDgamma[j]! + 1e-30 }),
    dbeta: compare(bwd.dbeta, refB.dbeta, { rtol: 0, atol: (j) => 1e-5 * sumAbsDbeta[j]! + 1e-30 }),
    validationError: scope ? scope.message : null,
  };
}
