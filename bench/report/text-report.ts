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
    `gpu ${formatNumber(r.gpuMs)} ms (${formatNumber(r.rooflineRatio)}× copy, ${formatNumber(r.gbps)} GB/s) · ` +
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
  'copy ms: median of a vec4 copy of the same tensor (read once, write once), run after each kernel pass in the same submission; gpu/copy 1× = copy roofline',
  'cpu ms: cpu.fast in the same JS engine; wall ms: convenience form incl. upload and readback; encode µs: JS per encode call, warm caches',
  'max|err|: GPU output of the timed path vs the float64 reference; ✓ = within the library tolerance (1e-5 rel + 1e-5·max(1,|γ|) abs)',
];
