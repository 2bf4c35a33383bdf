/**
 * {@link BenchOp}s for the backward passes (`layerNormBackward`, `rmsNormBackward`): the encode
 * form records dx plus the deterministic dgamma(/dbeta) reduction, with the statistics from a
 * forward pass run once at set-up. Roofline: the op must read dy and x and write dx (3 streams
 * of the main tensor), so the copy it is compared with moves 1.5 tensors in and 1.5 out.
 * (The dgamma/dbeta stage reads dy and x a second time: 5 streams as implemented.)
 */
import type { BenchOp, OpInstance } from '../bench-op.js';
import { opBuffers } from '../op-buffers.js';
import { normalArray } from '../random.js';
import { compareOutputs, readAfter } from '../verify-output.js';

/** The library's stated dx tolerance, simplified for a one-number verdict: rtol 1e-4 plus 1e-5·rstd·(|g|+mean|g|+|x̂|·mean|g·x̂|), bounded here by 1e-5·rstd·3·max|g|·max(1,|x̂|). */
const RTOL = 1e-4;

/**
 * Builds the backward {@link BenchOp} for LayerNorm (`rms` false) or RMSNorm.
 *
 * @example
 * ```ts
 * const op = normBackwardOp(false); // 'layerNormBackward'
 * ```
 */
export function normBackwardOp(rms: boolean): BenchOp {
  const name = rms ? 'rmsNormBackward' : 'layerNormBackward';
  return {
    name,
    create({ lib, norm, device }, { rows, cols }): OpInstance {
      const seed = rows * 7919 + cols + 17;
      const x = normalArray(rows * cols, seed);
      const dy = normalArray(rows * cols, seed + 3);
      const gamma = normalArray(cols, seed + 1, 1, 0.1);
      const stats = rms ? lib.cpu.rmsNorm(x, { cols, gamma }) : lib.cpu.layerNorm(x, { cols, gamma });
      const mean = rms ? undefined : (stats as unknown as { mean: Float32Array }).mean;
      const owned = opBuffers(device);
      const { input, output } = owned;
      const buffers = {
        rows,
        cols,
        dy: input(dy, 'dy'),
        x: input(x, 'x'),
        dx: output(x.byteLength, 'dx'),
        gamma: input(gamma, 'gamma'),
        rstd: input(stats.rstd, 'rstd'),
        dgamma: output(cols * 4, 'dgamma'),
      };
      const meanBuf = mean && input(mean, 'mean');
      const dbeta = rms ? undefined : output(cols * 4, 'dbeta');
      const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) =>
        lib.describeVariant(
          rms ? norm.encodeRmsNormBackward(target, buffers) : norm.encodeLayerNormBackward(target, { ...buffers, mean: meanBuf!, dbeta }),
        );
      const arrays = { cols, gamma, rstd: stats.rstd };
      return {
        bytes: 4 * (3 * rows * cols + (rms ? 2 : 3) * cols + (rms ? 1 : 2) * rows),
        copyElements: Math.ceil(1.5 * rows * cols),
        encode,
        record: (pass) => void encode(pass),
        convenience: () => (rms ? norm.rmsNormBackward(dy, x, arrays) : norm.layerNormBackward(dy, x, { ...arrays, mean: mean! })).then(() => undefined),
        // The reference is the only CPU backward there is; it stands in for the fast path.
        cpu: () => void (rms ? lib.cpu.rmsNormBackward(dy, x, arrays) : lib.cpu.layerNormBackward(dy, x, { ...arrays, mean: mean! })),
        verify: async () => {
          const ref = rms ? lib.cpu.rmsNormBackwardF64(dy, x, arrays) : lib.cpu.layerNormBackwardF64(dy, x, { ...arrays, mean: mean! });
          const got = await readAfter(device, encode, buffers.dx, x.byteLength);
          let maxRef = 0;
          for (let i = 0; i < got.length; i++) maxRef = Math.max(maxRef, Math.abs(ref.dx[i]!));
          return compareOutputs(got, ref.dx, (i) => RTOL * Math.abs(ref.dx[i]!) + 1e-5 * maxRef);
        },
        destroy: () => owned.destroy(),
      };
    },
  };
}
