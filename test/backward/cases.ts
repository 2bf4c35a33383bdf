/**
 * The LayerNorm / RMSNorm backward case tables (backward.gpu.test.ts). Each row states its whole
 * case, so a new row changes no other case; give it a new seed. The forced dx-kernel variant is
 * spelled as in the row-norm case names (see test/row-norm/case-rows.ts).
 */
import type { Pattern } from '../shared/data.js';
import { variant } from '../row-norm/case-rows.js';
import type { BackwardCase } from './backward-case.js';

/** seed, op, dtype, rows, cols, pattern, gamma, form, options. */
type Row = readonly [
  seed: number,
  op: BackwardCase['op'],
  dtype: BackwardCase['dtype'],
  rows: number,
  cols: number,
  pattern: Pattern,
  gamma: boolean,
  form: BackwardCase['form'],
  options?: { readonly dsum?: boolean; readonly gammaOffset?: number; readonly variant?: string },
];

function backwardCase([seed, op, dtype, rows, cols, pattern, gamma, form, options = {}]: Row): BackwardCase {
  const { variant: spec, ...rest } = options;
  return { op, rows, cols, dtype, pattern, gamma, form, ...rest, seed, ...(spec ? { variant: variant(spec) } : {}) };
}

/** Shapes, forms and patterns for both ops and dtypes, large row counts, and the conventions. */
const CASES: readonly Row[] = [
  [1, 'layerNorm', 'f32', 1, 1, 'normal', true, 'convenience'],
  [2, 'layerNorm', 'f32', 7, 3, 'normal', true, 'convenience'],
  [3, 'layerNorm', 'f32', 5, 13, 'normal', true, 'convenience'],
  [4, 'layerNorm', 'f32', 64, 768, 'normal', true, 'convenience'],
  [5, 'layerNorm', 'f32', 3, 1001, 'normal', true, 'convenience'],
  [6, 'layerNorm', 'f32', 2, 4096, 'normal', true, 'convenience'],
  [7, 'layerNorm', 'f32', 33, 13, 'normal', false, 'encode'],
  [8, 'layerNorm', 'f32', 40, 64, 'offset', true, 'pass'],
  [9, 'layerNorm', 'f32', 9, 101, 'mixed-scale', true, 'encode', { dsum: true }],
  [10, 'layerNorm', 'f32', 1, 4099, 'outlier-columns', true, 'pass'],
  [11, 'layerNorm', 'f32', 1, 768, 'offset', true, 'convenience'],
  [12, 'layerNorm', 'f16', 1, 1, 'normal', true, 'convenience'],
  [13, 'layerNorm', 'f16', 7, 3, 'normal', true, 'convenience'],
  [14, 'layerNorm', 'f16', 5, 13, 'normal', true, 'convenience'],
  [15, 'layerNorm', 'f16', 64, 768, 'normal', true, 'convenience'],
  [16, 'layerNorm', 'f16', 3, 1001, 'normal', true, 'convenience'],
  [17, 'layerNorm', 'f16', 2, 4096, 'normal', true, 'convenience'],
  [18, 'layerNorm', 'f16', 33, 13, 'normal', false, 'encode'],
  [19, 'layerNorm', 'f16', 40, 64, 'offset', true, 'pass'],
  [20, 'layerNorm', 'f16', 9, 101, 'mixed-scale', true, 'encode', { dsum: true }],
  [21, 'layerNorm', 'f16', 1, 4099, 'outlier-columns', true, 'pass'],
  [22, 'layerNorm', 'f16', 1, 768, 'offset', true, 'convenience'],
  [23, 'layerNorm', 'f32', 70000, 3, 'normal', true, 'encode'],
  [24, 'layerNorm', 'f32', 100000, 3, 'offset', false, 'convenience'],
  [25, 'layerNorm', 'f16', 3000, 257, 'normal', true, 'convenience'],
  [26, 'rmsNorm', 'f32', 1, 1, 'normal', true, 'convenience'],
  [27, 'rmsNorm', 'f32', 7, 3, 'normal', true, 'convenience'],
  [28, 'rmsNorm', 'f32', 5, 13, 'normal', true, 'convenience'],
  [29, 'rmsNorm', 'f32', 64, 768, 'normal', true, 'convenience'],
  [30, 'rmsNorm', 'f32', 3, 1001, 'normal', true, 'convenience'],
  [31, 'rmsNorm', 'f32', 2, 4096, 'normal', true, 'convenience'],
  [32, 'rmsNorm', 'f32', 33, 13, 'normal', false, 'encode'],
  [33, 'rmsNorm', 'f32', 40, 64, 'offset', true, 'pass'],
  [34, 'rmsNorm', 'f32', 9, 101, 'mixed-scale', true, 'encode', { dsum: true }],
  [35, 'rmsNorm', 'f32', 1, 4099, 'outlier-columns', true, 'pass'],
  [36, 'rmsNorm', 'f32', 1, 768, 'offset', true, 'convenience'],
  [37, 'rmsNorm', 'f16', 1, 1, 'normal', true, 'convenience'],
  [38, 'rmsNorm', 'f16', 7, 3, 'normal', true, 'convenience'],
  [39, 'rmsNorm', 'f16', 5, 13, 'normal', true, 'convenience'],
  [40, 'rmsNorm', 'f16', 64, 768, 'normal', true, 'convenience'],
  [41, 'rmsNorm', 'f16', 3, 1001, 'normal', true, 'convenience'],
  [42, 'rmsNorm', 'f16', 2, 4096, 'normal', true, 'convenience'],
  [43, 'rmsNorm', 'f16', 33, 13, 'normal', false, 'encode'],
  [44, 'rmsNorm', 'f16', 40, 64, 'offset', true, 'pass'],
  [45, 'rmsNorm', 'f16', 9, 101, 'mixed-scale', true, 'encode', { dsum: true }],
  [46, 'rmsNorm', 'f16', 1, 4099, 'outlier-columns', true, 'pass'],
  [47, 'rmsNorm', 'f16', 1, 768, 'offset', true, 'convenience'],
  [48, 'rmsNorm', 'f32', 70000, 3, 'normal', true, 'encode'],
  [49, 'rmsNorm', 'f32', 100000, 3, 'offset', false, 'convenience'],
  [50, 'rmsNorm', 'f16', 3000, 257, 'normal', true, 'convenience'],
  [51, 'rmsNorm', 'f32', 17, 48, 'normal', true, 'encode', { gammaOffset: 1 }],
  [52, 'layerNorm', 'f32', 4, 768, 'constant', true, 'convenience'],
  [53, 'layerNorm', 'f32', 50, 31, 'tiny-variance', true, 'convenience'],
  // Rows of 2, 4 and 8 KiB, which alias in L1: on CPU adapters the dx kernel's four-rows-at-once
  // teams walk them from a rotated chunk (chunkRotation; all of these, on llvmpipe and on
  // SwiftShader). Several blocks, a short last group.
  [54, 'layerNorm', 'f32', 130, 1024, 'offset', true, 'encode'],
  [55, 'rmsNorm', 'f32', 67, 1024, 'outlier-columns', true, 'convenience', { dsum: true }],
  [56, 'layerNorm', 'f16', 131, 2048, 'mixed-scale', true, 'pass'],
  [57, 'rmsNorm', 'f16', 129, 1024, 'normal', true, 'encode', { gammaOffset: 1 }],
  [58, 'layerNorm', 'f32', 130, 512, 'offset', true, 'encode', { dsum: true }],
];

