/**
 * `createNormalizer`: the object users hold. Each op has two forms: a convenience form that takes
 * and returns typed arrays (it uploads, runs, reads back, and frees its temporaries), and an
 * `encode…` form that records into the caller's encoder or pass with the caller's buffers and
 * never submits.
 */
import { requestNormDevice } from './core/device.js';
import { NormError, checkInteger, describe } from './core/errors.js';
import type { EncodeTarget, KernelContext } from './core/context.js';
import { checkRowNormArrays, type AddLayerNormOptions, type AddNormResult, type AddRmsNormOptions, type LayerNormOptions, type LayerNormResult, type RmsNormOptions, type RmsNormResult, type RowNormKind } from './ops/row-norm/options.js';
import { encodeRowNorm, type EncodeAddLayerNormOptions, type EncodeAddRmsNormOptions, type EncodeLayerNormOptions, type EncodeRmsNormOptions } from './ops/row-norm/encode.js';
import { candidateVariants, loadTuning, saveTuning, tuningKey, type RowNormOpName, type TuningTable } from './ops/row-norm/tuning.js';
import { describeVariant, profileDevice, type AdapterProfile, type LayerNormVariant } from './ops/row-norm/variant.js';
import { Usage } from './core/operands.js';
import {
  checkBackwardArrays,
  type LayerNormBackwardOptions,
  type LayerNormBackwardResult,
  type RmsNormBackwardOptions,
  type RmsNormBackwardResult,
} from './ops/backward/options.js';
import { encodeNormBackward, type EncodeLayerNormBackwardOptions, type EncodeRmsNormBackwardOptions } from './ops/backward/encode.js';
import { OwnedResources, type ResourceStats } from './core/resources.js';
import type { BatchNormInferenceOptions, BatchNormInferenceResult, BatchNormStatsOptions, BatchNormStatsResult } from './ops/batch-norm/options.js';
import { encodeBatchNormInference, encodeBatchNormStats, type EncodeBatchNormInferenceOptions, type EncodeBatchNormStatsOptions } from './ops/batch-norm/encode.js';
import type { GroupNormOptions, GroupNormResult, InstanceNormOptions } from './ops/group-norm/options.js';
import { encodeGroupNorm, encodeInstanceNorm, type EncodeGroupNormOptions, type EncodeInstanceNormOptions, type NormPlanInfo } from './ops/group-norm/encode.js';
import { Transfers, type ArrayRunContext, type SameData } from './core/transfers.js';
import { runGroupNorm } from './ops/group-norm/run.js';
import { encodeLpNorm } from './ops/lp-norm/encode.js';
import type { EncodeLpNormOptions, LpNormOptions, LpNormResult, LpNormVariant } from './ops/lp-norm/options.js';
import { runLpNorm } from './ops/lp-norm/run.js';
import { runBatchNormInference, runBatchNormStats } from './ops/batch-norm/run.js';
import { compiledModules } from './core/pipeline-cache.js';
import { compilationError } from './core/wgsl-source-map.js';
import { storageBytes, type TensorData } from './core/tensor.js';

/** Options for {@link createNormalizer}. */
export interface NormalizerOptions {
  /** Use this device (the caller keeps owning it). Without it, one is requested and owned by the normalizer. */
  readonly device?: GPUDevice | undefined;
  /** Adapter preference when the normalizer requests its own device. */
  readonly powerPreference?: GPUPowerPreference | undefined;
  /**
   * The adapter's info, for variant selection when `device.adapterInfo` is unavailable (older
   * browsers). Pass `adapter.info` of the adapter your device came from.
   */
  readonly adapterInfo?: GPUAdapterInfo | undefined;
  /**
   * Autotuned variants to start from: a table from {@link Normalizer.exportTuning}, or
   * `'localStorage'` (the default) to load what earlier `tune()` calls persisted there, or `false`.
   */
  readonly tuning?: TuningTable | 'localStorage' | false | undefined;
  /** Write `tune()` results to `localStorage` where available. Default true. */
  readonly persistTuning?: boolean | undefined;
  /**
   * Debug mode: every call runs inside `validation` and `out-of-memory` error scopes, every new
   * shader module's compilation messages are checked (and cited as `row-norm/row_norm_core.wgsl:87:5`),
   * and each caller buffer is probed for belonging to this device (`wrong-device`; a GPUBuffer
   * cannot be asked for its device, so a one-entry bind group is created on it inside a scope,
   * until it passes once). The
   * typed-array forms reject with what they caused; the synchronous `encode…` forms cannot wait,
   * so their errors surface on the next call, from {@link Normalizer.flushErrors}, or from
   * `await` {@link Normalizer.checkErrors}. Costs a few error scopes per call: for development.
   */
  readonly debug?: boolean | undefined;
}

/** What {@link Normalizer.tune} measured. */
export interface TuneResult {
  /** The fastest variant, now used for every shape in the same bucket. */
  readonly variant: LayerNormVariant;
  /** Its median GPU time in milliseconds. */
  readonly ms: number;
  /** Every candidate with its median time, fastest first. */
  readonly candidates: readonly { readonly variant: LayerNormVariant; readonly label: string; readonly ms: number }[];
  /** How the time was measured: GPU timestamps, or wall time around each submission. */
  readonly timer: 'timestamp-query' | 'wall';
}

