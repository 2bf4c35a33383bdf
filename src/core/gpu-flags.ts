/**
 * WebGPU's shader-stage and map-mode bits, named. Node (Dawn through the `webgpu` package) has no
 * `GPUShaderStage`/`GPUMapMode` globals unless a caller installs them, so the library spells the
 * values out once here, as {@link Usage} (src/core/operands.ts) does for buffer usages.
 */

/**
 * `GPUShaderStage` bits.
 *
 * @example
 * ```ts
 * device.createBindGroupLayout({ entries: [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
 * ```
 */
export const ShaderStage = {
  COMPUTE: 0x4,
} as const;

/**
 * `GPUMapMode` bits.
 *
 * @example
 * ```ts
 * await readback.mapAsync(MapMode.READ);
 * ```
 */
export const MapMode = {
  READ: 0x1,
} as const;
