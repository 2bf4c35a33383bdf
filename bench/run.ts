/**
 * `npm run bench`: plans the op × shape cases, runs them one by one in headless Chromium (default)
 * or Node, shows progress, then prints the table and writes the JSON, the SVG chart and the
 * markdown report (a full run publishes the last two as docs/performance.{md,svg}; a partial run
 * writes under bench-results/). See `npm run bench -- --help`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asPartial, parseBenchArgs, UsageError, USAGE, type BenchArgs, type OutputFile } from './args.js';
import { planCases } from './cases.js';
import { BENCH_OPS } from './core/ops/index.js';
import { combineGranularities } from '../src/core/timestamp-resolution.js';
import type { CaseRecord, CaseSpec } from './core/types.js';
import { buildJsonReport } from './report/json-report.js';
import { formatShape } from './report/format.js';
import { renderMarkdownReport } from './report/markdown-report.js';
import { ProgressLine } from './report/progress.js';
import { renderChart } from './report/svg-chart.js';
import { describeAdapter, describeTimestamps, formatCaseLine, formatHeader, formatTable, formatTargetSummary, TABLE_LEGEND, TARGETS, VARIANT_LEGEND, WIDE_LEGEND } from './report/text-report.js';
import { tuneLines } from './report/tune-report.js';
import { estimateRemaining, formatDuration, type CaseCost } from './report/eta.js';
import { elementBytes } from './core/dtype.js';
import { openChromiumRuntime } from './runtimes/chromium-runtime.js';
import { openNodeRuntime } from './runtimes/node-runtime.js';
import type { BenchRuntime } from './runtimes/runtime.js';
import { StopRequested, stopStatus, watchStopSignals } from './stop.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** When the run started: names a partial run's outputs. */
const startedAt = new Date();

