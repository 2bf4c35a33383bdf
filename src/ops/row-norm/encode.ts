/**
 * GPU encoding of the row-normalization family (LayerNorm, RMSNorm, fused residual add + either):
 * operand validation, binding and dispatch. What a call records apart from its buffers (variant,
 * module, constants, grid) is its plan (plan.ts). One kernel family serves all four ops; they
 * differ only in override constants and in whether the module with the residual-add I/O is used.
 */
import { elementStride, type BufferRange } from '../../core/bindings.js';
import { NormError } from '../../core/errors.js';
import { checkAliasing, operandResolver, type NamedRange, type Operand } from '../../core/operands.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import { type EncodeTarget, type KernelContext } from '../../core/context.js';
import { checkTarget, recordDispatches, type RecordedDispatch } from '../../core/record.js';
import { scratchRange } from '../../core/scratch.js';
import { OPS, type RowNormOpName } from '../table.js';
import { resolveRowNormOptions } from './options.js';
import { presenceOf, rowNormPlan, STATS_COPY_WORKGROUP, type RowNormPlan } from './plan.js';
import { addStatsCopyShader } from './shaders.js';
import type { RowNormVariant } from './variant.js';
import { type Dtype, type EpsilonMode, storageBytes } from '../../core/tensor.js';

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
  const config = resolveRowNormOptions(op, options, 'encode');
  const { rows, cols, dtype, outputDtype, residualRows } = config;
  const { statistic, fusedAdd } = OPS[op];
  const { limits, resources } = ctx;
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
  // The option keys were checked above: an operand the op does not take is already refused, so
  // what is given is what the plan's constants and bindings must serve.
  const plan = rowNormPlan(ctx, op, config, presenceOf(options), options.variant, internal.exactSum === true);

  const { ranges, take: operand } = operandResolver(options, limits, op);
  const x = operand('x', bytes, false, true)!;
  const y = operand('y', yBytes, true, true)!;
  const gamma = operand('gamma', cols * 4, false, false);
  const beta = statistic === 'mean-var' ? operand('beta', cols * 4, false, false) : undefined;
  let residual: NamedRange | undefined, bias: NamedRange | undefined, sum: NamedRange | undefined;
  let mean: NamedRange | undefined;
  if (fusedAdd) {
    residual = operand('residual', storageBytes(residualRows * cols, dtype), false, true);
    bias = operand('bias', cols * 4, false, false);
    sum = operand('sum', bytes, true, false);
  }
  if (statistic === 'mean-var') mean = operand('mean', rows * 4, true, false);
  const rstd = operand('rstd', rows * 4, true, false);
  if (statistic === 'mean-var' && (mean === undefined) !== (rstd === undefined)) {
    throw new NormError('invalid-argument', 'give both mean and rstd, or neither', mean ? 'rstd' : 'mean');
  }
  checkAliasing(ranges);
  // From here on the call is valid: the plan's GPU objects may be created.
  recordRowNorm(ctx, target, op, plan, rows, { x, y, gamma, beta, residual, bias, sum, mean, rstd });
  return plan.variant;
}

/**
 * A valid call's buffers: every operand resolved to its range, sized, and checked for usage and
 * aliasing. Absent optional operands are `undefined`.
 *
 * @example
 * ```ts
 * const operands: RowNormOperands = { x: { buffer: xBuf, offset: 0, size: rows * cols * 4 }, y: { buffer: yBuf, offset: 0, size: rows * cols * 4 } };
 * ```
 */
export interface RowNormOperands {
  readonly x: BufferRange;
  readonly y: BufferRange;
  readonly gamma?: BufferRange | undefined;
  readonly beta?: BufferRange | undefined;
  readonly residual?: BufferRange | undefined;
  readonly bias?: BufferRange | undefined;
  readonly sum?: BufferRange | undefined;
  readonly mean?: BufferRange | undefined;
  readonly rstd?: BufferRange | undefined;
}

/**
 * Records a call that has passed every check: `plan` from {@link rowNormPlan} for the resolved
 * options, `operands` checked as {@link encodeRowNorm} checks them. The encode form calls it
 * after its checks; the typed-array form (run.ts) calls it with the buffers it created itself, so
 * that one call is validated once, not once per form it passes through. Never submits.
 *
 * @example
 * ```ts
 * recordRowNorm(ctx, encoder, 'layerNorm', plan, rows, { x, y, gamma, beta });
 * ```
 */
export function recordRowNorm(ctx: KernelContext, target: EncodeTarget, op: RowNormOpName, plan: RowNormPlan, rows: number, operands: RowNormOperands): void {
  const { resources } = ctx;
  const { x, y, gamma, beta, residual, bias, sum, mean, rstd } = operands;
  const { fusedAdd } = OPS[op];
  const { shader } = plan;
  const pipelines = (plan.pipelines ??= plan.phases.map((p) => getPipeline(ctx.device, shader, 'main', p.constants)));
  // A uniform buffer the normalizer has let go (its cache is bounded) is fetched again.
  const params = plan.params && resources.owns(plan.params.buffer) ? plan.params : (plan.params = resources.uniform(shader, 'params', plan.uniform));
  const bound: Record<string, BufferRange> = {
    params,
    x,
    y,
    gamma: gamma ?? resources.dummy('gamma'),
    beta: beta ?? resources.dummy('beta'),
    // Split rows: one partial statistic per row segment, kept between the two dispatches.
    partials: plan.partialEntries > 0 ? scratchRange(resources, 'row-partials', plan.partialEntries * elementStride(shader, 'main', 'partials')) : resources.dummy('partials'),
  };
  if (fusedAdd) {
    bound.residual = residual!;
    bound.bias = bias ?? resources.dummy('bias');
    bound.sum = sum ?? resources.dummy('sum');
  } else {
    bound.mean = mean ?? resources.dummy('mean');
    bound.rstd = rstd ?? resources.dummy('rstd');
  }
  const dispatches: RecordedDispatch[] = plan.phases.map(({ label }, i) => {
    const p = pipelines[i]!;
    return { label, pipeline: p.pipeline, bindGroup: resources.bindGroup(shader, 'main', p, bound), grid: plan.grid };
  });
  if (plan.fusedStats) {
    const p = (plan.statsPipeline ??= getPipeline(ctx.device, addStatsCopyShader, 'main', { WORKGROUP_SIZE: STATS_COPY_WORKGROUP, WRITE_MEAN: mean !== undefined }));
    const copied = {
      params: resources.uniform(addStatsCopyShader, 'params', { rows, first: plan.statsFirst }),
      stats: bound.partials!,
      mean: mean ?? resources.dummy('mean'),
      rstd: rstd!,
    };
    dispatches.push({ label: `${op} statistics`, pipeline: p.pipeline, bindGroup: resources.bindGroup(addStatsCopyShader, 'main', p, copied), grid: plan.statsGrid });
  }
  recordDispatches(target, `webgpu-norm ${op}`, dispatches);
}
