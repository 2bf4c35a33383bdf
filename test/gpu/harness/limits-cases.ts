/**
 * Random calls for the limits property (limits-fuzz.ts): every op of the table, shapes from tiny to
 * just past the claimed limits, forced variants (valid and not), imported tuning entries (including
 * split-row entries whose scratch cannot fit), options with the numeric edge values that reach the
 * GPU as f32 (epsilon, gammaOffset), and operand layouts for the encode form (offsets, sizes,
 * usages, some wrong). Pure data: no GPU, no library; the runner materializes a case.
 */
import fc from 'fast-check';
import { OPS, type OpName } from '../../../src/ops/table.js';
import type { ClaimedLimits } from './limits-device.js';

export type Form = 'typed' | 'encode' | 'pass';

/** How one encode-form operand is laid out; `defect` makes it one the library must refuse. */
export interface Layout {
  /** Offset in units of minStorageBufferOffsetAlignment. */
  readonly slot: number;
  /** Extra bytes past the operand (a range may be given with or without `size`). */
  readonly pad: number;
  readonly explicitSize: boolean;
  readonly defect: 'none' | 'misaligned' | 'short' | 'no-storage';
}

export interface LimitsCase {
  readonly op: OpName;
  readonly form: Form;
  readonly dtype: 'f32' | 'f16';
  /** Row families: rows × cols. Channel families: batch × channels × spatial (rows/cols unused). */
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly layout: 'NCHW' | 'NHWC';
  readonly groups: number;
  /** Option values (undefined = not passed). */
  readonly epsilon: number | undefined;
  readonly epsilonMode: 'inside-sqrt' | 'add-to-std' | undefined;
  readonly unbiased: boolean | undefined;
  readonly gammaOffset: number | undefined;
  readonly p: 1 | 2 | undefined;
  readonly withGamma: boolean;
  readonly withBeta: boolean;
  readonly withBias: boolean;
  readonly withDsum: boolean;
  /** Encode form, row-norm, lp-norm and backward: a forced variant (may be invalid or not fit). */
  readonly variant: Record<string, unknown> | undefined;
  /** Row-norm ops: an entry imported for the call's tuning bucket before the call. */
  readonly tuned: Record<string, unknown> | undefined;
  /** Encode form: one layout per operand, in the order the runner places them. */
  readonly layouts: readonly Layout[];
  /** Data: seed and a per-row (per-channel) offset magnitude. */
  readonly seed: number;
  readonly shift: number;
}

/** Epsilon values: defaults and ordinary ones, the f32 edges accepted, and ones that must be refused. */
const EPSILON = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, 1e-5, 1e-3, 0.5), weight: 6 },
  { arbitrary: fc.constantFrom(1.1754943508222875e-38, 3.4028234663852886e38), weight: 2 },
  { arbitrary: fc.constantFrom(1e39, 1e-45, Number.MIN_VALUE, -1e-5, NaN, Infinity), weight: 1 },
);
/** gammaOffset values: ordinary, the smallest normal f32, and ones that are not f32 (refused). */
const GAMMA_OFFSET = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, 0, 1, -0.5), weight: 6 },
  { arbitrary: fc.constant(1.1754943508222875e-38), weight: 1 },
  { arbitrary: fc.constantFrom(3.5e38, 1e-45, -Infinity), weight: 1 },
);

const pow2 = (max: number) => fc.integer({ min: 0, max: Math.log2(max) }).map((e) => 2 ** e);

/** A row-norm variant object: mostly plausible (within the checks), sometimes broken on purpose. */
function rowVariant(split = false): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      reduction: fc.constantFrom('workgroup', 'subgroup', 'workgroup', 'tree'),
      vec4: fc.boolean(),
      workgroupSize: fc.oneof({ arbitrary: pow2(256), weight: 9 }, { arbitrary: fc.constantFrom(3, 512, 0), weight: 1 }),
      tpr: pow2(256),
      cachedChunks: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: 33 }), weight: 1 }),
      rowsPerInvocation: split ? fc.constant(undefined) : fc.constantFrom(undefined, undefined, 1, 2, 4, 3),
      splitRow: fc.oneof({ arbitrary: fc.constant(undefined), weight: split ? 0 : 2 }, { arbitrary: fc.integer({ min: 1, max: 257 }), weight: 2 }),
    })
    .map(({ tpr, ...v }) => {
      const wg = v.workgroupSize;
      return { ...v, threadsPerRow: Math.min(tpr, Math.max(1, wg)), rowsPerInvocation: v.rowsPerInvocation, splitRow: v.splitRow };
    });
}

