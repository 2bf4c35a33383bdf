/**
 * What one row-norm call records, apart from its buffers: the variant, the module and its override
 * constants per dispatch, the grid, the scratch layout and the uniform values. All of it follows
 * from the op, the shape and options, and which optional operands are given, so it is derived once
 * per distinct call and reused. A decode loop records the same LayerNorm once per layer and token,
 * and deriving it anew (variant rule, tuning lookup, constants, their pipeline key) took most of an
 * encode call's own time (docs/design.md, "What an encode call costs").
 */
import type { BufferRange } from '../../core/bindings.js';
import type { KernelContext } from '../../core/context.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { NormError } from '../../core/errors.js';
import type { CachedPipeline } from '../../core/pipeline-cache.js';
import type { OwnedResources } from '../../core/resources.js';
import { checkScratch } from '../../core/scratch.js';
import type { ShaderInfo } from '../../core/shader-info.js';
import type { Dtype } from '../../core/tensor.js';
import { OPS, type RowNormOpName } from '../table.js';
import type { RowNormConfig } from './options.js';
import { rowNormShader, type Access } from './shaders.js';
import { tuningKey } from './tuning.js';
import { checkVariant, chunkRotation, describeVariant, profileWithoutF16, rowsPerWorkgroup, selectVariant, SPLIT_PARTIAL_BYTES, splitScratchBytes, splitSegments, variantFits, type RowNormVariant } from './variant.js';

/** Invocations per workgroup of the fused ops' statistics copy (one per row). */
export const STATS_COPY_WORKGROUP = 64;

/** Plans kept per normalizer; past this many distinct calls the cache starts over. */
const PLAN_CACHE_SIZE = 256;

/**
 * Which optional operands a call gives (each changes the kernel's constants or bindings).
 *
 * @example
 * ```ts
 * const present: RowNormPresence = { gamma: true, beta: true, bias: false, sum: false, mean: false, rstd: false };
 * ```
 */
export interface RowNormPresence {
  readonly gamma: boolean;
  readonly beta: boolean;
  readonly bias: boolean;
  readonly sum: boolean;
  readonly mean: boolean;
  readonly rstd: boolean;
}

/**
 * Which of the optional operands `given` holds (defined, whatever their values): for the encode
 * form its options, for the typed-array form its options plus the outputs it will read back.
 *
 * @example
 * ```ts
 * presenceOf({ x, y, gamma, rows: 8, cols: 768 }); // { gamma: true, beta: false, ... }
 * ```
 */
export function presenceOf(given: { readonly [K in keyof RowNormPresence]?: unknown }): RowNormPresence {
  return {
    gamma: given.gamma !== undefined,
    beta: given.beta !== undefined,
    bias: given.bias !== undefined,
    sum: given.sum !== undefined,
    mean: given.mean !== undefined,
    rstd: given.rstd !== undefined,
  };
}

/**
 * One dispatch of the row-norm module: its label and override constants.
 *
 * @example
 * ```ts
 * const pipelines = plan.phases.map((p) => getPipeline(device, plan.shader, 'main', p.constants));
 * ```
 */
export interface RowNormPhase {
  readonly label: string;
  readonly constants: Readonly<Record<string, number | boolean>>;
}

/**
 * Everything a row-norm call records except its buffers; see the file comment.
 *
 * @example
 * ```ts
 * const plan = rowNormPlan(ctx, 'rmsNorm', config, present, undefined, false);
 * plan.grid; // e.g. [32, 1]: workgroups to dispatch
 * ```
 */
export interface RowNormPlan {
  readonly variant: RowNormVariant;
  readonly shader: ShaderInfo;
  /** One phase for whole rows; two (partial statistics, then merge + normalize) for split rows. */
  readonly phases: readonly RowNormPhase[];
  readonly grid: readonly [number, number];
  /** Entries of split-row partials and, for the fused forms' statistics, per-row entries after them. */
  readonly partialEntries: number;
  /** Where the fused forms' per-row statistics start in the scratch. */
  readonly statsFirst: number;
  /** A fused add form that writes mean/rstd: a third dispatch copies them out of the scratch. */
  readonly fusedStats: boolean;
  readonly statsGrid: readonly [number, number];
  /** The values of the module's `params` uniform struct. */
  readonly uniform: Readonly<Record<string, number>>;
  /** The tuning entry the variant came from (or `undefined`): a plan is stale once it changes. */
  readonly tuned: unknown;
  readonly tuningKey: string;
  /**
   * GPU objects, looked up by the first call that records with the plan, after its operands have
   * passed: a refused call creates nothing.
   */
  pipelines?: readonly CachedPipeline[];
  statsPipeline?: CachedPipeline;
  params?: BufferRange;
}