function parse(): BenchArgs {
  try {
    return parseBenchArgs(process.argv.slice(2), [...BENCH_OPS.keys()], startedAt);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** A path as the report names it: relative to the repository when inside it. */
function shown(full: string): string {
  const rel = relative(root, full);
  return rel.startsWith('..') || isAbsolute(rel) ? full : rel.split('\\').join('/');
}

/** The absolute path of an output file. */
function fullPath(file: OutputFile): string {
  // npm runs scripts in the package root; INIT_CWD is where the user typed the command.
  return resolve(file.explicit ? (process.env.INIT_CWD ?? process.cwd()) : root, file.path);
}

/** Writes an output file; returns the path to print (relative when under the current directory). */
function write(file: OutputFile, content: string): string {
  const full = fullPath(file);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  const rel = relative(process.cwd(), full);
  return rel.startsWith('..') || isAbsolute(rel) ? full : rel;
}

async function main(): Promise<number> {
  let args = parse();
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!existsSync(resolve(root, 'dist/index.js'))) {
    console.error('bench: dist/index.js is missing; the benchmark runs the built package: use `npm run bench` (it builds first) or run `npm run build`');
    return 1;
  }
  let cases: CaseSpec[];
  try {
    cases = planCases(args, BENCH_OPS);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench: ${e.message}`);
    return 2;
  }
  const started = Date.now();
  const loadStart = loadavg()[0]!;
  for (const w of args.warnings) console.warn(`bench: warning: ${w}`);

  // Ctrl-C or a time limit's SIGTERM ends the run with what it has measured (a partial report).
  // Listening from before the runtime starts: the browser is closed by the run's own ending.
  const stop = watchStopSignals();
  const progress = new ProgressLine();
  progress.status(`starting ${args.runtime === 'chromium' ? 'headless Chromium' : 'the Node worker'} and WebGPU…`);
  let runtime: BenchRuntime;
  try {
    runtime = args.runtime === 'chromium' ? await openChromiumRuntime() : await openNodeRuntime();
  } catch (e) {
    progress.clear();
    console.error(`bench: could not start the ${args.runtime} runtime: ${(e as Error).message}`);
    return 1;
  }
  const env = runtime.environment;
  const dtypes = args.dtypes.map((d) => (d.ops === null ? d.dtype : `${d.dtype} (${d.ops.join(', ')})`)).join(', ');
  progress.line(`webgpu-norm benchmark: ${cases.length} case(s), ${dtypes}, ${args.reps} timed reps after ${args.warmup} warm-up, medians`);
  for (const l of formatHeader(env, runtime.notes)) progress.line(l);
  progress.line(`load       1-min load average ${loadStart.toFixed(2)} on ${cpus().length} CPUs (other processes share this machine: expect noise)`);
  progress.line('');

  const records: CaseRecord[] = [];
  // The overall estimate: cases done so far, sized by their main tensor's bytes.
  const costs: CaseCost[] = cases.map((c) => ({ bytes: c.shape.rows * c.shape.cols * elementBytes(c.dtype) }));
  const done: CaseCost[] = [];
  let failure: unknown;
  try {
    for (const [i, spec] of cases.entries()) {
      const t0 = Date.now();
      const name = `[${i + 1}/${cases.length}] ${spec.op} ${spec.dtype} ${formatShape(spec.shape.rows, spec.shape.cols)}`;
      let phase = 'starting';
      const show = () => {
        const left = estimateRemaining(done, costs.slice(i));
        const eta = left === null ? 'ETA after the first case' : `about ${formatDuration(Math.max(0, left - (Date.now() - t0) / 1000))} left in all`;
        progress.status(`${name} · ${phase} · ${((Date.now() - t0) / 1000).toFixed(1)} s · ${eta}`);
      };
      stop.check();
      const ticker = setInterval(show, 250);
      show();
      try {
        const record = await Promise.race([
          runtime.runCase(spec, (p) => {
            phase = p;
            show();
          }),
          stop.stopped,
        ]);
        records.push(record);
        done.push({ ...costs[i]!, seconds: (Date.now() - t0) / 1000 });
        progress.line(formatCaseLine(i + 1, cases.length, record, (Date.now() - t0) / 1000));
      } finally {
        clearInterval(ticker);
      }
    }
  } catch (e) {
    failure = e;
  } finally {
    progress.clear();
    // After a stop the case in flight may still hold the worker or browser: do not wait on it long.
    await (stop.signal === null ? runtime.close() : Promise.race([runtime.close(), new Promise((r) => setTimeout(r, 10_000).unref())]));
  }
  // A worker or browser that died of the same signal fails its case first: the stop is the cause.
  if (failure !== undefined && stop.signal !== null) failure = new StopRequested(stop.signal);

  // A full run that stopped part-way must not overwrite the published report with a fragment.
  if (failure !== undefined && args.scope === 'full') args = asPartial(args, startedAt);
  const elapsedSeconds = (Date.now() - started) / 1000;
  const loadEnd = loadavg()[0]!;
  if (records.length > 0) {
    console.log('');
    for (const l of formatTable(records, { wide: args.wide })) console.log(l);
    console.log('');
    for (const l of [...TABLE_LEGEND, ...(args.wide ? WIDE_LEGEND : []), ...VARIANT_LEGEND]) console.log(l);
    if (!args.wide) console.log('(--wide adds GB/s, the copy, 2-read and transfer floor times, cpu/gpu, encode µs and max|err|)');
    console.log('');
    console.log('per op, against the targets:');
    for (const l of formatTargetSummary(records)) console.log(`  ${l}`);
    console.log('targets:');
    for (const l of TARGETS) console.log(`  ${l}`);
    console.log('');
    const tuneOut = tuneLines(records);
    if (tuneOut.length > 0) {
      for (const l of tuneOut) console.log(l);
      console.log('');
    }
    const granularity = combineGranularities([env.timestampGranularityNs, ...records.map((r) => r.timestampGranularityNs)]);
    console.log(`timestamps: ${describeTimestamps(env.gpuTiming, granularity)}`);
    const zeros = records.reduce((n, r) => n + r.zeroSamples, 0);
    if (zeros > 0) console.log(`timestamps: ${zeros} timed pass(es) read as 0 ns (shorter than the timestamp step)`);
    console.log(`elapsed ${elapsedSeconds.toFixed(0)} s; 1-min load average ${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}`);

    const meta = {
      date: new Date(started).toISOString(),
      argv: process.argv.slice(2),
      loadAverage: { start: loadStart, end: loadEnd },
      cpus: cpus().length,
      elapsedSeconds,
      notes: runtime.notes,
      scope: args.scope,
    };
    const report = buildJsonReport(env, records, meta);
    if (args.json) console.log(`wrote ${write(args.json, JSON.stringify(report, null, 2) + '\n')}`);
    if (args.chart) {
      const svg = renderChart(records, {
        title: `webgpu-norm benchmark · ${[...new Set(records.map((r) => r.dtype))].join(' and ')} · medians of ${args.reps} reps${args.scope === 'partial' ? ' · partial run' : ''}`,
        // Without the device id, which is long and says little, so the line fits the chart.
        subtitle: `${env.runtime} · ${describeAdapter({ ...env, adapter: { ...env.adapter, device: '' } })} · ${meta.date.slice(0, 16).replace('T', ' ')} UTC`,
      });
      console.log(`wrote ${write(args.chart, svg)}`);
    }
    if (args.markdown) {
      const here = dirname(fullPath(args.markdown));
      const link = (to: string) => relative(here, to).split('\\').join('/');
      const markdown = renderMarkdownReport(report, {
        chart: args.chart ? link(fullPath(args.chart)) : undefined,
        docs: link(resolve(root, 'docs')).replace(/(.)$/, '$1/'),
        json: args.json ? shown(fullPath(args.json)) : undefined,
      });
      console.log(`wrote ${write(args.markdown, markdown)}`);
    }
  }
  if (failure instanceof StopRequested) {
    console.error(`bench: ${failure.message} after ${records.length} of ${cases.length} case(s)${records.length > 0 ? '; the report above and the files written hold those' : ''}`);
    return stopStatus(failure.signal);
  }
  if (failure !== undefined) {
    console.error(`bench: failed after ${records.length} of ${cases.length} case(s): ${failure instanceof Error ? failure.message : String(failure)}`);
    return 1;
  }
  const wrong = records.filter((r) => !r.withinTolerance);
  if (wrong.length > 0) {
    console.error(`bench: ${wrong.length} case(s) produced results outside the tolerance: ${wrong.map((r) => `${r.op} ${formatShape(r.rows, r.cols)}`).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