const lpVariant = fc.record({ rowPerWorkgroup: fc.boolean(), workgroupSize: fc.oneof({ arbitrary: pow2(256), weight: 9 }, { arbitrary: fc.constantFrom(0, 3, 1024), weight: 1 }) });

const layout: fc.Arbitrary<Layout> = fc.record({
  slot: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 8 }), weight: 1 }),
  pad: fc.constantFrom(0, 0, 4, 256),
  explicitSize: fc.boolean(),
  defect: fc.oneof({ arbitrary: fc.constant<'none'>('none'), weight: 40 }, { arbitrary: fc.constantFrom<'misaligned' | 'short' | 'no-storage'>('misaligned', 'short', 'no-storage'), weight: 1 }),
});

/** `v` within checkVariant's rules: the drawn choices kept where they are valid. */
function repairRowVariant(v: Record<string, unknown>, vec4: boolean): Record<string, unknown> {
  const wg = [1, 2, 4, 8, 16, 32, 64, 128, 256].includes(v.workgroupSize as number) ? (v.workgroupSize as number) : 64;
  const rpi = v.rowsPerInvocation === 2 || v.rowsPerInvocation === 4 ? v.rowsPerInvocation : undefined;
  const split = typeof v.splitRow === 'number' && !rpi ? Math.min(256, v.splitRow) : undefined;
  let tpr = Math.min(v.threadsPerRow as number, wg);
  const reduction = v.reduction === 'subgroup' ? 'subgroup' : 'workgroup';
  if (rpi) tpr = 1;
  else if (reduction === 'subgroup' && tpr > 1) tpr = wg;
  const cachedChunks = rpi || (split ?? 1) > 1 ? 0 : Math.min(32, v.cachedChunks as number);
  return { reduction, vec4: vec4 && (v.vec4 as boolean), workgroupSize: wg, threadsPerRow: tpr, cachedChunks, rowsPerInvocation: rpi, splitRow: split };
}

/** Rows × cols of `bytesPer` each: tiny, narrow and many (split scratch), wide up to the binding limit, or just past it. */
function rowShape(limits: ClaimedLimits, bytesPer: number, scratch: boolean): fc.Arbitrary<{ rows: number; cols: number }> {
  const cap = Math.floor(limits.maxStorageBufferBindingSize / bytesPer);
  return fc.oneof(
    { arbitrary: fc.record({ rows: fc.integer({ min: 1, max: 9 }), cols: fc.integer({ min: 1, max: 300 }) }), weight: scratch ? 0 : 8 },
    { arbitrary: fc.record({ rows: fc.integer({ min: 1000, max: 70000 }), cols: fc.integer({ min: 1, max: 8 }) }), weight: scratch ? 6 : 2 },
    { arbitrary: fc.integer({ min: 1, max: 3 }).chain((rows) => fc.record({ rows: fc.constant(rows), cols: fc.integer({ min: Math.floor(cap / rows) - 64, max: Math.floor(cap / rows) + 64 }) })), weight: 2 },
    { arbitrary: fc.record({ rows: fc.integer({ min: 1, max: 2 }), cols: fc.integer({ min: cap + 1, max: 2 * cap }) }), weight: 1 },
  );
}

/** batch × channels × spatial: tiny, many channels (partials and coefficients scratch), or near/past the binding limit. */
function channelShape(limits: ClaimedLimits, bytesPer: number, scratch: boolean): fc.Arbitrary<{ batch: number; channels: number; spatial: number }> {
  const cap = Math.floor(limits.maxStorageBufferBindingSize / bytesPer);
  return fc.oneof(
    { arbitrary: fc.record({ batch: fc.integer({ min: 1, max: 3 }), channels: fc.integer({ min: 1, max: 12 }), spatial: fc.integer({ min: 1, max: 40 }) }), weight: scratch ? 0 : 8 },
    { arbitrary: fc.record({ batch: fc.integer({ min: 1, max: 4 }), channels: fc.integer({ min: 5000, max: 140000 }), spatial: fc.integer({ min: 1, max: 2 }) }), weight: scratch ? 6 : 2 },
    { arbitrary: fc.record({ batch: fc.constant(1), channels: fc.integer({ min: 1, max: 4 }), spatial: fc.integer({ min: Math.floor(cap / 4) - 64, max: cap + 64 }) }), weight: 2 },
  );
}

/**
 * One random call of one op. With `scratch`, the draw leans on what derives scratch sizes: many
 * narrow rows or many channels, and (row-norm) a split-row tuning entry or forced variant nearly
 * always, so a missing scratch guard shows within a few dozen runs.
 *
 * @example
 * ```ts
 * fc.sample(limitsCase({ maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 3 << 19 }), 1);
 * ```
 */
