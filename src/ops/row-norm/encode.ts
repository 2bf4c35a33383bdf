/**
 * GPU encoding of the row-normalization family (LayerNorm, RMSNorm, fused residual add + either):
 * operand validation, variant selection, uniforms, pipeline constants and dispatch. One kernel
 * family serves all four ops; they differ only in override constants and in whether the module
 * with the residual-add I/O is used.
 */
import { elementStride } from '../../core/bindings.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { NormError } from '../../core/errors.js';
import { checkAliasing, operandResolver, type NamedRange, type Operand } from '../../core/operands.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import { type EncodeTarget, type KernelContext } from '../../core/context.js';
import { checkTarget, recordDispatches, type RecordedDispatch } from '../../core/record.js';
import { checkScratch, scratchRange } from '../../core/scratch.js';
import { OPS, type RowNormOpName } from '../table.js';
import { resolveRowNormOptions } from './options.js';
import { addStatsCopyShader, rowNormShader, type Access } from './shaders.js';
import { tuningKey } from './tuning.js';
import { checkVariant, describeVariant, rowsPerWorkgroup, selectVariant, SPLIT_PARTIAL_BYTES, splitScratchBytes, splitSegments, variantFits, type RowNormVariant } from './variant.js';
import { type Dtype, type EpsilonMode, storageBytes } from '../../core/tensor.js';

/** Invocations per workgroup of the fused ops' statistics copy (one per row). */
const STATS_COPY_WORKGROUP = 64;

interface EncodeCommon {
  /** Input activations, `rows * cols` elements of `dtype`. */
  readonly x: Operand;
  /** Output, same shape as x, in `outputDtype`. Must not overlap any other operand. */
  readonly y: Operand;
  /** Per-feature scale, `cols` f32. */
  readonly gamma?: Operand | undefined;
  readonly rows: number;
  readonly cols: number;
  /** `f32` (default) or `f16` (IEEE halves, packed two per 4 bytes; buffers sized to whole 4-byte words). */
  readonly dtype?: Dtype | undefined;
  /** The dtype y is written in (computed in f32, rounded once). Default `dtype`. */
  readonly outputDtype?: Dtype | undefined;
  /** Force a kernel variant instead of the automatic choice (tests, tuning). */
  readonly variant?: RowNormVariant | undefined;
}

/** GPU operands and shape of one LayerNorm. */
export interface EncodeLayerNormOptions extends EncodeCommon {
  /** Per-feature shift, `cols` f32. */
  readonly beta?: Operand | undefined;
  /** Per-row mean output, `rows` f32 (keep it for the backward pass). Give with `rstd`. */
  readonly mean?: Operand | undefined;
  /** Per-row factor output, `rows` f32. */
  readonly rstd?: Operand | undefined;
  /** Default `1e-5`. */
  readonly epsilon?: number | undefined;
  readonly epsilonMode?: EpsilonMode | undefined;
  readonly unbiased?: boolean | undefined;
}

/** GPU operands and shape of one RMSNorm. */
export interface EncodeRmsNormOptions extends EncodeCommon {
  /** Per-row `1/sqrt(mean(x²) + eps)` output, `rows` f32. */
  readonly rstd?: Operand | undefined;
  /** Default `1e-6`. */
  readonly epsilon?: number | undefined;
  /** 1 for Gemma's `(1 + gamma)`. Default 0. */
  readonly gammaOffset?: number | undefined;
}

interface EncodeAdd {
  /** Added to x: the residual stream (or the sublayer output), `residualRows * cols` of x's dtype. */
  readonly residual: Operand;
  /** Rows of `residual` (default `rows`); divides `rows`, and row r adds residual row r % residualRows. */
  readonly residualRows?: number | undefined;
  /** Per-feature bias added to the sum, `cols` f32. */
  readonly bias?: Operand | undefined;
  /** Output x + residual (+ bias), same shape and dtype as x. Absent: not written. */
  readonly sum?: Operand | undefined;
}

/**
 * GPU operands of the fused residual add + LayerNorm; `mean`/`rstd` (give both or neither) are
 * sum's per-row statistics, written in the same pass.
 */
export interface EncodeAddLayerNormOptions extends EncodeAdd, EncodeLayerNormOptions {}

/** GPU operands of the fused residual add + RMSNorm; `rstd` is sum's per-row factor. */
export interface EncodeAddRmsNormOptions extends EncodeAdd, EncodeRmsNormOptions {}

