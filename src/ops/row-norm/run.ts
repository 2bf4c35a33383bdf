/**
 * The typed-array forms of LayerNorm, RMSNorm and their fused residual-add forms: validate,
 * upload, record (the encode form's recording, without its operand checks: the buffers are the
 * call's own), submit, read back, and free every temporary, whatever happens.
 */
import { Transfers, tensorView, type ArrayRunContext } from '../../core/transfers.js';
import type { BufferRange } from '../../core/bindings.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { OPS, type RowNormOpName } from '../table.js';
import { resolveRowNormArrays, type RowNormArrayOptions } from './options.js';
import { recordRowNorm } from './encode.js';
import { rowNormPlan } from './plan.js';

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
  // Every limit is checked before anything is allocated (the Transfers constructor), then the
  // call is planned (the variant chosen, its scratch checked) before the uploads.
  const names = outputs.map(([n]) => n);
  const io = new Transfers(ctx, { uploads: [bytes, cols * 4], outputs: outputs.map(([, size]) => size), outputNames: names });
  const o = options as RowNormArrayOptions;
  const present = { gamma: o.gamma !== undefined, beta: o.beta !== undefined, bias: o.bias !== undefined, sum: names.includes('sum'), mean: names.includes('mean'), rstd: true };
  const plan = rowNormPlan(ctx, op, config, present, undefined, false);
  try {
    const out: Partial<Record<'y' | 'sum' | 'mean' | 'rstd', BufferRange>> = {};
    for (const [name, size] of outputs) out[name] = io.outputRange(size, name);
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm convenience' });
    // These buffers are the call's own (sized here, never shared, never mapped) and the options
    // were checked above, so the call is recorded without passing through the encode form's checks
    // a second time.
    recordRowNorm(ctx, encoder, op, plan, rows, {
      x: io.uploadRange(x, 'x', bytes)!,
      residual: io.uploadRange(residual, 'residual', storageBytes(config.residualRows * cols, dtype)),
      gamma: io.uploadRange(o.gamma, 'gamma', cols * 4),
      beta: io.uploadRange(o.beta, 'beta', cols * 4),
      bias: io.uploadRange(o.bias, 'bias', cols * 4),
      y: out.y!,
      sum: out.sum,
      mean: out.mean,
      rstd: out.rstd,
    });
    const parts = await io.readBack(encoder, outputs.map(([name]) => out[name]!.buffer));
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
