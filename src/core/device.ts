/**
 * Finding WebGPU: `navigator.gpu` in browsers and workers; in Node, the `webgpu` package (Dawn)
 * when it is installed. The device we create asks for the adapter's largest buffer limits and
 * the optional features later kernels can use, so big shapes are not refused by default limits.
 */
import { NormError } from './errors.js';

/** Options for {@link requestNormDevice}. */
export interface RequestDeviceOptions {
  readonly powerPreference?: GPUPowerPreference | undefined;
  /** Use this `GPU` object instead of discovering one (e.g. `create([])` from the `webgpu` package). */
  readonly gpu?: GPU | undefined;
}

/** Features requested when the adapter offers them: each only enables faster or extra paths. */
export const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['subgroups', 'timestamp-query', 'shader-f16'];

/**
 * The Dawn `GPU` object, kept for the life of the process: if it were garbage-collected, Dawn
 * would destroy its instance under devices still in use and abort Node.
 */
let dawnGpu: GPU | undefined;
/**
 * `GPU` objects callers handed to {@link requestNormDevice}, kept for the same reason: with the
 * `webgpu` package, a `GPU` from `create()` that is collected while its device lives makes Dawn
 * tear down its instance under that device; the next calls then segfault (lavapipe) or hang
 * (SwiftShader). Minimal reproduction and findings: docs/software-drivers.md.
 */
const callerGpus = new Set<GPU>();

/** Returns `navigator.gpu`, or the Dawn-backed `GPU` of the `webgpu` package in Node, or throws `no-webgpu`. */
export async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (isNode) {
    // A variable specifier keeps browser bundlers from trying to resolve this Node-only package.
    const name = 'webgpu';
    try {
      if (dawnGpu) return dawnGpu;
      const dawn = (await import(/* @vite-ignore */ name)) as { create: (flags: string[]) => GPU; globals: object };
      Object.assign(globalThis, dawn.globals);
      dawnGpu = dawn.create([]);
      return dawnGpu;
    } catch (e) {
      throw new NormError('no-webgpu', 'no navigator.gpu, and the "webgpu" package (Dawn for Node) could not be loaded: npm install webgpu', undefined, { cause: e });
    }
  }
  throw new NormError(
    'no-webgpu',
    'WebGPU is not available: navigator.gpu is missing (it needs a secure context such as https:// or http://localhost, and a browser with WebGPU enabled)',
  );
}

/**
 * Requests an adapter and a device with the adapter's maximum buffer sizes and the optional
 * features in {@link OPTIONAL_FEATURES} it supports.
 *
 * @example
 * ```ts
 * const { device, adapter } = await requestNormDevice({ powerPreference: 'high-performance' });
 * ```
 */
export async function requestNormDevice(options: RequestDeviceOptions = {}): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  if (options.gpu) callerGpus.add(options.gpu);
  const gpu = options.gpu ?? (await findGpu());
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  if (!adapter) throw new NormError('no-webgpu', 'navigator.gpu.requestAdapter() returned null: no usable GPU adapter (is WebGPU enabled for this GPU or driver?)');
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    label: 'webgpu-norm',
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    },
  });
  return { adapter, device };
}
