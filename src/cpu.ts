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
} from './ops/row-norm/reference.js';
export * as fast from './ops/row-norm/fast.js';
export { groupNorm, groupNormF64, instanceNorm, instanceNormF64 } from './ops/group-norm/reference.js';
export { batchNormInference, batchNormInferenceF64, batchNormStats, batchNormStatsF64, batchNormTraining, batchNormTrainingF64 } from './ops/batch-norm/reference.js';
export { layerNormBackward, layerNormBackwardF64, rmsNormBackward, rmsNormBackwardF64 } from './ops/backward/reference.js';
export { lpNorm, lpNormF64 } from './ops/lp-norm/reference.js';
export { runOnnxNode, runOnnxNodeF64 } from './onnx/reference.js';
