/**
 * GPU encoding of the LayerNorm / RMSNorm backward passes: operand validation, variant selection
 * (the forward family's rule and variants), and one or two dispatches recorded into the caller's
 * encoder or pass, never submitted:
 *
 * 1. dx (`shaders/backward/row_norm_backward_*.wgsl`): each team (the variant's `threadsPerRow` invocations)
 *    owns a block of consecutive rows; per row one row-wide f32 reduction of (Σg, Σg·x̂) with the
 *    forward kernels' reductions, then dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), and in the same
 *    loop the block's dgamma/dbeta partial sums (Σ dy·x̂, Σ dy per column) into a scratch buffer
 *    the normalizer owns. dy and x are read twice (statistics, then output), never a third time.
 *    One-row-per-invocation teams (CPU adapters) work on {@link CPU_ROWS_AT_ONCE} rows together.
 * 2. The blocks' partials added per column in block order (`shaders/backward/param_grad_final*.wgsl`);
 *    skipped when there is a single block, whose partial rows are dgamma and dbeta themselves
 *    (written straight into the caller's buffers, see `ParamGradSink`).
 *
 * No float atomics anywhere, and every sum has a fixed order, so results are bit-identical from
 * run to run. Stage 2 (and the partials) are skipped when neither dgamma nor dbeta is requested.
 */
import { elementStride, type BufferRange } from '../../core/bindings.js';
import { foldWorkgroups } from '../../core/dispatch.js';
import { NormError } from '../../core/errors.js';
import { checkAliasing, operandResolver, type NamedRange, type Operand } from '../../core/operands.js';
import { getPipeline } from '../../core/pipeline-cache.js';
import type { EncodeTarget, KernelContext } from '../../core/context.js';
import { backwardDxShader, paramGradFinalShader, type ParamGradSink } from './shaders.js';
import { checkTarget, recordDispatches, type RecordedDispatch } from '../../core/record.js';
import { maxScratchBytes, scratchRange } from '../../core/scratch.js';
import type { PortableAccess as Access } from '../row-norm/shaders.js';
import { checkVariant, chunkRotation, profileWithoutF16, selectVariant, type RowNormVariant } from '../row-norm/variant.js';
import { type Dtype, storageBytes } from '../../core/tensor.js';
import { checkBackwardOptions, type BackwardConfig, type BackwardOpName } from './options.js';

interface EncodeBackwardCommon {
  /** Upstream gradient dL/dy, `rows * cols` elements of `dtype`. */
  readonly dy: Operand;
  /** The forward pass's input, same shape and dtype as dy (for the fused add ops: their `sum`). */
  readonly x: Operand;
  /** Output dL/dx, same shape and dtype as x. Must not share a buffer with any input. */
  readonly dx: Operand;
  /** The forward pass's per-feature scale, `cols` f32. Absent means 1. */
  readonly gamma?: Operand | undefined;
  /** The forward pass's per-row rstd, `rows` f32. */
  readonly rstd: Operand;
  /** Output dL/dgamma = Σ_rows dy·x̂, `cols` f32. Absent: not computed. */
  readonly dgamma?: Operand | undefined;
  /**
   * Fused add ops: the gradient reaching the forward op's `sum` output (the residual stream), same
   * shape and dtype as dy; added to dx, which is then the gradient of both `x` and `residual`.
   */
  readonly dsum?: Operand | undefined;
  readonly rows: number;
  readonly cols: number;
  /** `f32` (default) or `f16` (packed halves) for dy, x, dsum and dx. Statistics and parameters are f32. */
  readonly dtype?: Dtype | undefined;
  /** Force a dx kernel variant (tests, tuning); `cachedChunks` and `rowsPerInvocation` are ignored (reported as 0 and absent). */
  readonly variant?: RowNormVariant | undefined;
}

