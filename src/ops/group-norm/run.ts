/**
 * The typed-array forms of GroupNorm and InstanceNorm: validate, upload, record, submit, read back,
 * and free every temporary, whatever happens.
 */
import { Transfers, tensorView, type ArrayRunContext, type SameData } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { checkGroupNormArrays, type GroupNormOpName, type GroupNormOptions, type GroupNormResult, type InstanceNormOptions } from './options.js';
import { planGroupNorm, recordGroupNorm } from './encode.js';

/**
 * GroupNorm of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = await runGroupNorm(run, x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' });
 * ```
 */
export function runGroupNorm<X extends TensorData>(ctx: ArrayRunContext, x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>> {
  return runOp(ctx, 'groupNorm', x, options);
}

/**
 * InstanceNorm (GroupNorm with one group per channel) of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y } = await runInstanceNorm(run, x, { batch: 4, channels: 64, spatial: 1024, layout: 'NHWC' });
 * ```
 */
export function runInstanceNorm<X extends TensorData>(ctx: ArrayRunContext, x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>> {
  return runOp(ctx, 'instanceNorm', x, options);
}

async function runOp<X extends TensorData>(
  ctx: ArrayRunContext,
  op: GroupNormOpName,
  x: X,
  options: GroupNormOptions | InstanceNormOptions,
): Promise<GroupNormResult<SameData<X>>> {
  // Validated once here; recordGroupNorm adds only the checks of the uploaded operands.
  const s = checkGroupNormArrays(op, x, options);
  // The scratch is checked before the uploads: a refusal leaves nothing created.
  const statBytes = storageBytes(s.batch * s.groups, 'f32');
  const bytes = storageBytes(s.elements, s.dtype);
  const io = new Transfers(ctx, { uploads: [bytes, s.channels * 4], outputs: [bytes, statBytes, statBytes], outputNames: ['y', 'mean', 'rstd'] });
  planGroupNorm(ctx, s);
  try {
    const y = io.output(bytes, 'y');
    const mean = io.output(statBytes, 'mean');
    const rstd = io.output(statBytes, 'rstd');
    const encoder = ctx.device.createCommandEncoder({ label: `webgpu-norm ${op}` });
    recordGroupNorm(ctx, encoder, op, s, {
      x: io.upload(x, 'x'),
      y,
      mean,
      rstd,
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
    });
    const [yb, mb, rb] = (await io.readBack(encoder, [y, mean, rstd])) as [ArrayBuffer, ArrayBuffer, ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.elements) as SameData<X>, mean: new Float32Array(mb), rstd: new Float32Array(rb) };
  } finally {
    io.release();
  }
}
