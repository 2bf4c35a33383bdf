/**
 * Order statistics for timing samples. Medians, not means: a benchmark on a shared machine sees
 * occasional samples stretched by other processes, and one of them must not move the result.
 */

/** Summary of one series of timing samples (same unit as the samples). */
export interface SampleSummary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** 10th and 90th percentiles: the spread without the outliers. */
  readonly p10: number;
  readonly p90: number;
  readonly n: number;
}

/**
 * The `q`-quantile (0 ≤ q ≤ 1) of `values` with linear interpolation between order statistics
 * (the "R-7" definition NumPy and spreadsheets use by default).
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 * ```
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of an empty series');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  if (values.some((v) => Number.isNaN(v))) throw new RangeError('quantile of a series containing NaN');
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * The median of `values` (the mean of the two middle values for an even count).
 *
 * @example
 * ```ts
 * median([5, 1, 3]); // 3
 * ```
 */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * Median, extremes and the 10–90 percentile band of `values`.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]).median; // 2
 * ```
 */
export function summarize(values: readonly number[]): SampleSummary {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    p10: quantile(values, 0.1),
    p90: quantile(values, 0.9),
    n: values.length,
  };
}
