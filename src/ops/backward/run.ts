/**
 * The typed-array forms of the LayerNorm and RMSNorm backward passes: validate, upload, record
 * (the encode form's recording, without its operand checks: the buffers are the call's own),
 * submit, read back dx/dgamma/dbeta, and free every temporary, whatever happens.
 */
import { Transfers, checkBindingSize, checkBufferSize, tensorView, type ArrayRunContext } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { checkBackwardArrays, type BackwardOpName, type LayerNormBackwardOptions, type RmsNormBackwardOptions } from './options.js';
import { paramGradBlocks, recordNormBackward } from './encode.js';
import type { BufferRange } from '../../core/bindings.js';
import { maxScratchBytes } from '../../core/scratch.js';

/** What a backward pass returns: `dbeta` for LayerNorm only. */
export interface NormBackwardOutputs {
  readonly dx: TensorData;
  readonly dgamma: Float32Array;
  readonly dbeta: Float32Array | undefined;
}

/**
 * The gradients of `op` (layerNormBackward or rmsNormBackward) of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { dx, dgamma, dbeta } = await runNormBackward(run, 'layerNormBackward', dy, x, { cols: 768, gamma, mean, rstd });
 * ```
 */
export async function runNormBackward(
  ctx: ArrayRunContext,
  op: BackwardOpName,
  dy: TensorData,
  x: TensorData,
  options: LayerNormBackwardOptions | RmsNormBackwardOptions,
): Promise<NormBackwardOutputs> {
  const config = checkBackwardArrays(op, dy, x, options);
  const { rows, cols, dtype, rms } = config;
  const bytes = storageBytes(rows * cols, dtype);
  const outputs: [name: 'dx' | 'dgamma' | 'dbeta', size: number][] = [['dx', bytes], ['dgamma', cols * 4]];
  if (!rms) outputs.push(['dbeta', cols * 4]);
  const total = outputs.reduce((sum, [, size]) => sum + size, 0);
  checkBufferSize(ctx.limits, bytes, 'x');
  checkBufferSize(ctx.limits, total, 'x', ' (dx, dgamma and dbeta are read back in one buffer)');
  checkBindingSize(ctx.limits, bytes, 'x');
  // The dgamma/dbeta partials' per-block size depends only on cols: refused here, before the uploads.
  paramGradBlocks(rows, cols, maxScratchBytes(ctx.limits));
  const io = new Transfers(ctx, { uploads: [bytes, cols * 4, rows * 4], outputs: outputs.map(([, size]) => size), outputNames: outputs.map(([n]) => n) });
  try {
    const out: Partial<Record<'dx' | 'dgamma' | 'dbeta', BufferRange>> = {};
    for (const [name, size] of outputs) out[name] = io.outputRange(size, name);
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm backward convenience' });
    // These buffers are the call's own (sized here, never shared, never mapped) and the options
    // were checked above, so the call is recorded without the encode form's checks a second time.
    recordNormBackward(ctx, encoder, op, config, undefined, {
      dy: io.uploadRange(dy, 'dy', bytes)!,
      x: io.uploadRange(x, 'x', bytes)!,
      dx: out.dx!,
      gamma: io.uploadRange(options.gamma, 'gamma', cols * 4),
      rstd: io.uploadRange(options.rstd, 'rstd', rows * 4)!,
      dsum: io.uploadRange(options.dsum, 'dsum', bytes),
      dgamma: out.dgamma,
      mean: rms ? undefined : io.uploadRange((options as LayerNormBackwardOptions).mean, 'mean', rows * 4),
      dbeta: out.dbeta,
    });
    const [dxBytes, dgammaBytes, dbetaBytes] = await io.readBack(encoder, outputs.map(([name]) => out[name]!.buffer));
    const dxOut = tensorView(dxBytes!, dtype, rows * cols);
    return { dx: dxOut, dgamma: new Float32Array(dgammaBytes!), dbeta: dbetaBytes && new Float32Array(dbetaBytes) };
  } finally {
    io.release();
  }
}
