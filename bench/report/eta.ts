/**
 * The overall time-left estimate on the progress line. Cases differ by four decades in size, so
 * a plain average would be wrong both ways: each case is modelled as a fixed cost (compilation,
 * tuning, calibration) plus a cost per byte of its main tensor, fitted to the cases done. Pure.
 */

/** A case's size for the estimate: its main tensor's bytes. */
export interface CaseCost {
  readonly bytes: number;
  /** Seconds it took (finished cases only). */
  readonly seconds?: number;
}

/**
 * Seconds the `remaining` cases should take, from the `done` ones; null before any case finished.
 * Fixed cost: the fastest case so far; per byte: the rest of the time done over the bytes done.
 *
 * @example
 * ```ts
 * estimateRemaining([{ bytes: 1e6, seconds: 3 }, { bytes: 1e7, seconds: 12 }], [{ bytes: 1e7 }]); // 12
 * ```
 */
export function estimateRemaining(done: readonly CaseCost[], remaining: readonly CaseCost[]): number | null {
  const timed = done.filter((c) => c.seconds !== undefined && Number.isFinite(c.seconds));
  if (timed.length === 0) return null;
  const fixed = Math.min(...timed.map((c) => c.seconds!));
  const extra = timed.reduce((s, c) => s + (c.seconds! - fixed), 0);
  const bytes = timed.reduce((s, c) => s + c.bytes, 0);
  const perByte = bytes > 0 ? extra / bytes : 0;
  return remaining.reduce((s, c) => s + fixed + perByte * c.bytes, 0);
}

/**
 * `4 min 05 s`, `42 s`.
 *
 * @example
 * ```ts
 * formatDuration(245); // '4 min 05 s'
 * ```
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
