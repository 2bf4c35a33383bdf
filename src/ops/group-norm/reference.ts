/**
 * The float64 reference of GroupNorm and InstanceNorm: what every GPU result is checked against.
 * Written for exactness, not speed: f16 inputs are decoded exactly, statistics accumulate in
 * float64 with compensated sums, the variance is the two-pass sum of squared deviations, and
 * outputs are rounded once at the end (to f32, or through `f32ToF16` exactly as the GPU rounds).
 */
import { f16ToF32, f32ToF16 } from '../../core/f16.js';
import {
  checkGroupNormArrays,
  type GroupNormOptions,
  type GroupNormResult,
  type GroupNormShape,
  type InstanceNormOptions,
} from './options.js';
import { elementIndex } from '../channel/options.js';
import { decodeValues, type Dtype, encodeValues, type EpsilonMode, type TensorData } from '../../core/tensor.js';

/**
 * Neumaier-compensated float64 accumulator (the error of a sum of a million terms stays at a few
 * ULP of float64, far below anything the f32 GPU results are compared at).
 *
 * @example
 * ```ts
 * const s = new CompensatedSum();
 * s.add(1e16); s.add(1); s.add(-1e16);
 * s.value; // 1
 * ```
 */
export class CompensatedSum {
  private sum = 0;
  private c = 0;
  add(v: number): void {
    const t = this.sum + v;
    this.c += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }
  get value(): number {
    return this.sum + this.c;
  }
}

/**
 * The normalizing factor for a variance, under either epsilon convention.
 *
 * @example
 * ```ts
 * rstdOf(4, 0, 'inside-sqrt'); // 0.5
 * rstdOf(4, 1, 'add-to-std');  // 1/3
 * ```
 */
export function rstdOf(variance: number, epsilon: number, mode: EpsilonMode): number {
  return mode === 'add-to-std' ? 1 / (Math.sqrt(variance) + epsilon) : 1 / Math.sqrt(variance + epsilon);
}

/**
 * SiLU, `v · sigmoid(v)`, in float64: sigmoid from `e = exp(−|v|)` (as the GPU computes it), so no
 * intermediate overflows: silu(−1000) = −0, silu(1000) = 1000, silu(NaN) = NaN.
 *
 * @example
 * ```ts
 * silu(0);    // 0
 * silu(-100); // -3.7e-42
 * ```
 */
export function silu(v: number): number {
  const e = Math.exp(-Math.abs(v));
  return v * ((v >= 0 ? 1 : e) / (1 + e));
}

function groupNormShaped(x: TensorData, s: GroupNormShape, gamma?: Float32Array, beta?: Float32Array): GroupNormResult<Float64Array, Float64Array> {
  const v = decodeValues(x);
  const { batch, groups, channelsPerGroup: cg, spatial } = s;
  const y = new Float64Array(v.length);
  const mean = new Float64Array(batch * groups);
  const rstd = new Float64Array(batch * groups);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      // Visit the group's elements in (channel, position) order, whatever the layout.
      const each = (f: (i: number, c: number) => void) => {
        for (let c = g * cg; c < (g + 1) * cg; c++) for (let p = 0; p < spatial; p++) f(elementIndex(s, n, c, p), c);
      };
      const sum = new CompensatedSum();
      each((i) => sum.add(v[i]!));
      const m = sum.value / s.groupSize;
      const sq = new CompensatedSum();
      each((i) => sq.add((v[i]! - m) ** 2));
      const r = rstdOf(sq.value / (s.unbiased ? s.groupSize - 1 : s.groupSize), s.epsilon, s.epsilonMode);
      mean[n * groups + g] = m;
      rstd[n * groups + g] = r;
      const act = s.activation === 'silu' ? silu : (u: number) => u;
      each((i, c) => {
        y[i] = act((v[i]! - m) * r * (gamma ? gamma[c]! : 1) + (beta ? beta[c]! : 0));
      });
    }
  }
  return { y, mean, rstd };
}

/**
 * GroupNorm in float64, unrounded (f16 inputs decoded exactly).
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = cpu.groupNormF64(x, { batch: 1, channels: 4, spatial: 9, groups: 2, layout: 'NCHW' });
 * ```
 */
export function groupNormF64(x: TensorData, options: GroupNormOptions): GroupNormResult<Float64Array, Float64Array> {
  return groupNormShaped(x, checkGroupNormArrays('groupNorm', x, options), options.gamma, options.beta);
}

/**
 * InstanceNorm (GroupNorm with one channel per group) in float64, unrounded.
 *
 * @example
 * ```ts
 * const { mean } = cpu.instanceNormF64(x, { batch: 2, channels: 3, spatial: 49, layout: 'NHWC' });
 * mean.length; // 6
 * ```
 */
export function instanceNormF64(x: TensorData, options: InstanceNormOptions): GroupNormResult<Float64Array, Float64Array> {
  return groupNormShaped(x, checkGroupNormArrays('instanceNorm', x, options), options.gamma, options.beta);
}

/**
 * The reference with the GPU's output types: `y` as f32, or as f16 bits rounded exactly like the
 * GPU; `mean` and `rstd` f32. Same signature and results as `norm.groupNorm`, synchronous.
 *
 * @example
 * ```ts
 * const { y, mean, rstd } = cpu.groupNorm(x, { batch: 1, channels: 320, spatial: 4096, groups: 32, layout: 'NCHW', gamma, beta });
 * ```
 */
export function groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): GroupNormResult<X extends Uint16Array ? Uint16Array : Float32Array> {
  const s = checkGroupNormArrays('groupNorm', x, options);
  return rounded(groupNormShaped(x, s, options.gamma, options.beta), s.dtype) as GroupNormResult<X extends Uint16Array ? Uint16Array : Float32Array>;
}

/**
 * InstanceNorm with the GPU's output types (see {@link groupNorm}).
 *
 * @example
 * ```ts
 * const { y } = cpu.instanceNorm(x, { batch: 1, channels: 64, spatial: 1024, layout: 'NHWC' });
 * ```
 */
export function instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): GroupNormResult<X extends Uint16Array ? Uint16Array : Float32Array> {
  const s = checkGroupNormArrays('instanceNorm', x, options);
  return rounded(groupNormShaped(x, s, options.gamma, options.beta), s.dtype) as GroupNormResult<X extends Uint16Array ? Uint16Array : Float32Array>;
}

function rounded(r: GroupNormResult<Float64Array, Float64Array>, dtype: Dtype): GroupNormResult<TensorData> {
  return { y: encodeValues(r.y, dtype), mean: Float32Array.from(r.mean), rstd: Float32Array.from(r.rstd) };
}
