/**
 * Workgroup-grid folding (rows beyond maxComputeWorkgroupsPerDimension) and nextPowerOfTwo.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { foldWorkgroups, nextPowerOfTwo } from '../../src/core/dispatch.js';
import { NormError } from '../../src/core/errors.js';

const MAX = 65535;

function normError(fn: () => unknown): NormError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NormError) return e;
    throw e;
  }
  throw new Error('expected a NormError, nothing was thrown');
}

describe('foldWorkgroups', () => {
  test.each<[number, [number, number]]>([
    [1, [1, 1]],
    [12, [12, 1]],
    [65535, [65535, 1]],
    [65536, [32768, 2]],
    [70000, [35000, 2]],
    [131070, [65535, 2]],
    [131071, [43691, 3]],
    [65535 * 65535, [65535, 65535]],
  ])('%i workgroups fold to %j', (count, grid) => {
    expect(foldWorkgroups(count, MAX)).toEqual(grid);
  });

  test('65535² + 1 workgroups exceed the limit, blamed on rows', () => {
    const e = normError(() => foldWorkgroups(65535 * 65535 + 1, MAX));
    expect(e.code).toBe('limit-exceeded');
    expect(e.argument).toBe('rows');
  });

  test('a smaller device limit folds sooner and overflows sooner', () => {
    expect(foldWorkgroups(4, 4)).toEqual([4, 1]);
    expect(foldWorkgroups(5, 4)).toEqual([3, 2]);
    expect(foldWorkgroups(16, 4)).toEqual([4, 4]);
    expect(normError(() => foldWorkgroups(17, 4)).code).toBe('limit-exceeded');
  });

  test.each<[unknown]>([[0], [-1], [1.5], [NaN], [Infinity], ['3']])('rejects a count of %s as invalid-argument', (count) => {
    const e = normError(() => foldWorkgroups(count as number, MAX));
    expect(e.code).toBe('invalid-argument');
    expect(e.argument).toBe('workgroups');
  });

  test('property: the grid covers count, stays within the limit, and wastes less than one grid row', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.integer({ min: 1, max: 70_000 }), (max, c) => {
        const count = Math.min(c, max * max);
        const [x, y] = foldWorkgroups(count, max);
        expect(Number.isInteger(x) && Number.isInteger(y)).toBe(true);
        expect(x * y).toBeGreaterThanOrEqual(count);
        expect(x).toBeLessThanOrEqual(max);
        expect(y).toBeLessThanOrEqual(max);
        expect(x * y - count).toBeLessThan(x);
        // One row when it fits; otherwise the fewest grid rows that can hold it.
        expect(y).toBe(Math.ceil(count / max));
      }),
    );
  });

  test('property: at the default limit, counts up to 65535² always fold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX * MAX }), (count) => {
        const [x, y] = foldWorkgroups(count, MAX);
        expect(x * y).toBeGreaterThanOrEqual(count);
        expect(x).toBeLessThanOrEqual(MAX);
        expect(y).toBeLessThanOrEqual(MAX);
        expect(x * y - count).toBeLessThan(x);
      }),
    );
  });

  test('property: beyond max² it always refuses', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1_000_000 }), (max, extra) => {
        expect(normError(() => foldWorkgroups(max * max + extra, max)).code).toBe('limit-exceeded');
      }),
    );
  });
});

describe('nextPowerOfTwo', () => {
  test.each([
    [1, 1],
    [2, 2],
    [3, 4],
    [4, 4],
    [5, 8],
    [255, 256],
    [256, 256],
    [257, 512],
    [65535, 65536],
    [2 ** 30 + 1, 2 ** 31],
  ])('nextPowerOfTwo(%i) = %i', (n, p) => {
    expect(nextPowerOfTwo(n)).toBe(p);
  });

  test('values below 1 give 1', () => {
    expect(nextPowerOfTwo(0)).toBe(1);
    expect(nextPowerOfTwo(0.5)).toBe(1);
  });

  test('exact at 2^k ± 1 across the whole safe-integer range (Math.log2 rounds for large n)', () => {
    for (let k = 1; k <= 52; k++) {
      expect(nextPowerOfTwo(2 ** k), `2^${k}`).toBe(2 ** k);
      if (k > 1) expect(nextPowerOfTwo(2 ** k - 1), `2^${k} - 1`).toBe(2 ** k);
      expect(nextPowerOfTwo(2 ** k + 1), `2^${k} + 1`).toBe(2 ** (k + 1));
    }
  });

  test('property: a power of two, >= n, and less than 2n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const p = nextPowerOfTwo(n);
        expect(p).toBeGreaterThanOrEqual(n);
        expect(p).toBeLessThan(2 * n);
        expect(Number.isInteger(Math.log2(p))).toBe(true);
      }),
    );
  });
});
