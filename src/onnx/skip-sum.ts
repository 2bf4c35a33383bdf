/**
 * The exact sum pass of float16 Skip* nodes (shaders/onnx/skip_sum.wgsl): input + skip (+ bias)
 * in f32 into scratch, unrounded, plus the f16 `input_skip_bias_sum` output when requested. The
 * row norm then reads the exact sum and rounds y once (outputDtype f16); the fused add kernels,
 * which normalize the f16-rounded sum, serve float32 nodes.
 */
import shader from '../../shaders/onnx/skip_sum.wgsl?shader';
import type { BufferRange } from '../core/bindings.js';
import type { EncodeTarget, KernelContext } from '../core/context.js';
import { foldWorkgroups } from '../core/dispatch.js';
import { getPipeline } from '../core/pipeline-cache.js';
import { recordDispatches } from '../core/record.js';
import { scratchRange } from '../core/scratch.js';

const WORKGROUP_SIZE = 64;

/**
 * Records the sum pass; returns the f32 scratch range holding the exact sum (`rows · cols`).
 *
 * @example
 * ```ts
 * const exact = recordSkipSum(ctx, encoder, { rows, cols, residualRows, x, skip, bias, sum });
 * ```
 */
export function recordSkipSum(
  ctx: KernelContext,
  target: EncodeTarget,
  o: { rows: number; cols: number; residualRows: number; x: BufferRange; skip: BufferRange; bias?: BufferRange | undefined; sum?: BufferRange | undefined },
): BufferRange {
  const n = o.rows * o.cols;
  const exact = scratchRange(ctx.resources, 'onnx-exact-sum', n * 4);
  const constants = { WORKGROUP_SIZE, HAS_BIAS: o.bias !== undefined, WRITE_SUM: o.sum !== undefined };
  const pipeline = getPipeline(ctx.device, shader, 'skip_sum', constants);
  const params = ctx.resources.uniform(shader, 'params', { rows: o.rows, cols: o.cols, residual_rows: o.residualRows });
  const bindGroup = ctx.resources.bindGroup(shader, 'skip_sum', pipeline, {
    params,
    x: o.x,
    skip: o.skip,
    bias: o.bias ?? ctx.resources.dummy('bias'),
    exact,
    sum: o.sum ?? ctx.resources.dummy('sum'),
  });
  recordDispatches(target, 'webgpu-norm onnx skip sum', [{ label: 'onnx skip sum', pipeline: pipeline.pipeline, bindGroup, grid: foldWorkgroups(Math.ceil(Math.ceil(n / 2) / WORKGROUP_SIZE), ctx.limits.maxComputeWorkgroupsPerDimension) }]);
  return exact;
}
