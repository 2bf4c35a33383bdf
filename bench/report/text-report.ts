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
 * The line printed when a case finishes.
 *
 * @example
 * ```ts
 * formatCaseLine(2, 6, record, 4.2); // '[2/6] layerNorm 128×768  gpu 0.41 ms (1.96× copy) · cpu 1.23 ms · …'
 * ```
 */
export function formatCaseLine(index: number, total: number, r: CaseRecord, seconds: number): string {
  return (
    `[${index}/${total}] ${r.op} ${formatShape(r.rows, r.cols)}  ` +
    `gpu ${formatNumber(r.gpuMs)} ms (${formatNumber(r.rooflineRatio)}× copy, ${formatNumber(r.rereadRatio)}× 2-read, ${formatNumber(r.gbps)} GB/s) · ` +
    `cpu ${formatNumber(r.cpuMs)} ms · wall ${formatNumber(r.wallMs)} ms · encode ${formatNumber(r.encodeUs)} µs · ` +
    `max|err| ${formatError(r.maxAbsError)} ${verdict(r)}  (${seconds.toFixed(1)} s)`
  );
}

const COLUMNS: readonly { title: string; align: Align; cell: (r: CaseRecord) => string }[] = [
  { title: 'op', align: 'left', cell: (r) => r.op },
  { title: 'shape', align: 'left', cell: (r) => formatShape(r.rows, r.cols) },
  { title: 'variant', align: 'left', cell: (r) => r.variant },
  { title: 'gpu ms', align: 'right', cell: (r) => formatNumber(r.gpuMs) },
  { title: 'GB/s', align: 'right', cell: (r) => formatNumber(r.gbps) },
  { title: 'copy ms', align: 'right', cell: (r) => formatNumber(r.copyMs) },
  { title: 'gpu/copy', align: 'right', cell: (r) => `${formatNumber(r.rooflineRatio)}×` },
  { title: '2read ms', align: 'right', cell: (r) => formatNumber(r.rereadMs) },
  { title: 'gpu/2read', align: 'right', cell: (r) => `${formatNumber(r.rereadRatio)}×` },
  { title: 'cpu ms', align: 'right', cell: (r) => formatNumber(r.cpuMs) },
  { title: 'cpu/gpu', align: 'right', cell: (r) => `${formatNumber(r.cpuSpeedup)}×` },
  { title: 'wall ms', align: 'right', cell: (r) => formatNumber(r.wallMs) },
  { title: 'encode µs', align: 'right', cell: (r) => formatNumber(r.encodeUs) },
  { title: 'max|err|', align: 'right', cell: (r) => formatError(r.maxAbsError) },
  { title: 'ok', align: 'left', cell: verdict },
];

/**
 * The final table, one row per case, with a rule under the header.
 *
 * @example
 * ```ts
 * console.log(formatTable(records).join('\n'));
 * ```
 */
export function formatTable(records: readonly CaseRecord[]): string[] {
  const lines = alignColumns(
    [COLUMNS.map((c) => c.title), ...records.map((r) => COLUMNS.map((c) => c.cell(r)))],
    COLUMNS.map((c) => c.align),
  );
  const rule = '─'.repeat(Math.max(...lines.map((l) => [...l].length)));
  return [lines[0]!, rule, ...lines.slice(1)];
}

/** What the columns mean, printed under the table. */
export const TABLE_LEGEND: readonly string[] = [
  'gpu ms: median GPU time of one kernel pass (timestamp queries); GB/s: least bytes read+written / gpu ms',
  'copy ms: median of a vec4 copy of the same tensor (read once, write once), in the same submission as each kernel pass (order rotating every round, after an untimed wake-up dispatch); gpu/copy 1× = copy roofline',
  '2read ms: median of a kernel reading the same tensor twice and writing it once (the two-read floor, same submission): the least a norm can cost where a row cannot stay in registers (CPU adapters)',
  'cpu ms: cpu.fast in the same JS engine; wall ms: convenience form incl. upload and readback; encode µs: JS per encode call, warm caches',
  'max|err|: GPU output of the timed path vs the float64 reference; ✓ = within the library tolerance (1e-5 rel + 1e-5·max(1,|γ|) abs)',
];

/** Rows from which a shape counts as "large" in the speed targets (the batch shapes, not decode). */
export const LARGE_SHAPE_ROWS = 128;

/** One op's line of the per-op summary: its name and the figures, in order. */
export interface OpSummary {
  readonly op: string;
  readonly parts: readonly string[];
}

/**
 * Per op, the figures the speed targets are stated in: the geometric mean of gpu/copy and
 * gpu/2read over the large shapes (≥ {@link LARGE_SHAPE_ROWS} rows), the worst gpu/copy of any
 * shape, and single-token decode (1 × width). Ops with no case of a kind leave that part out.
 * The terminal and the markdown report both print these.
 *
 * @example
 * ```ts
 * summarizeOps(records)[0]; // { op: 'layerNorm', parts: ['large shapes: 2.72× copy, 1.63× 2-read (geomean of 3)', …] }
 * ```
 */
export function summarizeOps(records: readonly CaseRecord[]): OpSummary[] {
  const ops = [...new Set(records.map((r) => r.op))];
  const geomean = (v: readonly number[]) => Math.exp(v.reduce((s, x) => s + Math.log(x), 0) / v.length);
  return ops.map((op) => {
    const mine = records.filter((r) => r.op === op);
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
    return { op, parts };
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
