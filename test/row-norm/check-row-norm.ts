/**
 * Checks one row-norm result against the float64 reference with the suite's tolerances
 * (test/shared/tolerance.ts), for callers that bring their own inputs (concurrency, fuzz).
 * Rows whose reference is not finite (NaN/Inf inputs) are "poisoned": their y/mean/rstd are not
 * compared (WGSL lets implementations fold non-finite arithmetic), but every other row must still
 * pass — a NaN in one row must never change another — and the fused sum must match to the bit
 * everywhere.
 */
import { cpu, f16ToF32, f32ToF16 } from '../../dist/index.js';
import { OPS, opsOf, type RowNormOpName } from '../../src/ops/table.js';
import { compare, compareF16, formatWorst, type Comparison } from '../shared/compare.js';
import { meanTolerance, rstdTolerance, yTolerance } from '../shared/tolerance.js';

const F32_MIN_NORMAL = 2 ** -126;
const F16_MIN_NORMAL = 2 ** -14;

export type RowOp = RowNormOpName;
/** The row-norm ops, from the op table. */
export const ROW_OPS: readonly RowOp[] = opsOf('row-norm');
export const isAdd = (op: RowOp) => OPS[op].fusedAdd;
export const isRms = (op: RowOp) => OPS[op].statistic === 'mean-square';

export interface RowOutputs {
  y: Float32Array | Uint16Array;
  sum?: Float32Array | Uint16Array;
  mean?: Float32Array;
  rstd?: Float32Array;
}

export interface RowOptions {
  cols: number;
  dtype?: 'f32' | 'f16';
  gamma?: Float32Array;
  beta?: Float32Array;
  bias?: Float32Array;
  epsilon?: number;
  epsilonMode?: 'inside-sqrt' | 'add-to-std';
  unbiased?: boolean;
  gammaOffset?: number;
}

export interface RowCheck {
  readonly ok: boolean;
  /** Rows left out of the y/mean/rstd comparison because their reference is not finite. */
  readonly poisonedRows: number;
  /** What failed (output, worst elements), empty when ok. */
  readonly detail: string;
}

/** Compares `out` of `op` on (x, residual, options) with the float64 reference. */
export function checkRowNorm(op: RowOp, x: Float32Array | Uint16Array, residual: Float32Array | Uint16Array | undefined, options: RowOptions, out: RowOutputs): RowCheck {
  const { cols } = options;
  const dtype = options.dtype ?? (x instanceof Uint16Array ? 'f16' : 'f32');
  const rows = x.length / cols;
  const refFn = cpu[`${op}F64`] as (...a: unknown[]) => { y: Float64Array; sum?: Float64Array; mean?: Float64Array; rstd: Float64Array };
  const ref = isAdd(op) ? refFn(x, residual, options) : refFn(x, options);
  const healthyRows: number[] = [];
  for (let r = 0; r < rows; r++) {
    let finite = Number.isFinite(ref.rstd[r]!) && (!ref.mean || Number.isFinite(ref.mean[r]!));
    for (let j = 0; finite && j < cols; j++) finite = Number.isFinite(ref.y[r * cols + j]!);
    if (finite) healthyRows.push(r);
  }
  const elements = () => healthyRows.flatMap((r) => Array.from({ length: cols }, (_, j) => r * cols + j));
  const yTol = yTolerance(cols, options.gamma, options.gammaOffset ?? 0);
  const activation = (actual: Float32Array | Uint16Array, expected: Float64Array, exact: boolean, indices?: number[]): Comparison =>
    dtype === 'f16'
      ? compareF16(actual as Uint16Array, expected, f32ToF16, exact ? 0 : 1, indices, exact ? () => 0 : (yTol.atol as (i: number) => number), f16ToF32)
      : compare(actual, expected, exact ? { rtol: 0, atol: 0 } : yTol, indices);
  const results: [string, Comparison][] = [['y', activation(out.y, ref.y, false, elements())]];
  // h is the same additions on both sides, so it must match to the bit — except that WGSL lets
  // implementations flush subnormals (SwiftShader does): a subnormal reference may come back as ±0.
  if (isAdd(op)) {
    results.push([
      'sum',
      dtype === 'f16'
        ? compareF16(out.sum as Uint16Array, ref.sum!, f32ToF16, 0, undefined, () => F16_MIN_NORMAL, f16ToF32)
        : compare(out.sum!, ref.sum!, { rtol: 0, atol: F32_MIN_NORMAL }),
    ]);
  }
  if (out.mean && ref.mean) results.push(['mean', compare(out.mean, ref.mean, meanTolerance(ref.rstd), healthyRows)]);
  if (out.rstd) results.push(['rstd', compare(out.rstd, ref.rstd, rstdTolerance, healthyRows)]);
  const failed = results.filter(([, c]) => c.failures > 0);
  return {
    ok: failed.length === 0,
    poisonedRows: rows - healthyRows.length,
    detail: failed.map(([name, c]) => `${name}: ${c.failures}/${c.count} outside tolerance\n${formatWorst(c.worst)}`).join('\n'),
  };
}

/** Calls the convenience form of `op`. */
export function runConvenience(norm: import('../../dist/index.js').Normalizer, op: RowOp, x: Float32Array | Uint16Array, residual: Float32Array | Uint16Array | undefined, options: RowOptions): Promise<RowOutputs> {
  const call = norm[op] as (...a: unknown[]) => Promise<RowOutputs>;
  return isAdd(op) ? call.call(norm, x, residual, options) : call.call(norm, x, options);
}