/** A normalizer's plans by key, and per op the last call's inputs and plan. */
interface PlanCache {
  readonly plans: Map<string, RowNormPlan>;
  readonly last: Partial<Record<RowNormOpName, { readonly config: RowNormConfig; readonly given: number; readonly exactSum: boolean; readonly plan: RowNormPlan }>>;
}

const cacheByOwner = new WeakMap<OwnedResources, PlanCache>();

/**
 * The plan of one call: cached per normalizer by everything it depends on, except with a forced
 * variant (tests and tuning), which is checked and planned on every call. Throws what variant
 * resolution and the scratch check throw, before anything is created.
 *
 * @example
 * ```ts
 * const plan = rowNormPlan(ctx, 'layerNorm', config, { gamma: true, beta: true, bias: false, sum: false, mean: false, rstd: false }, undefined, false);
 * plan.variant; // e.g. { reduction: 'workgroup', vec4: true, workgroupSize: 16, ... }
 * ```
 */
export function rowNormPlan(ctx: KernelContext, op: RowNormOpName, config: RowNormConfig, present: RowNormPresence, forced: unknown, exactSum: boolean): RowNormPlan {
  if (forced !== undefined) return makePlan(ctx, op, config, present, forced, exactSum);
  let cache = cacheByOwner.get(ctx.resources);
  if (!cache) cacheByOwner.set(ctx.resources, (cache = { plans: new Map(), last: {} }));
  const given = +present.gamma | (+present.beta << 1) | (+present.bias << 2) | (+present.sum << 3) | (+present.mean << 4) | (+present.rstd << 5);
  // A model records the same call once per layer: compared field by field, the last call of the op
  // finds its plan without building a key.
  const last = cache.last[op];
  const again = last !== undefined && last.given === given && last.exactSum === exactSum && sameConfig(last.config, config);
  let plan = again ? last.plan : undefined;
  if (!plan) {
    let key = `${op}|${given}|${exactSum}`;
    for (const field in config) key += `|${valueKey(config[field as keyof RowNormConfig])}`;
    plan = cache.plans.get(key);
    if (!plan) {
      plan = makePlan(ctx, op, config, present, undefined, exactSum);
      if (cache.plans.size >= PLAN_CACHE_SIZE) cache.plans.clear();
      cache.plans.set(key, plan);
    }
  }
  if (ctx.tuning.entries[plan.tuningKey] !== plan.tuned) {
    // tune() or importTuning() changed the entry this plan's variant came from: start over.
    cacheByOwner.delete(ctx.resources);
    return rowNormPlan(ctx, op, config, present, forced, exactSum);
  }
  if (!again) cache.last[op] = { config, given, exactSum, plan };
  return plan;
}

/**
 * Whether two calls' resolved options are the same, field by field (every field of the config,
 * so a field added to it cannot be forgotten here), with -0 apart from 0 (see valueKey).
 */
function sameConfig(a: RowNormConfig, b: RowNormConfig): boolean {
  for (const field in a) if (!Object.is(a[field as keyof RowNormConfig], b[field as keyof RowNormConfig])) return false;
  return true;
}

