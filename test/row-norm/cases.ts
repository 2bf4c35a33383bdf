/**
 * The row-norm case tables: widths × rows × affine × epsilon × patterns × dtypes × forms ×
 * variants, combined the way gpuweb/cts combines parameters, but pruned to what SwiftShader runs
 * in a few minutes: every width meets every pattern once, large shapes appear once each.
 */
import type { LayerNormVariant } from '../../dist/index.js';
import { PATTERNS, type Pattern } from '../shared/data.js';
import type { RowNormCase, RowOp } from './row-norm-case.js';

export const WIDTHS = [1, 3, 4, 13, 768, 1001, 4096, 65539] as const;
const AFFINES = ['none', 'gamma', 'beta', 'both'] as const;
const OPS: readonly RowOp[] = ['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm'];

export function caseName(c: RowNormCase): string {
  const v = c.variant
    ? ` [wg${c.variant.workgroupSize} t${c.variant.threadsPerRow} ${c.variant.vec4 ? 'vec4' : 'scalar'} ${c.variant.reduction} reg${c.variant.cachedChunks}${(c.variant.rowsPerInvocation ?? 1) > 1 ? ` x${c.variant.rowsPerInvocation}` : ''}${(c.variant.splitRow ?? 1) > 1 ? ` split${c.variant.splitRow}` : ''}]`
    : '';
  const opts = [c.epsilonMode === 'add-to-std' ? 'eps+std' : '', c.unbiased ? 'unbiased' : '', c.gammaOffset ? `gamma+${c.gammaOffset}` : '', c.bias ? 'bias' : '']
    .filter(Boolean)
    .join(' ');
  return `${c.op} ${c.dtype} ${c.rows}x${c.cols} ${c.pattern} ${c.affine} eps=${c.epsilon}${opts ? ' ' + opts : ''} ${c.form}${v} #${c.seed}`;
}

/** Rows per width: many rows for narrow widths (down to 70000 for the 2D grid fold), few for wide. */
function rowsFor(cols: number): number[] {
  if (cols <= 13) return [1, 5, 70000];
  if (cols <= 1001) return [1, 33];
  if (cols <= 4096) return [1, 8];
  return [2];
}

const base = { dtype: 'f32', form: 'convenience' } as const;

/** LayerNorm, f32: every width × its row counts, then every adversarial pattern × every width. */
export function layerNormCases(): RowNormCase[] {
  const cases: RowNormCase[] = [];
  let seed = 1;
  for (const cols of WIDTHS) {
    for (const rows of rowsFor(cols)) {
      const affine = AFFINES[seed % AFFINES.length]!;
      cases.push({ ...base, op: 'layerNorm', rows, cols, pattern: 'normal', seed: seed++, affine, epsilon: seed % 2 ? 1e-5 : 1e-12 });
    }
  }
  for (const pattern of PATTERNS) {
    for (const cols of WIDTHS) {
      const rows = cols > 4096 ? 3 : 9;
      for (const epsilon of [1e-5, 1e-12]) {
        const affine: RowNormCase['affine'] = epsilon === 1e-5 ? 'both' : 'none';
        cases.push({ ...base, op: 'layerNorm', rows, cols, pattern, seed: seed++, affine, epsilon });
      }
    }
  }
  return cases;
}

