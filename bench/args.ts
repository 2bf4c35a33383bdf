/**
 * Command-line arguments of `npm run bench`. Pure: no I/O, so it is unit-tested.
 */
import { parseArgs } from 'node:util';
import type { Shape } from './core/types.js';
import type { BenchDtype } from './core/dtype.js';

/**
 * One storage dtype of a run, the ops it applies to (null: every op of the run) and, unless
 * `--shapes` says otherwise, its shapes (null: each op's defaults).
 */
export interface DtypePlan {
  readonly dtype: BenchDtype;
  readonly ops: readonly string[] | null;
  readonly shapes?: readonly Shape[] | null;
}

/** The parsed command line. */
export interface BenchArgs {
  /** `--shapes`; null means each op's default shapes. */
  readonly shapes: readonly Shape[] | null;
  readonly ops: readonly string[];
  /**
   * `--dtype`: the storage dtypes, f32 first. Without it: f32 for every op, and f16 for
   * {@link F16_DEFAULT_OPS} (the ops in-browser inference runs on f16 tensors most) on
   * {@link F16_DEFAULT_SHAPES}.
   */
  readonly dtypes: readonly DtypePlan[];
  /** `--wide`: the table with every column (wider than 120 characters). */
  readonly wide: boolean;
  /**
   * `--tune`: for the ops `norm.tune()` serves, also time every candidate variant at each case and
   * report the selection rule's choice against the fastest (the real-GPU kit runs with it). Adds
   * the candidates' time to the run; the other figures do not change.
   */
  readonly tune: boolean;
  readonly reps: number;
  readonly warmup: number;
  readonly runtime: 'chromium' | 'node';
  /**
   * `full`: the default ops, shapes and dtypes with at least {@link MIN_RECOMMENDED_REPS}
   * repetitions; in Chromium, the run docs/performance.md publishes. `partial`: anything less
   * (`--shapes`, `--ops`, `--dtype`, few reps), whose default outputs go to
   * `bench-results/<runtime>-partial-<UTC time>.*`, so they never overwrite another run's.
   */
  readonly scope: RunScope;
  /** Output files; null when disabled with `--no-json` / `--no-chart` / `--no-markdown`. */
  readonly json: OutputFile | null;
  readonly chart: OutputFile | null;
  readonly markdown: OutputFile | null;
  readonly help: boolean;
  /** Accepted but questionable choices, printed before the run. */
  readonly warnings: readonly string[];
}

/** Whether a run is the published one (see {@link BenchArgs.scope}). */
export type RunScope = 'full' | 'partial';

/**
 * An output path. `explicit` paths are the user's (relative to where they ran npm); default ones
 * are relative to the repository root (`bench-results/`, gitignored).
 */
export interface OutputFile {
  readonly path: string;
  readonly explicit: boolean;
}

/** A bad command line; the CLI prints the message and the usage, and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Fewer timed repetitions than this make the medians noisy; allowed (quick checks) but warned. */
export const MIN_RECOMMENDED_REPS = 20;
/** What `npm run bench` runs without --ops: the row norms, the GroupNorm UNet shape, the backward passes. */
export const DEFAULT_OPS: readonly string[] = ['layerNorm', 'rmsNorm', 'groupNorm', 'layerNormBackward', 'rmsNormBackward'];
/** The ops the default run also times on f16 tensors. */
export const F16_DEFAULT_OPS: readonly string[] = ['layerNorm', 'rmsNorm'];
/**
 * Their shapes in the default run: every default row-norm shape, so the f16 figures cover the same
 * large shapes as the f32 ones. (The list was trimmed while the packed f16 kernels took 25–80× the
 * copy on SwiftShader; with the chunk-at-a-time kernels they take 6–11×, and the whole default run
 * about 5 minutes on two cores.)
 */
export const F16_DEFAULT_SHAPES: readonly Shape[] = [
  { rows: 1, cols: 768 },
  { rows: 128, cols: 768 },
  { rows: 2048, cols: 768 },
  { rows: 1, cols: 4096 },
  { rows: 512, cols: 4096 },
  { rows: 4096, cols: 1024 },
];
const DTYPES: readonly BenchDtype[] = ['f32', 'f16'];
const DEFAULT_REPS = 30;
const DEFAULT_WARMUP = 3;
/** Where results go unless `--json` / `--chart` say otherwise (gitignored). */
export const RESULTS_DIR = 'bench-results';
/** Where the full Chromium run publishes its report and chart (committed). */
export const PUBLISHED_MARKDOWN = 'docs/performance.md';
export const PUBLISHED_CHART = 'docs/performance.svg';