export function limitsCase(limits: ClaimedLimits, scratch = false): fc.Arbitrary<LimitsCase> {
  const ops = Object.keys(OPS) as OpName[];
  return fc
    .record({ op: fc.constantFrom(...ops), dtype: fc.constantFrom<'f32' | 'f16'>('f32', 'f16'), form: fc.constantFrom<Form>('typed', 'encode', 'pass') })
    .chain(({ op, dtype, form }) => {
      const family = OPS[op].family;
      const bytesPer = dtype === 'f16' ? 2 : 4;
      const rowFamily = family === 'row-norm' || family === 'lp-norm' || family === 'backward';
      const rms = op === 'rmsNorm' || op === 'addRmsNorm' || op === 'rmsNormBackward';
      const meanVar = !rms && family !== 'lp-norm' && family !== 'backward';
      return fc.record({
        op: fc.constant(op),
        form: fc.constant(form),
        dtype: fc.constant(dtype),
        shape: rowFamily ? rowShape(limits, bytesPer, scratch).map((s) => ({ ...s, batch: 0, channels: 0, spatial: 0 })) : channelShape(limits, bytesPer, scratch).map((s) => ({ ...s, rows: 0, cols: 0 })),
        layout: fc.constantFrom<'NCHW' | 'NHWC'>('NCHW', 'NHWC'),
        groupsPick: fc.integer({ min: 0, max: 7 }),
        epsilon: family === 'backward' || op === 'batchNormStats' ? fc.constant(undefined) : EPSILON,
        epsilonMode: meanVar && op !== 'batchNormStats' ? fc.constantFrom<'inside-sqrt' | 'add-to-std' | undefined>(undefined, 'inside-sqrt', 'add-to-std') : fc.constant(undefined),
        unbiased: meanVar && op !== 'batchNormInference' ? fc.constantFrom(undefined, false, true) : fc.constant(undefined),
        gammaOffset: rms && family !== 'lp-norm' ? GAMMA_OFFSET : fc.constant(undefined),
        p: family === 'lp-norm' ? fc.constantFrom<1 | 2 | undefined>(undefined, 1, 2) : fc.constant(undefined),
        withGamma: family === 'lp-norm' || op === 'batchNormStats' ? fc.constant(false) : fc.boolean(),
        withBeta: meanVar && op !== 'batchNormStats' ? fc.boolean() : fc.constant(false),
        withBias: OPS[op].family === 'row-norm' && (OPS[op] as { fusedAdd?: boolean }).fusedAdd ? fc.boolean() : fc.constant(false),
        withDsum: family === 'backward' ? fc.boolean() : fc.constant(false),
        variant:
          form !== 'typed' && (family === 'row-norm' || family === 'backward')
            ? fc.option(rowVariant(scratch), { freq: scratch ? 8 : 2 })
            : form !== 'typed' && family === 'lp-norm'
              ? fc.option(lpVariant, { freq: 2 })
              : fc.constant(undefined),
        tuned: family === 'row-norm' ? fc.option(rowVariant(scratch), { freq: scratch ? 8 : 2 }) : fc.constant(undefined),
        layouts: fc.array(layout, { minLength: 10, maxLength: 10 }),
        repair: fc.integer({ min: 0, max: 3 }),
        seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        shift: fc.constantFrom(0, 0, 10, 1000),
      });
    })
    .map(({ shape, groupsPick, variant, tuned, repair, ...c }) => {
      // Three variants in four are made valid for the shape (so they run); the rest stay as drawn.
      const vec4 = c.dtype === 'f32' && shape.cols % 4 === 0;
      if (variant && repair > 0) variant = 'threadsPerRow' in variant ? repairRowVariant(variant, vec4) : { ...variant, workgroupSize: Math.min(256, Math.max(1, variant.workgroupSize as number)) };
      if (tuned && repair > 0) tuned = repairRowVariant(tuned, vec4);
      // groups: a divisor of channels (or, once in eight, one that does not divide: refused).
      const divisors = [1, 2, 3, 4, 6, 8].filter((g) => shape.channels % g === 0);
      const groups = groupsPick === 7 ? shape.channels + 1 : divisors[groupsPick % divisors.length]!;
      return {
        ...c,
        ...shape,
        groups,
        variant: variant ?? undefined,
        tuned: tuned ?? undefined,
        // A vec4 entry must match its bucket (vec4 is part of the key) to be worth importing.
        ...(tuned ? { tuned: { ...tuned, ms: 0.1 } } : {}),
      };
    });
}
