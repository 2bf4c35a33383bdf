/**
 * The typed-array forms of LayerNorm, RMSNorm and their fused residual-add forms: validate,
 * upload, record through the encode form, submit, read back, and free every temporary, whatever
 * happens.
 */
import { Transfers, checkBindingSize, checkBufferSize, tensorView, type ArrayRunContext } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { OPS, type RowNormOpName } from '../table.js';
import { resolveRowNormArrays, type RowNormArrayOptions } from './options.js';
import { encodeRowNorm } from './encode.js';
import { presenceOf, rowNormPlan } from './plan.js';

/** Everything a row-norm op can return; which fields are set depends on the op. */
export interface RowNormOutputs {
  readonly y: TensorData;
  readonly sum?: TensorData;
  readonly mean?: Float32Array;
  readonly rstd?: Float32Array;
}

/**
 * One row-norm op on typed arrays on the GPU: `y` (in `outputDtype`), `sum` for the fused add
 * ops, `rstd`, and `mean` for the LayerNorm ops.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = await runRowNorm(run, 'layerNorm', x, { cols: 768, gamma, beta });
 * ```
 */
export async function runRowNorm(ctx: ArrayRunContext, op: RowNormOpName, x: TensorData, options: RowNormArrayOptions, residual?: TensorData): Promise<RowNormOutputs> {
  const config = resolveRowNormArrays(op, x, options, residual);
  const { rows, cols, dtype, outputDtype } = config;
  const bytes = storageBytes(rows * cols, dtype);
  const yBytes = storageBytes(rows * cols, outputDtype);
  const outputs: [name: 'y' | 'sum' | 'mean' | 'rstd', size: number][] = [['y', yBytes]];
  if (OPS[op].fusedAdd) outputs.push(['sum', bytes]);
  if (OPS[op].statistic === 'mean-var') outputs.push(['mean', rows * 4]);
  outputs.push(['rstd', rows * 4]);
  const total = outputs.reduce((sum, [, size]) => sum + size, 0);
  // Every limit is checked before anything is allocated.
  checkBufferSize(ctx.limits, Math.max(bytes, yBytes), 'x');
  checkBufferSize(ctx.limits, total, 'x', ` (the outputs ${outputs.map(([n]) => n).join(', ')} are read back in one buffer)`);
  checkBindingSize(ctx.limits, Math.max(bytes, yBytes), 'x');
  // Planned (the variant chosen, its scratch checked) before the uploads; the encode below finds
  // the same plan in the cache, since it is given these options and these outputs.
  rowNormPlan(ctx, op, config, presenceOf({ ...options, ...Object.fromEntries(outputs) }), undefined, false);
  const io = new Transfers(ctx, { uploads: [bytes, cols * 4], outputs: outputs.map(([, size]) => size), outputNames: outputs.map(([n]) => n) });
  try {
    const out: Record<string, GPUBuffer> = {};
    for (const [name, size] of outputs) out[name] = io.output(size, name);
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm convenience' });
    // The caller's options (already valid for op, and every typed-array key is an encode key)
    // with the arrays replaced by their uploads; rows and dtype as derived from x.
    encodeRowNorm(ctx, encoder, op, {
      ...options,
      rows,
      dtype,
      x: io.upload(x, 'x'),
      residual: residual && io.upload(residual, 'residual'),
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
      bias: options.bias && io.upload(options.bias, 'bias'),
      y: out.y!,
      sum: out.sum,
      mean: out.mean,
      rstd: out.rstd,
    });
    const parts = await io.readBack(encoder, outputs.map(([name]) => out[name]!));
    const result: Partial<Record<'y' | 'sum' | 'mean' | 'rstd', TensorData>> = {};
    outputs.forEach(([name], i) => {
      const isActivation = name === 'y' || name === 'sum';
      // Views of the bytes read back (copied out of the mapping once), no further copy.
      result[name] = isActivation ? tensorView(parts[i]!, name === 'y' ? outputDtype : dtype, rows * cols) : new Float32Array(parts[i]!, 0, rows);
    });
    return result as { y: TensorData; sum?: TensorData; mean?: Float32Array; rstd?: Float32Array };
  } finally {
    io.release();
  }
}