/** GPU operands of the LayerNorm backward pass. */
export interface EncodeLayerNormBackwardOptions extends EncodeBackwardCommon {
  /** The forward pass's per-row mean, `rows` f32. */
  readonly mean: Operand;
  /** Output dL/dbeta = Σ_rows dy, `cols` f32. Absent: not computed. */
  readonly dbeta?: Operand | undefined;
}

/** GPU operands of the RMSNorm backward pass. */
export interface EncodeRmsNormBackwardOptions extends EncodeBackwardCommon {
  /** The forward pass's gammaOffset (1 for Gemma). Default 0. */
  readonly gammaOffset?: number | undefined;
}

type AnyBackwardOptions = EncodeBackwardCommon & { mean?: Operand; dbeta?: Operand; gammaOffset?: number };

/**
 * Rows a one-row-per-invocation team works on together (CPU adapters): gamma is loaded once per
 * chunk for all of them and the dgamma/dbeta partials are written once per group. 4 beat 2 and 1
 * on SwiftShader (4096×1024 LayerNorm backward, dgamma/dbeta included: 1 → 4.2×, 2 → 3.1×,
 * 4 → 2.6× the copy).
 */
export const CPU_ROWS_AT_ONCE = 4;
/**
 * How many row blocks (each with its partial row for the final stage to add) to aim for. The final
 * stage's per-column loop over blocks is strided and latency-bound on CPU adapters (1024 blocks
 * of 4096×1024 took ~24 ms there, a third of the whole pass), so they get fewer, longer blocks;
 * GPUs get more, for more teams in flight.
 */
const CPU_TARGET_BLOCKS = 256;
const GPU_TARGET_BLOCKS = 1024;
/**
 * At most this many groups of rows per block (unless the scratch limit needs more): a block's
 * partial adds one group at a time, so this bounds the run of sequential f32 additions, as the
 * final stage's runs of 32 do for the blocks.
 */
const MAX_GROUPS_PER_BLOCK = 32;
/** Invocations per workgroup of the final dgamma/dbeta stage (one output item each, or more). */
const FINAL_WORKGROUP_SIZE = 64;
/**
 * At most this many workgroups of the final stage on CPU adapters, where each invocation has a
 * fixed cost: the invocations loop over several items instead.
 */
const CPU_FINAL_WORKGROUPS = 4;

/**
 * Bytes one column takes in a dgamma/dbeta partial row, from the final stage's declaration of the
 * partials (`array<f32>`): the scratch is sized from the shader, not from a restated `* 4`. A
 * function, not a module-level constant: the package is one bundled file, and a top-level call in
 * it would keep the backward shaders in every app, even one that imports only `cpu`.
 */
function partialColumnBytes(): number {
  return elementStride(paramGradFinalShader(false), 'main', 'partial');
}

/**
 * How the rows are split into blocks, one per team of the dx kernel, each with its own
 * dgamma/dbeta partial rows (2 · cols f32 of scratch): blocks of `rowsPerBlock` rows (a multiple
 * of `rowsAtOnce`, the rows a team takes together; the last block may be short), about
 * `targetBlocks` of them but at most 32 groups of `rowsAtOnce` rows each, and the scratch within
 * `maxBindingBytes` (which overrides the 32).
 *
 * @example
 * ```ts
 * paramGradBlocks(4096, 1024, 128 << 20, 4, 256); // { rowsPerBlock: 16, blocks: 256 }
 * paramGradBlocks(100_000, 3, 128 << 20, 4, 256); // { rowsPerBlock: 128, blocks: 782 }
 * ```
 */
