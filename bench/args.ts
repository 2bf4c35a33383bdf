/**
 * Command-line arguments of `npm run bench`. Pure: no I/O, so it is unit-tested.
 */
import { parseArgs } from 'node:util';
import type { Shape } from './core/types.js';

/** The parsed command line. */
export interface BenchArgs {
  /** `--shapes`; null means each op's default shapes. */
  readonly shapes: readonly Shape[] | null;
  readonly ops: readonly string[];
  readonly reps: number;
  readonly warmup: number;
  readonly runtime: 'chromium' | 'node';
  /** Output files; null when disabled with `--no-json` / `--no-chart`. */
  readonly json: OutputFile | null;
  readonly chart: OutputFile | null;
  readonly help: boolean;
  /** Accepted but questionable choices, printed before the run. */
  readonly warnings: readonly string[];
}

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
const DEFAULT_REPS = 30;
const DEFAULT_WARMUP = 3;
/** Where results go unless `--json` / `--chart` say otherwise (gitignored). */
export const RESULTS_DIR = 'bench-results';

export const USAGE = `Usage: npm run bench [-- options]

Times webgpu-norm's kernels (GPU timestamp queries), the convenience form (wall time), the fast
CPU path and a vec4 copy roofline per op and shape, checks each GPU result against the float64
reference, and prints a table. Runs the built dist/ (npm run bench builds it first).

Options:
  --shapes RxC,...    tokens x width, e.g. 128x768,1x4096 (default: each op's default shapes)
  --ops NAME,...      ops to run (default: layerNorm,rmsNorm,groupNorm,layerNormBackward,rmsNormBackward;
                      also groupNormNHWC, batchNormInference, batchNormInferenceNHWC)
  --reps N            timed repetitions per measurement, medians reported (default ${DEFAULT_REPS})
  --warmup N          untimed repetitions before each measurement (default ${DEFAULT_WARMUP})
  --runtime NAME      chromium (headless, default) or node (the webgpu package)
  --json FILE         write one record per op x shape (default ${RESULTS_DIR}/<runtime>.json)
  --chart FILE        write an SVG chart (default ${RESULTS_DIR}/<runtime>.svg)
  --no-json, --no-chart   skip that output
  -h, --help          show this help`;

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
 */
export function parseBenchArgs(argv: readonly string[], knownOps: readonly string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        shapes: { type: 'string' },
        ops: { type: 'string' },
        reps: { type: 'string' },
        warmup: { type: 'string' },
        runtime: { type: 'string' },
        json: { type: 'string' },
        chart: { type: 'string' },
        'no-json': { type: 'boolean' },
        'no-chart': { type: 'boolean' },
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

  const reps = values.reps === undefined ? DEFAULT_REPS : parseCount(values.reps, 'reps', 1);
  if (reps < MIN_RECOMMENDED_REPS) warnings.push(`--reps ${reps} is below ${MIN_RECOMMENDED_REPS}: medians will be noisy (fine for a smoke test)`);
  const warmup = values.warmup === undefined ? DEFAULT_WARMUP : parseCount(values.warmup, 'warmup', 0);

  const output = (given: string | undefined, disabled: boolean | undefined, option: string, ext: string): OutputFile | null => {
    if (disabled && given !== undefined) throw new UsageError(`--${option} and --no-${option} contradict each other`);
    if (disabled) return null;
    if (given !== undefined && given.trim() === '') throw new UsageError(`--${option} expects a file name`);
    return given === undefined ? { path: `${RESULTS_DIR}/${runtime}.${ext}`, explicit: false } : { path: given, explicit: true };
  };

  return {
    shapes,
    ops,
    reps,
    warmup,
    runtime,
    json: output(values.json, values['no-json'], 'json', 'json'),
    chart: output(values.chart, values['no-chart'], 'chart', 'svg'),
    help: values.help ?? false,
    warnings,
  };
}
