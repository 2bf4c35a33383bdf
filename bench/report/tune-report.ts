/**
 * `--tune`'s part of the reports: the selection rule's variant against `norm.tune()`'s fastest
 * candidate, per case, for the terminal and the markdown page. Pure.
 */
import type { CaseRecord, TuneComparison } from '../core/types.js';
import { formatNumber, formatShape } from './format.js';
import { TUNE_MARGIN } from '../../src/ops/row-norm/tune-policy.js';

/** A record that `--tune` compared. */
type Tuned = CaseRecord & { readonly tune: TuneComparison };

const tuned = (records: readonly CaseRecord[]): Tuned[] => records.filter((r): r is Tuned => r.tune !== undefined);

/** A rule within this factor of the fastest candidate counts as a match: tune()'s own medians move by about that much between runs on a busy machine. */
export const RULE_MATCH_WITHIN = 1.1;

/** tune()'s margin (TUNE_MARGIN, src/ops/row-norm/tune-policy.ts) as the reports print it. */
const TUNE_MARGIN_PERCENT = Math.round(TUNE_MARGIN * 100);

/** Whether tune() would keep the rule's variant (the record's `variant`). */
const keepsRule = (r: Tuned): boolean => r.tune.picked === r.variant;

/** What tune() keeps: the rule's variant, or the candidate with its per-round ratio to the rule. */
function pickedText(r: Tuned): string {
  return keepsRule(r) ? "the rule's" : `\`${r.tune.picked}\` (${r.tune.pickedVsRule.toFixed(2)}×)`;
}

/**
 * One sentence on how the rule fared, or none when no record was compared.
 *
 * @example
 * ```ts
 * tuneSummary(records); // ['The rule picked the fastest candidate in 5 of 6 cases, and was within 1.10× of it in 6; …']
 * ```
 */
export function tuneSummary(records: readonly CaseRecord[]): string[] {
  const all = tuned(records);
  if (all.length === 0) return [];
  const ranked = all.filter((r) => r.tune.ruleRatio !== null);
  const first = ranked.filter((r) => r.tune.ruleRank === 1).length;
  const close = ranked.filter((r) => r.tune.ruleRatio! <= RULE_MATCH_WITHIN).length;
  const worst = ranked.reduce<Tuned | undefined>((w, r) => (w === undefined || r.tune.ruleRatio! > w.tune.ruleRatio! ? r : w), undefined);
  const missing = all.length - ranked.length;
  const parts = [`The rule picked the fastest candidate in ${first} of ${all.length} cases, and was within ${RULE_MATCH_WITHIN.toFixed(2)}× of it in ${close}`];
  if (worst !== undefined && worst.tune.ruleRatio! > 1) parts.push(`its worst: ${label(worst)} at ${worst.tune.ruleRatio!.toFixed(2)}× (\`${worst.variant}\` against \`${worst.tune.best}\`)`);
  if (missing > 0) parts.push(`in ${missing} the rule's variant was not among tune()'s candidates`);
  const kept = all.filter(keepsRule).length;
  parts.push(`tune() would keep the rule's variant in ${kept} of ${all.length} (it replaces it only with a candidate faster by more than ${TUNE_MARGIN_PERCENT} % round for round)`);
  return [`${parts.join('; ')}.`];
}

function label(r: CaseRecord): string {
  return `${r.op} ${r.dtype ?? 'f32'} ${formatShape(r.rows, r.cols)}`;
}

/** The markdown table's columns: title, and whether it is a number (right-aligned). */
const COLUMNS: readonly (readonly [string, boolean])[] = [
  ['op', false],
  ['dtype', false],
  ['shape', false],
  ["rule's variant", false],
  ['rule ms', true],
  ['rank', true],
  ["tune()'s fastest", false],
  ['fastest ms', true],
  ['rule / fastest', true],
  ['candidates', true],
  ['slowest ms', true],
  ['tune() keeps', false],
];

function cells(r: Tuned): string[] {
  const t = r.tune;
  return [
    r.op,
    r.dtype ?? 'f32',
    formatShape(r.rows, r.cols),
    `\`${r.variant}\``,
    t.ruleMs === null ? '–' : formatNumber(t.ruleMs),
    t.ruleRank === null ? 'not a candidate' : `${t.ruleRank} of ${t.candidates}`,
    `\`${t.best}\``,
    formatNumber(t.bestMs),
    t.ruleRatio === null ? '–' : `${t.ruleRatio.toFixed(2)}×`,
    String(t.candidates),
    formatNumber(t.worstMs),
    pickedText(r),
  ];
}

/**
 * The markdown section, empty when no record was compared.
 *
 * @example
 * ```ts
 * out.push(...tuneMarkdown(report.records));
 * ```
 */
export function tuneMarkdown(records: readonly CaseRecord[]): string[] {
  const all = tuned(records);
  if (all.length === 0) return [];
  const timers = [...new Set(all.map((r) => r.tune.timer))].join(', ');
  return [
    '## The selection rule against `tune()`',
    '',
    `With \`--tune\`, \`norm.tune()\` timed every candidate variant at each case of the ops it serves, on a normalizer of its own (so its winners did not change the variants above), with as many samples per candidate as the run's repetitions (GPU time: ${timers === 'timestamp-query' ? 'timestamp queries' : timers}). **rule / fastest** is the time of the variant the selection rule picked over the fastest candidate's, both medians from tune()'s run: 1.00× means the rule picked the fastest. **tune() keeps** is what tune() itself would use for the shape's bucket: the rule's variant, unless a candidate was faster by more than ${TUNE_MARGIN_PERCENT} % as the median of its per-round time ratios to the rule's (shown). tune() times every candidate once per round, in a shuffled order, so load that drifts reaches all alike; even so, on a busy or CPU-only machine near-equal candidates trade places from run to run by a few per cent. On a GPU this is the measurement the rule's GPU branch lacks.`,
    '',
    ...tuneSummary(records),
    '',
    `| ${COLUMNS.map(([title]) => title).join(' | ')} |`,
    `| ${COLUMNS.map(([, right]) => (right ? '---:' : '---')).join(' | ')} |`,
    ...all.map((r) => `| ${cells(r).map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
  ];
}

/**
 * The terminal's lines: the summary and one line per compared case.
 *
 * @example
 * ```ts
 * for (const l of tuneLines(records)) console.log(l);
 * ```
 */
export function tuneLines(records: readonly CaseRecord[]): string[] {
  const all = tuned(records);
  if (all.length === 0) return [];
  return [
    'the selection rule against tune():',
    ...tuneSummary(records).map((l) => `  ${l}`),
    ...all.map((r) => {
      const t = r.tune;
      const rule = t.ruleRatio === null ? 'not a candidate' : `${t.ruleRatio.toFixed(2)}× the fastest (rank ${t.ruleRank} of ${t.candidates})`;
      const keeps = keepsRule(r) ? "tune() keeps the rule's" : `tune() picks ${t.picked} (${t.pickedVsRule.toFixed(2)}× the rule round for round)`;
      return `  ${label(r)}: rule ${r.variant} ${rule}; fastest ${t.best} ${formatNumber(t.bestMs)} ms; ${keeps}`;
    }),
  ];
}
