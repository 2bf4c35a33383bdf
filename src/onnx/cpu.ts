/**
 * The ONNX-node CPU reference, exported as `cpuOnnx` (apart from `cpu`, so that an app using only
 * `cpu.layerNorm` does not bundle the operator schemas and validation).
 */
export { runOnnxNode, runOnnxNodeF64 } from './reference.js';
