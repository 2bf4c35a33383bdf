/**
 * The markdown report: a run's JSON rendered as docs/performance.md (the full default run writes
 * it; partial runs write theirs under bench-results/). The document carries everything a reader
 * needs to judge the figures: where they were measured, how, the table, the per-op summary the
 * terminal prints, and what the columns mean. Pure: a JSON report in, a string out, so the page is
 * generated from data and never edited by hand.
 */
import { MIN_RECOMMENDED_REPS, type RunScope } from '../args.js';
import type { JsonRecord, JsonReport } from './json-report.js';
import { formatError, formatNumber, formatShape } from './format.js';
import { describeAdapter, describeTimestamps, summarizeOps, TABLE_LEGEND, TARGETS, VARIANT_LEGEND, WIDE_LEGEND } from './text-report.js';
import { tuneMarkdown } from './tune-report.js';

/** How the report links to its neighbours. */
export interface MarkdownOptions {
  /** The SVG chart of the same run, as a path relative to the markdown file; omitted: no image. */
  readonly chart?: string | undefined;
  /** The docs/ folder relative to the markdown file (`''` when the report lives in docs/). */
  readonly docs: string;
  /** Where the JSON was written, shown as the report's source; omitted: not mentioned. */
  readonly json?: string | undefined;
}

/**
 * Whether a run measured the default ops and shapes: the `scope` it recorded, or else read off its
 * command line (`--shapes`, `--ops` or fewer than {@link MIN_RECOMMENDED_REPS} `--reps` make a run
 * partial), for files written before the scope was recorded.
 *
 * @example
 * ```ts
 * runScopeOf({ argv: ['--ops', 'layerNorm'] }); // 'partial'
 * runScopeOf({ argv: [] });                   // 'full'
 * ```
 */
export function runScopeOf(meta: Pick<JsonReport['meta'], 'scope' | 'argv'>): RunScope {
  if (meta.scope !== undefined) return meta.scope;
  const named = (option: string) => meta.argv.some((a) => a === `--${option}` || a.startsWith(`--${option}=`));
  const repsAt = meta.argv.findIndex((a) => a === '--reps' || a.startsWith('--reps='));
  const reps = repsAt < 0 ? Infinity : Number(meta.argv[repsAt]!.includes('=') ? meta.argv[repsAt]!.split('=')[1] : meta.argv[repsAt + 1]);
  return !named('shapes') && !named('ops') && reps >= MIN_RECOMMENDED_REPS ? 'full' : 'partial';
}

/** `|` would end a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The browser's product token (`HeadlessChrome/156.0.0.0`) or the whole user agent. */
function browserOf(userAgent: string): string {
  return /(HeadlessChrome|Chrome|Chromium|Firefox|Safari)\/[\d.]+/.exec(userAgent)?.[0] ?? userAgent;
}

const COLUMNS: readonly { title: string; right: boolean; cell: (r: JsonRecord) => string }[] = [
  { title: 'op', right: false, cell: (r) => r.op },
  // Files written before f16 was benchmarked have no dtype: they were f32.
  { title: 'dtype', right: false, cell: (r) => r.dtype ?? 'f32' },
  { title: 'shape', right: false, cell: (r) => formatShape(r.rows, r.cols) },
  { title: 'variant', right: false, cell: (r) => `\`${r.variant}\`` },
  { title: 'GPU ms', right: true, cell: (r) => formatNumber(r.gpuMs) },
  { title: 'GB/s', right: true, cell: (r) => formatNumber(r.gbps) },
  { title: 'copy ms', right: true, cell: (r) => formatNumber(r.copyMs) },
  { title: 'GPU / copy', right: true, cell: (r) => `${formatNumber(r.rooflineRatio)}×` },
  { title: '2-read ms', right: true, cell: (r) => formatNumber(r.rereadMs) },
  { title: 'GPU / 2-read', right: true, cell: (r) => `${formatNumber(r.rereadRatio)}×` },
  { title: 'CPU ms', right: true, cell: (r) => formatNumber(r.cpuMs) },
  { title: 'CPU / GPU', right: true, cell: (r) => `${formatNumber(r.cpuSpeedup)}×` },
  { title: 'wall ms', right: true, cell: (r) => formatNumber(r.wallMs) },
  { title: 'floor ms', right: true, cell: (r) => (r.transferMs === undefined ? '–' : formatNumber(r.transferMs)) },
  { title: 'wall / (floor + GPU)', right: true, cell: (r) => (r.wallRatio === undefined ? '–' : `${formatNumber(r.wallRatio)}×`) },
  { title: 'wall / by hand', right: true, cell: (r) => (r.handRatio === undefined ? '–' : `${formatNumber(r.handRatio)}×`) },
  { title: 'encode µs', right: true, cell: (r) => formatNumber(r.encodeUs) },
  { title: 'max abs err', right: true, cell: (r) => formatError(r.maxAbsError) },
  { title: 'ok', right: false, cell: (r) => (r.withinTolerance ? '✓' : '✗ wrong') },
];