export const USAGE = `Usage: npm run bench [-- options]

Times webgpu-norm's kernels (GPU timestamp queries), the convenience form (wall time), the fast
CPU path and a vec4 copy roofline per op and shape, checks each GPU result against the float64
reference, and prints a table. Runs the built dist/ (npm run bench builds it first).

Options:
  --shapes RxC,...    tokens x width, e.g. 128x768,1x4096 (default: each op's default shapes)
  --ops NAME,...      ops to run (default: layerNorm,rmsNorm,groupNorm,layerNormBackward,rmsNormBackward;
                      also lpNorm, groupNormNHWC, batchNormInference, batchNormInferenceNHWC)
  --dtype LIST        storage dtypes, f32 and/or f16, for every op and shape (default: f32 for
                      every op, f16 for ${F16_DEFAULT_OPS.join(" and ")} on their default shapes)
  --reps N            timed repetitions per measurement, medians reported (default ${DEFAULT_REPS})
  --warmup N          untimed repetitions before each measurement (default ${DEFAULT_WARMUP})
  --runtime NAME      chromium (headless, default) or node (the webgpu package)
  --json FILE         write one record per op x shape (default: see below)
  --chart FILE        write an SVG chart (default: see below)
  --markdown FILE     write the markdown report (default: see below)
  --no-json, --no-chart, --no-markdown   skip that output
  --wide              print every column (the default table fits 120 characters)
  --tune              also time every norm.tune() candidate of the tunable ops (layerNorm, rmsNorm)
                      at each case, and report the selection rule's choice against the fastest
  -h, --help          show this help

A full run (default ops, shapes and dtypes, --reps >= ${MIN_RECOMMENDED_REPS}) in Chromium publishes ${PUBLISHED_MARKDOWN}
and ${PUBLISHED_CHART} (its JSON: ${RESULTS_DIR}/chromium.json); in Node it writes ${RESULTS_DIR}/node.*.
Any other run is partial: unless told otherwise it writes ${RESULTS_DIR}/<runtime>-partial-<UTC time>.*,
named by its start, so it never overwrites another run's outputs. A full run that fails part-way
counts as partial too, and so does one stopped by Ctrl-C or SIGTERM (a time limit): it reports and
writes the cases measured so far (a second Ctrl-C exits at once).`;

/**
 * Parses `"128x768"` (also `128×768`, `128*768`) into a shape.
 *
 * @example
 * ```ts
 * parseShape('128x768'); // { rows: 128, cols: 768 }
 * ```
 */
export function parseShape(text: string): Shape {
  const m = /^\s*(\d+)\s*[x×*X]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`bad shape "${text}": expected ROWSxCOLS, e.g. 128x768`);
  const rows = Number(m[1]);
  const cols = Number(m[2]);
  if (rows < 1 || cols < 1 || !Number.isSafeInteger(rows * cols)) throw new UsageError(`bad shape "${text}": rows and cols must be positive`);
  return { rows, cols };
}

