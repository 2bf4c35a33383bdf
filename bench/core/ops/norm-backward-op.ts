/**
 * {@link BenchOp}s for the backward passes (`layerNormBackward`, `rmsNormBackward`): the encode
 * form records dx plus the deterministic dgamma(/dbeta) reduction, with the statistics from a
 * forward pass run once at set-up. Roofline: the op must read dy and x and write dx (3 streams
 * of the main tensor), so the copy it is compared with moves 1.5 tensors in and 1.5 out.
 * (The dgamma/dbeta stage reads dy and x a second time: 5 streams as implemented.)
 */
import type { BenchOp, OpInstance, Verification } from '../bench-op.js';
import { opBuffers } from '../op-buffers.js';
import { normalArray } from '../random.js';

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
        verify: async (): Promise<Verification> => {
          const ref = rms ? lib.cpu.rmsNormBackwardF64(dy, x, arrays) : lib.cpu.layerNormBackwardF64(dy, x, { ...arrays, mean: mean! });
          const readback = device.createBuffer({ label: 'bench verify readback', size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
          try {
            device.pushErrorScope('validation');
            const encoder = device.createCommandEncoder({ label: 'bench verify' });
            const pass = encoder.beginComputePass();
            encode(pass);
            pass.end();
            encoder.copyBufferToBuffer(buffers.dx, 0, readback, 0, x.byteLength);
            device.queue.submit([encoder.finish()]);
            const error = await device.popErrorScope();
            if (error) throw new Error(`WebGPU validation error while verifying: ${error.message}`);
            await readback.mapAsync(GPUMapMode.READ);
            const got = new Float32Array(readback.getMappedRange().slice(0));
            readback.unmap();
            let maxAbsError = 0;
            let maxRef = 0;
            for (let i = 0; i < got.length; i++) maxRef = Math.max(maxRef, Math.abs(ref.dx[i]!));
            let withinTolerance = true;
            for (let i = 0; i < got.length; i++) {
              const err = Math.abs(got[i]! - ref.dx[i]!);
              if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
              if (!(err <= RTOL * Math.abs(ref.dx[i]!) + 1e-5 * maxRef)) withinTolerance = false;
            }
            return { maxAbsError, withinTolerance };
          } finally {
            readback.destroy();
          }
        },
        destroy: () => owned.destroy(),
      };
    },
  };
}
