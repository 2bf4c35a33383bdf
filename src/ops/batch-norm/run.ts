/**
 * The typed-array forms of BatchNorm (inference, batch statistics, training): validate, upload, record,
 * submit, read back, and free every temporary, whatever happens.
 */
import { Transfers, tensorView, type ArrayRunContext, type SameData } from '../../core/transfers.js';
import { storageBytes, type TensorData } from '../../core/tensor.js';
import {
  checkBatchNormInferenceArrays,
  checkBatchNormStatsArrays,
  checkBatchNormTrainingArrays,
  type BatchNormTrainingOptions,
  type BatchNormTrainingResult,
  type BatchNormInferenceOptions,
  type BatchNormInferenceResult,
  type BatchNormStatsOptions,
  type BatchNormStatsResult,
} from './options.js';
import { planBatchNormStats, planBatchNormTraining, recordBatchNormInference, recordBatchNormStats, recordBatchNormTraining } from './encode.js';

/**
 * BatchNorm inference of typed arrays on the GPU.
 *
 * @example
 * ```ts
 * const { y } = await runBatchNormInference(run, x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', runningMean, runningVar });
 * ```
 */
export async function runBatchNormInference<X extends TensorData>(
  ctx: ArrayRunContext,
  x: X,
  options: BatchNormInferenceOptions,
): Promise<BatchNormInferenceResult<SameData<X>>> {
  const s = checkBatchNormInferenceArrays(x, options);
  const bytes = storageBytes(s.elements, s.dtype);
  const io = new Transfers(ctx, { uploads: [bytes, s.channels * 4], outputs: [bytes], outputNames: ['y'] });
  try {
    const y = io.output(bytes, 'y');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm batchNormInference' });
    recordBatchNormInference(ctx, encoder, s, {
      x: io.upload(x, 'x'),
      y,
      runningMean: io.upload(options.runningMean, 'runningMean'),
      runningVar: io.upload(options.runningVar, 'runningVar'),
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
    });
    const [yb] = (await io.readBack(encoder, [y])) as [ArrayBuffer];
    return { y: tensorView(yb, s.dtype, s.elements) as SameData<X> };
  } finally {
    io.release();
  }
}

/**
 * Per-channel batch statistics of a typed array on the GPU.
 *
 * @example
 * ```ts
 * const { mean, var: variance } = await runBatchNormStats(run, x, { batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
 * ```
 */
export async function runBatchNormStats(ctx: ArrayRunContext, x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult> {
  const s = checkBatchNormStatsArrays(x, options);
  // The sizes and the partials are checked before the uploads: a refusal leaves nothing created.
  const io = new Transfers(ctx, { uploads: [storageBytes(s.elements, s.dtype)], outputs: [s.channels * 4, s.channels * 4], outputNames: ['mean', 'var'] });
  planBatchNormStats(ctx, s);
  try {
    const mean = io.output(storageBytes(s.channels, 'f32'), 'mean');
    const variance = io.output(storageBytes(s.channels, 'f32'), 'var');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm batchNormStats' });
    recordBatchNormStats(ctx, encoder, s, { x: io.upload(x, 'x'), mean, var: variance });
    const [mb, vb] = (await io.readBack(encoder, [mean, variance])) as [ArrayBuffer, ArrayBuffer];
    return { mean: new Float32Array(mb), var: new Float32Array(vb) };
  } finally {
    io.release();
  }
}

/**
 * One BatchNorm training step of typed arrays on the GPU: y, the batch statistics and the updated
 * running statistics (the arrays given are not modified).
 *
 * @example
 * ```ts
 * const r = await runBatchNormTraining(run, x, { batch: 8, channels: 64, spatial: 3136, layout: 'NHWC', runningMean, runningVar });
 * ```
 */
export async function runBatchNormTraining<X extends TensorData>(
  ctx: ArrayRunContext,
  x: X,
  options: BatchNormTrainingOptions,
): Promise<BatchNormTrainingResult<SameData<X>>> {
  const s = checkBatchNormTrainingArrays(x, options);
  // The scratch is checked before the uploads: a refusal leaves nothing created.
  planBatchNormTraining(ctx, s);
  const bytes = storageBytes(s.elements, s.dtype);
  const perChannel = storageBytes(s.channels, 'f32');
  const io = new Transfers(ctx, {
    uploads: [bytes, perChannel],
    outputs: [bytes, perChannel, perChannel, perChannel, perChannel],
    outputNames: ['y', 'mean', 'var', 'runningMean', 'runningVar'],
  });
  try {
    const y = io.output(bytes, 'y');
    const mean = io.output(perChannel, 'mean');
    const variance = io.output(perChannel, 'var');
    const newRunningMean = io.output(perChannel, 'newRunningMean');
    const newRunningVar = io.output(perChannel, 'newRunningVar');
    const encoder = ctx.device.createCommandEncoder({ label: 'webgpu-norm batchNormTraining' });
    recordBatchNormTraining(ctx, encoder, s, {
      x: io.upload(x, 'x'),
      y,
      runningMean: io.upload(options.runningMean, 'runningMean'),
      runningVar: io.upload(options.runningVar, 'runningVar'),
      gamma: options.gamma && io.upload(options.gamma, 'gamma'),
      beta: options.beta && io.upload(options.beta, 'beta'),
      mean,
      var: variance,
      newRunningMean,
      newRunningVar,
    });
    const [yb, mb, vb, rmb, rvb] = (await io.readBack(encoder, [y, mean, variance, newRunningMean, newRunningVar])) as ArrayBuffer[];
    return {
      y: tensorView(yb!, s.dtype, s.elements) as SameData<X>,
      mean: new Float32Array(mb!),
      var: new Float32Array(vb!),
      runningMean: new Float32Array(rmb!),
      runningVar: new Float32Array(rvb!),
    };
  } finally {
    io.release();
  }
}
