/**
 * A {@link BenchOp} for ops that normalize each row of a `rows × cols` tensor with optional
 * per-feature parameters and optional per-row statistics (LayerNorm, RMSNorm): the op supplies
 * only its library calls and which operands it has; buffers, data, timing hooks and the
 * reference check are shared here.
 */
import type { Normalizer } from '../../../src/index.js';
import type { BenchOp, OpInstance } from '../bench-op.js';
import { opBuffers } from '../op-buffers.js';
import { normalArray } from '../random.js';
import { compareOutputs, readAfter } from '../verify-output.js';
import type { NormLibrary, Shape } from '../types.js';
import { allowance, asDtype, type BenchDtype, type BenchTensor } from '../dtype.js';

/** Per-feature parameters (`cols` f32 each). */
export type FeatureParam = 'gamma' | 'beta';
/** Per-row statistics the op can write (`rows` f32 each). */
export type RowStat = 'mean' | 'rstd';

/** Typed-array options, as the convenience and CPU forms take them. */
export interface RowNormArrays {
  readonly cols: number;
  readonly epsilon: number;
  readonly gamma?: Float32Array;
  readonly beta?: Float32Array;
}

/** GPU operands, as the encode form takes them. */
export interface RowNormBuffers {
  readonly x: GPUBuffer;
  readonly y: GPUBuffer;
  readonly gamma?: GPUBuffer;
  readonly beta?: GPUBuffer;
  readonly mean?: GPUBuffer;
  readonly rstd?: GPUBuffer;
  readonly rows: number;
  readonly cols: number;
  readonly epsilon: number;
  readonly dtype: BenchDtype;
}

/** The op-specific part of a row normalization benchmark. */
export interface RowNormSpec {
  readonly name: string;
  readonly params: readonly FeatureParam[];
  readonly stats: readonly RowStat[];
  /** Records the op and returns the variant label (`describeVariant`). */
  encode(lib: NormLibrary, norm: Normalizer, target: GPUCommandEncoder | GPUComputePassEncoder, options: RowNormBuffers): string;
  convenience(norm: Normalizer, x: BenchTensor, options: RowNormArrays): Promise<unknown>;
  cpu(lib: NormLibrary, x: BenchTensor, options: RowNormArrays): unknown;
  /** The float64 reference's main output (of the f16-decoded input for f16). */
  reference(lib: NormLibrary, x: BenchTensor, options: RowNormArrays): { readonly y: ArrayLike<number> };
  readonly defaultShapes?: readonly Shape[];
  /** f32 per-row outputs the typed-array form reads back; default: one per `stats` entry. */
  readonly rowOutputs?: number;
}

/** PyTorch's default, the value real models use. */
const EPSILON = 1e-5;
/** The library's stated tolerance for y: |gpu − ref| ≤ RTOL·|ref| + ATOL·max(1, |gamma_j|). */
const RTOL = 1e-5;
const ATOL = 1e-5;

/**
 * Builds the {@link BenchOp} for a row normalization.
 *
 * @example
 * ```ts
 * const rmsNorm = rowNormOp({ name: 'rmsNorm', params: ['gamma'], stats: ['rstd'], encode: …, convenience: …, cpu: …, reference: … });
 * ```
 */
export function rowNormOp(spec: RowNormSpec): BenchOp {
  return {
    name: spec.name,
    ...(spec.defaultShapes ? { defaultShapes: spec.defaultShapes } : {}),
    create({ lib, norm, device, dtype }, { rows, cols }): OpInstance {
      // Seeded by shape so Chromium and Node time (and verify) the same numbers.
      const seed = rows * 7919 + cols;
      const x = asDtype(lib, normalArray(rows * cols, seed), dtype);
      const arrays: RowNormArrays = {
        cols,
        epsilon: EPSILON,
        ...(spec.params.includes('gamma') ? { gamma: normalArray(cols, seed + 1, 1, 0.1) } : {}),
        ...(spec.params.includes('beta') ? { beta: normalArray(cols, seed + 2, 0, 0.1) } : {}),
      };
      const owned = opBuffers(device);
      const { input, output } = owned;
      const buffers: RowNormBuffers = {
        x: input(x, 'x'),
        y: output(x.byteLength, 'y'),
        ...(arrays.gamma ? { gamma: input(arrays.gamma, 'gamma') } : {}),
        ...(arrays.beta ? { beta: input(arrays.beta, 'beta') } : {}),
        ...(spec.stats.includes('mean') ? { mean: output(rows * 4, 'mean') } : {}),
        ...(spec.stats.includes('rstd') ? { rstd: output(rows * 4, 'rstd') } : {}),
        rows,
        cols,
        epsilon: EPSILON,
        dtype,
      };
      const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) => spec.encode(lib, norm, target, buffers);
      return {
        bytes: 2 * x.byteLength + 4 * (spec.params.length * cols + spec.stats.length * rows),
        copyElements: Math.ceil(x.byteLength / 4),
        transfer: {
          inputs: [x, ...spec.params.map((p) => arrays[p]!)],
          outputBytes: [x.byteLength, ...Array.from({ length: spec.rowOutputs ?? spec.stats.length }, () => rows * 4)],
        },
        encode,
        record: (pass) => void encode(pass),
        convenience: () => spec.convenience(norm, x, arrays).then(() => undefined),
        cpu: () => void spec.cpu(lib, x, arrays),
        verify: async () => {
          const ref = spec.reference(lib, x, arrays).y;
          const gamma = arrays.gamma;
          const got = await readAfter(device, encode, buffers.y, { lib, dtype, count: rows * cols });
          return compareOutputs(got, ref, (i) => allowance(dtype, ref[i]!, RTOL * Math.abs(ref[i]!) + ATOL * Math.max(1, gamma ? Math.abs(gamma[i % cols]!) : 1)));
        },
        destroy: () => owned.destroy(),
      };
    },
  };
}
