/**
 * The row-norm options added for ONNX-style use, on every kernel layout forced in turn: y in
 * another dtype than x (f32 → f16 from vec4 and scalar inputs, f16 → f32), and for the fused ops
 * sum's mean/rstd written in the same pass, a residual broadcast over the batch (residualRows = 1
 * and = S with rows = B·S) and sum left out. Widths are odd where the access allows (scalar, f16)
 * and the patterns rotate through large mean offsets, outlier columns, tiny variance and a NaN row.
 * Row format: case-rows.ts.
 */
import { rowNormCase, type Row, type RowOptions } from './case-rows.js';
import type { RowNormCase, RowOp } from './row-norm-case.js';
import type { Pattern } from '../shared/data.js';

/** One layout per code path: a row per invocation, teams (both reductions), several rows per invocation, split rows. */
const LAYOUTS: readonly string[] = [
  'wg4 t1 vec4 workgroup reg0',
  'wg4 t1 scalar workgroup reg1',
  'wg4 t4 vec4 workgroup reg32',
  'wg4 t4 scalar subgroup reg0',
  'wg64 t64 scalar workgroup reg0',
  'wg64 t64 vec4 subgroup reg1',
  'wg4 t1 scalar workgroup reg0 x4',
  'wg16 t1 vec4 workgroup reg0 x2',
  'wg4 t4 scalar subgroup reg0 split3',
  'wg64 t64 vec4 workgroup reg0 split2',
  'wg1 t1 scalar workgroup reg0 split8',
];

const OPS: readonly RowOp[] = ['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm'];
const PATTERNS: readonly Pattern[] = ['offset', 'nan-row', 'outlier-columns', 'tiny-variance', 'normal'];

function rows(): Row[] {
  const out: Row[] = [];
  let seed = 3000;
  let turn = 0;
  const push = (op: RowOp, dtype: 'f32' | 'f16', rowCount: number, cols: number, options: RowOptions, typed = false) => {
    const pattern = PATTERNS[turn % PATTERNS.length]!;
    const affine = (['both', 'gamma', 'none', 'beta'] as const)[turn % 4]!;
    const epsilon = pattern === 'tiny-variance' ? 1e-12 : 1e-5;
    const form = typed ? 'convenience' : turn % 5 === 4 ? 'pass' : 'encode';
    turn++;
    out.push([seed++, op, dtype, rowCount, cols, pattern, affine, epsilon, form, options]);
  };
  for (const layout of LAYOUTS) {
    const vec4 = layout.includes('vec4');
    const split = layout.includes('split');
    for (const op of OPS) {
      const add = op === 'addLayerNorm' || op === 'addRmsNorm';
      // rows = B·S = 2·3; the fused ops alternate a residual of S rows and of one row.
      const fused = (i: number): RowOptions => (add ? { stats: true, residualRows: i % 2 === 0 ? 3 : 1, ...(i === 1 ? { noSum: true } : {}) } : {});
      // f32 → f16: vec4 layouts on a multiple of 4 (wide for split rows), scalar ones on odd widths.
      push(op, 'f32', 6, vec4 ? (split ? 4100 : 12) : split ? 1001 : 13, { outputDtype: 'f16', ...fused(0), variant: layout });
      // f16 → f32 (f16 storage reads as scalars): odd widths, mid-word rows.
      if (!vec4) push(op, 'f16', 6, split ? 1030 : 7, { outputDtype: 'f32', ...fused(1), variant: layout });
      // The fused ops' new outputs and inputs alone, y in x's dtype.
      if (add) push(op, vec4 ? 'f32' : 'f16', 6, vec4 ? 12 : 9, { ...fused(2), variant: layout });
    }
  }
  // The typed-array form (its own selection rule) with every option, f32 and f16 in.
  for (const op of OPS) {
    const add = op === 'addLayerNorm' || op === 'addRmsNorm';
    push(op, 'f32', 6, 768, { outputDtype: 'f16', ...(add ? { residualRows: 3 } : {}) }, true);
    push(op, 'f16', 8, 33, { outputDtype: 'f32', ...(add ? { residualRows: 1 } : {}) }, true);
  }
  return out;
}

/**
 * The option cases; rows forcing the subgroup reduction are left out where the device lacks it.
 *
 * @example
 * ```ts
 * for (const c of optionCases(true)) test(caseName(c), () => run(c));
 * ```
 */
export function optionCases(subgroups: boolean): RowNormCase[] {
  return rows()
    .map(rowNormCase)
    .filter((c) => subgroups || c.variant?.reduction !== 'subgroup');
}
