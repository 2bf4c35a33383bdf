/**
 * From reflection to WebGPU objects: explicit bind group layouts (never the automatic kind), bind
 * groups whose entries are matched by WGSL variable name, and uniform structs packed at the
 * offsets the shader declares.
 */
import type { EntryPointInfo, ShaderInfo, UniformInfo } from './shader-info.js';
import { ShaderStage } from './gpu-flags.js';

/** A resolved buffer range: what every operand becomes before it is validated and bound. */
export interface BufferRange {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/**
 * Describes the single bind group (group 0) an entry point uses. Storage `read` becomes
 * `read-only-storage`, `read_write` becomes `storage`; `minBindingSize` is one array element, so
 * WebGPU itself rejects an empty binding.
 *
 * @example
 * ```ts
 * const layout = device.createBindGroupLayout(bindGroupLayoutDescriptor(info, 'row_norm_vec4'));
 * ```
 */
export function bindGroupLayoutDescriptor(shader: ShaderInfo, entryPoint: string): GPUBindGroupLayoutDescriptor {
  const entry = entryPointInfo(shader, entryPoint);
  return {
    label: `${shader.name}.${entryPoint}`,
    entries: entry.bindings.map((b) => {
      if (b.group !== 0) throw new Error(`${shader.name}.wgsl: ${b.name} is in group ${b.group}; kernels use group 0 only`);
      return {
        binding: b.binding,
        visibility: ShaderStage.COMPUTE,
        buffer: { type: b.type, minBindingSize: b.minBindingSize },
      };
    }),
  };
}

/** The reflection of one entry point, or a clear error naming the shader. */
export function entryPointInfo(shader: ShaderInfo, entryPoint: string): EntryPointInfo {
  const entry = shader.entryPoints[entryPoint];
  if (!entry) throw new Error(`${shader.name}.wgsl has no compute entry point ${entryPoint}`);
  return entry;
}

/**
 * Byte stride of one element of a storage binding's runtime-sized array, from the shader's
 * reflection: scratch sizes derive from the WGSL declaration instead of a restated `* 16`.
 *
 * @example
 * ```ts
 * elementStride(rowNormShader, 'main', 'partials'); // 16: array<vec4<f32>>
 * ```
 */
export function elementStride(shader: ShaderInfo, entryPoint: string, binding: string): number {
  const info = entryPointInfo(shader, entryPoint).bindings.find((b) => b.name === binding);
  if (!info || info.elementStride === 0) throw new Error(`${shader.name}.wgsl: ${entryPoint} has no runtime-sized array binding ${binding}`);
  return info.elementStride;
}

/**
 * Bind group entries matched by WGSL variable name. Every binding the entry point uses must be
 * supplied and no unknown name may be, so a renamed shader variable fails loudly here.
 *
 * @example
 * ```ts
 * const entries = bindGroupEntries(info, 'row_norm_scalar', { params: uniform, x, y, gamma, beta, mean, rstd });
 * ```
 */
export function bindGroupEntries(
  shader: ShaderInfo,
  entryPoint: string,
  resources: Readonly<Record<string, BufferRange>>,
): GPUBindGroupEntry[] {
  const entry = entryPointInfo(shader, entryPoint);
  const used = new Set<string>();
  const entries = entry.bindings.map((b) => {
    const r = resources[b.name];
    if (!r) throw new Error(`${shader.name}.${entryPoint}: no resource supplied for binding ${b.name}`);
    used.add(b.name);
    return { binding: b.binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } };
  });
  for (const name of Object.keys(resources)) {
    if (!used.has(name)) throw new Error(`${shader.name}.${entryPoint}: resource ${name} matches no binding`);
  }
  return entries;
}

/**
 * Packs `values` into the bytes of a uniform struct at the offsets reflection reports. Every
 * member must be given (a forgotten field would silently read as 0 on the GPU).
 *
 * @example
 * ```ts
 * const bytes = packUniform(info.uniforms.params, { rows: 2, cols: 768, epsilon: 1e-5 });
 * ```
 */
export function packUniform(uniform: UniformInfo, values: Readonly<Record<string, number>>): ArrayBuffer {
  const bytes = new ArrayBuffer(uniform.size);
  const view = new DataView(bytes);
  for (const [name, { offset, type }] of Object.entries(uniform.members)) {
    const v = values[name];
    if (v === undefined) throw new Error(`uniform member ${name} was not given a value`);
    switch (type) {
      case 'u32':
        view.setUint32(offset, v, true);
        break;
      case 'i32':
        view.setInt32(offset, v, true);
        break;
      case 'f32':
        view.setFloat32(offset, v, true);
        break;
      default:
        throw new Error(`uniform member ${name} has type ${type}, which packUniform does not write`);
    }
  }
  for (const name of Object.keys(values)) {
    if (!(name in uniform.members)) throw new Error(`uniform has no member ${name}`);
  }
  return bytes;
}

/** Checks that every key of `constants` is an override of the shader (a typo would be ignored by nothing). */
export function checkConstants(shader: ShaderInfo, constants: Readonly<Record<string, number | boolean>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) {
    if (!(k in shader.overrides)) throw new Error(`${shader.name}.wgsl has no override ${k}`);
    out[k] = typeof v === 'boolean' ? Number(v) : v;
  }
  return out;
}
