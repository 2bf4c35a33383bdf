/**
 * GPU encoding of the LayerNorm / RMSNorm backward passes: operand validation, variant selection
 * (the forward family's rule and variants), and up to three dispatches recorded into the caller's
 * encoder or pass, never submitted:
 *
 * 1. dx per row (`shaders/norm_backward_*.wgsl`): one row-wide f32 reduction of (Σg, Σg·x̂) with
 *    the forward kernels' reductions, then dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).
 * 2. dgamma/dbeta partial sums per (row block, column) into a scratch buffer the normalizer owns
 *    (`shaders/norm_param_grad.wgsl`).
 * 3. The partials added per column in block order (`shaders/norm_param_grad_final.wgsl`).
 *
 * No float atomics anywhere, and every sum has a fixed order, so results are bit-identical from
 * run to run. Stages 2–3 are skipped when neither dgamma nor dbeta is requested.
 */
import { foldWorkgroups, nextPowerOfTwo } from '../dispatch.js';
import { NormError, checkInteger, describe } from '../errors.js';
import { checkAliasing, operandResolver, Usage, type NamedRange, type Operand } from '../operands.js';
import { getPipeline, type CachedPipeline } from '../pipeline-cache.js';
import type { BufferRange } from '../bindings.js';
import type { OwnedResources } from '../resources.js';
import { isCommandEncoder, isComputePass, type EncodeTarget, type KernelContext } from './context.js';
import type { Dtype } from './layer-norm-options.js';
import { backwardDxShader, paramGradFinalShader, paramGradShader } from './norm-backward-shaders.js';
import { activationBytes } from './row-norm.js';
import type { Access } from './row-norm-shaders.js';
import { checkVariant, selectVariant, type LayerNormVariant } from './variant.js';

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
  readonly variant?: LayerNormVariant | undefined;
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

/** Rows are summed in blocks of at least this many before the per-block partials are added. */
const MIN_ROWS_PER_BLOCK = 32;
/** At most this many blocks: stage 3 adds at most 1024 partials per column. */
const MAX_BLOCKS = 1024;

/**
 * How dgamma/dbeta split the rows: `blocks` blocks of `rowsPerBlock` rows (the last may be short),
 * with the scratch (2 · cols f32 per block) within `maxBindingBytes`.
 *
 * @example
 * ```ts
 * paramGradBlocks(100_000, 3, 128 << 20); // { rowsPerBlock: 98, blocks: 1021 }
 * ```
 */
export function paramGradBlocks(rows: number, cols: number, maxBindingBytes: number): { rowsPerBlock: number; blocks: number } {
  const maxBlocks = Math.min(MAX_BLOCKS, Math.floor(maxBindingBytes / (8 * cols)));
  if (maxBlocks < 1) {
    throw new NormError('limit-exceeded', `cols = ${cols} needs ${8 * cols} bytes of scratch per row block, beyond maxStorageBufferBindingSize (${maxBindingBytes})`, 'cols');
  }
  const rowsPerBlock = Math.max(MIN_ROWS_PER_BLOCK, Math.ceil(rows / maxBlocks));
  return { rowsPerBlock, blocks: Math.ceil(rows / rowsPerBlock) };
}

/** The scratch buffer for partial sums, per normalizer. It only grows (doubling), and a buffer it
 * outgrows is kept until the normalizer is destroyed: work already encoded but not yet submitted
 * may still reference it. */
const scratches = new WeakMap<OwnedResources, GPUBuffer>();

function scratch(resources: OwnedResources, bytes: number): BufferRange {
  let b = scratches.get(resources);
  if (!b || b.size < bytes) {
    const size = Math.max(bytes, b ? 2 * b.size : 0, 256);
    b = resources.createBuffer({ label: 'webgpu-norm backward scratch', size, usage: Usage.STORAGE });
    scratches.set(resources, b);
  }
  return { buffer: b, offset: 0, size: bytes };
}

