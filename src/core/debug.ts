/**
 * Debug mode (`createNormalizer({ debug: true })`): every call runs inside `validation` and
 * `out-of-memory` error scopes, every newly compiled shader module's messages are checked (and
 * cited as `row-norm/row_norm_core.wgsl:87:5`), and each caller buffer is probed for belonging to
 * the normalizer's device. Synchronous `encode…` calls cannot wait for the GPU's answers, so their
 * findings are queued for the next call, `flushErrors()` and `checkErrors()`.
 */
import { NormError, describeBuffer } from './errors.js';
import { ShaderStage } from './gpu-flags.js';
import { isGpuBuffer } from './operands.js';
import { compiledModules } from './pipeline-cache.js';
import { compilationError } from './wgsl-source-map.js';

/** popErrorScope, or null if it cannot answer (a lost device may reject). */
function safePop(device: GPUDevice): Promise<GPUError | null> {
  return device.popErrorScope().catch(() => null);
}

/** The GPUBuffer of an operand (a buffer or a binding), else undefined. */
function asBuffer(value: unknown): GPUBuffer | undefined {
  if (isGpuBuffer(value)) return value;
  const inner = (value as { buffer?: unknown } | null)?.buffer;
  return typeof value === 'object' && value !== null && isGpuBuffer(inner) ? inner : undefined;
}

/**
 * One normalizer's debug-mode state: the GPU-side checks still running and what they found.
 * Disabled, it only runs the calls it is given.
 *
 * @example
 * ```ts
 * const debug = new DebugMode(device, true);
 * const variant = debug.encode(options, () => encodeRowNorm(ctx, encoder, kind, options));
 * await debug.checkErrors(); // throws NormError('gpu-error' | 'wrong-device') if the GPU objected
 * ```
 */
export class DebugMode {
  /** GPU-side checks still running, and the errors they found (oldest first). */
  private readonly pendingChecks = new Set<Promise<void>>();
  private readonly errors: NormError[] = [];
  private checkedModules = 0;
  private readonly verifiedBuffers = new WeakSet<GPUBuffer>();
  private probeLayout: GPUBindGroupLayout | undefined;

  constructor(
    private readonly device: GPUDevice,
    readonly enabled: boolean,
  ) {}

  /**
   * An `encode…` call: `fn`, in debug mode inside error scopes whose findings are queued for the
   * next call / checkErrors(). `options` are searched for caller buffers to probe.
   */
  encode<T>(options: unknown, fn: () => T): T {
    if (!this.enabled) return fn();
    const { value, error } = this.guarded(options, fn);
    this.track(error);
    return value;
  }

  /**
   * A typed-array call whose recording and submit happen synchronously before its first await
   * (all of them do): in debug mode the error scopes of {@link guarded} enclose exactly that part,
   * and this call's own GPU errors reject it.
   */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.enabled) return fn();
    const { value, error } = this.guarded(undefined, fn);
    const result = await value;
    const gpuError = await error;
    if (gpuError) throw gpuError;
    return result;
  }

  /** Throws the oldest finding already reported, forgetting the others (as the next call does). */
  throwReported(): void {
    if (this.errors.length > 0) throw this.flushErrors()[0]!;
  }

  /** The findings already reported, oldest first, and forgets them. */
  flushErrors(): NormError[] {
    return this.errors.splice(0);
  }

  /** Waits for every pending check and throws the first finding. */
  async checkErrors(): Promise<void> {
    while (this.pendingChecks.size > 0) await Promise.all([...this.pendingChecks]);
    const errors = this.flushErrors();
    if (errors.length > 0) throw errors[0];
  }

  /**
   * Runs `fn` (which creates pipelines, bind groups and records work) inside validation and
   * out-of-memory scopes, then checks newly compiled modules and each caller buffer's device.
   * `error` settles to the most specific finding of this call, or null.
   */
  private guarded<T>(options: unknown, fn: () => T): { value: T; error: Promise<NormError | null> } {
    const { device } = this;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let value: T;
    let validation: Promise<GPUError | null>;
    let oom: Promise<GPUError | null>;
    try {
      value = fn();
    } finally {
      // Popped even when fn threw, so the caller's scope stack stays balanced.
      validation = safePop(device);
      oom = safePop(device);
    }
    const checks: Promise<NormError | null>[] = [];
    // Most specific first: a broken module explains every pipeline and bind group error after it.
    const modules = compiledModules(device, this.checkedModules);
    this.checkedModules += modules.length;
    for (const { shader, module } of modules) {
      // Through a promise, so an implementation without getCompilationInfo only skips this check.
      checks.push(Promise.resolve().then(() => module.getCompilationInfo()).then((info) => compilationError(shader, info), () => null));
    }
    checks.push(...this.probeDevices(options));
    checks.push(
      validation.then((e) => e && new NormError('gpu-error', `WebGPU validation error in work encoded by webgpu-norm: ${e.message}`)),
      oom.then((e) => e && new NormError('gpu-error', `out of GPU memory: ${e.message}`)),
    );
    return { value, error: Promise.all(checks).then((found) => found.find((e) => e !== null) ?? null) };
  }

  /**
   * A `GPUBuffer` cannot be asked for its device, but binding it on the wrong one is a validation
   * error: each caller buffer (any option holding a buffer or binding) is bound once, alone, in a
   * tiny probe bind group inside its own scope. Runs after the call's own checks passed, so the
   * buffer is known to have STORAGE usage and at least 4 bytes.
   */
  private probeDevices(options: unknown): Promise<NormError | null>[] {
    if (typeof options !== 'object' || options === null) return [];
    const { device } = this;
    this.probeLayout ??= device.createBindGroupLayout({
      label: 'webgpu-norm device probe',
      entries: [{ binding: 0, visibility: ShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    });
    const found: Promise<NormError | null>[] = [];
    for (const [argument, value] of Object.entries(options)) {
      const buffer = asBuffer(value);
      if (!buffer || this.verifiedBuffers.has(buffer)) continue;
      device.pushErrorScope('validation');
      device.createBindGroup({ layout: this.probeLayout, entries: [{ binding: 0, resource: { buffer, offset: 0, size: 4 } }] });
      found.push(
        safePop(device).then((e) => {
          // Only a buffer that passed is skipped from now on: a foreign one is reported every time.
          if (!e) this.verifiedBuffers.add(buffer);
          return (
            e &&
            new NormError(
              'wrong-device',
              `${describeBuffer(buffer)} belongs to another GPUDevice than this normalizer's (norm.device); create it on norm.device (${e.message})`,
              argument,
            )
          );
        }),
      );
    }
    return found;
  }

  private track(error: Promise<NormError | null>): void {
    const done: Promise<void> = error.then((e) => {
      if (e) this.errors.push(e);
      this.pendingChecks.delete(done);
    });
    this.pendingChecks.add(done);
  }
}
