/**
 * CPU implementations: `cpu.layerNorm` / `cpu.layerNormF64` are the float64 reference every GPU
 * result is tested against; `cpu.fast` is the fast JavaScript path the benchmark compares with.
 */
export { layerNorm, layerNormF64 } from './reference.js';
export * as fast from './fast.js';
export { groupNorm, groupNormF64, instanceNorm, instanceNormF64 } from './group-norm.js';
export { batchNormInference, batchNormInferenceF64, batchNormStats, batchNormStatsF64 } from './batch-norm.js';
