/**
 * Per-device cache of shader modules, explicit layouts and compute pipelines. Shared by every
 * normalizer on the same `GPUDevice` (a `WeakMap`, so a dropped device takes its cache with it).
 * These objects own no memory a caller could free, so sharing them is safe; buffers are owned per
 * normalizer (see `resources.ts`). Shapes never enter a key: rows, cols and epsilon are uniforms.
 */
import { bindGroupLayoutDescriptor, checkConstants } from './bindings.js';
import type { ShaderInfo } from './shader-info.js';

/** A ready pipeline with the bind group layout its bind groups must be created from. */
export interface CachedPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /** Stable key of (shader, entry point, constants); the pipeline's label. */
  readonly key: string;
  /** A number unique to this pipeline in its device's cache: bind group cache keys use it, short to hash. */
  readonly id: number;
}

/** A compiled module and the exact WGSL it was compiled from (for mapping compiler messages). */
export interface CompiledModule {
  readonly shader: { readonly name: string; readonly code: string };
  readonly module: GPUShaderModule;
}

class DeviceCache {
  readonly modules = new Map<string, GPUShaderModule>();
  /** Every module created so far, in creation order (debug mode checks each one's compilation info). */
  readonly compiled: CompiledModule[] = [];
  readonly layouts = new Map<string, GPUBindGroupLayout>();
  readonly pipelines = new Map<string, CachedPipeline>();
  /** Hot-path index: caller-built compact keys → pipelines, skipping constant checks and sorting. */
  readonly fast = new Map<string, CachedPipeline>();
  constructor(readonly device: GPUDevice) {}

  module(shader: ShaderInfo): GPUShaderModule {
    let m = this.modules.get(shader.name);
    if (!m) {
      m = this.device.createShaderModule({ label: `${shader.name}.wgsl`, code: shader.code });
      this.modules.set(shader.name, m);
      this.compiled.push({ shader, module: m });
    }
    return m;
  }

  layout(shader: ShaderInfo, entryPoint: string): GPUBindGroupLayout {
    const key = `${shader.name}.${entryPoint}`;
    let l = this.layouts.get(key);
    if (!l) {
      l = this.device.createBindGroupLayout(bindGroupLayoutDescriptor(shader, entryPoint));
      this.layouts.set(key, l);
    }
    return l;
  }

  descriptor(shader: ShaderInfo, entryPoint: string, constants: Record<string, number>, key: string): GPUComputePipelineDescriptor {
    const layout = this.layout(shader, entryPoint);
    return {
      label: key,
      layout: this.device.createPipelineLayout({ label: key, bindGroupLayouts: [layout] }),
      compute: { module: this.module(shader), entryPoint, constants },
    };
  }
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheFor(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (!c) {
    c = new DeviceCache(device);
    caches.set(device, c);
  }
  return c;
}

function pipelineKey(shader: ShaderInfo, entryPoint: string, constants: Record<string, number>): string {
  const parts = Object.keys(constants)
    .sort()
    .map((k) => `${k}=${constants[k]}`);
  return `${shader.name}.${entryPoint}(${parts.join(',')})`;
}

/**
 * The modules compiled on `device` so far, oldest first; `from` skips ones the caller has seen.
 *
 * @example
 * ```ts
 * for (const { shader, module } of compiledModules(device, checked)) check(await module.getCompilationInfo());
 * ```
 */
export function compiledModules(device: GPUDevice, from = 0): readonly CompiledModule[] {
  const all = caches.get(device)?.compiled ?? [];
  return from >= all.length ? [] : all.slice(from);
}

/**
 * The pipeline for (shader, entry point, override constants), created synchronously on first use
 * (an `encode` call cannot await). The cache key derives from the constants object itself.
 *
 * @example
 * ```ts
 * const { pipeline, layout } = getPipeline(device, rowNormShader, 'main', { WORKGROUP_SIZE: 64 });
 * ```
 */
export function getPipeline(device: GPUDevice, shader: ShaderInfo, entryPoint: string, constants: Readonly<Record<string, number | boolean>>): CachedPipeline {
  const cache = cacheFor(device);
  // A cheap identity of this call: the constants' entries in insertion order. Encode paths build
  // their constants object the same way on every call, so a hit skips checking and sorting the
  // constants (encode stays a few microseconds); a miss takes the checked, canonical path, which
  // also shares one pipeline between calls that list the same constants in another order.
  let fastKey = `${shader.name}|${entryPoint}`;
  for (const name in constants) fastKey += `|${name}=${constantText(constants[name]!)}`;
  const hit = cache.fast.get(fastKey);
  if (hit) return hit;
  const c = checkConstants(shader, constants);
  const key = pipelineKey(shader, entryPoint, c);
  let p = cache.pipelines.get(key);
  if (!p) {
    const d = cache.descriptor(shader, entryPoint, c, key);
    p = { pipeline: device.createComputePipeline(d), layout: cache.layout(shader, entryPoint), key, id: cache.pipelines.size + 1 };
    cache.pipelines.set(key, p);
  }
  cache.fast.set(fastKey, p);
  return p;
}

/** A constant's value as key text; -0 stays distinct from 0 (`x + -0` and `x + 0` differ for x = -0). */
function constantText(v: number | boolean): string {
  return typeof v === 'number' && v === 0 && 1 / v < 0 ? '-0' : String(v);
}
