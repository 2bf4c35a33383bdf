/**
 * Which op × shape cases a run measures. Pure, unit-tested.
 */
import { UsageError, type BenchArgs } from './args.js';
import type { BenchOp } from './core/bench-op.js';
import type { CaseSpec, Shape } from './core/types.js';

/**
 * Default tokens × width shapes: a single token and a batch at BERT/GPT-2 width (768), a long
 * sequence at 768, one token and a batch at LLM width (4096), and a large 1024-wide batch. Sized so
 * the default run stays within a few minutes on SwiftShader on two cores.
 */
export const DEFAULT_SHAPES: readonly Shape[] = [
  { rows: 1, cols: 768 },
  { rows: 128, cols: 768 },
  { rows: 2048, cols: 768 },
  { rows: 1, cols: 4096 },
  { rows: 512, cols: 4096 },
  { rows: 4096, cols: 1024 },
];

/**
 * The cases in run order: dtype by dtype (f32 first), op by op, each over `--shapes` or else its
 * own default shapes (the hook for ops like GroupNorm) or else {@link DEFAULT_SHAPES}. A dtype
 * entry may name the ops and shapes it applies to (the default run's f16 covers the row norms);
 * `--shapes` overrides its shapes.
 *
 * @example
 * ```ts
 * planCases({ ...args, ops: ['layerNorm'], shapes: [{ rows: 1, cols: 768 }] }, BENCH_OPS);
 * ```
 */
export function planCases(args: Pick<BenchArgs, 'ops' | 'shapes' | 'reps' | 'warmup' | 'dtypes'> & Partial<Pick<BenchArgs, 'tune'>>, ops: ReadonlyMap<string, Pick<BenchOp, 'defaultShapes' | 'shapeError'>>): CaseSpec[] {
  const cases = args.dtypes.flatMap(({ dtype, ops: only, shapes: own }) =>
    args.ops
      .filter((name) => only === null || only.includes(name))
      .flatMap((name) => {
        const op = ops.get(name);
        if (!op) throw new Error(`unknown op ${name}`);
        const shapes = args.shapes ?? own ?? op.defaultShapes ?? DEFAULT_SHAPES;
        return shapes.map((shape) => ({ op: name, dtype, shape, reps: args.reps, warmup: args.warmup, ...(args.tune ? { tune: true } : {}) }));
      }),
  );
  // Every case is checked before any runs: on a lent GPU a case failing mid-run wastes its time.
  const bad = new Set<string>();
  for (const c of cases) {
    const why = ops.get(c.op)!.shapeError?.(c.shape);
    if (why) bad.add(`${c.op} ${c.shape.rows}x${c.shape.cols}: ${why}`);
  }
  if (bad.size > 0) throw new UsageError(`--shapes does not fit every op (leave it out, or run such ops with --ops and their own --shapes):\n  ${[...bad].join('\n  ')}`);
  return cases;
}
