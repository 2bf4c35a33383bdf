/**
 * webgpu-norm: WebGPU compute kernels for normalization layers, with a float64 CPU reference.
 * The package entry holds the public API only; internals (variant selection, tuning keys,
 * dispatch folding, test hooks) are imported from their modules by the tests and the benchmark.
 *
 * @example
 * ```ts
 * import { createNormalizer, cpu } from 'webgpu-norm';
 * const norm = await createNormalizer();
 * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta });
 * const ref = cpu.layerNorm(x, { cols: 768, gamma, beta });
 * ```
 */
export { createNormalizer, createLeanNormalizer, type Normalizer, type NormalizerOptions, type LeanNormalizerOptions } from './normalizer.js';
export { rowNormKernels, lpNormKernels, backwardKernels, groupNormKernels, batchNormKernels, onnxKernels, type NormKernels } from './kernels.js';
export { requestNormDevice, type RequestDeviceOptions } from './core/device.js';
export { NormError, type NormErrorCode } from './core/errors.js';
export * as cpu from './cpu.js';
/**
 * The float64 reference of the ONNX-node entry point: `cpuOnnx.runOnnxNode(node)` (rounded to the
 * output types) and `cpuOnnx.runOnnxNodeF64(node)`.
 *
 * @example
 * ```ts
 * const [y] = cpuOnnx.runOnnxNode({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: {}, inputs: [x, scale, null], outputCount: 1 });
 * ```
 */
export * as cpuOnnx from './onnx/cpu.js';
export { f16ToF32, f32ToF16, roundF16, toF16Array, fromF16Array } from './core/f16.js';
export type { Dtype, EpsilonMode, SameData, TensorData } from './core/tensor.js';
export type { EncodeTarget } from './core/context.js';
export type { Operand } from './core/operands.js';
export type { ResourceStats } from './core/resources.js';
export type {
  AddLayerNormOptions,
  AddLayerNormResult,
  AddNormResult,
  AddRmsNormOptions,
  AddRmsNormResult,
  LayerNormOptions,
  LayerNormResult,
  OutputData,
  RmsNormOptions,
  RmsNormResult,
} from './ops/row-norm/options.js';
export type {
  EncodeAddLayerNormOptions,
  EncodeAddRmsNormOptions,
  EncodeLayerNormOptions,
  EncodeRmsNormOptions,
} from './ops/row-norm/encode.js';
export { describeVariant, type AdapterProfile, type RowNormVariant } from './ops/row-norm/variant.js';
export type { TuningTable } from './ops/row-norm/tuning.js';
export type { RowNormOpName } from './ops/table.js';
export type { TuneResult } from './ops/row-norm/tune.js';
export { TUNE_MARGIN } from './ops/row-norm/tune-policy.js';
export type {
  LayerNormBackwardOptions,
  LayerNormBackwardResult,
  RmsNormBackwardOptions,
  RmsNormBackwardResult,
} from './ops/backward/options.js';
export type { EncodeLayerNormBackwardOptions, EncodeRmsNormBackwardOptions } from './ops/backward/encode.js';
export type { TensorLayout, TensorShapeOptions } from './ops/channel/options.js';
export type { GroupNormOptions, InstanceNormOptions, GroupNormResult, GroupNormActivation } from './ops/group-norm/options.js';
export type { EncodeGroupNormOptions, EncodeInstanceNormOptions, NormPlanInfo } from './ops/group-norm/encode.js';
export type {
  BatchNormInferenceOptions,
  BatchNormInferenceResult,
  BatchNormStatsOptions,
  BatchNormStatsResult,
  BatchNormTrainingOptions,
  BatchNormTrainingResult,
} from './ops/batch-norm/options.js';
export type { EncodeBatchNormInferenceOptions, EncodeBatchNormStatsOptions, EncodeBatchNormTrainingOptions } from './ops/batch-norm/encode.js';
export type { EncodeLpNormOptions, LpNormOptions, LpNormResult, LpNormVariant } from './ops/lp-norm/options.js';
export type { OnnxEncodeNode, OnnxGpuTensor, OnnxNode, OnnxOutputInfo, OnnxTensor, TensorInfo as OnnxTensorInfo } from './onnx/validate.js';
export type { OnnxTensorType } from './onnx/schemas.js';
