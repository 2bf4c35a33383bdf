/**
 * Build-time WGSL reflection: turns a shader's source into the {@link ShaderInfo} the runtime
 * builds explicit bind group layouts and uniform writers from. Runs inside Vite (library build,
 * dev server, Vitest) through {@link wgslPlugin}; the runtime bundle never contains the parser.
 */
import { WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { BindingInfo, EntryPointInfo, OverrideType, ShaderInfo, UniformInfo } from '../shader-info.js';

/**
 * Reflects `code` into a {@link ShaderInfo}.
 *
 * @example
 * ```ts
 * const info = reflectWgsl('layer_norm', source);
 * info.uniforms.params.members.epsilon.offset; // 8
 * info.entryPoints.layer_norm_vec4.bindings.map((b) => b.name); // ['params', 'x4', 'y4', ...]
 * ```
 */
export function reflectWgsl(name: string, code: string): ShaderInfo {
  const reflect = new WgslReflect(code);

  const overrides: Record<string, OverrideType> = {};
  for (const o of reflect.overrides) {
    const type = o.type?.name;
    if (type !== 'bool' && type !== 'u32' && type !== 'i32' && type !== 'f32' && type !== 'f16') {
      throw new Error(`${name}.wgsl: override ${o.name} has unsupported type ${type}`);
    }
    overrides[o.name] = type;
  }

  const uniforms: Record<string, UniformInfo> = {};
  for (const u of reflect.uniforms) {
    const members: Record<string, { offset: number; type: string }> = {};
    for (const m of u.members ?? []) members[m.name] = { offset: m.offset, type: m.type.getTypeName() };
    uniforms[u.name] = { size: roundUp(u.size, Math.max(u.align, 16)), members };
  }

  const entryPoints: Record<string, EntryPointInfo> = {};
  for (const fn of reflect.entry.compute) {
    const bindings: BindingInfo[] = fn.resources.map((v) => {
      if (v.resourceType === ResourceType.Uniform) {
        return { name: v.name, group: v.group, binding: v.binding, type: 'uniform', minBindingSize: uniforms[v.name]?.size ?? v.size, elementStride: 0 };
      }
      if (v.resourceType !== ResourceType.Storage) {
        throw new Error(`${name}.wgsl: ${fn.name} uses ${v.name}, a resource kind this library does not bind`);
      }
      const stride = v.isArray ? v.stride : 0;
      return {
        name: v.name,
        group: v.group,
        binding: v.binding,
        type: v.access === 'read' ? 'read-only-storage' : 'storage',
        minBindingSize: stride || v.size,
        elementStride: stride,
      };
    });
    bindings.sort((a, b) => a.group - b.group || a.binding - b.binding);
    for (let i = 1; i < bindings.length; i++) {
      const [a, b] = [bindings[i - 1]!, bindings[i]!];
      if (a.group === b.group && a.binding === b.binding) {
        throw new Error(`${name}.wgsl: ${fn.name} uses ${a.name} and ${b.name} at the same @group(${a.group}) @binding(${a.binding})`);
      }
    }
    entryPoints[fn.name] = { bindings };
  }
  return { name, code, overrides, entryPoints, uniforms };
}

function roundUp(n: number, k: number): number {
  return Math.ceil(n / k) * k;
}
