import { describe, expect, test } from 'vitest';
import { estimateRemaining, formatDuration } from '../../bench/report/eta.js';

describe('estimateRemaining', () => {
  test('nothing to go on before the first case', () => {
    expect(estimateRemaining([], [{ bytes: 100 }])).toBeNull();
  });

  test('a fixed cost per case plus a cost per byte, fitted to the cases done', () => {
    // Fixed 2 s (the fastest), then 10 s over 1e7 bytes: 1e-6 s per byte.
    const done = [
      { bytes: 0, seconds: 2 },
      { bytes: 1e7, seconds: 12 },
    ];
    expect(estimateRemaining(done, [{ bytes: 0 }, { bytes: 5e6 }])).toBeCloseTo(2 + 2 + 5, 9);
    expect(estimateRemaining(done, [])).toBe(0);
  });

  test('one case done: every remaining case costs about as much', () => {
    expect(estimateRemaining([{ bytes: 1000, seconds: 3 }], [{ bytes: 1000 }, { bytes: 1000 }])).toBe(6);
  });
});

test('formatDuration', () => {
  expect(formatDuration(42.4)).toBe('42 s');
  expect(formatDuration(245)).toBe('4 min 05 s');
  expect(formatDuration(-3)).toBe('0 s');
});
