/**
 * The row-norm case tables: widths × rows × affine × epsilon × patterns × dtypes × forms ×
 * variants, combined the way gpuweb/cts combines parameters, but pruned to what SwiftShader runs
 * in a few minutes: every width meets every pattern once, large shapes appear once each. Each row
 * states its whole case (format: case-rows.ts), so a new row changes no other case; give it a new
 * seed. RMSNorm, the fused ops and f16: cases-family.ts; forced kernel variants: cases-variants.ts.
 */
import { rowNormCase, type Row } from './case-rows.js';
import type { RowNormCase } from './row-norm-case.js';

export { familyCases } from './cases-family.js';
export { variantCases } from './cases-variants.js';

export function caseName(c: RowNormCase): string {
  const v = c.variant
    ? ` [wg${c.variant.workgroupSize} t${c.variant.threadsPerRow} ${c.variant.vec4 ? 'vec4' : 'scalar'} ${c.variant.reduction} reg${c.variant.cachedChunks}${(c.variant.rowsPerInvocation ?? 1) > 1 ? ` x${c.variant.rowsPerInvocation}` : ''}${(c.variant.splitRow ?? 1) > 1 ? ` split${c.variant.splitRow}` : ''}]`
    : '';
  const opts = [
    c.epsilonMode === 'add-to-std' ? 'eps+std' : '',
    c.unbiased ? 'unbiased' : '',
    c.gammaOffset ? `gamma+${c.gammaOffset}` : '',
    c.bias ? 'bias' : '',
    c.outputDtype ? `y:${c.outputDtype}` : '',
    c.residualRows !== undefined ? `residualRows=${c.residualRows}` : '',
    c.stats ? 'stats' : '',
    c.noSum ? 'no-sum' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `${c.op} ${c.dtype} ${c.rows}x${c.cols} ${c.pattern} ${c.affine} eps=${c.epsilon}${opts ? ' ' + opts : ''} ${c.form}${v} #${c.seed}`;
}

/** seed, op, dtype, rows, cols, pattern, affine, epsilon, form, options. */
const LAYER_NORM: readonly Row[] = [
  // Every width x its row counts (many rows for narrow widths, down to 70000 for the 2D grid fold; few
  // for wide).
  [1, 'layerNorm', 'f32', 1, 1, 'normal', 'gamma', 1e-12, 'convenience'],
  [2, 'layerNorm', 'f32', 5, 1, 'normal', 'beta', 1e-5, 'convenience'],
  [3, 'layerNorm', 'f32', 70000, 1, 'normal', 'both', 1e-12, 'convenience'],
  [4, 'layerNorm', 'f32', 1, 3, 'normal', 'none', 1e-5, 'convenience'],
  [5, 'layerNorm', 'f32', 5, 3, 'normal', 'gamma', 1e-12, 'convenience'],
  [6, 'layerNorm', 'f32', 70000, 3, 'normal', 'beta', 1e-5, 'convenience'],
  [7, 'layerNorm', 'f32', 1, 4, 'normal', 'both', 1e-12, 'convenience'],
  [8, 'layerNorm', 'f32', 5, 4, 'normal', 'none', 1e-5, 'convenience'],
  [9, 'layerNorm', 'f32', 70000, 4, 'normal', 'gamma', 1e-12, 'convenience'],
  [10, 'layerNorm', 'f32', 1, 13, 'normal', 'beta', 1e-5, 'convenience'],
  [11, 'layerNorm', 'f32', 5, 13, 'normal', 'both', 1e-12, 'convenience'],
  [12, 'layerNorm', 'f32', 70000, 13, 'normal', 'none', 1e-5, 'convenience'],
  [13, 'layerNorm', 'f32', 1, 768, 'normal', 'gamma', 1e-12, 'convenience'],
  [14, 'layerNorm', 'f32', 33, 768, 'normal', 'beta', 1e-5, 'convenience'],
  [15, 'layerNorm', 'f32', 1, 1001, 'normal', 'both', 1e-12, 'convenience'],
  [16, 'layerNorm', 'f32', 33, 1001, 'normal', 'none', 1e-5, 'convenience'],
  [17, 'layerNorm', 'f32', 1, 4096, 'normal', 'gamma', 1e-12, 'convenience'],
  [18, 'layerNorm', 'f32', 8, 4096, 'normal', 'beta', 1e-5, 'convenience'],
  [19, 'layerNorm', 'f32', 2, 65539, 'normal', 'both', 1e-12, 'convenience'],
  // Every adversarial pattern x every width, epsilon 1e-5 with gamma and beta, 1e-12 without.
  [20, 'layerNorm', 'f32', 9, 1, 'normal', 'both', 1e-5, 'convenience'],
  [21, 'layerNorm', 'f32', 9, 1, 'normal', 'none', 1e-12, 'convenience'],
  [22, 'layerNorm', 'f32', 9, 3, 'normal', 'both', 1e-5, 'convenience'],
  [23, 'layerNorm', 'f32', 9, 3, 'normal', 'none', 1e-12, 'convenience'],
  [24, 'layerNorm', 'f32', 9, 4, 'normal', 'both', 1e-5, 'convenience'],
  [25, 'layerNorm', 'f32', 9, 4, 'normal', 'none', 1e-12, 'convenience'],
  [26, 'layerNorm', 'f32', 9, 13, 'normal', 'both', 1e-5, 'convenience'],
  [27, 'layerNorm', 'f32', 9, 13, 'normal', 'none', 1e-12, 'convenience'],
  [28, 'layerNorm', 'f32', 9, 768, 'normal', 'both', 1e-5, 'convenience'],
  [29, 'layerNorm', 'f32', 9, 768, 'normal', 'none', 1e-12, 'convenience'],
  [30, 'layerNorm', 'f32', 9, 1001, 'normal', 'both', 1e-5, 'convenience'],
  [31, 'layerNorm', 'f32', 9, 1001, 'normal', 'none', 1e-12, 'convenience'],
  [32, 'layerNorm', 'f32', 9, 4096, 'normal', 'both', 1e-5, 'convenience'],
  [33, 'layerNorm', 'f32', 9, 4096, 'normal', 'none', 1e-12, 'convenience'],
  [34, 'layerNorm', 'f32', 3, 65539, 'normal', 'both', 1e-5, 'convenience'],
  [35, 'layerNorm', 'f32', 3, 65539, 'normal', 'none', 1e-12, 'convenience'],
  [36, 'layerNorm', 'f32', 9, 1, 'offset', 'both', 1e-5, 'convenience'],
  [37, 'layerNorm', 'f32', 9, 1, 'offset', 'none', 1e-12, 'convenience'],
  [38, 'layerNorm', 'f32', 9, 3, 'offset', 'both', 1e-5, 'convenience'],
  [39, 'layerNorm', 'f32', 9, 3, 'offset', 'none', 1e-12, 'convenience'],
  [40, 'layerNorm', 'f32', 9, 4, 'offset', 'both', 1e-5, 'convenience'],
  [41, 'layerNorm', 'f32', 9, 4, 'offset', 'none', 1e-12, 'convenience'],
  [42, 'layerNorm', 'f32', 9, 13, 'offset', 'both', 1e-5, 'convenience'],
  [43, 'layerNorm', 'f32', 9, 13, 'offset', 'none', 1e-12, 'convenience'],
  [44, 'layerNorm', 'f32', 9, 768, 'offset', 'both', 1e-5, 'convenience'],
  [45, 'layerNorm', 'f32', 9, 768, 'offset', 'none', 1e-12, 'convenience'],
  [46, 'layerNorm', 'f32', 9, 1001, 'offset', 'both', 1e-5, 'convenience'],
  [47, 'layerNorm', 'f32', 9, 1001, 'offset', 'none', 1e-12, 'convenience'],
  [48, 'layerNorm', 'f32', 9, 4096, 'offset', 'both', 1e-5, 'convenience'],
  [49, 'layerNorm', 'f32', 9, 4096, 'offset', 'none', 1e-12, 'convenience'],
  [50, 'layerNorm', 'f32', 3, 65539, 'offset', 'both', 1e-5, 'convenience'],
  [51, 'layerNorm', 'f32', 3, 65539, 'offset', 'none', 1e-12, 'convenience'],
  [52, 'layerNorm', 'f32', 9, 1, 'constant', 'both', 1e-5, 'convenience'],
  [53, 'layerNorm', 'f32', 9, 1, 'constant', 'none', 1e-12, 'convenience'],
  [54, 'layerNorm', 'f32', 9, 3, 'constant', 'both', 1e-5, 'convenience'],
  [55, 'layerNorm', 'f32', 9, 3, 'constant', 'none', 1e-12, 'convenience'],
  [56, 'layerNorm', 'f32', 9, 4, 'constant', 'both', 1e-5, 'convenience'],
  [57, 'layerNorm', 'f32', 9, 4, 'constant', 'none', 1e-12, 'convenience'],
  [58, 'layerNorm', 'f32', 9, 13, 'constant', 'both', 1e-5, 'convenience'],
  [59, 'layerNorm', 'f32', 9, 13, 'constant', 'none', 1e-12, 'convenience'],
  [60, 'layerNorm', 'f32', 9, 768, 'constant', 'both', 1e-5, 'convenience'],
  [61, 'layerNorm', 'f32', 9, 768, 'constant', 'none', 1e-12, 'convenience'],
  [62, 'layerNorm', 'f32', 9, 1001, 'constant', 'both', 1e-5, 'convenience'],
  [63, 'layerNorm', 'f32', 9, 1001, 'constant', 'none', 1e-12, 'convenience'],
  [64, 'layerNorm', 'f32', 9, 4096, 'constant', 'both', 1e-5, 'convenience'],
  [65, 'layerNorm', 'f32', 9, 4096, 'constant', 'none', 1e-12, 'convenience'],
  [66, 'layerNorm', 'f32', 3, 65539, 'constant', 'both', 1e-5, 'convenience'],
  [67, 'layerNorm', 'f32', 3, 65539, 'constant', 'none', 1e-12, 'convenience'],
  [68, 'layerNorm', 'f32', 9, 1, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [69, 'layerNorm', 'f32', 9, 1, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [70, 'layerNorm', 'f32', 9, 3, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [71, 'layerNorm', 'f32', 9, 3, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [72, 'layerNorm', 'f32', 9, 4, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [73, 'layerNorm', 'f32', 9, 4, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [74, 'layerNorm', 'f32', 9, 13, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [75, 'layerNorm', 'f32', 9, 13, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [76, 'layerNorm', 'f32', 9, 768, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [77, 'layerNorm', 'f32', 9, 768, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [78, 'layerNorm', 'f32', 9, 1001, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [79, 'layerNorm', 'f32', 9, 1001, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [80, 'layerNorm', 'f32', 9, 4096, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [81, 'layerNorm', 'f32', 9, 4096, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [82, 'layerNorm', 'f32', 3, 65539, 'tiny-variance', 'both', 1e-5, 'convenience'],
  [83, 'layerNorm', 'f32', 3, 65539, 'tiny-variance', 'none', 1e-12, 'convenience'],
  [84, 'layerNorm', 'f32', 9, 1, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [85, 'layerNorm', 'f32', 9, 1, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [86, 'layerNorm', 'f32', 9, 3, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [87, 'layerNorm', 'f32', 9, 3, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [88, 'layerNorm', 'f32', 9, 4, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [89, 'layerNorm', 'f32', 9, 4, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [90, 'layerNorm', 'f32', 9, 13, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [91, 'layerNorm', 'f32', 9, 13, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [92, 'layerNorm', 'f32', 9, 768, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [93, 'layerNorm', 'f32', 9, 768, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [94, 'layerNorm', 'f32', 9, 1001, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [95, 'layerNorm', 'f32', 9, 1001, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [96, 'layerNorm', 'f32', 9, 4096, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [97, 'layerNorm', 'f32', 9, 4096, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [98, 'layerNorm', 'f32', 3, 65539, 'outlier-columns', 'both', 1e-5, 'convenience'],
  [99, 'layerNorm', 'f32', 3, 65539, 'outlier-columns', 'none', 1e-12, 'convenience'],
  [100, 'layerNorm', 'f32', 9, 1, 'nan-row', 'both', 1e-5, 'convenience'],
  [101, 'layerNorm', 'f32', 9, 1, 'nan-row', 'none', 1e-12, 'convenience'],
  [102, 'layerNorm', 'f32', 9, 3, 'nan-row', 'both', 1e-5, 'convenience'],
  [103, 'layerNorm', 'f32', 9, 3, 'nan-row', 'none', 1e-12, 'convenience'],
  [104, 'layerNorm', 'f32', 9, 4, 'nan-row', 'both', 1e-5, 'convenience'],
  [105, 'layerNorm', 'f32', 9, 4, 'nan-row', 'none', 1e-12, 'convenience'],
  [106, 'layerNorm', 'f32', 9, 13, 'nan-row', 'both', 1e-5, 'convenience'],
  [107, 'layerNorm', 'f32', 9, 13, 'nan-row', 'none', 1e-12, 'convenience'],
  [108, 'layerNorm', 'f32', 9, 768, 'nan-row', 'both', 1e-5, 'convenience'],
  [109, 'layerNorm', 'f32', 9, 768, 'nan-row', 'none', 1e-12, 'convenience'],
  [110, 'layerNorm', 'f32', 9, 1001, 'nan-row', 'both', 1e-5, 'convenience'],
  [111, 'layerNorm', 'f32', 9, 1001, 'nan-row', 'none', 1e-12, 'convenience'],
  [112, 'layerNorm', 'f32', 9, 4096, 'nan-row', 'both', 1e-5, 'convenience'],
  [113, 'layerNorm', 'f32', 9, 4096, 'nan-row', 'none', 1e-12, 'convenience'],
  [114, 'layerNorm', 'f32', 3, 65539, 'nan-row', 'both', 1e-5, 'convenience'],
  [115, 'layerNorm', 'f32', 3, 65539, 'nan-row', 'none', 1e-12, 'convenience'],
  [116, 'layerNorm', 'f32', 9, 1, 'inf-row', 'both', 1e-5, 'convenience'],
  [117, 'layerNorm', 'f32', 9, 1, 'inf-row', 'none', 1e-12, 'convenience'],
  [118, 'layerNorm', 'f32', 9, 3, 'inf-row', 'both', 1e-5, 'convenience'],
  [119, 'layerNorm', 'f32', 9, 3, 'inf-row', 'none', 1e-12, 'convenience'],
  [120, 'layerNorm', 'f32', 9, 4, 'inf-row', 'both', 1e-5, 'convenience'],
  [121, 'layerNorm', 'f32', 9, 4, 'inf-row', 'none', 1e-12, 'convenience'],
  [122, 'layerNorm', 'f32', 9, 13, 'inf-row', 'both', 1e-5, 'convenience'],
  [123, 'layerNorm', 'f32', 9, 13, 'inf-row', 'none', 1e-12, 'convenience'],
  [124, 'layerNorm', 'f32', 9, 768, 'inf-row', 'both', 1e-5, 'convenience'],
  [125, 'layerNorm', 'f32', 9, 768, 'inf-row', 'none', 1e-12, 'convenience'],
  [126, 'layerNorm', 'f32', 9, 1001, 'inf-row', 'both', 1e-5, 'convenience'],
  [127, 'layerNorm', 'f32', 9, 1001, 'inf-row', 'none', 1e-12, 'convenience'],
  [128, 'layerNorm', 'f32', 9, 4096, 'inf-row', 'both', 1e-5, 'convenience'],
  [129, 'layerNorm', 'f32', 9, 4096, 'inf-row', 'none', 1e-12, 'convenience'],
  [130, 'layerNorm', 'f32', 3, 65539, 'inf-row', 'both', 1e-5, 'convenience'],
  [131, 'layerNorm', 'f32', 3, 65539, 'inf-row', 'none', 1e-12, 'convenience'],
  [132, 'layerNorm', 'f32', 9, 1, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [133, 'layerNorm', 'f32', 9, 1, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [134, 'layerNorm', 'f32', 9, 3, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [135, 'layerNorm', 'f32', 9, 3, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [136, 'layerNorm', 'f32', 9, 4, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [137, 'layerNorm', 'f32', 9, 4, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [138, 'layerNorm', 'f32', 9, 13, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [139, 'layerNorm', 'f32', 9, 13, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [140, 'layerNorm', 'f32', 9, 768, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [141, 'layerNorm', 'f32', 9, 768, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [142, 'layerNorm', 'f32', 9, 1001, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [143, 'layerNorm', 'f32', 9, 1001, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [144, 'layerNorm', 'f32', 9, 4096, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [145, 'layerNorm', 'f32', 9, 4096, 'mixed-scale', 'none', 1e-12, 'convenience'],
  [146, 'layerNorm', 'f32', 3, 65539, 'mixed-scale', 'both', 1e-5, 'convenience'],
  [147, 'layerNorm', 'f32', 3, 65539, 'mixed-scale', 'none', 1e-12, 'convenience'],
];

/**
 * LayerNorm, f32: every width × its row counts, then every adversarial pattern × every width.
 *
 * @example
 * ```ts
 * for (const c of layerNormCases()) test(caseName(c), () => run(c));
 * ```
 */
export function layerNormCases(): RowNormCase[] {
  return LAYER_NORM.map(rowNormCase);
}
