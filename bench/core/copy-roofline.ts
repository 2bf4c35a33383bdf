/**
 * The copy roofline: `bench/copy.wgsl` moving as many bytes as the op's main tensor (read once,
 * written once) on the same device. No normalization kernel can beat a plain copy of its data, so
 * kernel time / copy time says how far a kernel is from the memory system's limit.
 *
 * A copy's speed depends on its own launch shape too, so a few configurations are tried per size
 * and the fastest is the roofline; otherwise a badly shaped copy would flatter the kernels.
 *
 * The same class times the two-read floor (`kind: 'reread'`): the tensor read twice and written
 * once. A norm needs its row's statistics before its first output, so where a row cannot stay in
 * registers (CPU adapters) this, not the copy, is the least it can cost; the benchmark reports both.
 */
import type { GpuTimer, PassRecorder } from '../../src/core/gpu-timer.js';
import { median } from './stats.js';

/**
 * One launch shape of the copy: invocations per workgroup × vec4 per invocation, either strided
 * across the workgroup's tile (`tile`, the GPU shape) or consecutive (`span`, the CPU shape).
 */
export interface CopyConfig {
  readonly workgroupSize: number;
  readonly items: number;
  readonly shape?: 'tile' | 'span' | 'lanes';
  /** Invocations sharing one span in the `lanes` shape. */
  readonly lanes?: number;
}

/** The configurations tried per size; small enough that tuning stays a fraction of a case. */
export const COPY_CONFIGS: readonly CopyConfig[] = [
  { workgroupSize: 64, items: 1 },
  { workgroupSize: 256, items: 1 },
  { workgroupSize: 64, items: 4 },
  { workgroupSize: 256, items: 4 },
  { workgroupSize: 16, items: 64, shape: 'span' },
  { workgroupSize: 16, items: 256, shape: 'span' },
  { workgroupSize: 64, items: 256, shape: 'span' },
  { workgroupSize: 64, items: 256, shape: 'lanes', lanes: 4 },
  { workgroupSize: 64, items: 256, shape: 'lanes', lanes: 8 },
];

/** Label of a configuration, as stored in `copyVariant`: `wg256x4`, `wg16x256span`, `wg64x256lanes8`. */
export function describeCopyConfig(c: CopyConfig): string {
  const shape = c.shape === 'span' ? 'span' : c.shape === 'lanes' ? `lanes${c.lanes ?? 8}` : '';
  return `wg${c.workgroupSize}x${c.items}${shape}`;
}

/**
 * What a reference kernel does: `copy` reads the tensor once and writes it once (the roofline);
 * `reread` reads it twice and writes it once (the two-read floor, see `bench/copy.wgsl`).
 */
export type ReferenceKind = 'copy' | 'reread';

function entryPoint(kind: ReferenceKind, c: CopyConfig): string {
  return `${kind}_${c.shape === 'span' || c.shape === 'lanes' ? c.shape : 'vec4'}`;
}

/** Repetitions used only to choose the fastest configuration. */
const TUNING_REPS = 3;

/** Compiled copy pipelines for one device (created once, reused for every size). */
export class CopyRoofline {
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(
    private readonly device: GPUDevice,
    code: string,
    /** The library's grid folding, so huge sizes dispatch exactly as the kernels do. */
    private readonly fold: (count: number, maxPerDimension: number) => [number, number],
  ) {
    // Written out rather than `layout: 'auto'`: the same explicit-layout rule as the library.
    this.layout = device.createBindGroupLayout({
      label: 'bench copy',
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage', minBindingSize: 16 } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage', minBindingSize: 16 } },
      ],
    });
    const module = device.createShaderModule({ label: 'copy.wgsl', code });
    const pipelineLayout = device.createPipelineLayout({ label: 'bench copy', bindGroupLayouts: [this.layout] });
    for (const kind of ['copy', 'reread'] as const) {
      for (const c of COPY_CONFIGS) {
        this.pipelines.set(
          `${kind} ${describeCopyConfig(c)}`,
          device.createComputePipeline({
            label: `bench ${kind} ${describeCopyConfig(c)}`,
            layout: pipelineLayout,
            compute: { module, entryPoint: entryPoint(kind, c), constants: { WORKGROUP_SIZE: c.workgroupSize, ITEMS: c.items, LANES: c.lanes ?? 8 } },
          }),
        );
      }
    }
  }

  /**
   * Buffers for copying (or re-reading, `kind`) `elements` f32 (rounded up to whole vec4), and the
   * fastest configuration for that size. Call `destroy()` on the result when done.
   */
  async prepare(elements: number, timer: GpuTimer, kind: ReferenceKind = 'copy'): Promise<PreparedCopy> {
    const bytes = Math.ceil(elements / 4) * 16;
    const usage = GPUBufferUsage.STORAGE;
    const src = this.device.createBuffer({ label: 'bench copy src', size: bytes, usage });
    const dst = this.device.createBuffer({ label: 'bench copy dst', size: bytes, usage });
    const bindGroup = this.device.createBindGroup({
      label: 'bench copy',
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: src } },
        { binding: 1, resource: { buffer: dst } },
      ],
    });
    const maxDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    const recorder = (c: CopyConfig): PassRecorder => {
      const pipeline = this.pipelines.get(`${kind} ${describeCopyConfig(c)}`)!;
      const [x, y] = this.fold(Math.ceil(bytes / 16 / (c.workgroupSize * c.items)), maxDim);
      return (pass) => {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(x, y);
      };
    };
    const recorders = COPY_CONFIGS.map(recorder);
    await timer.untimed(recorders, 1);
    const samples: number[][] = COPY_CONFIGS.map(() => []);
    for (let r = 0; r < TUNING_REPS; r++) (await timer.sample(recorders)).forEach((ms, i) => samples[i]!.push(ms));
    let best = 0;
    samples.forEach((s, i) => {
      if (median(s) < median(samples[best]!)) best = i;
    });
    const config = COPY_CONFIGS[best]!;
    return {
      bytes: (kind === 'copy' ? 2 : 3) * bytes,
      label: describeCopyConfig(config),
      record: recorder(config),
      destroy() {
        src.destroy();
        dst.destroy();
      },
    };
  }
}

/** A copy (or re-read) ready to time: its recorder, what it moves and which configuration won. */
export interface PreparedCopy {
  /** Bytes read plus bytes written. */
  readonly bytes: number;
  readonly label: string;
  readonly record: PassRecorder;
  destroy(): void;
}