type AnyEncodeOptions = EncodeCommon &
  Partial<EncodeAdd> & {
    beta?: Operand;
    mean?: Operand;
    rstd?: Operand;
    epsilon?: number;
    epsilonMode?: EpsilonMode;
    unbiased?: boolean;
    gammaOffset?: number;
  };

/**
 * The autotuned winner for the shape's bucket if there is a valid one whose scratch fits the
 * device, else the selection rule (which itself skips splits that would not fit).
 */
function chooseVariant(ctx: KernelContext, op: RowNormOpName, shape: { rows: number; cols: number; dtype: Dtype }): RowNormVariant {
  const tuned = ctx.tuning.entries[tuningKey(ctx.profile, op, shape.dtype, shape.rows, shape.cols)];
  if (tuned) {
    let variant: RowNormVariant | undefined;
    try {
      const { ms: _, ...entry } = tuned;
      variant = checkVariant(entry, shape.cols, shape.dtype, ctx.profile);
    } catch {
      // A bucket shares tuned entries between shapes; one that does not fit this shape (e.g.
      // vec4 for a width that is not a multiple of 4) falls back to the rule.
    }
    if (variant && variantFits(variant, shape.rows, ctx.limits)) return variant;
    if (variant && ctx.debug) {
      // Also shared by a bucket (up to twice the rows it was tuned for), or imported from another
      // device: a split whose scratch is past this device's limits would fail its bind group.
      console.warn(
        `webgpu-norm: the tuned ${op} variant ${describeVariant(variant)} needs ${splitScratchBytes(variant, shape.rows)} bytes of scratch for ${shape.rows} rows, beyond this device's limits; using the selection rule for this call`,
      );
    }
  }
  return selectVariant(ctx.profile, shape, ctx.limits);
}

/**
 * The variant one call of `op` runs with: the forced one (`options.variant`), checked, and
 * refused with `limit-exceeded` when its split-row scratch would not fit the device; else the
 * tuned or rule's choice ({@link chooseVariant}). Creates nothing, so the typed-array form calls
 * it before its uploads.
 *
 * @example
 * ```ts
 * const variant = resolveRowNormVariant(ctx, 'layerNorm', { rows: 1, cols: 65536, dtype: 'f32' }, undefined);
 * ```
 */
export function resolveRowNormVariant(
  ctx: KernelContext,
  op: RowNormOpName,
  shape: { rows: number; cols: number; dtype: Dtype; outputDtype?: Dtype | undefined },
  forced: unknown,
): RowNormVariant {
  // The native-f16 modules serve LayerNorm and RMSNorm writing f16; the fused add forms (residual
  // broadcast, statistics outputs, optional sum) and an f32 y run the packed f16 modules, so the
  // rule, a tuned entry and a forced variant see a profile without shader-f16 there.
  const native = !OPS[op].fusedAdd && (shape.outputDtype ?? shape.dtype) === shape.dtype;
  if (!native && (forced as RowNormVariant | undefined)?.nativeF16 === true) {
    throw new NormError('invalid-argument', `nativeF16 serves layerNorm and rmsNorm with an f16 y; ${op}${OPS[op].fusedAdd ? '' : ' with outputDtype f32'} runs the packed f16 kernels`, 'variant.nativeF16');
  }
  const c = native || ctx.profile.shaderF16 !== true ? ctx : { ...ctx, profile: { ...ctx.profile, shaderF16: false } };
  if (forced === undefined) return chooseVariant(c, op, shape);
  const variant = checkVariant(forced, shape.cols, shape.dtype, c.profile);
  checkScratch(
    ctx.limits,
    `splitRow = ${splitSegments(variant)} over ${shape.rows} rows: the split-row partials`,
    splitScratchBytes(variant, shape.rows),
    'variant.splitRow',
    'use fewer segments or split the rows into several calls',
  );
  return variant;
}

/**
 * Settings of the library's own callers, never of the public options (which users give and
 * `resolveRowNormOptions` validates).
 */
export interface RowNormInternal {
  /**
   * The fused add forms with f16 storage normalize the exact f32 x + residual + bias instead of
   * the sum rounded to f16 (the default, PyTorch's y = norm(sum as stored)); `sum` is still
   * written rounded once. ONNX's Skip* nodes need it (src/onnx/encode.ts). No effect on f32.
   */
  readonly exactSum?: boolean | undefined;
}