export function paramGradBlocks(rows: number, cols: number, maxBindingBytes: number, rowsAtOnce = 1, targetBlocks = GPU_TARGET_BLOCKS): { rowsPerBlock: number; blocks: number } {
  const blockBytes = 2 * cols * partialColumnBytes();
  const maxBlocks = Math.floor(maxBindingBytes / blockBytes);
  if (maxBlocks < 1) {
    throw new NormError('limit-exceeded', `cols = ${cols} needs ${blockBytes} bytes of scratch per row block, beyond the device's largest scratch binding (${maxBindingBytes} bytes: maxStorageBufferBindingSize and maxBufferSize)`, 'cols');
  }
  const groups = Math.ceil(rows / rowsAtOnce);
  const perBlock = Math.max(Math.min(Math.ceil(groups / targetBlocks), MAX_GROUPS_PER_BLOCK), Math.ceil(groups / maxBlocks));
  const rowsPerBlock = rowsAtOnce * perBlock;
  return { rowsPerBlock, blocks: Math.ceil(rows / rowsPerBlock) };
}

/**
 * Records the backward pass of `op` (`layerNormBackward` or `rmsNormBackward`; the op table says
 * which forward op it differentiates) into `target`; never submits. Returns the dx kernel's
 * variant. The options are checked by {@link checkBackwardOptions} like every other form's; this
 * adds the GPU operands' checks. The public wrappers are `norm.encodeLayerNormBackward` and
 * `norm.encodeRmsNormBackward`.
 *
 * @example
 * ```ts
 * encodeNormBackward(ctx, encoder, 'layerNormBackward', { dy, x, dx, gamma, mean, rstd, dgamma, dbeta, rows: 128, cols: 768 });
 * ```
 */
