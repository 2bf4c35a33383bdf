/**
 * One fact about a device that only running a kernel can tell: whether WGSL's `unpack2x16float`
 * is exact there. WGSL lets an implementation flush subnormal halves to zero, so the packed-f16
 * kernels convert halves on the bits, or recompute subnormal halves after the built-in
 * (shaders/common/f16.wgsl). Where the built-in is exact for every half, that work is pure cost:
 * f16 LayerNorm/RMSNorm, GroupNorm and the backward passes took 0.64–1.0× the time without it on
 * SwiftShader and llvmpipe (docs/cpu-adapter-experiments.md). The probe checks all 65536 halves
 * once per device, when a normalizer is created on it; the kernels use the built-in bare only
 * where it was proven exact.
 */
import probeShader from '../../shaders/common/f16_unpack_probe.wgsl?shader';
import { DeviceLifecycle } from './lifecycle.js';
import { Usage } from './operands.js';
import { getPipeline } from './pipeline-cache.js';

/** What the probes found about a device; absent fields are false. */
export interface DeviceFacts {
  /** `unpack2x16float` gives every half exactly, subnormals included (NaN as a NaN of its sign). */
  readonly f16UnpackExact?: boolean | undefined;
}

/** Halves checked: every binary16 bit pattern. */
const HALVES = 65536;
const probes = new WeakMap<GPUDevice, Promise<DeviceFacts>>();

/**
 * Whether `unpack2x16float` is exact on `device`, probed once per device (later calls share the
 * first one's answer). Anything that goes wrong (a lost device, an error, an implementation that
 * answers nothing) means false: the kernels then keep their own exact conversion. Creates one
 * pipeline and two 8-byte buffers, destroyed before it resolves; errors stay in its own error
 * scope, so the device's `uncapturederror` never sees them.
 *
 * @example
 * ```ts
 * const { f16UnpackExact } = await probeF16Unpack(device); // true on SwiftShader and llvmpipe
 * ```
 */
export function probeF16Unpack(device: GPUDevice): Promise<DeviceFacts> {
  let p = probes.get(device);
  if (!p) {
    p = runF16UnpackProbe(device).then(
      (exact) => (exact ? { f16UnpackExact: true } : {}),
      () => ({}),
    );
    probes.set(device, p);
  }
  return p;
}

/**
 * Records what is known of `device` without probing it: for a test double, which runs no kernel
 * (its probe would prove nothing and show up in the calls it records).
 *
 * @example
 * ```ts
 * rememberDeviceFacts(fake.device, {});
 * ```
 */
export function rememberDeviceFacts(device: GPUDevice, facts: DeviceFacts): void {
  probes.set(device, Promise.resolve(facts));
}

/**
 * The probe itself, unremembered: true when all 65536 halves were checked and none differed.
 * Rejects where a WebGPU call throws.
 *
 * @example
 * ```ts
 * await runF16UnpackProbe(device); // true on SwiftShader and llvmpipe
 * ```
 */
export async function runF16UnpackProbe(device: GPUDevice): Promise<boolean> {
  device.pushErrorScope('validation');
  const counts = device.createBuffer({ label: 'webgpu-norm f16 probe', size: 8, usage: Usage.STORAGE | Usage.COPY_SRC });
  const readback = device.createBuffer({ label: 'webgpu-norm f16 probe read-back', size: 8, usage: Usage.MAP_READ | Usage.COPY_DST });
  try {
    const { pipeline, layout } = getPipeline(device, probeShader, 'main', {});
    const bindGroup = device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: counts } }] });
    const encoder = device.createCommandEncoder({ label: 'webgpu-norm f16 probe' });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(HALVES / 2 / 64);
    pass.end();
    encoder.copyBufferToBuffer(counts, 0, readback, 0, 8);
    device.queue.submit([encoder.finish()]);
    const failed = await device.popErrorScope();
    if (failed) return false;
    // Rejects as soon as the device is lost: an implementation may never settle mapAsync then.
    await new DeviceLifecycle(device).mapRead(readback);
    const [checked, differing] = new Uint32Array(readback.getMappedRange(0, 8));
    readback.unmap();
    // A device that ran nothing (a test double) reads back zeros: not proven.
    return checked === HALVES && differing === 0;
  } finally {
    counts.destroy();
    readback.destroy();
  }
}
