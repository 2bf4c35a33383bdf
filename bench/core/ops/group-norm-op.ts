/**
 * GroupNorm for the benchmark: a diffusion-UNet activation, NCHW (`groupNorm`) or NHWC
 * (`groupNormNHWC`), batch 1, 32 groups. The shape's `rows` are channels and `cols` the spatial
 * size (H·W), so `320x4096` is 1×320×64×64. Its three dispatches (partial statistics, merge,
 * normalize) are timed as one pass. `batchNormInference` / `batchNormInferenceNHWC` time the
 * elementwise pass alone (BatchNorm with running statistics) on the same shapes.
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
export const groupNormOp: BenchOp = channelNormOp('groupNorm', 'NCHW', false);

/** The same shapes channels-last. */
export const groupNormNhwcOp: BenchOp = channelNormOp('groupNormNHWC', 'NHWC', false);

/** BatchNorm inference (the elementwise pass alone, running statistics) on the same shapes. */
export const batchNormInferenceOp: BenchOp = channelNormOp('batchNormInference', 'NCHW', true);
export const batchNormInferenceNhwcOp: BenchOp = channelNormOp('batchNormInferenceNHWC', 'NHWC', true);

function channelNormOp(name: string, layout: 'NCHW' | 'NHWC', inference: boolean): BenchOp {
  return {
    name,
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
      const shape = { batch: 1, channels, spatial, groups: GROUPS, layout, epsilon: EPSILON };
      const channelOf = (i: number) => (layout === 'NCHW' ? Math.floor(i / spatial) : i % channels);
      const runningMean = normalArray(channels, seed + 3, 3, 0.5);
      const runningVar = normalArray(channels, seed + 4, 4, 0.5);
      const params = { gamma, beta };
      const running = { ...shape, ...params, runningMean, runningVar };
      const operands = {
        ...shape,
        x: buffer(x.byteLength, x),
        y: buffer(x.byteLength),
        gamma: buffer(channels * 4, gamma),
        beta: buffer(channels * 4, beta),
        runningMean: buffer(channels * 4, runningMean),
        runningVar: buffer(channels * 4, runningVar),
      };
      const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) => {
        if (inference) {
          const plan = norm.encodeBatchNormInference(target, operands);
          return `${plan.apply}, ${plan.workgroups.join('+')} wg`;
        }
        const plan = norm.encodeGroupNorm(target, operands);
        if (plan.statsLayout === 'fused') return `fused, ${plan.workgroups.join('+')} wg`;
        return `split ${plan.chunks}x, ${plan.apply}, ${plan.workgroups.join('+')} wg`;
      };
      return {
        bytes: 4 * (2 * channels * spatial + (inference ? 4 : 2) * channels),
        copyElements: channels * spatial,
        encode,
        record: (pass) => void encode(pass),
        convenience: () => (inference ? norm.batchNormInference(x, running) : norm.groupNorm(x, { ...shape, ...params })).then(() => undefined),
        cpu: () => void (inference ? lib.cpu.batchNormInference(x, running) : lib.cpu.groupNorm(x, { ...shape, ...params })),
        verify: async (): Promise<Verification> => {
          const ref = inference ? lib.cpu.batchNormInferenceF64(x, running).y : lib.cpu.groupNormF64(x, { ...shape, ...params }).y;
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
              const g = Math.abs(gamma[channelOf(i)]!);
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
}
