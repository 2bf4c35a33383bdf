/**
 * The float64 reference of the LayerNorm / RMSNorm backward passes, against which the GPU
 * gradients are tested (and which is itself tested against central finite differences of the
 * float64 forward pass, test/backward/reference.test.ts).
 *
 * Inputs are taken exactly as the GPU sees them (f16 decoded bit-exactly, mean/rstd as the f32
 * values the forward pass wrote); every sum is a compensated float64 sum; outputs are rounded to
 * the storage type only at the end (`…F64` forms return them unrounded).
 *
 * Per row, with g = dy · (gamma + gammaOffset) and x̂ = (x − mean) · rstd (RMSNorm: x̂ = x · rstd):
 *   LayerNorm  dx = rstd · (g − mean(g) − x̂ · mean(g · x̂))
 *   RMSNorm    dx = rstd · (g − x̂ · mean(g · x̂))
 * and over rows dgamma = Σ dy · x̂, dbeta = Σ dy. With `dsum` (fused add ops), dx += dsum.
 */
import {
  checkBackwardArrays,
  type BackwardOpName,
  type LayerNormBackwardOptions,
  type LayerNormBackwardResult,
  type RmsNormBackwardOptions,
  type RmsNormBackwardResult,
} from './options.js';
import { decodeValues, encodeValues, type Dtype, type SameData, type TensorData } from '../../core/tensor.js';

/** Neumaier-compensated accumulator (one per column for dgamma/dbeta, so it must be cheap). */
class Sum {
  s = 0;
  c = 0;
  add(v: number): void {
    const t = this.s + v;
    this.c += Math.abs(this.s) >= Math.abs(v) ? this.s - t + v : v - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

interface Gradients {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
  dtype: Dtype;
}

function backwardF64(op: BackwardOpName, dyIn: TensorData, xIn: TensorData, options: LayerNormBackwardOptions | RmsNormBackwardOptions): Gradients {
  const { rows, cols, dtype, gammaOffset, rms } = checkBackwardArrays(op, dyIn, xIn, options);
  const dy = decodeValues(dyIn);
  const x = decodeValues(xIn);
  const dsum = options.dsum && decodeValues(options.dsum);
  const { gamma, rstd } = options;
  const mean = rms ? undefined : (options as LayerNormBackwardOptions).mean;
  const dx = new Float64Array(rows * cols);
  const dg = Array.from({ length: cols }, () => new Sum());
  const db = Array.from({ length: cols }, () => new Sum());
  const g = new Float64Array(cols);
  const xh = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const s = rstd[r]!;
    const m = mean ? mean[r]! : 0;
    const sg = new Sum();
    const sgx = new Sum();
    for (let j = 0; j < cols; j++) {
      g[j] = dy[base + j]! * (gamma ? gamma[j]! + gammaOffset : 1 + gammaOffset);
      xh[j] = (x[base + j]! - m) * s;
      sg.add(g[j]!);
      sgx.add(g[j]! * xh[j]!);
      dg[j]!.add(dy[base + j]! * xh[j]!);
      db[j]!.add(dy[base + j]!);
    }
    const mg = rms ? 0 : sg.value / cols;
    const mgx = sgx.value / cols;
    for (let j = 0; j < cols; j++) {
      dx[base + j] = s * (g[j]! - mg - xh[j]! * mgx) + (dsum ? dsum[base + j]! : 0);
    }
  }
  return { dx, dgamma: Float64Array.from(dg, (v) => v.value), dbeta: Float64Array.from(db, (v) => v.value), dtype };
}

/**
 * LayerNorm's gradients in float64, unrounded, from the upstream gradient `dy`, the forward input
 * `x` and the statistics the forward pass returned.
 *
 * @example
 * ```ts
 * const { mean, rstd } = cpu.layerNorm(x, { cols: 768, gamma });
 * const { dx, dgamma, dbeta } = cpu.layerNormBackwardF64(dy, x, { cols: 768, gamma, mean, rstd });
 * ```
 */
export function layerNormBackwardF64(dy: TensorData, x: TensorData, options: LayerNormBackwardOptions): LayerNormBackwardResult<Float64Array, Float64Array> {
  const r = backwardF64('layerNormBackward', dy, x, options);
  return { dx: r.dx, dgamma: r.dgamma, dbeta: r.dbeta };
}

/**
 * LayerNorm's gradients with `dx` in the storage type (Float32Array, or Uint16Array half bits)
 * and f32 dgamma/dbeta: the same signature and results as `norm.layerNormBackward`.
 *
 * @example
 * ```ts
 * const { dx, dgamma, dbeta } = cpu.layerNormBackward(dy, x, { cols: 768, gamma, mean, rstd });
 * ```
 */
export function layerNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: LayerNormBackwardOptions): LayerNormBackwardResult<SameData<X>> {
  const r = backwardF64('layerNormBackward', dy, x, options);
  return { dx: encodeValues(r.dx, r.dtype), dgamma: Float32Array.from(r.dgamma), dbeta: Float32Array.from(r.dbeta) } as LayerNormBackwardResult<SameData<X>>;
}

/**
 * RMSNorm's gradients in float64, unrounded.
 *
 * @example
 * ```ts
 * const { rstd } = cpu.rmsNorm(x, { cols: 4096, gamma });
 * const { dx, dgamma } = cpu.rmsNormBackwardF64(dy, x, { cols: 4096, gamma, rstd });
 * ```
 */
export function rmsNormBackwardF64(dy: TensorData, x: TensorData, options: RmsNormBackwardOptions): RmsNormBackwardResult<Float64Array, Float64Array> {
  const r = backwardF64('rmsNormBackward', dy, x, options);
  return { dx: r.dx, dgamma: r.dgamma };
}

/**
 * RMSNorm's gradients with `dx` in the storage type, as `norm.rmsNormBackward`.
 *
 * @example
 * ```ts
 * const { dx, dgamma } = cpu.rmsNormBackward(dy, x, { cols: 4096, gamma, rstd });
 * ```
 */
export function rmsNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: RmsNormBackwardOptions): RmsNormBackwardResult<SameData<X>> {
  const r = backwardF64('rmsNormBackward', dy, x, options);
  return { dx: encodeValues(r.dx, r.dtype), dgamma: Float32Array.from(r.dgamma) } as RmsNormBackwardResult<SameData<X>>;
}