/** Every dx kernel variant, forced, on 37 rows of 1028. */
const FORCED: readonly Row[] = [
  [500, 'layerNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t16 vec4 workgroup reg0' }],
  [501, 'layerNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [502, 'layerNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [503, 'layerNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 vec4 subgroup reg0' }],
  [504, 'layerNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [505, 'layerNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [506, 'layerNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [507, 'layerNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [508, 'rmsNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t16 vec4 workgroup reg0' }],
  [509, 'rmsNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [510, 'rmsNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [511, 'rmsNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 vec4 subgroup reg0' }],
  [512, 'rmsNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [513, 'rmsNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [514, 'rmsNorm', 'f32', 37, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [515, 'rmsNorm', 'f16', 37, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
];

/**
 * Rows that make a single block: one row for teams, three for one-invocation rows (which take four
 * rows at once). Without dsum the `direct` kernels write dgamma and dbeta; with dsum, LayerNorm
 * goes through the partials and the final stage, RMSNorm writes dgamma as the block's one partial
 * row.
 */
const ONE_BLOCK: readonly Row[] = [
  [700, 'layerNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t16 vec4 workgroup reg0' }],
  [701, 'layerNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [702, 'layerNorm', 'f16', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [703, 'layerNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 vec4 subgroup reg0' }],
  [704, 'layerNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [705, 'layerNorm', 'f16', 1, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [706, 'layerNorm', 'f32', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [707, 'layerNorm', 'f16', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [708, 'layerNorm', 'f32', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 vec4 workgroup reg0' }],
  [709, 'layerNorm', 'f32', 1, 772, 'normal', true, 'encode', { dsum: true }],
  [710, 'rmsNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t16 vec4 workgroup reg0' }],
  [711, 'rmsNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [712, 'rmsNorm', 'f16', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 scalar workgroup reg0' }],
  [713, 'rmsNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg64 t64 vec4 subgroup reg0' }],
  [714, 'rmsNorm', 'f32', 1, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [715, 'rmsNorm', 'f16', 1, 1028, 'offset', true, 'encode', { variant: 'wg4 t4 scalar subgroup reg0' }],
  [716, 'rmsNorm', 'f32', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [717, 'rmsNorm', 'f16', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 scalar workgroup reg0' }],
  [718, 'rmsNorm', 'f32', 3, 1028, 'offset', true, 'encode', { variant: 'wg16 t1 vec4 workgroup reg0' }],
  [719, 'rmsNorm', 'f32', 1, 772, 'normal', true, 'encode', { dsum: true }],
];

/**
 * The backward cases against the float64 reference.
 *
 * @example
 * ```ts
 * for (const c of backwardCases()) test(name(c), () => run(c));
 * ```
 */
export function backwardCases(): BackwardCase[] {
  return CASES.map(backwardCase);
}

/**
 * Every dx kernel variant, forced.
 *
 * @example
 * ```ts
 * for (const c of forcedVariantCases()) test(name(c), () => run(c));
 * ```
 */
export function forcedVariantCases(): BackwardCase[] {
  return FORCED.map(backwardCase);
}

/**
 * One block: dgamma/dbeta straight from the dx kernel, every variant.
 *
 * @example
 * ```ts
 * for (const c of oneBlockCases()) test(name(c), () => run(c));
 * ```
 */
export function oneBlockCases(): BackwardCase[] {
  return ONE_BLOCK.map(backwardCase);
}
