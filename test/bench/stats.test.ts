import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { median, quantile, summarize } from '../../bench/core/stats.js';
import { combineGranularities, isQuantized, timestampGranularity } from '../../src/core/timestamp-resolution.js';
import { rotatedOrder } from '../../src/core/gpu-timer.js';

describe('median and quantile', () => {
  test('odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  test('does not reorder its input', () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).toEqual([3, 1, 2]);
  });

  test('R-7 interpolation', () => {
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75);
    expect(quantile([10, 20], 0.1)).toBeCloseTo(11);
  });

  test('rejects empty series, NaN and bad q', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, NaN])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  test('one outlier does not move the median', () => {
    expect(median([1, 1, 1, 1, 1000])).toBe(1);
  });

  test('property: the median splits the sorted samples', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (v) => {
        const m = median(v);
        expect(v.filter((x) => x < m).length).toBeLessThanOrEqual(v.length / 2);
        expect(v.filter((x) => x > m).length).toBeLessThanOrEqual(v.length / 2);
      }),
    );
  });

  test('summarize', () => {
    expect(summarize([3, 1, 2, 5, 4])).toEqual({ median: 3, min: 1, max: 5, p10: 1.4, p90: 4.6, n: 5 });
  });
});

describe('timestamp granularity', () => {
  test('nanosecond counters are not quantized', () => {
    const g = timestampGranularity([956713709139n, 956713710001n, 956713853305n, 956714114142n]);
    expect(g).toBe(1);
    expect(isQuantized(g)).toBe(false);
  });

  test("Dawn's 2^16 ns mask", () => {
    const raw = [936048525312n, 936050032640n, 936051343360n, 936053374976n];
    expect(timestampGranularity(raw)).toBe(65536);
    expect(isQuantized(65536)).toBe(true);
  });

  test('100 µs rounding, with an epoch that is not a multiple of it', () => {
    expect(timestampGranularity([123n + 500_000n, 123n + 600_000n, 123n + 1_300_000n])).toBe(100_000);
  });

  test('nothing to infer', () => {
    expect(timestampGranularity([])).toBeNull();
    expect(timestampGranularity([5n, 5n, 5n])).toBeNull();
    expect(isQuantized(null)).toBe(false);
  });

  test('combining series', () => {
    expect(combineGranularities([65536, 131072, null])).toBe(65536);
    expect(combineGranularities([65536, 3])).toBe(1);
    expect(combineGranularities([null])).toBeNull();
  });
});

describe('rotatedOrder', () => {
  test('examples', () => {
    expect(rotatedOrder(3, 0)).toEqual([0, 1, 2]);
    expect(rotatedOrder(3, 1)).toEqual([1, 2, 0]);
    expect(rotatedOrder(3, 5)).toEqual([2, 0, 1]);
    expect(rotatedOrder(1, 7)).toEqual([0]);
    expect(rotatedOrder(0, 2)).toEqual([]);
  });

  test('a permutation; over n consecutive rounds every kernel runs first once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(1000), (n, r) => {
        expect([...rotatedOrder(n, r)].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
        const firsts = Array.from({ length: n }, (_, k) => rotatedOrder(n, r + k)[0]);
        expect(new Set(firsts).size).toBe(n);
      }),
    );
  });
});
