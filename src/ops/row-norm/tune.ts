/**
 * `norm.tune()`: times every candidate variant of a row-norm op at one shape on the user's own
 * adapter, with the same GPU timer as the benchmark (src/core/gpu-timer.ts: timestamp queries
 * where the device has them, each submission opened by an untimed wake-up dispatch; otherwise
 * wall time from submit to done), and records for the shape's bucket the candidate that beats the
 * selection rule's variant round for round by more than TUNE_MARGIN, or else the rule's variant.
 */
import { NormError, checkInteger, describe } from '../../core/errors.js';
import { checkOptionKeys } from '../../core/option-keys.js';
import { GpuTimer, type PassRecorder } from '../../core/gpu-timer.js';
import { Usage } from '../../core/operands.js';
import { storageBytes } from '../../core/tensor.js';
import { checkBindingSize, checkBufferSize, type ArrayRunContext } from '../../core/transfers.js';
import { tunableOps } from '../table.js';
import { encodeRowNorm } from './encode.js';
import { candidateVariants, saveTuning, tuningKey } from './tuning.js';
import { OPS, type RowNormOpName } from '../table.js';
import { checkDtype } from '../../core/tensor.js';
import { describeVariant, type RowNormVariant } from './variant.js';
import { MAX_TUNE_REPETITIONS, pickTuned } from './tune-policy.js';

/**
 * What {@link tuneRowNorm} (`norm.tune()`) measured.
 *
 * @example
 * ```ts
 * const { variant, ms, candidates, timer } = await norm.tune('rmsNorm', { rows: 1, cols: 4096 });
 * console.log(`${describeVariant(variant)}: ${ms.toFixed(3)} ms (${timer}, ${candidates.length} candidates)`);
 * ```
 */
export interface TuneResult {
  /**
   * The variant now used for every shape in the same bucket: the candidate that beat the selection
   * rule's variant round for round by more than `TUNE_MARGIN` (the lowest `vsRule`), else the
   * rule's variant.
   */
  readonly variant: RowNormVariant;
  /** Its median GPU time in milliseconds. */
  readonly ms: number;
  /**
   * Every candidate, fastest median first: `ms` its median time, `vsRule` the median over rounds of
   * its time over the rule's variant's in the same round (the rule's own is 1; below 1 is faster).
   */
  readonly candidates: readonly { readonly variant: RowNormVariant; readonly label: string; readonly ms: number; readonly vsRule: number }[];
  /** How the time was measured: GPU timestamps, or wall time around each submission. */
  readonly timer: 'timestamp-query' | 'wall';
}

/** The shape `norm.tune()` times. */
export interface TuneShape {
  rows: number;
  cols: number;
  dtype?: 'f32' | 'f16';
}

/**
 * Times every candidate variant for `op` at `shape` (an untimed run of each to compile and warm
 * up, then `repetitions` rounds, 3 to `MAX_TUNE_REPETITIONS`, default 7, each timing every
 * candidate once in a shuffled order) and stores the winner in `ctx.tuning`, and in
 * `localStorage` when `persist`: the candidate whose median per-round time over the rule's
 * variant is lowest, if below 1 − `TUNE_MARGIN` (both in tune-policy.ts); else the rule's variant.
 * Candidates come back ranked by their median times.
 *
 * @example
 * ```ts
 * const { variant, candidates } = await tuneRowNorm(run, 'layerNorm', { rows: 512, cols: 4096 }, {}, true);
 * ```
 */
