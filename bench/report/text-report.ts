/**
 * What the terminal shows: the header (runtime, adapter, timestamp resolution), one line per
 * finished case, and the final aligned table. Pure: strings in, strings out.
 */
import type { CaseRecord, EnvironmentInfo } from '../core/types.js';
import { alignColumns, formatError, formatNumber, formatShape, type Align } from './format.js';

/** One line about the adapter, as the header, the JSON and the chart show it. */
export function describeAdapter(env: EnvironmentInfo): string {
  const a = env.adapter;
  const parts = [a.vendor, a.architecture].filter((s) => s).join(' / ') || 'unknown adapter';
  const detail = [a.device, a.description].filter((s) => s).join(', ');
  return detail ? `${parts} (${detail})` : parts;
}

/** The timestamp verdict: `1 ns steps, not quantized`, `quantized to 65536 ns`, … */
export function describeTimestamps(gpuTiming: EnvironmentInfo['gpuTiming'], granularityNs: number | null): string {
  if (gpuTiming === 'submit-wall') return 'no timestamp-query: GPU time is submit→done wall time (an upper bound)';
  if (granularityNs === null) return 'timestamp resolution unknown (too few distinct timestamps)';
  if (granularityNs >= 1000) return `QUANTIZED to ${formatNumber(granularityNs / 1000)} µs steps: passes shorter than that read as 0 or one step`;
  return `${granularityNs} ns steps, not quantized`;
}

/**
 * The header printed before the first case.
 *
 * @example
 * ```ts
 * console.log(formatHeader(runtime.environment, runtime.notes).join('\n'));
 * ```
 */
export function formatHeader(env: EnvironmentInfo, notes: readonly string[]): string[] {
  const optional = env.deviceFeatures.filter((f) => ['timestamp-query', 'subgroups', 'shader-f16'].includes(f));
  return [
    `runtime    ${env.runtime} · ${env.userAgent}`,
    `adapter    ${describeAdapter(env)}`,
    `features   ${env.adapterFeatures.join(' ')}`,
    `device     requested ${optional.join(', ') || 'no optional features'}; maxStorageBufferBindingSize ${env.limits.maxStorageBufferBindingSize}`,
    `timestamps ${describeTimestamps(env.gpuTiming, env.timestampGranularityNs)}`,
    `js timer   performance.now() steps of ${formatNumber(env.jsTimerResolutionUs)} µs; CPU, wall and encode samples batch calls to last ≥ 10 ms each`,
    ...notes.map((n) => `note       ${n}`),
  ];
}

/** ✓ within the library's tolerance, ✗ not. */
function verdict(r: CaseRecord): string {
  return r.withinTolerance ? '✓' : '✗ WRONG';
}

/**
 * The line printed when a case finishes (under 120 characters for the default shapes).
 *
 * @example
 * ```ts
 * formatCaseLine(2, 6, record, 4.2); // '[2/6] layerNorm f32 128×768  gpu 0.500 ms = 2.00× copy, 1.25× 2-read · wall 3.50 ms = 1.17× floor · …'
 * ```
 */
export function formatCaseLine(index: number, total: number, r: CaseRecord, seconds: number): string {
  return (
    `[${index}/${total}] ${r.op} ${r.dtype} ${formatShape(r.rows, r.cols)}  ` +
    `gpu ${formatNumber(r.gpuMs)} ms = ${formatNumber(r.rooflineRatio)}× copy, ${formatNumber(r.rereadRatio)}× 2-read · ` +
    `wall ${formatNumber(r.wallMs)} ms = ${formatNumber(r.wallRatio)}× floor · cpu ${formatNumber(r.cpuMs)} ms · ` +
    `${verdict(r)} ${formatError(r.maxAbsError)}  (${seconds.toFixed(1)} s)`
  );
}

interface Column {
  readonly title: string;
  readonly align: Align;
  /** Shown only with `--wide`. */
  readonly wide?: true;
  readonly cell: (r: CaseRecord) => string;
}