export function encodeNormBackward(ctx: KernelContext, target: EncodeTarget, op: BackwardOpName, options: AnyBackwardOptions): RowNormVariant {
  checkTarget(target);
  const config = checkBackwardOptions(op, 'encode', options);
  const { rows, cols, dtype, rms } = config;
  const { limits, profile } = ctx;
  const bytes = storageBytes(rows * cols, dtype);
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new NormError(
      'limit-exceeded',
      `rows * cols = ${rows * cols} ${dtype} elements (${bytes} bytes) exceed maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
      'rows',
    );
  }
  const forced = options.variant !== undefined ? checkVariant(options.variant, cols, dtype, profile) : undefined;
  if (forced?.nativeF16) throw new NormError('invalid-argument', 'nativeF16 is a forward-kernel access: the backward kernels read and write f16 packed', 'variant.nativeF16');
  const { ranges, take: operand } = operandResolver(options, limits, op);
  const dy = operand('dy', bytes, false, true)!;
  const x = operand('x', bytes, false, true)!;
  const dx = operand('dx', bytes, true, true)!;
  // Statistics and parameters (and their gradients) are f32 for every dtype.
  const paramBytes = storageBytes(cols, 'f32');
  const gamma = operand('gamma', paramBytes, false, false);
  const rstd = operand('rstd', storageBytes(rows, 'f32'), false, true)!;
  const dsum = operand('dsum', bytes, false, false);
  const dgamma = operand('dgamma', paramBytes, true, false);
  // RMSNorm's mean and dbeta were refused with the option keys; LayerNorm needs the mean.
  const mean: NamedRange | undefined = rms ? undefined : operand('mean', storageBytes(rows, 'f32'), false, true);
  const dbeta: NamedRange | undefined = rms ? undefined : operand('dbeta', paramBytes, true, false);
  checkAliasing(ranges);
  return recordNormBackward(ctx, target, op, config, forced, { dy, x, dx, gamma, rstd, dsum, dgamma, mean, dbeta });
}

/**
 * A valid backward call's buffers, each resolved to its range, sized and checked for usage and
 * aliasing. Absent optional operands are `undefined`; `mean` and `dbeta` are LayerNorm's.
 *
 * @example
 * ```ts
 * const range = (buffer: GPUBuffer, size: number) => ({ buffer, offset: 0, size });
 * const operands: BackwardOperands = { dy: range(dyBuf, bytes), x: range(xBuf, bytes), dx: range(dxBuf, bytes), rstd: range(rstdBuf, rows * 4) };
 * ```
 */
export interface BackwardOperands {
  readonly dy: BufferRange;
  readonly x: BufferRange;
  readonly dx: BufferRange;
  readonly rstd: BufferRange;
  readonly gamma?: BufferRange | undefined;
  readonly dsum?: BufferRange | undefined;
  readonly dgamma?: BufferRange | undefined;
  readonly mean?: BufferRange | undefined;
  readonly dbeta?: BufferRange | undefined;
}

/**
 * The dx kernel's variant: the forced one or the rule's, without what only the forward kernels
 * use. The forward kernel's rowsPerInvocation and splitRow do not apply (the dx kernel picks its
 * own rows at once and keeps whole rows), and its f16 access is always packed, whatever the
 * device has. Spelled out field by field: an object spread costs microseconds per call in V8.
 */
function dxVariant(chosen: RowNormVariant): RowNormVariant {
  const { reduction, vec4, workgroupSize, threadsPerRow, nativeF16 } = chosen;
  return nativeF16 === undefined ? { reduction, vec4, workgroupSize, threadsPerRow, cachedChunks: 0 } : { reduction, vec4, workgroupSize, threadsPerRow, cachedChunks: 0, nativeF16 };
}

/**
 * Records a backward call that has passed its option and operand checks (only the scratch limit of
 * the dgamma/dbeta partials is checked here): `config` from {@link checkBackwardOptions}
 * (or the typed-array form's `checkBackwardArrays`), `forced` the checked variant if one was given,
 * `operands` checked as {@link encodeNormBackward} checks them. The encode form calls it after its
 * checks; the typed-array form (run.ts) with the buffers it created itself, so that one call is
 * validated once. Never submits; returns the dx kernel's variant.
 *
 * @example
 * ```ts
 * recordNormBackward(ctx, encoder, 'rmsNormBackward', config, undefined, { dy, x, dx, rstd, dgamma });
 * ```
 */
export function recordNormBackward(
  ctx: KernelContext,
  target: EncodeTarget,
  op: BackwardOpName,
  config: BackwardConfig,
  forced: RowNormVariant | undefined,
  operands: BackwardOperands,
): RowNormVariant {
  const { rows, cols, dtype, gammaOffset, rms } = config;
  const { limits, profile, resources, device } = ctx;
  const { dy, x, dx, gamma, rstd, dsum, dgamma, mean, dbeta } = operands;
  const variant = dxVariant(forced ?? selectVariant(profileWithoutF16(profile), { rows, cols, dtype }));
  const paramGrad = dgamma !== undefined || dbeta !== undefined;
  // Several rows per invocation only where a team is one invocation, and only on CPU adapters
  // (GPUs want every row's invocations busy; one row per invocation is not their layout anyway).
  const rowsAtOnce = variant.threadsPerRow === 1 && profile.cpu ? CPU_ROWS_AT_ONCE : 1;
  // The last check (the partials' scratch must fit), before anything is created.
  const { rowsPerBlock, blocks } = paramGrad ? paramGradBlocks(rows, cols, maxScratchBytes(limits), rowsAtOnce, profile.cpu ? CPU_TARGET_BLOCKS : GPU_TARGET_BLOCKS) : { rowsPerBlock: rowsAtOnce, blocks: Math.ceil(rows / rowsAtOnce) };

  // Everything is validated; from here on only recording happens.
  const dispatches: RecordedDispatch[] = [];

  const teamsPerGroup = variant.workgroupSize / variant.threadsPerRow;
  const dxGrid = foldWorkgroups(Math.ceil(blocks / teamsPerGroup), limits.maxComputeWorkgroupsPerDimension);
  // One block (decode-sized row counts): its partial rows are dgamma and dbeta themselves, and the
  // final stage (a whole dispatch for a copy) is skipped. Without dsum the `direct` kernels write
  // both into the caller's buffers (dbeta takes dsum's binding); with dsum, only a lone dgamma can
  // be written directly, as the block's one partial row.
  const sink: ParamGradSink = paramGrad && blocks === 1 && dsum === undefined ? 'direct' : 'partials';
  const dgammaAsPartial = sink === 'partials' && blocks === 1 && dgamma !== undefined && dbeta === undefined;
  const finalStage = paramGrad && sink === 'partials' && !dgammaAsPartial;
  const partial = dgammaAsPartial ? dgamma : finalStage ? scratchRange(resources, 'param-grad-partials', blocks * 2 * cols * partialColumnBytes()) : resources.dummy('partial');

  const access: Access = dtype === 'f16' ? 'f16' : variant.vec4 ? 'vec4' : 'scalar';
  const reduction = variant.threadsPerRow > 1 ? variant.reduction : 'workgroup';
  const dxShader = backwardDxShader(access, reduction, sink);
  const dxConstants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: variant.workgroupSize,
    THREADS_PER_ROW: variant.threadsPerRow,
    ROWS_AT_ONCE: rowsAtOnce,
    HAS_GAMMA: gamma !== undefined,
    GAMMA_OFFSET: gammaOffset,
    RMS: rms,
    HAS_DSUM: dsum !== undefined,
    DGAMMA: dgamma !== undefined,
    DBETA: dbeta !== undefined,
  };
  if (reduction === 'subgroup') dxConstants.SUBGROUP_MIN_SIZE = profile.subgroupMinSize;
  // Rows that alias in L1 walked from a rotated chunk (chunkRotation); absent elsewhere, so other
  // calls keep their pipeline key.
  const rotate = chunkRotation(profile, rowsAtOnce, cols, dtype);
  if (rotate > 0) dxConstants.ROTATE_CHUNKS = rotate;
  // f16 read with the built-in conversion where the device was probed exact (src/core/f16-probe.ts).
  if (access === 'f16' && profile.f16UnpackExact === true) dxConstants.F16_UNPACK_EXACT = true;
  const dxPipeline = getPipeline(device, dxShader, 'main', dxConstants);
  const dxGroup = resources.bindGroup(dxShader, 'main', dxPipeline, {
    params: resources.uniform(dxShader, 'params', { rows, cols, rows_per_team: rowsPerBlock }),
    dy,
    x,
    gamma: gamma ?? resources.dummy('gamma'),
    mean: mean ?? resources.dummy('mean'),
    rstd,
    dx,
    ...(sink === 'direct'
      ? { dgamma_out: dgamma ?? resources.dummy('dgamma'), dbeta_out: dbeta ?? resources.dummy('dbeta') }
      : { dsum: dsum ?? resources.dummy('dsum'), partial }),
  });
  dispatches.push({ label: `webgpu-norm ${op} dx`, pipeline: dxPipeline.pipeline, bindGroup: dxGroup, grid: dxGrid });

  if (finalStage) {
    const vec4 = cols % 4 === 0;
    const items = vec4 ? cols / 4 : cols;
    const finalShader = paramGradFinalShader(vec4);
    const p2 = getPipeline(device, finalShader, 'main', { WORKGROUP_SIZE: FINAL_WORKGROUP_SIZE, HAS_DGAMMA: !!dgamma, HAS_DBETA: !!dbeta });
    const g2 = resources.bindGroup(finalShader, 'main', p2, {
      params: resources.uniform(finalShader, 'params', { items, blocks }),
      partial,
      dgamma: dgamma ?? resources.dummy('dgamma'),
      dbeta: dbeta ?? resources.dummy('dbeta'),
    });
    const workgroups = Math.ceil((2 * items) / FINAL_WORKGROUP_SIZE);
    const grid = foldWorkgroups(profile.cpu ? Math.min(workgroups, CPU_FINAL_WORKGROUPS) : workgroups, limits.maxComputeWorkgroupsPerDimension);
    dispatches.push({ label: `webgpu-norm ${op} dgamma/dbeta`, pipeline: p2.pipeline, bindGroup: g2, grid });
  }

  // One pass for all dispatches: stage 2 sees the dx kernel's partials.
  recordDispatches(target, `webgpu-norm ${op}`, dispatches);
  return variant;
}