/**
 * Records the LayerNorm (`rms` false) or RMSNorm backward pass into `target`; never submits.
 * Returns the dx kernel's variant. The public wrappers are `norm.encodeLayerNormBackward` and
 * `norm.encodeRmsNormBackward`.
 *
 * @example
 * ```ts
 * encodeNormBackward(ctx, encoder, false, { dy, x, dx, gamma, mean, rstd, dgamma, dbeta, rows: 128, cols: 768 });
 * ```
 */
export function encodeNormBackward(ctx: KernelContext, target: EncodeTarget, rms: boolean, options: AnyBackwardOptions): LayerNormVariant {
  const op = rms ? 'rmsNormBackward' : 'layerNormBackward';
  if (!isCommandEncoder(target) && !isComputePass(target)) {
    throw new NormError('invalid-argument', `expected a GPUCommandEncoder or GPUComputePassEncoder, got ${describe(target)}`, 'target');
  }
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  const { limits, profile, resources, device } = ctx;
  const rows = checkInteger(options.rows, 'rows');
  const cols = checkInteger(options.cols, 'cols');
  const dtype = options.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new NormError('invalid-argument', `expected 'f32' or 'f16', got ${describe(dtype)}`, 'dtype');
  const gammaOffset = options.gammaOffset ?? 0;
  if (typeof gammaOffset !== 'number' || !Number.isFinite(gammaOffset) || (!rms && gammaOffset !== 0)) {
    throw new NormError('invalid-argument', rms ? `expected a finite number, got ${describe(gammaOffset)}` : 'gammaOffset is an RMSNorm option', 'gammaOffset');
  }
  const bytes = activationBytes(rows * cols, dtype);
  if (bytes > limits.maxStorageBufferBindingSize) {
    throw new NormError(
      'limit-exceeded',
      `rows * cols = ${rows * cols} ${dtype} elements (${bytes} bytes) exceed maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the rows into several calls`,
      'rows',
    );
  }
  const forced = options.variant !== undefined ? checkVariant(options.variant, cols, dtype, profile) : undefined;
  // The dx kernel takes one row per invocation at most: rowsPerInvocation is the forward kernel's.
  const { rowsPerInvocation: _forwardOnly, ...chosen } = forced ?? selectVariant(profile, { rows, cols, dtype });
  const variant: LayerNormVariant = { ...chosen, cachedChunks: 0 };
  const rowsPerGroup = variant.workgroupSize / variant.threadsPerRow;
  const dxGrid = foldWorkgroups(Math.ceil(rows / rowsPerGroup), limits.maxComputeWorkgroupsPerDimension);

  const { ranges, take: operand } = operandResolver(options, limits, op);
  const dy = operand('dy', bytes, false, true)!;
  const x = operand('x', bytes, false, true)!;
  const dx = operand('dx', bytes, true, true)!;
  const gamma = operand('gamma', cols * 4, false, false);
  const rstd = operand('rstd', rows * 4, false, true)!;
  const dsum = operand('dsum', bytes, false, false);
  const dgamma = operand('dgamma', cols * 4, true, false);
  let mean: NamedRange | undefined;
  let dbeta: NamedRange | undefined;
  if (rms) {
    for (const name of ['mean', 'dbeta'] as const) {
      if (options[name] !== undefined) throw new NormError('invalid-argument', `RMSNorm has no ${name === 'mean' ? 'mean' : 'beta'}`, name);
    }
  } else {
    mean = operand('mean', rows * 4, false, true);
    dbeta = operand('dbeta', cols * 4, true, false);
  }
  checkAliasing(ranges);

  // Everything is validated; from here on only recording happens.
  const dispatches: [label: string, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: [number, number]][] = [];

  const access: Access = dtype === 'f16' ? 'f16' : variant.vec4 ? 'vec4' : 'scalar';
  const reduction = variant.threadsPerRow > 1 ? variant.reduction : 'workgroup';
  const dxShader = backwardDxShader(access, reduction);
  const dxConstants: Record<string, number | boolean> = {
    WORKGROUP_SIZE: variant.workgroupSize,
    THREADS_PER_ROW: variant.threadsPerRow,
    HAS_GAMMA: gamma !== undefined,
    GAMMA_OFFSET: gammaOffset,
    RMS: rms,
    HAS_DSUM: dsum !== undefined,
  };
  if (reduction === 'subgroup') dxConstants.SUBGROUP_MIN_SIZE = profile.subgroupMinSize;
  const dxKey = `${dxShader.name}|${variant.workgroupSize}|${variant.threadsPerRow}|${+!!gamma}${+rms}${+!!dsum}|${gammaOffset}`;
  const dxPipeline = getPipeline(device, dxShader, 'main', dxConstants, dxKey);
  const dxGroup = resources.bindGroup(dxShader, 'main', dxPipeline, {
    params: resources.uniform(dxShader, 'params', { rows, cols }),
    dy,
    x,
    gamma: gamma ?? resources.dummy('gamma'),
    mean: mean ?? resources.dummy('mean'),
    rstd,
    dx,
    dsum: dsum ?? resources.dummy('dsum'),
  });
  dispatches.push([`webgpu-norm ${op} dx`, dxPipeline.pipeline, dxGroup, dxGrid]);

  if (dgamma || dbeta) {
    const { rowsPerBlock, blocks } = paramGradBlocks(rows, cols, limits.maxStorageBufferBindingSize);
    const partial = scratch(resources, blocks * 2 * cols * 4);
    // Narrow rows (cols = 3) would leave most of a 64-wide workgroup idle.
    const wg = Math.min(64, Math.max(4, nextPowerOfTwo(cols)));
    const colGroups = Math.ceil(cols / wg);
    const p1: CachedPipeline = getPipeline(device, paramGradShader, 'main', { WORKGROUP_SIZE: wg, RMS: rms, F16: dtype === 'f16' }, `pg|${wg}|${+rms}|${dtype}`);
    const g1 = resources.bindGroup(paramGradShader, 'main', p1, {
      params: resources.uniform(paramGradShader, 'params', { rows, cols, rows_per_block: rowsPerBlock, col_groups: colGroups }),
      dy,
      x,
      mean: mean ?? resources.dummy('mean'),
      rstd,
      partial,
    });
    dispatches.push([`webgpu-norm ${op} dgamma/dbeta partials`, p1.pipeline, g1, foldWorkgroups(colGroups * blocks, limits.maxComputeWorkgroupsPerDimension)]);
    const p2 = getPipeline(device, paramGradFinalShader, 'main', { WORKGROUP_SIZE: 64, HAS_DGAMMA: !!dgamma, HAS_DBETA: !!dbeta }, `pgf|${+!!dgamma}${+!!dbeta}`);
    const g2 = resources.bindGroup(paramGradFinalShader, 'main', p2, {
      params: resources.uniform(paramGradFinalShader, 'params', { cols, blocks }),
      partial,
      dgamma: dgamma ?? resources.dummy('dgamma'),
      dbeta: dbeta ?? resources.dummy('dbeta'),
    });
    dispatches.push([`webgpu-norm ${op} dgamma/dbeta`, p2.pipeline, g2, foldWorkgroups(Math.ceil((2 * cols) / 64), limits.maxComputeWorkgroupsPerDimension)]);
  }

  // One pass for all dispatches: WebGPU orders dispatches (and makes their writes visible) within
  // a pass, so stage 3 sees stage 2's partials.
  const pass = isComputePass(target) ? target : target.beginComputePass({ label: `webgpu-norm ${op}` });
  for (const [, pipeline, group, grid] of dispatches) {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(grid[0], grid[1]);
  }
  if (pass !== target) pass.end();
  return variant;
}
