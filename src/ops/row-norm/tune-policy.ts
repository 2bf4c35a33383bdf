/**
 * How `norm.tune()` decides, apart from the timing (tune.ts): its margin over the selection rule's
 * variant, its bound on rounds, and the choice from the timed rounds. A module of its own with no
 * imports, so the benchmark's reports (bundled without the kernels in the real-GPU kit) can read
 * the margin from the same place.
 */

/**
 * How much faster than the selection rule's variant a candidate must be, as the median of its
 * per-round time ratios, for `tune()` to replace the rule: 3 %. Each round times every candidate in
 * one submission, so a ratio within a round is spared the load drift that moves whole rounds; the
 * margin keeps a tie decided by noise from replacing a variant chosen by reasoning (on a 2-core
 * CPU adapter, neighbouring candidates' medians move by a few per cent from run to run).
 *
 * @example
 * ```ts
 * const { variant, candidates } = await norm.tune('layerNorm', { rows: 512, cols: 4096 });
 * const best = Math.min(...candidates.map((c) => c.vsRule)); // variant is the rule's unless best < 1 - TUNE_MARGIN
 * ```
 */
export const TUNE_MARGIN = 0.03;

/** The most rounds `norm.tune()` takes (`repetitions`): each times every candidate once. */
export const MAX_TUNE_REPETITIONS = 1000;

/**
 * tune()'s decision from its timings: `times[k][i]` is candidate k's time in round i, candidate 0
 * the selection rule's variant. Returns each candidate's median time (`ms`), the median of its
 * per-round ratios to the rule's time (`vsRule`; the rule's is 1), and the index of the winner: the
 * lowest `vsRule` if below 1 − `margin`, else 0. Pure.
 *
 * @example
 * ```ts
 * pickTuned([[1.0, 1.1, 0.9], [0.95, 1.0, 0.85]]).index; // 1: 5–9 % faster round for round
 * pickTuned([[1.0, 1.1, 0.9], [0.99, 1.08, 0.89]]).index; // 0: 1–2 % is within the margin
 * ```
 */
export function pickTuned(times: readonly (readonly number[])[], margin = TUNE_MARGIN): { index: number; ms: number[]; vsRule: number[] } {
  const rule = times[0];
  if (!rule || rule.length === 0) throw new Error('pickTuned: no rounds for the rule');
  // A round whose rule time is 0 (shorter than the timestamp step) says nothing about a ratio.
  const ratio = (t: number, r: number) => (r > 0 ? t / r : t > 0 ? Infinity : 1);
  const ms = times.map((t) => median(t));
  const vsRule = times.map((t) => median(t.map((v, i) => ratio(v, rule[i]!))));
  let index = 0;
  for (let k = 1; k < vsRule.length; k++) if (vsRule[k]! < vsRule[index]!) index = k;
  return { index: vsRule[index]! < 1 - margin ? index : 0, ms, vsRule };
}

/** The median of `values` (the upper one of the middle two for an even count), leaving them in order. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