/**
 * The markdown table of every record, one row per op × shape.
 *
 * @example
 * ```ts
 * markdownTable(report.records)[0]; // '| op | shape | variant | GPU ms | …'
 * ```
 */
export function markdownTable(records: readonly JsonRecord[]): string[] {
  const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [
    row(COLUMNS.map((c) => c.title)),
    `| ${COLUMNS.map((c) => (c.right ? '---:' : '---')).join(' | ')} |`,
    ...records.map((r) => row(COLUMNS.map((c) => c.cell(r)))),
  ];
}

/**
 * Renders a run's JSON report as the performance page.
 *
 * @example
 * ```ts
 * writeFileSync('docs/performance.md', renderMarkdownReport(report, { docs: '', chart: 'performance.svg' }));
 * ```
 */
export function renderMarkdownReport(report: JsonReport, options: MarkdownOptions): string {
  const { meta, records } = report;
  const env = meta.environment;
  const scope = runScopeOf(meta);
  const command = `npm run bench${meta.argv.length > 0 ? ` -- ${meta.argv.join(' ')}` : ''}`;
  const reps = [...new Set(records.map((r) => r.reps))].join(', ');
  const optional = env.deviceFeatures.filter((f) => ['timestamp-query', 'subgroups', 'shader-f16'].includes(f));
  const zeros = records.reduce((n, r) => n + r.zeroSamples, 0);
  const wrong = records.filter((r) => !r.withinTolerance);

  const out: string[] = ['# Performance', ''];
  out.push('<!-- Written by `npm run bench` (bench/report/markdown-report.ts) from the run\'s JSON. Do not edit: rerun the benchmark. -->', '');
  if (scope === 'partial') {
    out.push(
      `> **Partial run** (\`${command}\`): a subset of the default ops and shapes, or too few repetitions, so these are not the published figures. The full default run, \`npm run bench\`, rewrites this page.`,
      '',
    );
  }
  out.push(`Measured ${meta.date.slice(0, 16).replace('T', ' ')} UTC with \`${command}\`.`, '');
  out.push('| | |', '| --- | --- |');
  const facts: [string, string][] = [
    ['runtime', `${env.runtime} · ${browserOf(env.userAgent)}`],
    ['adapter', describeAdapter(env)],
    ['device features', optional.join(', ') || 'none of timestamp-query, subgroups, shader-f16'],
    ['GPU timer', `${env.gpuTiming === 'timestamp-query' ? 'timestamp queries' : 'submit → done wall time'}; ${describeTimestamps(env.gpuTiming, env.timestampGranularityNs)}${meta.timestampsQuantized && !env.timestampsQuantized ? ' at start-up; some cases saw quantized timestamps' : ''}${zeros > 0 ? ` (${zeros} timed passes read as 0 ns)` : ''}`],
    ['samples', `medians of ${reps} timed repetitions per op × dtype × shape; ${[...new Set(records.map((r) => r.dtype ?? 'f32'))].join(' and ')}`],
    ['machine', `${meta.cpus} CPUs; 1-min load average ${meta.loadAverage.start.toFixed(2)} → ${meta.loadAverage.end.toFixed(2)}; run took ${meta.elapsedSeconds.toFixed(0)} s`],
    ...meta.notes.map((n): [string, string] => ['note', n]),
  ];
  if (options.json !== undefined) facts.push(['data', `\`${options.json}\``]);
  for (const [k, v] of facts) out.push(`| ${k} | ${cell(v)} |`);
  out.push('');
  if (wrong.length > 0) {
    out.push(`**${wrong.length} case(s) outside the library's tolerance:** ${wrong.map((r) => `${r.op} ${formatShape(r.rows, r.cols)}`).join(', ')}.`, '');
  }
  if (options.chart !== undefined) out.push(`![GPU kernel, copy roofline, two-read floor, convenience form and CPU per op and shape](${options.chart})`, '');

  out.push('## Results', '', ...markdownTable(records), '');
  out.push('## Per op', '', 'The figures the speed targets are stated in: geometric mean over the large shapes (128 rows or more), the worst shape, single-token decode, and the typed-array form against its floor.', '');
  for (const s of summarizeOps(records.map((r) => ({ ...r, dtype: r.dtype ?? 'f32' })))) out.push(`- **${s.op}**: ${s.parts.join(' · ')}`);
  out.push('', 'Targets:', '');
  for (const l of TARGETS) out.push(`- ${l}`);
  out.push('');
  out.push(...tuneMarkdown(records));

  out.push('## Columns', '');
  for (const l of [...TABLE_LEGEND, ...WIDE_LEGEND]) out.push(`- ${l}`);
  out.push('', VARIANT_LEGEND.map((l) => l.trim()).join(' '), '');
  out.push('## How to read this', '');
  out.push(
    '- **GPU / copy** is the kernel against the fastest copy of the same tensor (read once, written once) timed in the same submission: 1× is the copy roofline, what a kernel that reads its input once could reach. **GPU / 2-read** is against the two-read floor, a kernel that reads the tensor twice and writes it once: the least a norm costs where a row cannot stay in registers between its statistics and its output, as on CPU adapters ([variants](' +
      `${options.docs}variants.md)).`,
    '- Each round times the op, the copy and the two-read floor in one submission, in rotating order, after an untimed wake-up dispatch, so machine load and submission start-up hit all three alike. Ratios are the point; absolute times on a CPU adapter (SwiftShader, lavapipe) say little about a GPU.',
    `- Every timed output is checked against the float64 reference (tolerances in [numerics](${options.docs}numerics.md)); speed is never asserted in the tests.`,
    '- **wall / (floor + GPU)** is the typed-array form (`await norm.layerNorm(x, …)`) against its transfer floor (`writeBuffer` of the same input arrays, one copy of the outputs into a read-back buffer, one `mapAsync`, each output copied out; no kernel) plus the kernel\'s GPU time. The library reuses its transfer buffers from call to call (`stats().pooledBuffers`). On small shapes the ratio stays above 1.25×: each call is one submission, and on a CPU adapter starting a compute dispatch costs time that neither the floor (which submits no compute) nor the GPU time sees. **wall / by hand** measures that: the same transfer with the kernel recorded by hand (`encode…` into the same encoder) costs what the typed-array form costs without the library\'s own per-call work, so it is the form\'s overhead alone. There, and wherever **CPU ms** is below **wall ms**, `cpu.fast` wins: keep small, one-off normalizations on the CPU, or use the `encode…` forms inside a pipeline that stays on the GPU.',
    '- The default run is f32 for every default op and f16 for LayerNorm and RMSNorm (the ops in-browser inference runs on f16 tensors most) on the same shapes, 30 repetitions. `npm run bench -- --dtype f32,f16` runs f16 for every op (GroupNorm and the backward passes too).',
    '',
    '## Measuring on a real GPU',
    '',
    'No GPU was available where these figures were measured. `npm run kit` builds `bench-results/gpu-kit/`, one folder of about 44 MiB that runs this benchmark on any Linux x64 machine with a Vulkan driver, without npm or network: the node binary, the `webgpu` package\'s Dawn addon, the benchmark and the library bundled into plain JavaScript, Debian\'s `libvulkan1` (unpacked only where the machine has no Vulkan loader), and `run.sh`. Copy the folder to the GPU machine and run',
    '',
    '```sh',
    './run.sh auto results     # finds the GPU\'s Vulkan driver; a few minutes',
    './run.sh auto quick --ops layerNorm --shapes 128x768 --reps 5   # a smoke test',
    './run.sh /usr/share/vulkan/icd.d/nvidia_icd.json results      # or name the driver\'s ICD file',
    '```',
    '',
    '`auto` looks where the Vulkan loader looks (and in `/usr/local/nvidia/share`, where NVIDIA\'s container runtime puts the driver), tries each GPU driver whose library is present with Dawn in a child process, discrete vendors first, and takes the first that yields an adapter: Mesa installs ICD files for GPU families that are not there. Software drivers are passed over (`KIT_ALLOW_SOFTWARE=1` takes them). Where the NVIDIA driver library is installed, it also writes an ICD file naming it by its full path and tries that after any NVIDIA ICD file it found (a container may have the driver without its Vulkan manifest, or a manifest naming a library the linker cannot find). Ctrl-C or a time limit\'s SIGTERM stops the run and keeps the cases measured so far, written as a partial report.',
    '',
    'On a GPU machine lent for a few minutes with a copy of this repository, `bash tools/gpu-kit/device-check.sh` (with `bench-results/gpu-kit` carried along) runs a one-case check first, prints what the machine has if that fails, then the full run with `--tune` into `$OUT/gpu`, stopped before `KIT_BUDGET_S` seconds (default 480).',
    '',
    'Send back the whole output folder: `bench.json` (every figure), `bench.md` (this report for that GPU), `bench.svg`, `console.txt` and `environment.txt` (kit version, ICD and how it was found, loader, machine, `nvidia-smi` where present). Against it, read the GPU targets above (LayerNorm/RMSNorm ≤ 1.25× the copy on the large shapes, none over 2×), and the section on the selection rule against `norm.tune()` (the kit runs with `--tune`: every candidate variant of LayerNorm and RMSNorm timed at each shape). The kit was dry-run here from an empty folder with no `node_modules`, against SwiftShader\'s ICD and lavapipe\'s, with the kit\'s own loader forced (`KIT_USE_BUNDLED_LOADER=1`), and `auto` was checked here, where only Mesa\'s drivers for absent GPUs and lavapipe are installed.',
    '',
  );
  return out.join('\n');
}