/** RMSNorm and the fused add ops, f32 and f16, options, forms, the 2D grid fold. */
export function familyCases(): RowNormCase[] {
  const cases: RowNormCase[] = [];
  let seed = 500;
  const patterns: Pattern[] = ['normal', 'offset', 'outlier-columns', 'constant', 'nan-row', 'inf-row', 'mixed-scale'];
  for (const op of OPS) {
    for (const dtype of ['f32', 'f16'] as const) {
      for (const cols of [1, 3, 768, 1001, 4096]) {
        for (const pattern of dtype === 'f16' ? [...patterns, 'f16-extreme' as const] : patterns) {
          if (op === 'layerNorm' && dtype === 'f32') continue; // covered above
          const rows = cols >= 4096 ? 3 : 7; // odd: f16 rows of odd width start mid-word
          cases.push({ op, dtype, form: 'convenience', rows, cols, pattern, seed: seed++, affine: seed % 3 ? 'both' : 'none', epsilon: op.includes('Rms') ? 1e-6 : 1e-5, bias: op.startsWith('add') && seed % 2 === 0 });
        }
      }
    }
  }
  // Conventions: epsilon added to std, unbiased variance, Gemma's (1 + gamma), bias.
  for (const dtype of ['f32', 'f16'] as const) {
    for (const cols of [3, 768]) {
      cases.push({ op: 'layerNorm', dtype, form: 'convenience', rows: 5, cols, pattern: 'normal', seed: seed++, affine: 'both', epsilon: 1e-3, epsilonMode: 'add-to-std' });
      cases.push({ op: 'layerNorm', dtype, form: 'convenience', rows: 5, cols, pattern: 'offset', seed: seed++, affine: 'both', epsilon: 1e-5, unbiased: true });
      cases.push({ op: 'addLayerNorm', dtype, form: 'convenience', rows: 5, cols, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-5, epsilonMode: 'add-to-std', unbiased: true, bias: true });
      cases.push({ op: 'rmsNorm', dtype, form: 'convenience', rows: 5, cols, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-6, gammaOffset: 1 });
      cases.push({ op: 'addRmsNorm', dtype, form: 'convenience', rows: 5, cols, pattern: 'outlier-columns', seed: seed++, affine: 'gamma', epsilon: 1e-6, gammaOffset: 1, bias: true });
    }
  }
  // The caller's encoder / compute pass, operands at non-zero offsets.
  for (const op of OPS) {
    for (const form of ['encode', 'pass'] as const) {
      for (const [cols, dtype] of [[3, 'f32'], [768, 'f32'], [1001, 'f16'], [768, 'f16']] as const) {
        cases.push({ op, dtype, form, rows: 17, cols, pattern: 'offset', seed: seed++, affine: 'both', epsilon: 1e-5, bias: op.startsWith('add') });
      }
    }
  }
  // More rows than one dispatch dimension holds, for each op and dtype.
  for (const op of OPS) {
    cases.push({ op, dtype: 'f32', form: 'encode', rows: 70000, cols: 4, pattern: 'mixed-scale', seed: seed++, affine: 'both', epsilon: 1e-5 });
    cases.push({ op, dtype: 'f16', form: 'convenience', rows: 70001, cols: 3, pattern: 'normal', seed: seed++, affine: 'both', epsilon: 1e-5 });
  }
  return cases;
}

/**
 * Every variant forced in turn: workgroup sizes, invocations per row (1, a few, the whole
 * workgroup), both reductions (subgroup only where the device has it), register caching none /
 * partial / full, on widths that exercise the edges (narrower than a team, odd tails, mid-word f16
 * rows), for each access path.
 */
