/**
 * Build-time WGSL reflection: turns a shader's source into the {@link ShaderInfo} the runtime
 * builds explicit bind group layouts and uniform writers from. Runs inside Vite (library build,
 * dev server, Vitest) through {@link wgslPlugin}; the runtime bundle never contains the parser.
 */
import { WgslParser, WgslReflect, ResourceType } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { BindingInfo, EntryPointInfo, OverrideType, ShaderInfo, UniformInfo } from '../core/shader-info.js';

/**
 * Reflects `code` into a {@link ShaderInfo}. `file` is the kernel's path relative to `shaders/`
 * (for error messages; default `name.wgsl`).
 *
 * @example
 * ```ts
 * const info = reflectWgsl('layer_norm', source);
 * info.uniforms.params.members.epsilon.offset; // 8
 * info.entryPoints.row_norm_vec4.bindings.map((b) => b.name); // ['params', 'x4', 'y4', ...]
 * ```
 */
export function reflectWgsl(name: string, code: string, file = `${name}.wgsl`): ShaderInfo {
  const reflect = new WgslReflect(code);
  checkNoShadowedResources(name, code, [...reflect.uniforms, ...reflect.storage, ...reflect.textures, ...reflect.samplers].map((v) => v.name));

  const overrides: Record<string, OverrideType> = {};
  for (const o of reflect.overrides) {
    const type = o.type?.name ?? inferOverrideType(code, o.name);
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
        minBindingSize: storageMinBindingSize(v),
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
  return { name, file, code, overrides, entryPoints, uniforms };
}

/**
 * Rejects a function parameter or local `let`/`var`/`const` named like a module-scope resource.
 * wgsl_reflect decides which resources an entry point uses by name, without scopes: such a local
 * makes every entry point that calls its function require the binding, and the layout then
 * demands a buffer the kernel never touches (this happened: a parameter called `variance` made
 * the fused GroupNorm kernels require the `variance` binding). A clear build error instead.
 */
function checkNoShadowedResources(name: string, code: string, resources: readonly string[]): void {
  const names = new Set(resources);
  for (const node of WgslParser.Parse(code)) {
    if (node.astNodeType !== 'function') continue;
    const fn = node as unknown as { name: string; args: { name: string }[]; search(cb: (n: { astNodeType: string; name?: string }) => void): void };
    const clash = (local: string, kind: string) => {
      if (names.has(local)) {
        throw new Error(`${name}.wgsl: fn ${fn.name} declares ${kind} '${local}', the name of a module-scope resource; wgsl_reflect would count every entry point that calls ${fn.name} as using that binding. Rename the ${kind}.`);
      }
    };
    for (const a of fn.args) clash(a.name, 'parameter');
    fn.search((n) => {
      if ((n.astNodeType === 'let' || n.astNodeType === 'var' || n.astNodeType === 'const') && n.name !== undefined) clash(n.name, n.astNodeType);
    });
  }
}

/**
 * The smallest range WebGPU accepts for a storage binding: a runtime-sized array needs one element,
 * a fixed-size array or struct its whole size, a struct ending in a runtime array its fixed part
 * plus one element.
 */
function storageMinBindingSize(v: { isArray: boolean; stride: number; count: number; size: number; isStruct: boolean; members: readonly { offset: number; isArray: boolean; count: number; stride: number }[] | null }): number {
  if (v.isArray) return v.count > 0 ? v.size : v.stride;
  const last = v.isStruct ? v.members?.[v.members.length - 1] : undefined;
  if (last && last.isArray && last.count === 0) return last.offset + last.stride;
  return v.size;
}

/** The type of `override NAME = value;` without a type annotation, from the initializer's literal. */
function inferOverrideType(code: string, name: string): string | undefined {
  const m = new RegExp(`override\\s+${name}\\s*=\\s*([^;]+);`).exec(code);
  const init = m?.[1]?.trim();
  if (init === undefined) return undefined;
  if (init === 'true' || init === 'false') return 'bool';
  if (/^-?(0x[0-9a-f]+|\d+)u$/i.test(init)) return 'u32';
  if (/^-?(0x[0-9a-f]+|\d+)i?$/i.test(init)) return 'i32';
  if (/h$/i.test(init)) return 'f16';
  if (/^-?[\d.]+(e[-+]?\d+)?f?$/i.test(init)) return 'f32';
  return undefined;
}

function roundUp(n: number, k: number): number {
  return Math.ceil(n / k) * k;
}