/** Normalization kernels bound to one `GPUDevice`. */
export interface Normalizer {
  /** The device every kernel runs on. */
  readonly device: GPUDevice;
  /** What kernel selection knows about the adapter. */
  readonly profile: AdapterProfile;
  /** True after {@link Normalizer.destroy}. */
  readonly destroyed: boolean;

  /**
   * LayerNorm over the last dimension of `x` (rows = `x.length / cols`), on the GPU.
   * f16: pass half bits as a Uint16Array; `y` comes back the same way.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta, epsilon: 1e-5 });
   * ```
   */
  layerNorm(x: Float32Array, options: LayerNormOptions): Promise<LayerNormResult>;
  layerNorm(x: Uint16Array, options: LayerNormOptions): Promise<LayerNormResult<Uint16Array>>;

  /**
   * RMSNorm: `y = x / sqrt(mean(x²) + eps) · (gamma + gammaOffset)`.
   *
   * @example
   * ```ts
   * const { y, rstd } = await norm.rmsNorm(x, { cols: 4096, gamma, epsilon: 1e-6 });
   * const gemma = await norm.rmsNorm(x, { cols: 2048, gamma, gammaOffset: 1 });
   * ```
   */
  rmsNorm(x: Float32Array, options: RmsNormOptions): Promise<RmsNormResult>;
  rmsNorm(x: Uint16Array, options: RmsNormOptions): Promise<RmsNormResult<Uint16Array>>;

  /**
   * Fused residual add + LayerNorm: `sum = x + residual (+ bias)`, `y = LayerNorm(sum)`, in one
   * pass over memory.
   *
   * @example
   * ```ts
   * // Post-LN block: y = LN(x + sublayer(x))
   * const { y } = await norm.addLayerNorm(x, sublayerOut, { cols: 768, gamma, beta });
   * // Pre-LN block: h = x + sublayer(LN(x)); the next sublayer reads LN(h)
   * const { y: nextIn, sum: h } = await norm.addLayerNorm(x, sublayerOut, { cols: 768, gamma, beta });
   * ```
   */
  addLayerNorm(x: Float32Array, residual: Float32Array, options: AddLayerNormOptions): Promise<AddNormResult>;
  addLayerNorm(x: Uint16Array, residual: Uint16Array, options: AddLayerNormOptions): Promise<AddNormResult<Uint16Array>>;

  /**
   * Fused residual add + RMSNorm (LLaMA-style Pre-LN blocks).
   *
   * @example
   * ```ts
   * const { y, sum } = await norm.addRmsNorm(h, attnOut, { cols: 4096, gamma });
   * ```
   */
  addRmsNorm(x: Float32Array, residual: Float32Array, options: AddRmsNormOptions): Promise<AddNormResult>;
  addRmsNorm(x: Uint16Array, residual: Uint16Array, options: AddRmsNormOptions): Promise<AddNormResult<Uint16Array>>;