/**
 * Records one member of the family into `target`; never submits. Returns the variant used.
 * The options are validated by {@link resolveRowNormOptions} (the same rules and messages as the
 * typed-array form); what is checked here is only what GPU operands add: sizes, usage, alignment
 * and aliasing. The public per-op wrappers live on the normalizer (`encodeLayerNorm`, ...);
 * `internal` is for the library's own callers only (see {@link RowNormInternal}).
 *
 * @example
 * ```ts
 * encodeRowNorm(ctx, encoder, 'layerNorm', { x, y, rows: 128, cols: 768 });
 * encodeRowNorm(ctx, encoder, 'addLayerNorm', { x, residual, y, rows, cols, dtype: 'f16' }, { exactSum: true });
 * ```
 */
export function encodeRowNorm(ctx: KernelContext, target: EncodeTarget, op: RowNormOpName, options: AnyEncodeOptions, internal: RowNormInternal = {}): RowNormVariant {
  checkTarget(target);
  const { rows, cols, dtype, outputDtype, residualRows, epsilon, epsilonMode, unbiased, gammaOffset } = resolveRowNormOptions(op, options, 'encode');
  const { statistic, fusedAdd } = OPS[op];
  const { limits, profile } = ctx;
  const elements = rows * cols;
  const bytes = storageBytes(elements, dtype);
  const yBytes = storageBytes(elements, outputDtype);
  for (const [b, t] of [[bytes, dtype], [yBytes, outputDtype]] as const) {
    if (b > limits.maxStorageBufferBindingSize) {
      throw new NormError(
        'limit-exceeded',
        `rows * cols = ${elements} ${t} elements (${b} bytes) exceed maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
        'rows',
      );
    }
  }
  // Checked (a forced split past the limits refused) before anything is created.
  const variant = resolveRowNormVariant(ctx, op, { rows, cols, dtype, outputDtype }, options.variant);
  const segments = splitSegments(variant);
  // The fused ops' statistics pass through scratch, past the split partials (add_io.wgsl says why).
  const fusedStats = fusedAdd && options.rstd !== undefined;
  const statsFirst = segments > 1 ? rows * segments : 0;
  const partialEntries = statsFirst + (fusedStats ? rows : 0);
  if (fusedStats) {
    checkScratch(limits, `the split partials and per-row statistics of ${rows} rows`, partialEntries * SPLIT_PARTIAL_BYTES, 'rows', 'split the rows into several calls');
  }
  const grid = foldWorkgroups(Math.ceil((rows * segments) / rowsPerWorkgroup(variant)), limits.maxComputeWorkgroupsPerDimension);

  // The option keys were checked above: an operand the op does not take is already refused.
  const { ranges, take: operand } = operandResolver(options, limits, op);
  const x = operand('x', bytes, false, true)!;
  const y = operand('y', yBytes, true, true)!;
  const gamma = operand('gamma', cols * 4, false, false);
  const beta = statistic === 'mean-var' ? operand('beta', cols * 4, false, false) : undefined;
  let residual: NamedRange | undefined, bias: NamedRange | undefined, sum: NamedRange | undefined;
  let mean: NamedRange | undefined, rstd: NamedRange | undefined;
  if (fusedAdd) {
    residual = operand('residual', storageBytes(residualRows * cols, dtype), false, true);
    bias = operand('bias', cols * 4, false, false);
    sum = operand('sum', bytes, true, false);
  }
  if (statistic === 'mean-var') mean = operand('mean', rows * 4, true, false);
  rstd = operand('rstd', rows * 4, true, false);
  if (statistic === 'mean-var' && (mean === undefined) !== (rstd === undefined)) {
    throw new NormError('invalid-argument', 'give both mean and rstd, or neither', mean ? 'rstd' : 'mean');
  }
  checkAliasing(ranges);

  // Packed f16 → f16 with cols % 4 == 0 reads and writes a chunk (two words) at a time: no word is
  // shared between chunks, so no per-element tests or atomics (measured ~5-8x faster on
  // SwiftShader; same bits). The fused add forms too, with every option (bias, broadcast residual,
  // optional sum, statistics, exactSum): add_row_norm_f16_vec.wgsl.
  const packedVec = dtype === 'f16' && cols % 4 === 0 && (outputDtype ?? dtype) === 'f16';
  const access: Access = variant.nativeF16 ? (variant.vec4 ? 'f16x4' : 'f16native') : dtype === 'f16' ? (packedVec ? 'f16vec' : 'f16') : variant.vec4 ? 'vec4' : 'scalar';
  const reduction = variant.threadsPerRow > 1 ? variant.reduction : 'workgroup';
  const shader = rowNormShader(fusedAdd, access, reduction, outputDtype);
  const constants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: variant.workgroupSize,
    THREADS_PER_ROW: variant.threadsPerRow,
    CACHED_CHUNKS: variant.cachedChunks,
    ROWS_PER_INVOCATION: variant.rowsPerInvocation ?? 1,
    HAS_GAMMA: gamma !== undefined,
    HAS_BETA: beta !== undefined,
    GAMMA_OFFSET: gammaOffset,
    RMS: statistic === 'mean-square',
    WRITE_STATS: rstd !== undefined,
    EPS_ADD_TO_STD: epsilonMode === 'add-to-std',
    UNBIASED: unbiased,
  };
  if (fusedAdd) {
    constants.HAS_BIAS = bias !== undefined;
    // Only where they differ from the WGSL defaults, so the usual call keeps its pipeline key.
    if (sum === undefined) constants.WRITE_SUM = false;
    if (residualRows !== rows) constants.RESIDUAL_BROADCAST = true;
    // Only the packed f16 input side rounds the sum (the f32 ones have nothing to round, and
    // resolveRowNormVariant keeps the fused forms off the native-f16 modules).
    if (internal.exactSum === true && (access === 'f16' || access === 'f16vec')) constants.ROUND_SUM = false;
  }
  if (reduction === 'subgroup') constants.SUBGROUP_MIN_SIZE = profile.subgroupMinSize;
  const { resources } = ctx;
  const bound: Record<string, NamedRange | ReturnType<typeof resources.dummy>> = {
    params: resources.uniform(shader, 'params', { rows, cols, epsilon, residual_rows: residualRows }),
    x,
    y,
    gamma: gamma ?? resources.dummy('gamma'),
    beta: beta ?? resources.dummy('beta'),
    // Split rows: one partial statistic per row segment, kept between the two dispatches.
    partials: partialEntries > 0 ? scratchRange(resources, 'row-partials', partialEntries * elementStride(shader, 'main', 'partials')) : resources.dummy('partials'),
  };
  if (fusedAdd) {
    bound.residual = residual!;
    bound.bias = bias ?? resources.dummy('bias');
    bound.sum = sum ?? resources.dummy('sum');
  }
  if (!fusedAdd) {
    bound.mean = mean ?? resources.dummy('mean');
    bound.rstd = rstd ?? resources.dummy('rstd');
  }
  // Split rows: two dispatches of one module, partial statistics per segment, then merge +
  // normalize. Whole rows: one dispatch.
  const phases: { label: string; split: Record<string, number> }[] =
    segments > 1
      ? [
          { label: 'row partial statistics', split: { SPLIT_PHASE: 1, SPLIT_SEGMENTS: segments } },
          { label: 'row merge + normalize', split: { SPLIT_PHASE: 2, SPLIT_SEGMENTS: segments } },
        ]
      : [{ label: `webgpu-norm ${op}`, split: {} }];
  const dispatches: RecordedDispatch[] = phases.map(({ label, split }) => {
    const p = getPipeline(ctx.device, shader, 'main', { ...constants, ...split });
    return { label, pipeline: p.pipeline, bindGroup: resources.bindGroup(shader, 'main', p, bound), grid };
  });
  if (fusedStats) {
    const p = getPipeline(ctx.device, addStatsCopyShader, 'main', { WORKGROUP_SIZE: STATS_COPY_WORKGROUP, WRITE_MEAN: mean !== undefined });
    const copied = {
      params: resources.uniform(addStatsCopyShader, 'params', { rows, first: statsFirst }),
      stats: bound.partials!,
      mean: mean ?? resources.dummy('mean'),
      rstd: rstd!,
    };
    const statsGrid = foldWorkgroups(Math.ceil(rows / STATS_COPY_WORKGROUP), limits.maxComputeWorkgroupsPerDimension);
    dispatches.push({ label: `${op} statistics`, pipeline: p.pipeline, bindGroup: resources.bindGroup(addStatsCopyShader, 'main', p, copied), grid: statsGrid });
  }
  recordDispatches(target, `webgpu-norm ${op}`, dispatches);
  return variant;
}
