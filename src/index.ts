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
export { createNormalizer, type Normalizer, type NormalizerOptions, type TuneResult } from './normalizer.js';
export { tuningKey, candidateVariants, type TuningTable, type RowNormOpName } from './kernels/tuning.js';
export { NormError, type NormErrorCode } from './errors.js';
export * as cpu from './cpu/index.js';
export type {
  Activations,
  AddLayerNormOptions,
  AddNormResult,
  AddRmsNormOptions,
  Dtype,
  EpsilonMode,
  LayerNormOptions,
  LayerNormResult,
  RmsNormOptions,
  RmsNormResult,
} from './kernels/layer-norm-options.js';
export type {
  EncodeAddLayerNormOptions,
  EncodeAddRmsNormOptions,
  EncodeLayerNormOptions,
  EncodeRmsNormOptions,
} from './kernels/row-norm.js';
export {
  describeVariant,
  profileDevice,
  selectVariant,
  MAX_CACHED_CHUNKS,
  type AdapterProfile,
  type LayerNormVariant,
} from './kernels/variant.js';
export type { EncodeTarget } from './kernels/context.js';
export type { Operand } from './operands.js';
export type { ResourceStats } from './resources.js';
export { requestNormDevice, type RequestDeviceOptions } from './device.js';
export { foldWorkgroups } from './dispatch.js';
export type { GroupNormOptions, InstanceNormOptions, GroupNormResult } from './kernels/group-norm-options.js';
export type { BatchNormInferenceOptions, BatchNormInferenceResult, BatchNormStatsOptions, BatchNormStatsResult } from './kernels/batch-norm-options.js';
export type { EncodeGroupNormOptions, EncodeInstanceNormOptions, NormPlanInfo } from './kernels/group-norm.js';
export type { EncodeBatchNormInferenceOptions, EncodeBatchNormStatsOptions } from './kernels/batch-norm.js';
export type { TensorLayout, StorageDtype, TensorData, TensorShapeOptions } from './kernels/tensor-options.js';
export type { SameData } from './kernels/run-arrays.js';
export { f16ToF32, f32ToF16, roundF16, toF16Array, fromF16Array } from './f16.js';
export type {
  LayerNormBackwardOptions,
  LayerNormBackwardResult,
  RmsNormBackwardOptions,
  RmsNormBackwardResult,
} from './kernels/norm-backward-options.js';
export { paramGradBlocks, type EncodeLayerNormBackwardOptions, type EncodeRmsNormBackwardOptions } from './kernels/norm-backward.js';
/** @internal Test hooks (e.g. compile a broken shader to test debug mode); not part of the API. */
export { testHooks as __testHooks } from './pipeline-cache.js';
export { mapWgslLocation, compilationError, type WgslLocation } from './wgsl-source-map.js';