export function variantCases(subgroups: boolean): RowNormCase[] {
  const cases: RowNormCase[] = [];
  let seed = 1000;
  const shapes: [number, number][] = [
    [1, 8],
    [4, 4],
    [64, 64],
    [256, 256],
    [64, 1],
    [256, 4],
  ];
  for (const [workgroupSize, threadsPerRow] of shapes) {
    const reductions = threadsPerRow > 1 && threadsPerRow === workgroupSize && subgroups ? (['workgroup', 'subgroup'] as const) : (['workgroup'] as const);
    for (const reduction of reductions) {
      for (const cachedChunks of [0, 1, 32]) {
        for (const [access, cols] of [['vec4', 12], ['vec4', 4100], ['scalar', 13], ['scalar', 1001], ['f16', 7], ['f16', 1030]] as const) {
          if (workgroupSize < threadsPerRow) continue;
          const variant: LayerNormVariant = { reduction, vec4: access === 'vec4', workgroupSize: Math.max(workgroupSize, threadsPerRow), threadsPerRow, cachedChunks };
          const op = OPS[seed % OPS.length]!;
          cases.push({ op, dtype: access === 'f16' ? 'f16' : 'f32', form: 'encode', rows: 9, cols, pattern: seed % 2 ? 'offset' : 'outlier-columns', seed: seed++, affine: 'both', epsilon: 1e-5, variant });
        }
      }
    }
  }
  // Several rows per invocation: row counts that fill every slot and ragged ones (the last
  // invocation's spare slots repeat its first row), every access path and op, patterns that send
  // some rows to the exact second pass (outlier pivot), poison one row, or make rows constant.
  const multiPatterns: Pattern[] = ['offset', 'outlier-columns', 'nan-row', 'constant', 'mixed-scale', 'inf-row', 'normal'];
  for (const rowsPerInvocation of [2, 4] as const) {
    for (const [workgroupSize, rows] of [[4, 9], [16, 8], [4, 70], [1, 3]] as const) {
      for (const [access, cols] of [['vec4', 12], ['vec4', 1028], ['scalar', 13], ['scalar', 1001], ['f16', 7], ['f16', 1030]] as const) {
        const variant: LayerNormVariant = { reduction: 'workgroup', vec4: access === 'vec4', workgroupSize, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation };
        const op = OPS[seed % OPS.length]!;
        const pattern = multiPatterns[seed % multiPatterns.length]!;
        const affine = (['both', 'gamma', 'beta', 'none'] as const)[(seed >> 2) % 4]!;
        cases.push({ op, dtype: access === 'f16' ? 'f16' : 'f32', form: 'encode', rows, cols, pattern, seed: seed++, affine, epsilon: 1e-5, bias: op.startsWith('add') && seed % 2 === 0, variant });
      }
    }
  }
  // Conventions through the multi-row path.
  const x4: LayerNormVariant = { reduction: 'workgroup', vec4: false, workgroupSize: 4, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 4 };
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 11, cols: 33, pattern: 'normal', seed: seed++, affine: 'both', epsilon: 1e-3, epsilonMode: 'add-to-std', variant: x4 });
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 11, cols: 33, pattern: 'offset', seed: seed++, affine: 'both', epsilon: 1e-5, unbiased: true, variant: x4 });
  cases.push({ op: 'rmsNorm', dtype: 'f32', form: 'encode', rows: 11, cols: 33, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-6, gammaOffset: 1, variant: x4 });
  cases.push({ op: 'rmsNorm', dtype: 'f16', form: 'encode', rows: 11, cols: 33, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-6, gammaOffset: 1, variant: x4 });
  // More workgroups than one dispatch dimension holds (the 2D grid fold), forced, since the CPU
  // rule's layouts need millions of rows before they fold.
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 70000, cols: 4, pattern: 'offset', seed: seed++, affine: 'both', epsilon: 1e-5, variant: { reduction: subgroups ? 'subgroup' : 'workgroup', vec4: true, workgroupSize: 4, threadsPerRow: 4, cachedChunks: 1 } });
  cases.push({ op: 'addRmsNorm', dtype: 'f16', form: 'encode', rows: 70001, cols: 3, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-6, variant: { reduction: 'workgroup', vec4: false, workgroupSize: 1, threadsPerRow: 1, cachedChunks: 0 } });
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 65535 * 2 * 2 + 7, cols: 3, pattern: 'mixed-scale', seed: seed++, affine: 'both', epsilon: 1e-5, variant: { reduction: 'workgroup', vec4: false, workgroupSize: 2, threadsPerRow: 1, cachedChunks: 0, rowsPerInvocation: 2 } });
  // Long rows owned by few invocations: per-invocation sums over thousands of chunks.
  for (const [workgroupSize, threadsPerRow, reduction, rowsPerInvocation] of [[16, 1, 'workgroup', 1], [4, 4, subgroups ? 'subgroup' : 'workgroup', 1], [4, 1, 'workgroup', 4]] as const) {
    for (const [pattern, epsilon] of [['tiny-variance', 1e-12], ['offset', 1e-5]] as const) {
      const variant: LayerNormVariant = { reduction, vec4: false, workgroupSize, threadsPerRow, cachedChunks: 0, ...(rowsPerInvocation > 1 ? { rowsPerInvocation } : {}) };
      cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 3, cols: 65539, pattern, seed: seed++, affine: 'none', epsilon, variant });
    }
  }
  // Split rows (partials per segment, then a merge per row): every access path and op, 1-5 rows,
  // segment counts that do not divide the row (and more segments than chunks: empty segments),
  // whole-row and team segments, patterns with large offsets, outlier pivots, constant rows and a
  // poisoned row.
  const splitPatterns: Pattern[] = ['offset', 'outlier-columns', 'nan-row', 'constant', 'inf-row', 'mixed-scale', 'tiny-variance', 'normal'];
  const splitLayouts = [
    [1, 1, 'workgroup'],
    [4, 4, subgroups ? 'subgroup' : 'workgroup'],
    [4, 1, 'workgroup'],
    [64, 64, 'workgroup'],
  ] as const;
  for (const splitRow of [2, 3, 8]) {
    for (const [workgroupSize, threadsPerRow, reduction] of splitLayouts) {
      for (const [access, cols] of [['vec4', 12], ['vec4', 4100], ['scalar', 13], ['scalar', 1001], ['f16', 7], ['f16', 1030]] as const) {
        const variant: LayerNormVariant = { reduction, vec4: access === 'vec4', workgroupSize, threadsPerRow, cachedChunks: 0, splitRow };
        const op = OPS[seed % OPS.length]!;
        const pattern = splitPatterns[seed % splitPatterns.length]!;
        const affine = (['both', 'gamma', 'beta', 'none'] as const)[(seed >> 2) % 4]!;
        const epsilon = pattern === 'tiny-variance' ? 1e-12 : 1e-5;
        cases.push({ op, dtype: access === 'f16' ? 'f16' : 'f32', form: seed % 5 === 0 ? 'pass' : 'encode', rows: 1 + (seed % 5), cols, pattern, seed: seed++, affine, epsilon, bias: op.startsWith('add') && seed % 2 === 0, variant });
      }
    }
  }
  // Split rows: conventions, and rows of more than 65535 chunks.
  const s5: LayerNormVariant = { reduction: 'workgroup', vec4: false, workgroupSize: 4, threadsPerRow: 4, cachedChunks: 0, splitRow: 5 };
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 3, cols: 333, pattern: 'normal', seed: seed++, affine: 'both', epsilon: 1e-3, epsilonMode: 'add-to-std', variant: s5 });
  cases.push({ op: 'layerNorm', dtype: 'f32', form: 'encode', rows: 3, cols: 333, pattern: 'offset', seed: seed++, affine: 'both', epsilon: 1e-5, unbiased: true, variant: s5 });
  cases.push({ op: 'rmsNorm', dtype: 'f16', form: 'encode', rows: 3, cols: 333, pattern: 'normal', seed: seed++, affine: 'gamma', epsilon: 1e-6, gammaOffset: 1, variant: s5 });
  for (const [op, dtype, access, pattern] of [
    ['layerNorm', 'f32', 'scalar', 'offset'],
    ['rmsNorm', 'f32', 'vec4', 'normal'],
    ['addLayerNorm', 'f16', 'f16', 'outlier-columns'],
    ['layerNorm', 'f32', 'vec4', 'nan-row'],
  ] as const) {
    const cols = access === 'vec4' ? 262160 : 262150;
    const variant: LayerNormVariant = { reduction: subgroups ? 'subgroup' : 'workgroup', vec4: access === 'vec4', workgroupSize: 4, threadsPerRow: 4, cachedChunks: 0, splitRow: 7 };
    cases.push({ op, dtype, form: 'encode', rows: 2, cols, pattern, seed: seed++, affine: 'both', epsilon: 1e-5, variant });
  }
  return cases;
}
