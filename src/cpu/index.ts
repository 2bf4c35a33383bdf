/**
 * CPU implementations: the float64 reference every GPU result is tested against (`cpu.layerNorm`,
 * `cpu.rmsNorm`, `cpu.addLayerNorm`, `cpu.addRmsNorm` with outputs in the storage dtype, and the
 * unrounded `…F64` forms), and `cpu.fast`, the fast JavaScript path the benchmark compares with.
 */
export {
  layerNorm,
  layerNormF64,
  rmsNorm,
  rmsNormF64,
  addLayerNorm,
  addLayerNormF64,
  addRmsNorm,
  addRmsNormF64,
} from './reference.js';
export * as fast from './fast.js';
export { groupNorm, groupNormF64, instanceNorm, instanceNormF64 } from './group-norm.js';
export { batchNormInference, batchNormInferenceF64, batchNormStats, batchNormStatsF64 } from './batch-norm.js';
export { layerNormBackward, layerNormBackwardF64, rmsNormBackward, rmsNormBackwardF64 } from './backward.js';
