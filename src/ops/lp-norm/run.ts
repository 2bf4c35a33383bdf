/**
 * The typed-array form of Lp normalization: validate, upload, record through the encode form,
 * submit, read back, and free every temporary, whatever happens.
 */
import { NormError } from '../../core/errors.js';
import { Transfers, tensorView, type ArrayRunContext } from '../../core/transfers.js';
import { storageBytes, type SameData, type TensorData } from '../../core/tensor.js';
import { checkLpNormScratch, encodeLpNorm, lpNormLayout } from './encode.js';
import { checkLpNormArrays, type LpNormOptions, type LpNormResult } from './options.js';

/**
 * Lp normalization of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y, norm } = await runLpNorm(run, embeddings, { cols: 384 });
 * ```
 */
export async function runLpNorm<X extends TensorData>(ctx: ArrayRunContext, x: X, options: LpNormOptions): Promise<LpNormResult<SameData<X>>> {
  const s = checkLpNormArrays(x, options);
  const bytes = storageBytes(s.rows * s.cols, s.dtype);
  if (bytes > ctx.limits.maxStorageBufferBindingSize) {
    throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxStorageBufferBindingSize (${ctx.limits.maxStorageBufferBindingSize}); split the rows into several calls`, 'x');
  }
  // Every size, and the norms scratch of the layout the encode below will choose, is checked
  // before the first upload: a refusal leaves nothing created.
  const layout = lpNormLayout(ctx, s.rows, s.cols, s.dtype, undefined, s.inner);
  checkLpNormScratch(ctx.limits, s.rows, layout.twoPass, layout.normsBytes);
  const io = new Transfers(ctx, { uploads: [bytes], outputs: [bytes, s.rows * 4], outputNames: ['y', 'norm'] });
  try {
    const y = io.output(bytes, 'y');
    const norm = io.output(s.rows * 4, 'norm');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm lpNorm' });
    encodeLpNorm(ctx, encoder, { rows: s.rows, cols: s.cols, p: s.p, epsilon: s.epsilon, dtype: s.dtype, inner: s.inner, x: io.upload(x, 'x'), y, norm });
    const [yb, nb] = (await io.readBack(encoder, [y, norm])) as [ArrayBuffer, ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.rows * s.cols) as SameData<X>, norm: new Float32Array(nb) };
  } finally {
    io.release();
  }
}
