/**
 * Detecting quantized timestamp queries. Browsers may round GPU timestamps (Chromium's default is
 * to keep only the high bits, a granularity of 2^16 ns or 100 µs depending on the version) to
 * blunt timing attacks; a kernel shorter than the quantum then reads as 0 or one quantum. The
 * benchmark cannot ask whether that happened, so it infers the granularity from the raw values:
 * all of them are multiples of the quantum, while unquantized nanosecond counters share no
 * common factor beyond a few.
 */

/** Greatest common divisor of two non-negative bigints. */
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * The largest step all `raw` timestamps (nanoseconds) are spaced by: the gcd of their distances
 * from the smallest one. Null when fewer than two distinct values were seen (nothing to infer).
 *
 * @example
 * ```ts
 * timestampGranularity([0n, 65536n, 196608n]); // 65536
 * timestampGranularity([1000n, 1003n, 1010n]);  // 1
 * ```
 */
export function timestampGranularity(raw: readonly bigint[]): number | null {
  if (raw.length === 0) return null;
  let min = raw[0]!;
  for (const t of raw) if (t < min) min = t;
  let g = 0n;
  for (const t of raw) {
    g = gcd(g, t - min);
    if (g === 1n) break;
  }
  return g === 0n ? null : Number(g);
}

/**
 * Combines the granularities of several independent series (a gcd again, in numbers: the
 * granularities are small). Null entries (no information) are skipped.
 *
 * @example
 * ```ts
 * combineGranularities([65536, 131072, null]); // 65536
 * ```
 */
export function combineGranularities(values: readonly (number | null)[]): number | null {
  let g: bigint | null = null;
  for (const v of values) {
    if (v === null) continue;
    g = g === null ? BigInt(v) : gcd(g, BigInt(v));
  }
  return g === null ? null : Number(g);
}

/**
 * Whether a granularity means the timestamps were rounded: a step of a microsecond or more is no
 * hardware tick we know of (those are ≤ ~100 ns), so it is quantization.
 *
 * @example
 * ```ts
 * isQuantized(65536); // true
 * isQuantized(1);     // false
 * ```
 */
export function isQuantized(granularityNs: number | null): boolean {
  return granularityNs !== null && granularityNs >= 1000;
}