  /**
   * Records LayerNorm into the caller's command encoder or compute pass. Never submits. With a
   * pass, the pass's pipeline and bind group 0 are replaced: set yours again afterwards.
   *
   * @example
   * ```ts
   * const enc = device.createCommandEncoder();
   * norm.encodeLayerNorm(enc, { x: { buffer: act, offset: 256 }, y: out, rows, cols: 768 });
   * device.queue.submit([enc.finish()]);
   * ```
   */
  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): LayerNormVariant;

  /**
   * Records RMSNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeRmsNorm(pass, { x, y, gamma, rstd, rows, cols: 4096, epsilon: 1e-6 });
   * ```
   */
  encodeRmsNorm(target: EncodeTarget, options: EncodeRmsNormOptions): LayerNormVariant;

  /**
   * Records the fused residual add + LayerNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeAddLayerNorm(enc, { x: hidden, residual: attnOut, sum: hidden2, y: normed, gamma, beta, rows, cols: 768 });
   * ```
   */
  encodeAddLayerNorm(target: EncodeTarget, options: EncodeAddLayerNormOptions): LayerNormVariant;

  /**
   * Records the fused residual add + RMSNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeAddRmsNorm(enc, { x: hidden, residual: mlpOut, sum: hidden2, y: normed, gamma, rows, cols: 4096 });
   * ```
   */
  encodeAddRmsNorm(target: EncodeTarget, options: EncodeAddRmsNormOptions): LayerNormVariant;

  /**
   * Times every candidate variant for `op` on this adapter at this shape (GPU timestamps where
   * the device has `timestamp-query`) and uses the winner from now on for all shapes of the same
   * bucket (rows and cols rounded up to powers of two). Persisted in `localStorage` by default.
   *
   * @example
   * ```ts
   * const { variant, candidates } = await norm.tune('layerNorm', { rows: 512, cols: 4096 });
   * ```
   */
  tune(op: RowNormOpName, shape: { rows: number; cols: number; dtype?: 'f32' | 'f16' }, options?: { repetitions?: number }): Promise<TuneResult>;

  // ---- Backward passes (training) -------------------------------------------------------------

  /**
   * LayerNorm's gradients from the upstream gradient `dy`, the forward input `x` and the `mean`
   * and `rstd` the forward pass returned: `dx` (x's dtype), `dgamma = Σ dy·x̂`, `dbeta = Σ dy`
   * (f32, bit-identical run to run). For the fused add ops pass `x` = their `sum` and the
   * residual stream's gradient as `dsum`: `dx` is then the gradient of both x and residual.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta });
   * const { dx, dgamma, dbeta } = await norm.layerNormBackward(dy, x, { cols: 768, gamma, mean, rstd });
   * ```
   */
  layerNormBackward(dy: Float32Array, x: Float32Array, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult>;
  layerNormBackward(dy: Uint16Array, x: Uint16Array, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult<Uint16Array>>;

  /**
   * RMSNorm's gradients: `dx` and `dgamma = Σ dy·x·rstd`.
   *
   * @example
   * ```ts
   * const { rstd } = await norm.rmsNorm(x, { cols: 4096, gamma });
   * const { dx, dgamma } = await norm.rmsNormBackward(dy, x, { cols: 4096, gamma, rstd });
   * ```
   */
  rmsNormBackward(dy: Float32Array, x: Float32Array, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult>;
  rmsNormBackward(dy: Uint16Array, x: Uint16Array, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult<Uint16Array>>;

  /**
   * Records the LayerNorm backward pass (dx, and dgamma/dbeta when given) into the caller's
   * encoder or pass, reusing the forward pass's mean/rstd buffers. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeLayerNorm(enc, { x, y, gamma, beta, mean, rstd, rows, cols: 768 });
   * // ... the rest of the forward and backward pass writes dy ...
   * norm.encodeLayerNormBackward(enc, { dy, x, dx, gamma, mean, rstd, dgamma, dbeta, rows, cols: 768 });
   * ```
   */
  encodeLayerNormBackward(target: EncodeTarget, options: EncodeLayerNormBackwardOptions): LayerNormVariant;

  /**
   * Records the RMSNorm backward pass (dx, and dgamma when given). Never submits.
   *
   * @example
   * ```ts
   * norm.encodeRmsNormBackward(pass, { dy, x, dx, gamma, rstd, dgamma, rows, cols: 4096 });
   * ```
   */
  encodeRmsNormBackward(target: EncodeTarget, options: EncodeRmsNormBackwardOptions): LayerNormVariant;

  // ---- end of backward passes ------------------------------------------------------------------

  /** The tuning table (a copy), e.g. to ship with an app. */
  exportTuning(): TuningTable;

  /** Merges a tuning table (entries for other adapters are kept but never match). */
  importTuning(table: TuningTable): void;

  /**
   * Lp normalization of each row: `y = x / max(‖x‖_p, ε)`, p = 1 or 2 (ONNX LpNormalization,
   * PyTorch's F.normalize; unit-length embeddings, QK-norm). Also returns each row's norm.
   *
   * @example
   * ```ts
   * const { y, norm: lengths } = await norm.lpNorm(embeddings, { cols: 384 });
   * ```
   */
  lpNorm<X extends TensorData>(x: X, options: LpNormOptions): Promise<LpNormResult<SameData<X>>>;

  /**
   * Records Lp normalization (a norms pass, then the division) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeLpNorm(encoder, { x: embeddings, y: unit, norm: lengths, rows: 32, cols: 384, p: 2 });
   * ```
   */
  encodeLpNorm(target: EncodeTarget, options: EncodeLpNormOptions): LpNormVariant;

  // ---- GroupNorm / InstanceNorm / BatchNorm (src/ops/group-norm, src/ops/batch-norm) ----

  /**
   * GroupNorm of a (batch, channels, spatial) tensor: f32 (`Float32Array`) or f16 bits
   * (`Uint16Array`, `y` comes back as f16 bits too); mean/rstd per (image, group) are f32.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.groupNorm(x, { batch: 1, channels: 320, spatial: 64 * 64, groups: 32, layout: 'NCHW', gamma, beta });
   * ```
   */
  groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>>;

  /**
   * Records GroupNorm (partial statistics → merge → normalize) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeGroupNorm(encoder, { x, y, batch: 2, channels: 320, spatial: 4096, groups: 32, layout: 'NHWC', dtype: 'f16' });
   * ```
   */
  encodeGroupNorm(target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo;

  /**
   * InstanceNorm: GroupNorm with one channel per group.
   *
   * @example
   * ```ts
   * const { y } = await norm.instanceNorm(x, { batch: 4, channels: 64, spatial: 1024, layout: 'NHWC' });
   * ```
   */
  instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>>;

  /**
   * Records InstanceNorm into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeInstanceNorm(pass, { x, y, batch: 4, channels: 64, spatial: 1024, layout: 'NCHW' });
   * ```
   */
  encodeInstanceNorm(target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo;

  /**
   * BatchNorm inference: `y = (x − runningMean[c]) / sqrt(runningVar[c] + ε) · γ[c] + β[c]`.
   *
   * @example
   * ```ts
   * const { y } = await norm.batchNormInference(x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', runningMean, runningVar });
   * ```
   */
  batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): Promise<BatchNormInferenceResult<SameData<X>>>;

  /**
   * Records BatchNorm inference (one elementwise dispatch) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeBatchNormInference(encoder, { x, y, runningMean, runningVar, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
   * ```
   */
  encodeBatchNormInference(target: EncodeTarget, options: EncodeBatchNormInferenceOptions): NormPlanInfo;

  /**
   * Per-channel mean and (biased, unless `unbiased`) variance over batch × spatial.
   *
   * @example
   * ```ts
   * const { mean, var: variance } = await norm.batchNormStats(x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW' });
   * ```
   */
  batchNormStats(x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult>;

  /**
   * Records the per-channel batch statistics (partial statistics → merge) into the caller's encoder or pass. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeBatchNormStats(encoder, { x, mean, var: variance, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC' });
   * ```
   */
  encodeBatchNormStats(target: EncodeTarget, options: EncodeBatchNormStatsOptions): NormPlanInfo;

  // ---- end GroupNorm / InstanceNorm / BatchNorm ----

  /** GPU memory this normalizer currently owns (uniforms, dummies, in-flight temporaries). */
  stats(): ResourceStats;

  /**
   * Debug mode: waits for every pending GPU-side check of earlier calls (error scopes, shader
   * compilation, buffer device) and throws the first `NormError` found; the others are dropped
   * (call {@link flushErrors} after waiting yourself to see every one). Resolves at once outside
   * debug mode.
   *
   * @example
   * ```ts
   * const norm = await createNormalizer({ device, debug: true });
   * norm.encodeLayerNorm(enc, { x, y, rows, cols });
   * await norm.checkErrors(); // throws NormError('gpu-error' | 'wrong-device') if the GPU objected
   * ```
   */
  checkErrors(): Promise<void>;

  /**
   * Debug mode: the errors already reported by the GPU for earlier calls, oldest first, and
   * forgets them (checks still running are not waited for; see {@link checkErrors}).
   *
   * @example
   * ```ts
   * for (const e of norm.flushErrors()) console.warn(e.code, e.message);
   * ```
   */
  flushErrors(): NormError[];

  /** Frees what this normalizer created (and the device, if it requested it). Idempotent. */
  destroy(): void;
}

/**
 * Creates a normalizer on `options.device`, or on a newly requested device.
 *
 * @example
 * ```ts
 * import { createNormalizer } from 'webgpu-norm';
 * const norm = await createNormalizer();                 // owns its device
 * const mine = await createNormalizer({ device });       // uses yours
 * const { y } = await norm.layerNorm(new Float32Array([1, 2, 3, 4]), { cols: 4 });
 * norm.destroy();
 * ```
 */
export async function createNormalizer(options: NormalizerOptions = {}): Promise<Normalizer> {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object, got ${describe(options)}`, 'options');
  }
  if (options.device !== undefined) {
    if (typeof (options.device as GPUDevice)?.createBuffer !== 'function') {
      throw new NormError('invalid-argument', `expected a GPUDevice, got ${describe(options.device)}`, 'device');
    }
    return new GpuNormalizer(options.device, false, options, options.adapterInfo);
  }
  const { device, adapter } = await requestNormDevice({ powerPreference: options.powerPreference });
  return new GpuNormalizer(device, true, options, options.adapterInfo ?? adapter.info);
}

function lostError(info: GPUDeviceLostInfo): NormError {
  return new NormError('device-lost', `the device was lost (${info.reason}: ${info.message}); create a normalizer on a new device`);
}

/** popErrorScope, or null if it cannot answer (a lost device may reject). */
function safePop(device: GPUDevice): Promise<GPUError | null> {
  return device.popErrorScope().catch(() => null);
}

/** The GPUBuffer of an operand (a buffer or a binding), else undefined. */
function asBuffer(value: unknown): GPUBuffer | undefined {
  const isBuffer = (v: unknown): v is GPUBuffer => typeof v === 'object' && v !== null && typeof (v as GPUBuffer).getMappedRange === 'function';
  if (isBuffer(value)) return value;
  const inner = (value as { buffer?: unknown } | null)?.buffer;
  return typeof value === 'object' && value !== null && isBuffer(inner) ? inner : undefined;
}

const LAYER: RowNormKind = { rms: false, add: false };
const RMS: RowNormKind = { rms: true, add: false };
const ADD_LAYER: RowNormKind = { rms: false, add: true };
const ADD_RMS: RowNormKind = { rms: true, add: true };

type AnyRowOptions = LayerNormOptions & RmsNormOptions & { bias?: Float32Array | undefined };

class GpuNormalizer implements Normalizer {
  private readonly ctx: KernelContext;
  private lost: GPUDeviceLostInfo | undefined;
  private isDestroyed = false;
  private readonly persistTuning: boolean;
  /** Read-backs waiting on the GPU: rejected at once when the device is lost, so no call hangs. */
  private readonly waiting = new Set<(e: NormError) => void>();
  private readonly debug: boolean;
  /** Debug mode: GPU-side checks still running, and the errors they found (oldest first). */
  private readonly pendingChecks = new Set<Promise<void>>();
  private readonly debugErrors: NormError[] = [];
  private checkedModules = 0;
  private readonly verifiedBuffers = new WeakSet<GPUBuffer>();
  private probeLayout: GPUBindGroupLayout | undefined;

  constructor(readonly device: GPUDevice, private readonly ownsDevice: boolean, options: NormalizerOptions, adapterInfo?: GPUAdapterInfo) {
    const t = options.tuning ?? 'localStorage';
    const tuning: TuningTable = t === 'localStorage' ? loadTuning() : t === false ? { version: 1, entries: {} } : { version: 1, entries: { ...t.entries } };
    this.persistTuning = options.persistTuning ?? true;
    this.ctx = { device, limits: device.limits, resources: new OwnedResources(device), profile: profileDevice(device, adapterInfo), tuning };
    this.debug = options.debug === true;
    device.lost.then((info) => {
      this.lost = info;
      const error = lostError(info);
      for (const reject of [...this.waiting]) reject(error);
      this.waiting.clear();
    });
  }

  get profile(): AdapterProfile {
    return this.ctx.profile;
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  private check(): void {
    if (this.isDestroyed) throw new NormError('destroyed', 'this normalizer was destroyed; create a new one');
    if (this.lost) throw lostError(this.lost);
    if (this.debugErrors.length > 0) throw this.flushErrors()[0]!;
  }

  /**
   * An `encode…` call: checks, then `fn`; in debug mode inside error scopes whose findings are
   * queued for the next call / checkErrors(). New ops' encode methods should go through here.
   */
  private encode<T>(options: unknown, fn: () => T): T {
    this.check();
    if (!this.debug) return fn();
    const { value, error } = this.guarded(options, fn);
    this.track(error);
    return value;
  }

  /**
   * A typed-array call whose recording and submit happen synchronously before its first await
   * (all of them do): in debug mode the error scopes of {@link guarded} enclose exactly that part,
   * and this call's own GPU errors reject it.
   */
  private async runGuarded<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.debug) return fn();
    const { value, error } = this.guarded(undefined, fn);
    const result = await value;
    const gpuError = await error;
    if (gpuError) throw gpuError;
    return result;
  }

  /**
   * Debug mode: runs `fn` (which creates pipelines, bind groups and records work) inside
   * validation and out-of-memory scopes, then checks newly compiled modules and each caller
   * buffer's device. `error` settles to the most specific finding of this call, or null.
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
      entries: [{ binding: 0, visibility: 4 /* GPUShaderStage.COMPUTE */, buffer: { type: 'read-only-storage' } }],
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
              `buffer "${buffer.label}" belongs to another GPUDevice than this normalizer's (norm.device); create it on norm.device (${e.message})`,
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
      if (e) this.debugErrors.push(e);
      this.pendingChecks.delete(done);
    });
    this.pendingChecks.add(done);
  }

  flushErrors(): NormError[] {
    return this.debugErrors.splice(0);
  }

  async checkErrors(): Promise<void> {
    while (this.pendingChecks.size > 0) await Promise.all([...this.pendingChecks]);
    const errors = this.flushErrors();
    if (errors.length > 0) throw errors[0];
  }

  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): LayerNormVariant {
    return this.encode(options, () => encodeRowNorm(this.ctx, target, LAYER, options));
  }

  encodeRmsNorm(target: EncodeTarget, options: EncodeRmsNormOptions): LayerNormVariant {
    return this.encode(options, () => encodeRowNorm(this.ctx, target, RMS, options));
  }

  encodeAddLayerNorm(target: EncodeTarget, options: EncodeAddLayerNormOptions): LayerNormVariant {
    return this.encode(options, () => encodeRowNorm(this.ctx, target, ADD_LAYER, options));
  }

  encodeAddRmsNorm(target: EncodeTarget, options: EncodeAddRmsNormOptions): LayerNormVariant {
    return this.encode(options, () => encodeRowNorm(this.ctx, target, ADD_RMS, options));
  }

  layerNorm(x: Float32Array, options: LayerNormOptions): Promise<LayerNormResult>;
  layerNorm(x: Uint16Array, options: LayerNormOptions): Promise<LayerNormResult<Uint16Array>>;
  async layerNorm(x: TensorData, options: LayerNormOptions): Promise<LayerNormResult<TensorData>> {
    const r = await this.runRowNorm(LAYER, x, options);
    return { y: r.y, mean: r.mean!, rstd: r.rstd! };
  }

  rmsNorm(x: Float32Array, options: RmsNormOptions): Promise<RmsNormResult>;
  rmsNorm(x: Uint16Array, options: RmsNormOptions): Promise<RmsNormResult<Uint16Array>>;
  async rmsNorm(x: TensorData, options: RmsNormOptions): Promise<RmsNormResult<TensorData>> {
    const r = await this.runRowNorm(RMS, x, options);
    return { y: r.y, rstd: r.rstd! };
  }

  addLayerNorm(x: Float32Array, residual: Float32Array, options: AddLayerNormOptions): Promise<AddNormResult>;
  addLayerNorm(x: Uint16Array, residual: Uint16Array, options: AddLayerNormOptions): Promise<AddNormResult<Uint16Array>>;
  async addLayerNorm(x: TensorData, residual: TensorData, options: AddLayerNormOptions): Promise<AddNormResult<TensorData>> {
    const r = await this.runRowNorm(ADD_LAYER, x, options, residual);
    return { y: r.y, sum: r.sum! };
  }

  addRmsNorm(x: Float32Array, residual: Float32Array, options: AddRmsNormOptions): Promise<AddNormResult>;
  addRmsNorm(x: Uint16Array, residual: Uint16Array, options: AddRmsNormOptions): Promise<AddNormResult<Uint16Array>>;
  async addRmsNorm(x: TensorData, residual: TensorData, options: AddRmsNormOptions): Promise<AddNormResult<TensorData>> {
    const r = await this.runRowNorm(ADD_RMS, x, options, residual);
    return { y: r.y, sum: r.sum! };
  }

  /** The convenience path of the whole family: upload, encode, read back, free. */
  private async runRowNorm(kind: RowNormKind, x: TensorData, options: AnyRowOptions, residual?: TensorData) {
    this.check();
    const shape = checkRowNormArrays(kind, x, options, residual);
    const { rows, cols, dtype } = shape;
    const bytes = storageBytes(rows * cols, dtype);
    const outputs: [name: 'y' | 'sum' | 'mean' | 'rstd', size: number][] = [['y', bytes]];
    if (kind.add) outputs.push(['sum', bytes]);
    else {
      if (!kind.rms) outputs.push(['mean', rows * 4]);
      outputs.push(['rstd', rows * 4]);
    }
    const total = outputs.reduce((sum, [, size]) => sum + size, 0);
    // Every limit is checked before anything is allocated: a buffer over maxBufferSize would be a
    // device validation error (and a failed read-back reported as device-lost), not a NormError.
    this.checkBufferSize(bytes, 'x');
    this.checkBufferSize(total, 'x', ` (the outputs ${outputs.map(([n]) => n).join(', ')} are read back in one buffer)`);
    const maxBinding = this.ctx.limits.maxStorageBufferBindingSize;
    if (bytes > maxBinding) {
      throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxStorageBufferBindingSize (${maxBinding}); split the rows into several calls`, 'x');
    }
    const io = new Transfers(this.arrayRun);
    try {
      const out: Record<string, GPUBuffer> = {};
      for (const [name, size] of outputs) out[name] = io.output(size, name);
      const encoder = this.device.createCommandEncoder({ label: 'webgpu-norm convenience' });
      // Recording and submit run before the first await, inside debug mode's error scopes.
      const parts = await this.runGuarded(() => {
        encodeRowNorm(this.ctx, encoder, kind, {
          ...shape,
          x: io.upload(x, 'x'),
          residual: residual && io.upload(residual, 'residual'),
          gamma: options.gamma && io.upload(options.gamma, 'gamma'),
          beta: options.beta && io.upload(options.beta, 'beta'),
          bias: options.bias && io.upload(options.bias, 'bias'),
          y: out.y!,
          sum: out.sum,
          mean: out.mean,
          rstd: out.rstd,
        });
        return io.readBack(encoder, outputs.map(([name]) => out[name]!));
      });
      const result: Partial<Record<'y' | 'sum' | 'mean' | 'rstd', TensorData>> = {};
      outputs.forEach(([name], i) => {
        const isActivation = name === 'y' || name === 'sum';
        result[name] =
          isActivation && dtype === 'f16'
            ? new Uint16Array(parts[i]!.slice(0, rows * cols * 2))
            : new Float32Array(isActivation ? parts[i]!.slice(0, rows * cols * 4) : parts[i]!);
      });
      return result as { y: TensorData; sum?: TensorData; mean?: Float32Array; rstd?: Float32Array };
    } finally {
      io.release();
    }
  }

  encodeLpNorm(target: EncodeTarget, options: EncodeLpNormOptions): LpNormVariant {
    return this.encode(options, () => encodeLpNorm(this.ctx, target, options));
  }

  async lpNorm<X extends TensorData>(x: X, options: LpNormOptions): Promise<LpNormResult<SameData<X>>> {
    this.check();
    return this.runGuarded(() => runLpNorm(this.arrayRun, x, options));
  }

  // ---- GroupNorm / InstanceNorm / BatchNorm ----

  private get arrayRun(): ArrayRunContext {
    return { ...this.ctx, map: (b) => this.map(b) };
  }

  encodeGroupNorm(target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo {
    return this.encode(options, () => encodeGroupNorm(this.ctx, target, options));
  }

  async groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>> {
    this.check();
    return this.runGuarded(() => runGroupNorm(this.arrayRun, x, options));
  }

  encodeInstanceNorm(target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo {
    return this.encode(options, () => encodeInstanceNorm(this.ctx, target, options));
  }

  async instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>> {
    this.check();
    return this.runGuarded(() => runGroupNorm(this.arrayRun, x, options, true));
  }

  encodeBatchNormInference(target: EncodeTarget, options: EncodeBatchNormInferenceOptions): NormPlanInfo {
    return this.encode(options, () => encodeBatchNormInference(this.ctx, target, options));
  }

  async batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): Promise<BatchNormInferenceResult<SameData<X>>> {
    this.check();
    return this.runGuarded(() => runBatchNormInference(this.arrayRun, x, options));
  }

  encodeBatchNormStats(target: EncodeTarget, options: EncodeBatchNormStatsOptions): NormPlanInfo {
    return this.encode(options, () => encodeBatchNormStats(this.ctx, target, options));
  }

  async batchNormStats(x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult> {
    this.check();
    return this.runGuarded(() => runBatchNormStats(this.arrayRun, x, options));
  }

  // ---- end GroupNorm / InstanceNorm / BatchNorm ----

  private checkBufferSize(bytes: number, argument: string, why = ''): void {
    const max = this.ctx.limits.maxBufferSize;
    if (bytes > max) {
      throw new NormError('limit-exceeded', `${bytes} bytes${why} exceed the device's maxBufferSize (${max}); split the rows into several calls`, argument);
    }
  }

  /**
   * Maps a read-back buffer, or rejects with `device-lost` as soon as the device is lost: an
   * implementation may leave `mapAsync` pending on a lost device, and a caller must never hang.
   */
  private async map(buffer: GPUBuffer): Promise<void> {
    if (this.lost) throw lostError(this.lost);
    let reject!: (e: NormError) => void;
    const lost = new Promise<never>((_, r) => (reject = r));
    this.waiting.add(reject);
    const mapped = buffer.mapAsync(1 /* GPUMapMode.READ */);
    try {
      await Promise.race([mapped, lost]);
    } catch (e) {
      mapped.catch(() => {}); // settles later on a lost device; nobody is listening any more
      if (e instanceof NormError) throw e;
      this.check();
      throw new NormError('device-lost', `reading results back failed: ${(e as Error).message}`, undefined, { cause: e });
    } finally {
      this.waiting.delete(reject);
    }
  }

  // ---- Backward passes (training) -------------------------------------------------------------

  encodeLayerNormBackward(target: EncodeTarget, options: EncodeLayerNormBackwardOptions): LayerNormVariant {
    return this.encode(options, () => encodeNormBackward(this.ctx, target, false, options));
  }

  encodeRmsNormBackward(target: EncodeTarget, options: EncodeRmsNormBackwardOptions): LayerNormVariant {
    return this.encode(options, () => encodeNormBackward(this.ctx, target, true, options));
  }

  layerNormBackward(dy: Float32Array, x: Float32Array, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult>;
  layerNormBackward(dy: Uint16Array, x: Uint16Array, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult<Uint16Array>>;
  async layerNormBackward(dy: TensorData, x: TensorData, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult<TensorData>> {
    const r = await this.runGuarded(() => this.runBackward(false, dy, x, options));
    return { dx: r.dx, dgamma: r.dgamma, dbeta: r.dbeta! };
  }

  rmsNormBackward(dy: Float32Array, x: Float32Array, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult>;
  rmsNormBackward(dy: Uint16Array, x: Uint16Array, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult<Uint16Array>>;
  async rmsNormBackward(dy: TensorData, x: TensorData, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult<TensorData>> {
    const r = await this.runGuarded(() => this.runBackward(true, dy, x, options));
    return { dx: r.dx, dgamma: r.dgamma };
  }

  /** The convenience path of the backward passes: upload, encode, read back dx/dgamma/dbeta, free. */
  private async runBackward(rms: boolean, dy: TensorData, x: TensorData, options: LayerNormBackwardOptions | RmsNormBackwardOptions) {
    this.check();
    const { rows, cols, dtype, gammaOffset } = checkBackwardArrays(rms, dy, x, options);
    const bytes = storageBytes(rows * cols, dtype);
    const outputs: [name: 'dx' | 'dgamma' | 'dbeta', size: number][] = [['dx', bytes], ['dgamma', cols * 4]];
    if (!rms) outputs.push(['dbeta', cols * 4]);
    const total = outputs.reduce((sum, [, size]) => sum + size, 0);
    this.checkBufferSize(bytes, 'x');
    this.checkBufferSize(total, 'x', ' (dx, dgamma and dbeta are read back in one buffer)');
    if (bytes > this.ctx.limits.maxStorageBufferBindingSize) {
      throw new NormError('limit-exceeded', `${bytes} bytes exceed the device's maxStorageBufferBindingSize (${this.ctx.limits.maxStorageBufferBindingSize}); split the rows into several calls`, 'x');
    }
    const io = new Transfers(this.arrayRun);
    try {
      const out: Record<string, GPUBuffer> = {};
      for (const [name, size] of outputs) out[name] = io.output(size, name);
      const encoder = this.device.createCommandEncoder({ label: 'webgpu-norm backward convenience' });
      const mean = rms ? undefined : (options as LayerNormBackwardOptions).mean;
      encodeNormBackward(this.ctx, encoder, rms, {
        rows,
        cols,
        dtype,
        dy: io.upload(dy, 'dy'),
        x: io.upload(x, 'x'),
        dx: out.dx!,
        gamma: options.gamma && io.upload(options.gamma, 'gamma'),
        rstd: io.upload(options.rstd, 'rstd'),
        dsum: options.dsum && io.upload(options.dsum, 'dsum'),
        dgamma: out.dgamma,
        ...(rms ? { gammaOffset } : { mean: io.upload(mean!, 'mean'), dbeta: out.dbeta }),
      });
      const [dxBytes, dgammaBytes, dbetaBytes] = await io.readBack(encoder, outputs.map(([name]) => out[name]!));
      const dxOut = dtype === 'f16' ? new Uint16Array(dxBytes!.slice(0, rows * cols * 2)) : new Float32Array(dxBytes!.slice(0, rows * cols * 4));
      return { dx: dxOut, dgamma: new Float32Array(dgammaBytes!), dbeta: dbetaBytes && new Float32Array(dbetaBytes) };
    } finally {
      io.release();
    }
  }

  // ---- end of backward passes ------------------------------------------------------------------

  exportTuning(): TuningTable {
    return { version: 1, entries: { ...this.ctx.tuning.entries } };
  }

  importTuning(table: TuningTable): void {
    if (typeof table !== 'object' || table === null || table.version !== 1 || typeof table.entries !== 'object') {
      throw new NormError('invalid-argument', `expected a tuning table { version: 1, entries }, got ${describe(table)}`, 'table');
    }
    Object.assign(this.ctx.tuning.entries, table.entries);
  }

  async tune(op: RowNormOpName, shape: { rows: number; cols: number; dtype?: 'f32' | 'f16' }, options: { repetitions?: number } = {}): Promise<TuneResult> {
    this.check();
    const kinds: Record<RowNormOpName, RowNormKind> = { layerNorm: LAYER, rmsNorm: RMS, addLayerNorm: ADD_LAYER, addRmsNorm: ADD_RMS };
    const kind = kinds[op];
    if (!kind) throw new NormError('invalid-argument', `expected one of ${Object.keys(kinds).join(', ')}, got ${describe(op)}`, 'op');
    if (typeof shape !== 'object' || shape === null) throw new NormError('invalid-argument', `expected { rows, cols, dtype? }, got ${describe(shape)}`, 'shape');
    const rows = checkInteger(shape.rows, 'rows');
    const cols = checkInteger(shape.cols, 'cols');
    const dtype = shape.dtype ?? 'f32';
    if (dtype !== 'f32' && dtype !== 'f16') throw new NormError('invalid-argument', `expected 'f32' or 'f16', got ${describe(dtype)}`, 'dtype');
    const reps = Math.max(3, Math.floor(options.repetitions ?? 7));
    const { device, ctx } = this;
    const { resources } = ctx;
    const bytes = storageBytes(rows * cols, dtype);
    const temps: GPUBuffer[] = [];
    const buffer = (size: number) => {
      const b = resources.createBuffer({ label: 'webgpu-norm tune', size: Math.max(16, Math.ceil(size / 4) * 4), usage: Usage.STORAGE });
      temps.push(b);
      return b;
    };
    const timestamps = device.features.has('timestamp-query');
    let querySet: GPUQuerySet | undefined;
    try {
      const operands = {
        rows,
        cols,
        dtype,
        x: buffer(bytes),
        y: buffer(bytes),
        gamma: buffer(cols * 4),
        ...(kind.rms ? {} : { beta: buffer(cols * 4) }),
        ...(kind.add ? { residual: buffer(bytes), sum: buffer(bytes) } : {}),
      };
      // Validates the shape once, with the rule's variant, before any candidate runs.
      encodeRowNorm(ctx, device.createCommandEncoder(), kind, operands);
      let resolve: GPUBuffer | undefined;
      let readback: GPUBuffer | undefined;
      if (timestamps) {
        querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
        resolve = resources.createBuffer({ label: 'webgpu-norm tune', size: 16, usage: 0x0200 /* QUERY_RESOLVE */ | Usage.COPY_SRC });
        readback = resources.createBuffer({ label: 'webgpu-norm tune', size: 16, usage: Usage.MAP_READ | Usage.COPY_DST });
        temps.push(resolve, readback);
      }
      const timeOnce = async (variant: LayerNormVariant): Promise<number> => {
        const encoder = device.createCommandEncoder();
        if (querySet) {
          // An untimed one-row pass first: the first pass of a submission also pays the
          // implementation's start-up (SwiftShader: ~0.04 ms waking its threads), which would
          // otherwise count as kernel time (most visible on decode-sized shapes).
          const warm = encoder.beginComputePass();
          encodeRowNorm(ctx, warm, kind, { ...operands, rows: 1 });
          warm.end();
        }
        const pass = encoder.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
        encodeRowNorm(ctx, pass, kind, { ...operands, variant });
        pass.end();
        if (querySet) {
          encoder.resolveQuerySet(querySet, 0, 2, resolve!, 0);
          encoder.copyBufferToBuffer(resolve!, 0, readback!, 0, 16);
        }
        const t0 = performance.now();
        device.queue.submit([encoder.finish()]);
        if (!readback) {
          await device.queue.onSubmittedWorkDone();
          return performance.now() - t0;
        }
        await this.map(readback);
        const t = new BigInt64Array(readback.getMappedRange().slice(0));
        readback.unmap();
        return Number(t[1]! - t[0]!) / 1e6;
      };
      const candidates: { variant: LayerNormVariant; label: string; ms: number }[] = [];
      for (const variant of candidateVariants(ctx.profile, { rows, cols, dtype })) {
        try {
          encodeRowNorm(ctx, device.createCommandEncoder(), kind, { ...operands, variant });
        } catch {
          continue; // not valid for this shape or device (e.g. vec4 with an odd width)
        }
        await timeOnce(variant); // compile and warm up
        const times: number[] = [];
        for (let i = 0; i < reps; i++) times.push(await timeOnce(variant));
        times.sort((a, b) => a - b);
        candidates.push({ variant, label: describeVariant(variant), ms: times[Math.floor(times.length / 2)]! });
      }
      candidates.sort((a, b) => a.ms - b.ms);
      const best = candidates[0]!;
      ctx.tuning.entries[tuningKey(ctx.profile, op, dtype, rows, cols)] = { ...best.variant, ms: best.ms };
      if (this.persistTuning) saveTuning(ctx.tuning);
      return { variant: best.variant, ms: best.ms, candidates, timer: timestamps ? 'timestamp-query' : 'wall' };
    } finally {
      querySet?.destroy();
      for (const b of temps) resources.release(b);
    }
  }

  stats(): ResourceStats {
    return this.ctx.resources.stats();
  }

  destroy(): void {
    if (this.isDestroyed) return;
    this.isDestroyed = true;
    this.ctx.resources.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
