/**
 * Workgroup-grid arithmetic. WebGPU caps each dispatch dimension at
 * `maxComputeWorkgroupsPerDimension` (65535 by default), so a kernel with one workgroup per row
 * cannot cover 70,000 tokens in x alone: the grid folds into 2D and the shaders rebuild the linear
 * index as `workgroup_id.y * num_workgroups.x + workgroup_id.x`, skipping the surplus.
 */
import { NormError } from './errors.js';

/**
 * The smallest 2D grid (x first, as square as the limit forces) holding `count` workgroups.
 * Surplus workgroups in the last grid row are at most `x - 1`.
 *
 * @example
 * ```ts
 * foldWorkgroups(70000, 65535); // [35000, 2]
 * foldWorkgroups(12, 65535);    // [12, 1]
 * ```
 */
export function foldWorkgroups(count: number, maxPerDimension: number): [number, number] {
  if (!Number.isInteger(count) || count < 1) {
    throw new NormError('invalid-argument', `expected a positive integer workgroup count, got ${count}`, 'workgroups');
  }
  if (count <= maxPerDimension) return [count, 1];
  const y = Math.ceil(count / maxPerDimension);
  if (y > maxPerDimension) {
    throw new NormError(
      'limit-exceeded',
      `${count} workgroups exceed maxComputeWorkgroupsPerDimension² = ${maxPerDimension}²; split the work into several calls`,
      'rows',
    );
  }
  // Balance x over the y rows so the surplus is small.
  const x = Math.ceil(count / y);
  return [x, y];
}

/** Smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: number): number {
  if (n <= 1) return 1;
  // Math.log2 rounds: for n = 2^k + 1 with k >= 49 it returns exactly k. Correct by one step.
  const p = 2 ** Math.ceil(Math.log2(n));
  return p < n ? 2 * p : p / 2 >= n ? p / 2 : p;
}