export async function tuneRowNorm(ctx: ArrayRunContext, op: RowNormOpName, shape: TuneShape, options: { repetitions?: number }, persist: boolean): Promise<TuneResult> {
  const ops = tunableOps();
  if (!ops.includes(op)) throw new NormError('invalid-argument', `expected one of ${ops.join(', ')}, got ${describe(op)}`, 'op');
  if (typeof shape !== 'object' || shape === null) throw new NormError('invalid-argument', `expected { rows, cols, dtype? }, got ${describe(shape)}`, 'shape');
  if (typeof options !== 'object' || options === null) throw new NormError('invalid-argument', `expected { repetitions? }, got ${describe(options)}`, 'options');
  // A misspelled key (`dtpye`, `reps`) would otherwise tune f32, or 7 rounds, without a word.
  checkOptionKeys(shape, ['rows', 'cols', 'dtype'], 'tune');
  checkOptionKeys(options, ['repetitions'], 'tune');
  const rows = checkInteger(shape.rows, 'rows');
  const cols = checkInteger(shape.cols, 'cols');
  const dtype = shape.dtype === undefined ? 'f32' : checkDtype(shape.dtype);
  // Bounded: Infinity would time forever, NaN not at all.
  const reps = options.repetitions === undefined ? 7 : checkInteger(options.repetitions, 'repetitions', 3, MAX_TUNE_REPETITIONS);
  const { device, resources, limits } = ctx;
  // Every operand is checked against the device before the first buffer exists: a buffer past
  // maxBufferSize is a device validation error (and a size past 2^53 a TypeError), not a NormError.
  const bytes = storageBytes(rows * cols, dtype);
  const largest = Math.max(bytes, cols * 4);
  if (!Number.isSafeInteger(largest)) {
    throw new NormError('limit-exceeded', `rows * cols = ${rows} * ${cols} ${dtype} elements need ${largest} bytes, beyond 2^53; split the rows into several calls`, 'rows');
  }
  checkBufferSize(limits, largest, 'rows');
  checkBindingSize(limits, largest, 'rows');
  const temps: GPUBuffer[] = [];
  const buffer = (size: number) => {
    const b = resources.createBuffer({ label: 'webgpu-norm tune', size: Math.max(16, Math.ceil(size / 4) * 4), usage: Usage.STORAGE });
    temps.push(b);
    return b;
  };
  const timer = new GpuTimer(device, { label: 'webgpu-norm tune', map: (b) => ctx.map(b) });
  try {
    const operands = {
      rows,
      cols,
      dtype,
      x: buffer(bytes),
      y: buffer(bytes),
      gamma: buffer(cols * 4),
      ...(OPS[op].statistic === 'mean-var' ? { beta: buffer(cols * 4) } : {}),
      ...(OPS[op].fusedAdd ? { residual: buffer(bytes), sum: buffer(bytes) } : {}),
    };
    // Validates the shape once, with the rule's variant, before any candidate runs.
    encodeRowNorm(ctx, device.createCommandEncoder(), op, operands);
    // The fused add forms run the packed f16 modules (see resolveVariant in plan.ts): no native candidates.
    const profile = OPS[op].fusedAdd && ctx.profile.shaderF16 === true ? { ...ctx.profile, shaderF16: false } : ctx.profile;
    const runnable: { variant: RowNormVariant; record: PassRecorder }[] = [];
    const listed = candidateVariants(profile, { rows, cols, dtype }, ctx.limits);
    for (const variant of listed) {
      try {
        encodeRowNorm(ctx, device.createCommandEncoder(), op, { ...operands, variant });
      } catch {
        continue; // not valid for this shape or device (e.g. vec4 with an odd width)
      }
      runnable.push({ variant, record: (pass) => void encodeRowNorm(ctx, pass, op, { ...operands, variant }) });
    }
    // Every candidate is judged against the rule's variant, the first listed: the rule only picks
    // variants the shape and device can run, so it is never skipped; if it were, say so.
    if (runnable[0]?.variant !== listed[0]) throw new Error(`tune(): the selection rule's variant ${describeVariant(listed[0]!)} cannot run at ${rows}x${cols} ${dtype}`);
    const records = runnable.map((c) => c.record);
    await timer.untimed(records, 1); // compile and warm up
    // Each round times every candidate once, in one submission, in a shuffled order: a change of
    // machine load during the run then reaches every candidate alike, instead of whichever ran at
    // the time, and no candidate always follows the same one (whose reads may leave x in cache).
    const times = runnable.map((): number[] => []);
    for (let i = 0; i < reps; i++) {
      const order = shuffledOrder(records.length, i);
      (await timer.sample(order.map((k) => records[k]!))).forEach((ms, j) => times[order[j]!]!.push(ms));
    }
    const picked = pickTuned(times);
    const candidates = runnable.map(({ variant }, k) => ({ variant, label: describeVariant(variant), ms: picked.ms[k]!, vsRule: picked.vsRule[k]! }));
    const chosen = candidates[picked.index]!;
    // Stable: a tie keeps the earlier candidate, and the rule's own choice comes first.
    candidates.sort((a, b) => a.ms - b.ms);
    ctx.tuning.entries[tuningKey(profile, op, dtype, rows, cols)] = { ...chosen.variant, ms: chosen.ms };
    if (persist) saveTuning(ctx.tuning);
    return { variant: chosen.variant, ms: chosen.ms, candidates, timer: timer.mode === 'timestamp-query' ? 'timestamp-query' : 'wall' };
  } finally {
    timer.destroy();
    for (const b of temps) resources.release(b);
  }
}

/**
 * 0 … n − 1 in an order shuffled by `seed` (Fisher–Yates over a small LCG): the same seed, the same
 * order, so a tuning run can be repeated.
 *
 * @example
 * ```ts
 * shuffledOrder(4, 1); // a permutation of [0, 1, 2, 3]
 * ```
 */
export function shuffledOrder(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