const COLUMNS: readonly Column[] = [
  { title: 'op', align: 'left', cell: (r) => r.op },
  { title: 'dtype', align: 'left', cell: (r) => r.dtype },
  { title: 'shape', align: 'left', cell: (r) => formatShape(r.rows, r.cols) },
  { title: 'variant', align: 'left', cell: (r) => r.variant },
  { title: 'gpu ms', align: 'right', cell: (r) => formatNumber(r.gpuMs) },
  { title: 'GB/s', align: 'right', wide: true, cell: (r) => formatNumber(r.gbps) },
  { title: 'copy ms', align: 'right', wide: true, cell: (r) => formatNumber(r.copyMs) },
  { title: '×copy', align: 'right', cell: (r) => `${formatNumber(r.rooflineRatio)}×` },
  { title: '2read ms', align: 'right', wide: true, cell: (r) => formatNumber(r.rereadMs) },
  { title: '×2read', align: 'right', cell: (r) => `${formatNumber(r.rereadRatio)}×` },
  { title: 'wall ms', align: 'right', cell: (r) => formatNumber(r.wallMs) },
  { title: 'floor ms', align: 'right', wide: true, cell: (r) => formatNumber(r.transferMs) },
  { title: '×floor', align: 'right', cell: (r) => `${formatNumber(r.wallRatio)}×` },
  { title: 'hand ms', align: 'right', wide: true, cell: (r) => (r.handMs === undefined ? '–' : formatNumber(r.handMs)) },
  { title: '×hand', align: 'right', wide: true, cell: (r) => (r.handRatio === undefined ? '–' : `${formatNumber(r.handRatio)}×`) },
  { title: 'cpu ms', align: 'right', cell: (r) => formatNumber(r.cpuMs) },
  { title: 'cpu/gpu', align: 'right', wide: true, cell: (r) => `${formatNumber(r.cpuSpeedup)}×` },
  { title: 'encode µs', align: 'right', wide: true, cell: (r) => formatNumber(r.encodeUs) },
  { title: 'max|err|', align: 'right', wide: true, cell: (r) => formatError(r.maxAbsError) },
  { title: 'ok', align: 'left', cell: verdict },
];

/** The default table's width limit: a common terminal, no wrapping. */
export const TABLE_WIDTH = 120;

/**
 * The final table, one row per case, with a rule under the header. By default the columns a
 * newcomer needs, within {@link TABLE_WIDTH} characters (long variant labels are cut with `…`);
 * `wide` adds every other column.
 *
 * @example
 * ```ts
 * console.log(formatTable(records).join('\n'));
 * ```
 */
export function formatTable(records: readonly CaseRecord[], options: { readonly wide?: boolean } = {}): string[] {
  const columns = options.wide ? COLUMNS : COLUMNS.filter((c) => !c.wide);
  const cells = records.map((r) => columns.map((c) => c.cell(r)));
  const render = () => alignColumns([columns.map((c) => c.title), ...cells], columns.map((c) => c.align));
  let lines = render();
  const width = (l: string) => [...l].length;
  const over = Math.max(0, ...lines.map(width)) - TABLE_WIDTH;
  const v = columns.findIndex((c) => c.title === 'variant');
  if (!options.wide && over > 0 && v >= 0) {
    const keep = Math.max('variant'.length, Math.max(...cells.map((row) => [...row[v]!].length)) - over);
    for (const row of cells) if ([...row[v]!].length > keep) row[v] = [...row[v]!].slice(0, keep - 1).join('') + '…';
    lines = render();
  }
  const rule = '─'.repeat(Math.max(...lines.map(width)));
  return [lines[0]!, rule, ...lines.slice(1)];
}

/** What the default table's columns mean, printed under the table. */
export const TABLE_LEGEND: readonly string[] = [
  'gpu ms: median GPU time of one kernel pass (timestamp queries around the pass); all times are medians',
  '×copy: gpu ms / a vec4 copy of the same tensor (read once, write once), same submission; 1× = the copy roofline',
  '×2read: gpu ms / a kernel that reads the tensor twice and writes it once, same submission: the least a norm',
  '  costs where a row cannot stay in registers (CPU adapters)',
  'wall ms: the typed-array form (await norm.layerNorm(x, …)): upload, kernel, read-back, as a caller sees it',
  '×floor: wall ms / (transfer floor + gpu ms); the transfer floor is writeBuffer of the same inputs, one copy',
  '  into a read-back buffer, one mapAsync, no kernel',
  'cpu ms: cpu.fast in the same JS engine (f16: decode, cpu.fast, encode; backward, lpNorm: the CPU reference)',
  'ok: ✓ = the timed output is within the library tolerance of the float64 reference (f16: plus 1 f16 ULP)',
];

/** The other columns, printed with `--wide` (the markdown report has them all). */
export const WIDE_LEGEND: readonly string[] = [
  'GB/s: least bytes read+written / gpu ms; copy ms, 2read ms: the two references; floor ms: the transfer floor',
  'cpu/gpu: cpu ms / gpu ms; encode µs: JS per encode… call, warm caches; max|err|: largest |GPU − reference|',
  'hand ms: the transfer floor with the kernel encoded by hand into the same submission (the wait for finished',
  '  work that a dispatch adds included, which gpu ms does not see)',
  '×hand: wall ms / hand ms, the typed-array form\'s own per-call cost',
];