/** -0 keyed apart from 0, as pipeline constants are (`x + -0` and `x + 0` differ for x = -0). */
function valueKey(v: unknown): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function makePlan(ctx: KernelContext, op: RowNormOpName, config: RowNormConfig, present: RowNormPresence, forced: unknown, exactSum: boolean): RowNormPlan {
  const { rows, cols, dtype, outputDtype, residualRows, epsilon, epsilonMode, unbiased, gammaOffset } = config;
  const { statistic, fusedAdd } = OPS[op];
  const { limits, profile } = ctx;
  // Checked (a forced split past the limits refused) before anything is created.
  const { variant, tuned, key: tuningKeyOf } = resolveVariant(ctx, op, { rows, cols, dtype, outputDtype }, forced);
  const segments = splitSegments(variant);
  // The fused ops' statistics pass through scratch, past the split partials (add_io.wgsl says why).
  const fusedStats = fusedAdd && present.rstd;
  const statsFirst = segments > 1 ? rows * segments : 0;
  const partialEntries = statsFirst + (fusedStats ? rows : 0);
  if (fusedStats) {
    checkScratch(limits, `the split partials and per-row statistics of ${rows} rows`, partialEntries * SPLIT_PARTIAL_BYTES, 'rows', 'split the rows into several calls');
  }
  const grid = foldWorkgroups(Math.ceil((rows * segments) / rowsPerWorkgroup(variant)), limits.maxComputeWorkgroupsPerDimension);

  // Packed f16 → f16 with cols % 4 == 0 reads and writes a chunk (two words) at a time: no word is
  // shared between chunks, so no per-element tests or atomics (measured ~5-8x faster on
  // SwiftShader; same bits). The fused add forms too, with every option (bias, broadcast residual,
  // optional sum, statistics, exactSum): add_row_norm_f16_vec.wgsl.
  const packedVec = dtype === 'f16' && cols % 4 === 0 && outputDtype === 'f16';
  const access: Access = variant.nativeF16 ? (variant.vec4 ? 'f16x4' : 'f16native') : dtype === 'f16' ? (packedVec ? 'f16vec' : 'f16') : variant.vec4 ? 'vec4' : 'scalar';
  const reduction = variant.threadsPerRow > 1 ? variant.reduction : 'workgroup';
  const shader = rowNormShader(fusedAdd, access, reduction, outputDtype);
  const gamma = present.gamma;
  const beta = statistic === 'mean-var' && present.beta;
  const constants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: variant.workgroupSize,
    THREADS_PER_ROW: variant.threadsPerRow,
    CACHED_CHUNKS: variant.cachedChunks,
    ROWS_PER_INVOCATION: variant.rowsPerInvocation ?? 1,
    HAS_GAMMA: gamma,
    HAS_BETA: beta,
    GAMMA_OFFSET: gammaOffset,
    RMS: statistic === 'mean-square',
    WRITE_STATS: present.rstd,
    EPS_ADD_TO_STD: epsilonMode === 'add-to-std',
    UNBIASED: unbiased,
  };
  if (fusedAdd) {
    constants.HAS_BIAS = present.bias;
    // Only where they differ from the WGSL defaults, so the usual call keeps its pipeline key.
    if (!present.sum) constants.WRITE_SUM = false;
    if (residualRows !== rows) constants.RESIDUAL_BROADCAST = true;
    // Only the packed f16 input side rounds the sum (the f32 ones have nothing to round, and
    // resolveVariant keeps the fused forms off the native-f16 modules).
    if (exactSum && (access === 'f16' || access === 'f16vec')) constants.ROUND_SUM = false;
  }
  if (reduction === 'subgroup') constants.SUBGROUP_MIN_SIZE = profile.subgroupMinSize;
  // Only where rows alias in L1 (chunkRotation), so other calls keep their pipeline key.
  const rotate = chunkRotation(profile, variant.rowsPerInvocation ?? 1, cols, dtype);
  if (rotate > 0) constants.ROTATE_CHUNKS = rotate;
  // The packed-f16 inputs read with the built-in conversion, where the device was probed exact
  // (src/core/f16-probe.ts; the same bits). Set only there, so other calls keep their pipeline key.
  if ((access === 'f16vec' || access === 'f16') && profile.f16UnpackExact === true) constants.F16_UNPACK_EXACT = true;
  // Split rows: two dispatches of one module, partial statistics per segment, then merge +
  // normalize. Whole rows: one dispatch.
  const phases: RowNormPhase[] =
    segments > 1
      ? [
          { label: 'row partial statistics', constants: { ...constants, SPLIT_PHASE: 1, SPLIT_SEGMENTS: segments } },
          { label: 'row merge + normalize', constants: { ...constants, SPLIT_PHASE: 2, SPLIT_SEGMENTS: segments } },
        ]
      : [{ label: `webgpu-norm ${op}`, constants }];
  return {
    variant,
    shader,
    phases,
    grid,
    partialEntries,
    statsFirst,
    fusedStats,
    statsGrid: foldWorkgroups(Math.ceil(rows / STATS_COPY_WORKGROUP), limits.maxComputeWorkgroupsPerDimension),
    uniform: { rows, cols, epsilon, residual_rows: residualRows },
    tuned,
    tuningKey: tuningKeyOf,
  };
}

