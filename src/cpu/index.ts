/**
 * CPU implementations: `cpu.layerNorm` / `cpu.layerNormF64` are the float64 reference every GPU
 * result is tested against; `cpu.fast` is the fast JavaScript path the benchmark compares with.
 */
export { layerNorm, layerNormF64 } from './reference.js';
export * as fast from './fast.js';
