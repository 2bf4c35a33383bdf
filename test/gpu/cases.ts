/**
 * The LayerNorm case table: widths × rows × affine × epsilon × patterns × forms × variants,
 * combined the way gpuweb/cts combines parameters, but pruned to what SwiftShader runs in a few
 * minutes: every width meets every pattern once, large shapes appear once each.
 */
import type { LayerNormVariant } from '../../src/kernels/layer-norm.js';
import { PATTERNS, type Pattern } from '../shared/data.js';
import type { LayerNormCase } from './harness/harness.js';

export const WIDTHS = [1, 3, 4, 13, 768, 1001, 4096, 65539] as const;
const AFFINES = ['none', 'gamma', 'beta', 'both'] as const;

export function caseName(c: LayerNormCase): string {
  const v = c.variant ? ` ${c.variant.vec4 ? 'vec4' : 'scalar'}/wg${c.variant.workgroupSize}` : '';
  return `${c.rows}x${c.cols} ${c.pattern} ${c.affine} eps=${c.epsilon} ${c.form}${v} seed=${c.seed}`;
}

/** Rows per width: many rows for narrow widths (down to 70000 for the 2D grid fold), few for wide. */
function rowsFor(cols: number): number[] {
  if (cols <= 13) return [1, 5, 70000];
  if (cols <= 1001) return [1, 33];
  if (cols <= 4096) return [1, 8];
  return [2];
}

export function layerNormCases(): LayerNormCase[] {
  const cases: LayerNormCase[] = [];
  let seed = 1;
  // Shapes: every width × its row counts, cycling affine and epsilon, on normal data.
  for (const cols of WIDTHS) {
    for (const rows of rowsFor(cols)) {
      const affine = AFFINES[seed % AFFINES.length]!;
      cases.push({ rows, cols, pattern: 'normal', seed: seed++, affine, epsilon: seed % 2 ? 1e-5 : 1e-12, form: 'convenience' });
    }
  }
  // Every adversarial pattern × every width (rows kept small), both epsilons, with and without affine.
  for (const pattern of PATTERNS) {
    for (const cols of WIDTHS) {
      const rows = cols > 4096 ? 3 : 9;
      for (const epsilon of [1e-5, 1e-12]) {
        const affine: LayerNormCase['affine'] = epsilon === 1e-5 ? 'both' : 'none';
        cases.push({ rows, cols, pattern, seed: seed++, affine, epsilon, form: 'convenience' });
      }
    }
  }
  // The caller's encoder / compute pass with operands at non-zero offsets.
  for (const form of ['encode', 'pass'] as const) {
    for (const cols of [3, 768, 1001]) {
      cases.push({ rows: 17, cols, pattern: 'offset' as Pattern, seed: seed++, affine: 'both', epsilon: 1e-5, form });
    }
  }
  cases.push({ rows: 70000, cols: 4, pattern: 'mixed-scale', seed: seed++, affine: 'both', epsilon: 1e-5, form: 'encode' });
  return cases;
}

/** Every variant forced in turn on widths that exercise its edges (narrower than the workgroup, odd tails). */
export function variantCases(maxWorkgroupSize: number): LayerNormCase[] {
  const cases: LayerNormCase[] = [];
  let seed = 1000;
  const sizes = [1, 2, 4, 32, 64, 128, 256].filter((s) => s <= maxWorkgroupSize);
  for (const workgroupSize of sizes) {
    for (const vec4 of [true, false]) {
      for (const cols of vec4 ? [4, 12, 768, 4100] : [1, 3, 13, 1001]) {
        const variant: LayerNormVariant = { reduction: 'workgroup', vec4, workgroupSize, threadsPerRow: workgroupSize, cachedChunks: 0 };
        cases.push({ rows: 6, cols, pattern: seed % 2 ? 'offset' : 'outlier-columns', seed: seed++, affine: 'both', epsilon: 1e-5, form: 'encode', variant });
      }
    }
  }
  return cases;
}
