/**
 * A recording stand-in for GPUDevice, for unit tests in Node: enough of the API for the resource
 * cache and the normalizer's bookkeeping, with WebGPU's buffer-size rule enforced (a too-large
 * createBuffer is recorded as a validation error, as a real device would report it). It runs no
 * shaders: read-backs return zeros.
 */
import { rememberDeviceFacts } from '../../src/core/f16-probe.js';

export interface FakeBuffer {
  readonly id: number;
  readonly size: number;
  readonly usage: number;
  readonly label: string;
  mapState: GPUBufferMapState;
  /** How many times destroy() was called. */
  destroyed: number;
  /** A real device would have made this buffer invalid (e.g. size over maxBufferSize). */
  readonly invalid: boolean;
  readonly data: ArrayBuffer;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  mapAsync(mode: number): Promise<void>;
  destroy(): void;
}

export interface FakeLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  minStorageBufferOffsetAlignment: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupSizeX: number;
}

export const DEFAULT_FAKE_LIMITS: FakeLimits = {
  maxBufferSize: 256 << 20,
  maxStorageBufferBindingSize: 128 << 20,
  minStorageBufferOffsetAlignment: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
};

export interface FakeDevice {
  readonly device: GPUDevice;
  readonly buffers: FakeBuffer[];
  readonly bindGroups: GPUBindGroupDescriptor[];
  /** Validation errors a real device would have raised. */
  readonly validationErrors: string[];
  readonly submits: number[];
  /** Label of the pipeline of every dispatch recorded, in order. */
  readonly dispatches: string[];
  /** Calls of device.destroy(). */
  destroyed: number;
  /** When set, the next mapAsync rejects (as after a device loss or a failed submit). */
  failNextMap: boolean;
  /** Resolves device.lost. */
  lose(reason?: GPUDeviceLostReason, message?: string): void;
  /** Buffers created and not destroyed. */
  live(): FakeBuffer[];
}

export function fakeDevice(limits: Partial<FakeLimits> = {}): FakeDevice {
  const lim = { ...DEFAULT_FAKE_LIMITS, ...limits };
  const buffers: FakeBuffer[] = [];
  const bindGroups: GPUBindGroupDescriptor[] = [];
  const validationErrors: string[] = [];
  const submits: number[] = [];
  const dispatches: string[] = [];
  let resolveLost!: (info: GPUDeviceLostInfo) => void;
  const lost = new Promise<GPUDeviceLostInfo>((r) => (resolveLost = r));
  let nextId = 1;

  const createBuffer = (d: GPUBufferDescriptor): FakeBuffer => {
    const invalid = d.size > lim.maxBufferSize;
    if (invalid) validationErrors.push(`createBuffer: size ${d.size} > maxBufferSize ${lim.maxBufferSize} (${d.label ?? ''})`);
    const b: FakeBuffer = {
      id: nextId++,
      size: d.size,
      usage: d.usage,
      label: d.label ?? '',
      mapState: d.mappedAtCreation ? 'mapped' : 'unmapped',
      destroyed: 0,
      invalid,
      data: new ArrayBuffer(invalid ? 0 : d.size),
      getMappedRange() {
        if (this.mapState !== 'mapped') throw new Error(`getMappedRange on ${this.mapState} buffer ${this.label}`);
        return this.data;
      },
      unmap() {
        this.mapState = 'unmapped';
      },
      mapAsync() {
        if (fake.failNextMap) {
          fake.failNextMap = false;
          return Promise.reject(new Error('mapAsync: operation aborted'));
        }
        if (this.invalid || this.destroyed) return Promise.reject(new Error(`mapAsync: buffer ${this.label} is invalid or destroyed`));
        this.mapState = 'mapped';
        return Promise.resolve();
      },
      destroy() {
        this.destroyed++;
      },
    };
    // Where a test defines the platform's GPUBuffer interface, the fake's buffers are instances of it.
    const platform = (globalThis as { GPUBuffer?: unknown }).GPUBuffer;
    if (typeof platform === 'function') Object.setPrototypeOf(b, platform.prototype as object);
    buffers.push(b);
    return b;
  };

  const pass = () => {
    let pipeline = '';
    return {
      setPipeline(p: { label?: string }) {
        pipeline = p.label ?? '';
      },
      setBindGroup() {},
      dispatchWorkgroups() {
        dispatches.push(pipeline);
      },
      end() {},
    };
  };

  const device = {
    label: 'fake',
    limits: lim,
    features: new Set<string>(),
    lost,
    queue: {
      submit(cbs: unknown[]) {
        submits.push(cbs.length);
      },
      writeBuffer() {},
      onSubmittedWorkDone: () => Promise.resolve(),
    },
    createBuffer,
    createBindGroup(d: GPUBindGroupDescriptor) {
      bindGroups.push(d);
      return { label: d.label ?? '', kind: 'bindGroup', index: bindGroups.length - 1 };
    },
    createShaderModule: (d: GPUShaderModuleDescriptor) => ({ label: d.label, kind: 'module' }),
    createBindGroupLayout: (d: GPUBindGroupLayoutDescriptor) => ({ label: d.label, kind: 'layout' }),
    createPipelineLayout: (d: GPUPipelineLayoutDescriptor) => ({ label: d.label, kind: 'pipelineLayout' }),
    createComputePipeline: (d: GPUComputePipelineDescriptor) => ({ label: d.label, kind: 'pipeline' }),
    createComputePipelineAsync: (d: GPUComputePipelineDescriptor) => Promise.resolve({ label: d.label, kind: 'pipeline' }),
    createCommandEncoder: () => ({
      beginComputePass: pass,
      copyBufferToBuffer(src: FakeBuffer, _so: number, dst: FakeBuffer) {
        if (src.invalid || dst.invalid) validationErrors.push('copyBufferToBuffer with an invalid buffer');
      },
      finish: () => ({ kind: 'commandBuffer' }),
    }),
    pushErrorScope() {},
    popErrorScope: () => Promise.resolve(null),
    addEventListener() {},
    destroy() {
      fake.destroyed++;
    },
  };

  // A fake runs no kernel: the normalizer's device probes (src/core/f16-probe.ts) would prove
  // nothing and show up among the calls the tests count. It is known as a device that proved nothing.
  rememberDeviceFacts(device as unknown as GPUDevice, {});
  const fake: FakeDevice = {
    device: device as unknown as GPUDevice,
    buffers,
    bindGroups,
    validationErrors,
    submits,
    dispatches,
    destroyed: 0,
    failNextMap: false,
    lose(reason = 'unknown', message = 'fake loss') {
      resolveLost({ reason, message } as GPUDeviceLostInfo);
    },
    live: () => buffers.filter((b) => b.destroyed === 0),
  };
  return fake;
}