/**
 * The autotuned winner for the shape's bucket if there is a valid one whose scratch fits the
 * device, else the selection rule (which itself skips splits that would not fit); with the tuning
 * entry consulted and its key, so that a plan can tell when it is stale.
 */
function chooseVariant(ctx: KernelContext, op: RowNormOpName, shape: { rows: number; cols: number; dtype: Dtype }): { variant: RowNormVariant; tuned: unknown; key: string } {
  const key = tuningKey(ctx.profile, op, shape.dtype, shape.rows, shape.cols);
  const tuned = ctx.tuning.entries[key];
  if (tuned) {
    let variant: RowNormVariant | undefined;
    try {
      const { ms: _, ...entry } = tuned;
      variant = checkVariant(entry, shape.cols, shape.dtype, ctx.profile);
    } catch {
      // A bucket shares tuned entries between shapes; one that does not fit this shape (e.g.
      // vec4 for a width that is not a multiple of 4) falls back to the rule.
    }
    if (variant && variantFits(variant, shape.rows, ctx.limits)) return { variant, tuned, key };
    if (variant && ctx.debug) {
      // Also shared by a bucket (up to twice the rows it was tuned for), or imported from another
      // device: a split whose scratch is past this device's limits would fail its bind group.
      // Said once per plan, that is per distinct call, not on every call.
      console.warn(
        `webgpu-norm: the tuned ${op} variant ${describeVariant(variant)} needs ${splitScratchBytes(variant, shape.rows)} bytes of scratch for ${shape.rows} rows, beyond this device's limits; using the selection rule for this call`,
      );
    }
  }
  return { variant: selectVariant(ctx.profile, shape, ctx.limits), tuned, key };
}

/**
 * The variant one call of `op` runs with: the forced one (`options.variant`), checked, and
 * refused with `limit-exceeded` when its split-row scratch would not fit the device; else the
 * tuned or rule's choice ({@link chooseVariant}). Creates nothing.
 */
function resolveVariant(
  ctx: KernelContext,
  op: RowNormOpName,
  shape: { rows: number; cols: number; dtype: Dtype; outputDtype?: Dtype | undefined },
  forced: unknown,
): { variant: RowNormVariant; tuned: unknown; key: string } {
  // The native-f16 modules serve LayerNorm and RMSNorm writing f16; the fused add forms (residual
  // broadcast, statistics outputs, optional sum) and an f32 y run the packed f16 modules, so the
  // rule, a tuned entry and a forced variant see a profile without shader-f16 there.
  const native = !OPS[op].fusedAdd && (shape.outputDtype ?? shape.dtype) === shape.dtype;
  if (!native && (forced as RowNormVariant | undefined)?.nativeF16 === true) {
    throw new NormError('invalid-argument', `nativeF16 serves layerNorm and rmsNorm with an f16 y; ${op}${OPS[op].fusedAdd ? '' : ' with outputDtype f32'} runs the packed f16 kernels`, 'variant.nativeF16');
  }
  const c = native ? ctx : { ...ctx, profile: profileWithoutF16(ctx.profile) };
  if (forced === undefined) return chooseVariant(c, op, shape);
  const variant = checkVariant(forced, shape.cols, shape.dtype, c.profile);
  checkScratch(
    ctx.limits,
    `splitRow = ${splitSegments(variant)} over ${shape.rows} rows: the split-row partials`,
    splitScratchBytes(variant, shape.rows),
    'variant.splitRow',
    'use fewer segments or split the rows into several calls',
  );
  return { variant, tuned: undefined, key: '' };
}
