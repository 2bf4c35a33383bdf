/**
 * The compact row format of the row-norm case tables (cases.ts, cases-family.ts,
 * cases-variants.ts): one array per case that states everything about it, so that adding,
 * removing or reordering a row never changes another row (the output-digest baseline is keyed by
 * case name, which includes the seed).
 */
import type { RowNormVariant } from '../../dist/index.js';
import type { Pattern } from '../shared/data.js';
import type { RowNormCase, RowOp } from './row-norm-case.js';

/** The options a row may add, with the forced variant written as in the case name (see {@link variant}). */
export interface RowOptions {
  readonly epsilonMode?: 'inside-sqrt' | 'add-to-std';
  readonly unbiased?: boolean;
  readonly gammaOffset?: number;
  readonly bias?: boolean;
  readonly variant?: string;
  readonly outputDtype?: 'f32' | 'f16';
  readonly residualRows?: number;
  readonly stats?: boolean;
  readonly noSum?: boolean;
}

/** seed, op, dtype, rows, cols, pattern, affine, epsilon, form, options. */
export type Row = readonly [
  seed: number,
  op: RowOp,
  dtype: RowNormCase['dtype'],
  rows: number,
  cols: number,
  pattern: Pattern,
  affine: RowNormCase['affine'],
  epsilon: number,
  form: RowNormCase['form'],
  options?: RowOptions,
];

/**
 * A forced kernel variant from its case-name spelling: `wg<workgroupSize> t<threadsPerRow>
 * vec4|scalar workgroup|subgroup reg<cachedChunks>`, then optionally ` x<rowsPerInvocation>` and
 * ` split<splitRow>` (absent means the field is absent, not 1).
 *
 * @example
 * ```ts
 * variant('wg4 t4 vec4 subgroup reg1 split7');
 * // { workgroupSize: 4, threadsPerRow: 4, vec4: true, reduction: 'subgroup', cachedChunks: 1, splitRow: 7 }
 * ```
 */
export function variant(spec: string): RowNormVariant {
  const m = /^wg(\d+) t(\d+) (vec4|scalar) (workgroup|subgroup) reg(\d+)(?: x(\d+))?(?: split(\d+))?$/.exec(spec);
  if (!m) throw new Error(`not a variant: '${spec}'`);
  return {
    workgroupSize: Number(m[1]),
    threadsPerRow: Number(m[2]),
    vec4: m[3] === 'vec4',
    reduction: m[4] as RowNormVariant['reduction'],
    cachedChunks: Number(m[5]),
    ...(m[6] !== undefined ? { rowsPerInvocation: Number(m[6]) as RowNormVariant['rowsPerInvocation'] } : {}),
    ...(m[7] !== undefined ? { splitRow: Number(m[7]) } : {}),
  };
}

/**
 * The case a row states.
 *
 * @example
 * ```ts
 * rowNormCase([500, 'rmsNorm', 'f32', 7, 1, 'normal', 'both', 1e-6, 'convenience']);
 * ```
 */
export function rowNormCase([seed, op, dtype, rows, cols, pattern, affine, epsilon, form, options = {}]: Row): RowNormCase {
  const { variant: spec, ...rest } = options;
  return { op, dtype, rows, cols, pattern, affine, epsilon, form, seed, ...rest, ...(spec ? { variant: variant(spec) } : {}) };
}
