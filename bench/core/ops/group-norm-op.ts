/**
 * GroupNorm for the benchmark: a diffusion-UNet activation, NCHW (`groupNorm`) or NHWC
 * (`groupNormNHWC`), batch 1, 32 groups. The shape's `rows` are channels and `cols` the spatial
 * size (H·W), so `320x4096` is 1×320×64×64. Its three dispatches (partial statistics, merge,
 * normalize) are timed as one pass. `batchNormInference` / `batchNormInferenceNHWC` time the
 * elementwise pass alone (BatchNorm with running statistics) on the same shapes.
 */
import type { BenchOp, OpInstance } from '../bench-op.js';
import { opBuffers } from '../op-buffers.js';
import { normalArray } from '../random.js';
import { compareOutputs, readAfter } from '../verify-output.js';
import { allowance, asDtype } from '../dtype.js';

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
    shapeError: ({ rows: channels }) => (channels % GROUPS === 0 ? undefined : `shapes are channels x spatial, channels a multiple of ${GROUPS}; got ${channels}`),
    create({ lib, norm, device, dtype }, { rows: channels, cols: spatial }): OpInstance {
      if (channels % GROUPS !== 0) throw new Error(`groupNorm bench shapes are channels x spatial with channels a multiple of ${GROUPS}; got ${channels}`);
      const seed = channels * 7919 + spatial;
      const x = asDtype(lib, normalArray(channels * spatial, seed, 3, 2), dtype);
      const gamma = normalArray(channels, seed + 1, 1, 0.1);
      const beta = normalArray(channels, seed + 2, 0, 0.1);
      const owned = opBuffers(device);
      const { input, output } = owned;
      // Each op takes only its own options (unknown keys are refused): groups are GroupNorm's,
      // the running statistics BatchNorm's.
      const base = { batch: 1, channels, spatial, layout, epsilon: EPSILON };
      const encodeBase = { ...base, dtype };
      const shape = { ...base, groups: GROUPS };
      const channelOf = (i: number) => (layout === 'NCHW' ? Math.floor(i / spatial) : i % channels);
      const runningMean = normalArray(channels, seed + 3, 3, 0.5);
      const runningVar = normalArray(channels, seed + 4, 4, 0.5);
      const params = { gamma, beta };
      const running = { ...base, ...params, runningMean, runningVar };
      const operands = {
        x: input(x, 'x'),
        y: output(x.byteLength, 'y'),
        gamma: input(gamma, 'gamma'),
        beta: input(beta, 'beta'),
      };
      const runningOperands = { runningMean: input(runningMean, 'runningMean'), runningVar: input(runningVar, 'runningVar') };
      const encode = (target: GPUCommandEncoder | GPUComputePassEncoder) => {
        if (inference) {
          const plan = norm.encodeBatchNormInference(target, { ...encodeBase, ...operands, ...runningOperands });
          return `${plan.apply}, ${plan.workgroups.join('+')} wg`;
        }
        const plan = norm.encodeGroupNorm(target, { ...shape, dtype, ...operands });
        if (plan.statsLayout === 'fused') return `fused, ${plan.workgroups.join('+')} wg`;
        return `split ${plan.chunks}x, ${plan.apply}, ${plan.workgroups.join('+')} wg`;
      };
      return {
        bytes: 2 * x.byteLength + 4 * (inference ? 4 : 2) * channels,
        copyElements: Math.ceil(x.byteLength / 4),
        transfer: {
          inputs: inference ? [x, runningMean, runningVar, gamma, beta] : [x, gamma, beta],
          // GroupNorm's typed form also returns the per-group mean and rstd (batch 1).
          outputBytes: inference ? [x.byteLength] : [x.byteLength, GROUPS * 4, GROUPS * 4],
        },
        encode,
        record: (pass) => void encode(pass),
        convenience: () => (inference ? norm.batchNormInference(x, running) : norm.groupNorm(x, { ...shape, ...params })).then(() => undefined),
        cpu: () => void (inference ? lib.cpu.batchNormInference(x, running) : lib.cpu.groupNorm(x, { ...shape, ...params })),
        verify: async () => {
          const ref = inference ? lib.cpu.batchNormInferenceF64(x, running).y : lib.cpu.groupNormF64(x, { ...shape, ...params }).y;
          const got = await readAfter(device, encode, operands.y, { lib, dtype, count: channels * spatial });
          return compareOutputs(got, ref, (i) => allowance(dtype, ref[i]!, 1e-5 * Math.abs(ref[i]!) + 1e-5 * Math.max(1, Math.abs(gamma[channelOf(i)]!))));
        },
        destroy: () => owned.destroy(),
      };
    },
  };
}
