/**
 * GroupNorm for the benchmark: a diffusion-UNet activation, NCHW, batch 1, 32 groups. The shape's
 * `rows` are channels and `cols` the spatial size (H·W), so `320x4096` is 1×320×64×64. Its three
 * dispatches (partial statistics, merge, normalize) are timed as one pass.
 */
import type { BenchOp, OpInstance, Verification } from '../bench-op.js';
import { normalArray } from '../random.js';

const GROUPS = 32;
const EPSILON = 1e-5;

/**
 * @example
 * ```ts
 * BENCH_OPS.get('groupNorm')!.create(ctx, { rows: 320, cols: 4096 });
 * ```
 */
export const groupNormOp: BenchOp = {
  name: 'groupNorm',
  defaultShapes: [{ rows: 320, cols: 4096 }],
  create({ lib, norm, device }, { rows: channels, cols: spatial }): OpInstance {
    if (channels % GROUPS !== 0) throw new Error(`groupNorm bench shapes are channels x spatial with channels a multiple of ${GROUPS}; got ${channels}`);
    const seed = channels * 7919 + spatial;
    const x = normalArray(channels * spatial, seed, 3, 2);
    const gamma = normalArray(channels, seed + 1, 1, 0.1);
    const beta = normalArray(channels, seed + 2, 0, 0.1);
    const owned: GPUBuffer[] = [];
    const buffer = (size: number, data?: Float32Array) => {
      const b = device.createBuffer({ label: 'bench groupNorm', size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      if (data) device.queue.writeBuffer(b, 0, data);
      owned.push(b);
      return b;
    };
    const shape = { batch: 1, channels, spatial, groups: GROUPS, layout: 'NCHW' as const, epsilon: EPSILON };
    const operands = { ...shape, x: buffer(x.byteLength, x), y: buffer(x.byteLength), gamma: buffer(channels * 4, gamma), beta: buffer(channels * 4, beta) };
    const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) => {
      const plan = norm.encodeGroupNorm(target, operands);
      return `split ${plan.chunks}x, ${plan.workgroups.join('+')} wg`;
    };
    return {
      bytes: 4 * (2 * channels * spatial + 2 * channels),
      copyElements: channels * spatial,
      encode,
      record: (pass) => void encode(pass),
      convenience: () => norm.groupNorm(x, { ...shape, gamma, beta }).then(() => undefined),
      cpu: () => void lib.cpu.groupNorm(x, { ...shape, gamma, beta }),
      verify: async (): Promise<Verification> => {
        const ref = lib.cpu.groupNormF64(x, { ...shape, gamma, beta }).y;
        const rb = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
        try {
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          encode(pass);
          pass.end();
          encoder.copyBufferToBuffer(operands.y, 0, rb, 0, x.byteLength);
          device.queue.submit([encoder.finish()]);
          await rb.mapAsync(GPUMapMode.READ);
          const got = new Float32Array(rb.getMappedRange().slice(0));
          rb.unmap();
          let maxAbsError = 0;
          let withinTolerance = true;
          for (let i = 0; i < got.length; i++) {
            const err = Math.abs(got[i]! - ref[i]!);
            if (!(err <= maxAbsError)) maxAbsError = Number.isNaN(err) ? Infinity : err;
            const g = Math.abs(gamma[Math.floor(i / spatial)]!);
            if (!(err <= 1e-5 * Math.abs(ref[i]!) + 1e-5 * Math.max(1, g))) withinTolerance = false;
          }
          return { maxAbsError, withinTolerance };
        } finally {
          rb.destroy();
        }
      },
      destroy: () => owned.forEach((b) => b.destroy()),
    };
  },
};
