/**
 * webgpu-norm: WebGPU compute kernels for normalization layers, with a float64 CPU reference.
 *
 * @example
 * ```ts
 * import { createNormalizer, cpu } from 'webgpu-norm';
 * const norm = await createNormalizer();
 * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta });
 * const ref = cpu.layerNorm(x, { cols: 768, gamma, beta });
 * ```
 */
export { createNormalizer, type Normalizer, type NormalizerOptions } from './normalizer.js';
export { NormError, type NormErrorCode } from './errors.js';
export * as cpu from './cpu/index.js';
export type { LayerNormOptions, LayerNormResult } from './kernels/layer-norm-options.js';
export { selectLayerNormVariant, describeVariant, type EncodeLayerNormOptions, type LayerNormVariant } from './kernels/layer-norm.js';
export type { EncodeTarget } from './kernels/context.js';
export type { Operand } from './operands.js';
export type { ResourceStats } from './resources.js';
export { requestNormDevice, type RequestDeviceOptions } from './device.js';
export { foldWorkgroups } from './dispatch.js';
export type { GroupNormOptions, InstanceNormOptions, GroupNormResult } from './kernels/group-norm-options.js';
export type { BatchNormInferenceOptions, BatchNormInferenceResult, BatchNormStatsOptions, BatchNormStatsResult } from './kernels/batch-norm-options.js';
export type { EncodeGroupNormOptions, EncodeInstanceNormOptions, NormPlanInfo } from './kernels/group-norm.js';
export type { EncodeBatchNormInferenceOptions, EncodeBatchNormStatsOptions } from './kernels/batch-norm.js';
export type { TensorLayout, StorageDtype, EpsilonMode, TensorData, TensorShapeOptions } from './kernels/tensor-options.js';
export type { SameData } from './kernels/run-arrays.js';
export { f16ToF32, f32ToF16, roundF16, toF16Array, fromF16Array } from './f16.js';