/** How to read a variant label, printed under the legend. */
export const VARIANT_LEGEND: readonly string[] = [
  'variant, row norms, e.g. wg64/t1/vec4/none/reg16/x4: invocations per workgroup / invocations per row /',
  '  vec4 or scalar loads / how one row\'s invocations combine sums (subgroup, workgroup; none with one per row) /',
  '  vec4 chunks of a row kept in registers (reg0: the row is read twice) / x4: four rows per invocation,',
  '  split8: a row split into 8 segments',
  'variant, GroupNorm: fused or split Nx statistics, the apply pass\'s layout, workgroups per dispatch',
];

/** The speed targets the per-op summary is read against (issue #15), printed under it. */
export const TARGETS: readonly string[] = [
  'LayerNorm/RMSNorm on a CPU adapter (SwiftShader, llvmpipe): ≤ 1.15× the two-read floor, geomean over the large shapes',
  'on a GPU: ≤ 1.25× the copy on the large shapes, no shape over 2×',
  'typed-array form: wall ≤ 1.25× (transfer floor + kernel)',
];

/** Rows from which a shape counts as "large" in the speed targets (the batch shapes, not decode). */
export const LARGE_SHAPE_ROWS = 128;

/** One op's line of the per-op summary: its name and the figures, in order. */
export interface OpSummary {
  readonly op: string;
  readonly parts: readonly string[];
}

/**
 * Per op (and dtype, when the run has several), the figures the speed targets ({@link TARGETS})
 * are stated in: the geometric mean of gpu/copy and gpu/2read over the large shapes
 * (≥ {@link LARGE_SHAPE_ROWS} rows), the worst gpu/copy of any shape, single-token decode
 * (1 × width), and the typed-array form against its floor. Ops with no case of a kind leave that part out.
 * The terminal and the markdown report both print these.
 *
 * @example
 * ```ts
 * summarizeOps(records)[0]; // { op: 'layerNorm', parts: ['large shapes: 2.72× copy, 1.63× 2-read (geomean of 3)', …] }
 * ```
 */
export function summarizeOps(records: readonly CaseRecord[]): OpSummary[] {
  const keys = [...new Set(records.map((r) => `${r.op} ${r.dtype}`))];
  const geomean = (v: readonly number[]) => Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
  // The dtype is named only when the run has more than one.
  const named = new Set(records.map((r) => r.dtype)).size > 1;
  return keys.map((key) => {
    const mine = records.filter((r) => `${r.op} ${r.dtype}` === key);
    const parts: string[] = [];
    const large = mine.filter((r) => r.rows >= LARGE_SHAPE_ROWS);
    if (large.length > 0) {
      const copy = geomean(large.map((r) => r.rooflineRatio));
      const twice = geomean(large.map((r) => r.rereadRatio));
      parts.push(`large shapes: ${formatNumber(copy)}× copy, ${formatNumber(twice)}× 2-read (geomean of ${large.length})`);
    }
    const worst = mine.reduce((a, b) => (b.rooflineRatio > a.rooflineRatio ? b : a));
    parts.push(`worst shape ${formatNumber(worst.rooflineRatio)}× copy (${formatShape(worst.rows, worst.cols)})`);
    for (const r of mine.filter((c) => c.rows === 1)) parts.push(`${formatShape(r.rows, r.cols)}: ${formatNumber(r.rooflineRatio)}× copy`);
    const ratios = mine.map((r) => r.wallRatio).filter((v) => v > 0 && Number.isFinite(v));
    const hand = mine.map((r) => r.handRatio ?? NaN).filter((v) => v > 0 && Number.isFinite(v));
    const byHand = hand.length === ratios.length && hand.length > 0 ? `, ${formatNumber(geomean(hand))}× by hand` : '';
    if (ratios.length > 0) parts.push(`typed-array form ${formatNumber(geomean(ratios))}× floor${byHand} (geomean)`);
    return { op: named ? key : mine[0]!.op, parts };
  });
}

/**
 * {@link summarizeOps} as aligned terminal lines.
 *
 * @example
 * ```ts
 * for (const l of formatTargetSummary(records)) console.log(l);
 * // 'layerNorm  large shapes: 2.72× copy, 1.63× 2-read (geomean of 3) · worst shape 3.10× copy (2048×768) · 1×4096: 1.88× copy'
 * ```
 */
export function formatTargetSummary(records: readonly CaseRecord[]): string[] {
  const summaries = summarizeOps(records);
  const width = Math.max(0, ...summaries.map((s) => s.op.length));
  return summaries.map((s) => `${s.op.padEnd(width)}  ${s.parts.join(' · ')}`);
}
