/**
 * The typed-array forms of LayerNorm, RMSNorm and their fused residual-add forms: validate,
 * upload, record through the encode form, submit, read back, and free every temporary, whatever
 * happens.
 */
import { Transfers, checkBindingSize, checkBufferSize, type ArrayRunContext } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import { OPS, type RowNormOpName } from '../table.js';
import { checkRowNormArrays, type LayerNormOptions, type RmsNormOptions, type RowNormKind } from './options.js';
import { encodeRowNorm } from './encode.js';

/**
 * What the row-norm kernel computes for `op`, from the op table.
 *
 * @example
 * ```ts
 * rowNormKind('addRmsNorm'); // { rms: true, add: true }
 * ```
 */
export function rowNormKind(op: RowNormOpName): RowNormKind {
  return { rms: OPS[op].statistic === 'mean-square', add: OPS[op].fusedAdd };
}

/** The options of any row-norm op's typed-array form (the op's own type narrows them). */
export type AnyRowNormOptions = LayerNormOptions & RmsNormOptions & { bias?: Float32Array | undefined };

/** Everything a row-norm op can return; which fields are set depends on the op. */
export interface RowNormOutputs {
  readonly y: TensorData;
  readonly sum?: TensorData;
  readonly mean?: Float32Array;
  readonly rstd?: Float32Array;
}

/**
 * One row-norm op on typed arrays on the GPU: `y`, plus `sum` for the fused add ops, else `rstd`
 * (and `mean` for LayerNorm).
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = await runRowNorm(run, rowNormKind('layerNorm'), x, { cols: 768, gamma, beta });
 * ```
 */
export async function runRowNorm(ctx: ArrayRunContext, kind: RowNormKind, x: TensorData, options: AnyRowNormOptions, residual?: TensorData): Promise<RowNormOutputs> {
  const shape = checkRowNormArrays(kind, x, options, residual);
  const { rows, cols, dtype } = shape;
  const bytes = storageBytes(rows * cols, dtype);
  const outputs: [name: 'y' | 'sum' | 'mean' | 'rstd', size: number][] = [['y', bytes]];
  if (kind.add) outputs.push(['sum', bytes]);
  else {
    if (!kind.rms) outputs.push(['mean', rows * 4]);
    outputs.push(['rstd', rows * 4]);
  }
  const total = outputs.reduce((sum, [, size]) => sum + size, 0);
  // Every limit is checked before anything is allocated.
  checkBufferSize(ctx.limits, bytes, 'x');
  checkBufferSize(ctx.limits, total, 'x', ` (the outputs ${outputs.map(([n]) => n).join(', ')} are read back in one buffer)`);
  checkBindingSize(ctx.limits, bytes, 'x');
  const io = new Transfers(ctx);
  try {
    const out: Record<string, GPUBuffer> = {};
    for (const [name, size] of outputs) out[name] = io.output(size, name);
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm convenience' });
    encodeRowNorm(ctx, encoder, kind, {
      ...shape,
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
      result[name] =
        isActivation && dtype === 'f16'
          ? new Uint16Array(parts[i]!.slice(0, rows * cols * 2))
          : new Float32Array(isActivation ? parts[i]!.slice(0, rows * cols * 4) : parts[i]!);
    });
    return result as { y: TensorData; sum?: TensorData; mean?: Float32Array; rstd?: Float32Array };
  } finally {
    io.release();
  }
}
