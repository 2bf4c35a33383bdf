/**
 * The typed-array forms of GroupNorm and InstanceNorm: validate, upload, record through the encode
 * form, submit, read back, and free every temporary, whatever happens.
 */
import { Transfers, tensorView, type ArrayRunContext, type SameData } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { checkGroupNormArrays, type GroupNormOptions, type GroupNormResult, type InstanceNormOptions } from './options.js';
import { encodeGroupNorm, encodeInstanceNorm } from './encode.js';

/**
 * GroupNorm (or, with `instance`, InstanceNorm) of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = await runGroupNorm(run, x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW' });
 * ```
 */
export async function runGroupNorm<X extends TensorData>(
  ctx: ArrayRunContext,
  x: X,
  options: GroupNormOptions | InstanceNormOptions,
  instance = false,
): Promise<GroupNormResult<SameData<X>>> {
  const s = checkGroupNormArrays(x, options, instance);
  const io = new Transfers(ctx);
  try {
    const statBytes = s.batch * s.groups * 4;
    const y = io.output(storageBytes(s.elements, s.dtype), 'y');
    const mean = io.output(statBytes, 'mean');
    const rstd = io.output(statBytes, 'rstd');
    const encoder = ctx.device.createCommandEncoder({ label: instance ? 'webgpu-norm instanceNorm' : 'webgpu-norm groupNorm' });
    const operands = {
      ...options,
      x: io.upload(x, 'x'),
      y,
      mean,
      rstd,
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
      dtype: s.dtype,
      groups: s.groups,
    };
    if (instance) encodeInstanceNorm(ctx, encoder, operands);
    else encodeGroupNorm(ctx, encoder, operands);
    const [yb, mb, rb] = (await io.readBack(encoder, [y, mean, rstd])) as [ArrayBuffer, ArrayBuffer, ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.elements) as SameData<X>, mean: new Float32Array(mb), rstd: new Float32Array(rb) };
  } finally {
    io.release();
  }
}