function parseCount(text: string, option: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${option} expects an integer >= ${min}, got "${text}"`);
  }
  return n;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses the arguments after `tsx bench/run.ts`. `knownOps` are the registry's names; an unknown
 * op is an error that lists them (matching ignores case, the registry's spelling is kept).
 *
 * @example
 * ```ts
 * parseBenchArgs(['--shapes', '128x768', '--reps', '30'], ['layerNorm']).reps; // 30
 * ```
 *
 * `started` names a partial run's default outputs.
 */
export function parseBenchArgs(argv: readonly string[], knownOps: readonly string[], started: Date = new Date()): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        shapes: { type: 'string' },
        ops: { type: 'string' },
        dtype: { type: 'string' },
        wide: { type: 'boolean' },
        tune: { type: 'boolean' },
        reps: { type: 'string' },
        warmup: { type: 'string' },
        runtime: { type: 'string' },
        json: { type: 'string' },
        chart: { type: 'string' },
        markdown: { type: 'string' },
        'no-json': { type: 'boolean' },
        'no-chart': { type: 'boolean' },
        'no-markdown': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const warnings: string[] = [];

  const runtime = values.runtime ?? 'chromium';
  if (runtime !== 'chromium' && runtime !== 'node') throw new UsageError(`--runtime expects chromium or node, got "${runtime}"`);

  let shapes: Shape[] | null = null;
  if (values.shapes !== undefined) {
    shapes = [];
    for (const s of list(values.shapes).map(parseShape)) {
      if (!shapes.some((t) => t.rows === s.rows && t.cols === s.cols)) shapes.push(s);
    }
    if (shapes.length === 0) throw new UsageError('--shapes is empty');
  }

  const ops: string[] = [];
  for (const name of list(values.ops ?? DEFAULT_OPS.filter((o) => knownOps.includes(o)).join(','))) {
    const known = knownOps.find((k) => k.toLowerCase() === name.toLowerCase());
    if (!known) throw new UsageError(`unknown op "${name}"; known ops: ${knownOps.join(', ')}`);
    if (!ops.includes(known)) ops.push(known);
  }
  if (ops.length === 0) throw new UsageError('--ops is empty');

  let dtypes: DtypePlan[];
  if (values.dtype === undefined) {
    const f16 = ops.filter((o) => F16_DEFAULT_OPS.includes(o));
    dtypes = [{ dtype: 'f32', ops: null }, ...(f16.length > 0 ? [{ dtype: 'f16' as const, ops: f16, shapes: F16_DEFAULT_SHAPES }] : [])];
  } else {
    const named = list(values.dtype.toLowerCase());
    for (const d of named) if (!DTYPES.includes(d as BenchDtype)) throw new UsageError(`--dtype expects f32 and/or f16, got "${d}"`);
    dtypes = DTYPES.filter((d) => named.includes(d)).map((dtype) => ({ dtype, ops: null }));
    if (dtypes.length === 0) throw new UsageError('--dtype is empty');
  }

  const reps = values.reps === undefined ? DEFAULT_REPS : parseCount(values.reps, 'reps', 1);
  if (reps < MIN_RECOMMENDED_REPS) warnings.push(`--reps ${reps} is below ${MIN_RECOMMENDED_REPS}: medians will be noisy (fine for a smoke test)`);
  const warmup = values.warmup === undefined ? DEFAULT_WARMUP : parseCount(values.warmup, 'warmup', 0);

  const scope: RunScope = values.shapes === undefined && values.ops === undefined && values.dtype === undefined && reps >= MIN_RECOMMENDED_REPS ? 'full' : 'partial';
  const stamp = runStamp(started);
  const output = (given: string | undefined, disabled: boolean | undefined, option: OutputKind): OutputFile | null => {
    if (disabled && given !== undefined) throw new UsageError(`--${option} and --no-${option} contradict each other`);
    if (disabled) return null;
    if (given !== undefined && given.trim() === '') throw new UsageError(`--${option} expects a file name`);
    return given === undefined ? defaultOutput(option, runtime, scope, stamp) : { path: given, explicit: true };
  };

  return {
    shapes,
    ops,
    dtypes,
    wide: values.wide ?? false,
    tune: values.tune ?? false,
    reps,
    warmup,
    runtime,
    scope,
    json: output(values.json, values['no-json'], 'json'),
    chart: output(values.chart, values['no-chart'], 'chart'),
    markdown: output(values.markdown, values['no-markdown'], 'markdown'),
    help: values.help ?? false,
    warnings,
  };
}

/** The three outputs of a run. */
export type OutputKind = 'json' | 'chart' | 'markdown';

const EXTENSION: Readonly<Record<OutputKind, string>> = { json: 'json', chart: 'svg', markdown: 'md' };

/**
 * A run's start as it names a partial run's files: `20261206-130512` (UTC).
 *
 * @example
 * ```ts
 * runStamp(new Date('2026-12-06T13:05:12Z')); // '20261206-130512'
 * ```
 */
export function runStamp(started: Date): string {
  return started.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

/**
 * Where an output goes when the command line does not say: a full Chromium run publishes its
 * chart and report in docs/ and keeps its JSON in `bench-results/chromium.json`; a full Node run
 * writes `bench-results/node.*`; a partial run writes `bench-results/<runtime>-partial-<stamp>.*`,
 * named by its start ({@link runStamp}), so no partial run overwrites another's chart.
 *
 * @example
 * ```ts
 * defaultOutput('markdown', 'chromium', 'full', '20261206-130512');    // { path: 'docs/performance.md', explicit: false }
 * defaultOutput('markdown', 'chromium', 'partial', '20261206-130512'); // { path: 'bench-results/chromium-partial-20261206-130512.md', explicit: false }
 * ```
 */
export function defaultOutput(kind: OutputKind, runtime: BenchArgs['runtime'], scope: RunScope, stamp: string): OutputFile {
  const published = scope === 'full' && runtime === 'chromium';
  if (published && kind === 'markdown') return { path: PUBLISHED_MARKDOWN, explicit: false };
  if (published && kind === 'chart') return { path: PUBLISHED_CHART, explicit: false };
  const suffix = scope === 'full' ? '' : `-partial-${stamp}`;
  return { path: `${RESULTS_DIR}/${runtime}${suffix}.${EXTENSION[kind]}`, explicit: false };
}

/**
 * The same command line for a run that turned out partial (a full run that failed part-way):
 * default outputs move to their partial paths, explicit ones stay where the user asked.
 *
 * @example
 * ```ts
 * asPartial(parseBenchArgs([], ops), new Date()).markdown; // { path: 'bench-results/chromium-partial-20261206-130512.md', explicit: false }
 * ```
 */
export function asPartial(args: BenchArgs, started: Date): BenchArgs {
  const stamp = runStamp(started);
  const move = (file: OutputFile | null, kind: OutputKind) => (file === null || file.explicit ? file : defaultOutput(kind, args.runtime, 'partial', stamp));
  return { ...args, scope: 'partial', json: move(args.json, 'json'), chart: move(args.chart, 'chart'), markdown: move(args.markdown, 'markdown') };
}
