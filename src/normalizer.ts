/**
 * `createNormalizer` and the implementation of the `Normalizer` interface (normalizer-api.ts).
 * Each op has a convenience form that takes and returns typed arrays (it uploads, runs, reads
 * back, and frees its temporaries) and an `encode…` form that records into the caller's encoder
 * or pass and never submits. This file is wiring only: each method hands its work to the op
 * family under src/ops/, inside the checks of src/core/lifecycle.ts and src/core/debug.ts.
 */
import { requestNormDevice } from './core/device.js';
import { NormError, describe } from './core/errors.js';
import { snapshotLimits, type EncodeTarget, type KernelContext } from './core/context.js';
import { DebugMode } from './core/debug.js';
import { DeviceLifecycle } from './core/lifecycle.js';
import { OwnedResources, type ResourceStats } from './core/resources.js';
import type { ArrayRunContext, SameData } from './core/transfers.js';
import type { Dtype, TensorData } from './core/tensor.js';
import type {
  AddLayerNormOptions,
  AddLayerNormResult,
  AddRmsNormOptions,
  AddRmsNormResult,
  LayerNormOptions,
  LayerNormResult,
  OutputData,
  RmsNormOptions,
  RmsNormResult,
} from './ops/row-norm/options.js';
import type { EncodeAddLayerNormOptions, EncodeAddRmsNormOptions, EncodeLayerNormOptions, EncodeRmsNormOptions } from './ops/row-norm/encode.js';
import type { TuneResult } from './ops/row-norm/tune.js';
import { loadTuning, type TuningTable } from './ops/row-norm/tuning.js';
import type { RowNormOpName } from './ops/table.js';
import { profileDevice, withFacts, type AdapterProfile, type RowNormVariant } from './ops/row-norm/variant.js';
import type { DeviceFacts } from './core/f16-probe.js';
import type { LayerNormBackwardOptions, LayerNormBackwardResult, RmsNormBackwardOptions, RmsNormBackwardResult } from './ops/backward/options.js';
import type { EncodeLayerNormBackwardOptions, EncodeRmsNormBackwardOptions } from './ops/backward/encode.js';
import type { GroupNormOptions, GroupNormResult, InstanceNormOptions } from './ops/group-norm/options.js';
import type { EncodeGroupNormOptions, EncodeInstanceNormOptions, NormPlanInfo } from './ops/group-norm/encode.js';
import type { EncodeLpNormOptions, LpNormOptions, LpNormResult, LpNormVariant } from './ops/lp-norm/options.js';
import type {
  BatchNormInferenceOptions,
  BatchNormInferenceResult,
  BatchNormStatsOptions,
  BatchNormStatsResult,
  BatchNormTrainingOptions,
  BatchNormTrainingResult,
} from './ops/batch-norm/options.js';
import type { EncodeBatchNormInferenceOptions, EncodeBatchNormStatsOptions, EncodeBatchNormTrainingOptions } from './ops/batch-norm/encode.js';
import { LoadedKernels, backwardKernels, batchNormKernels, groupNormKernels, lpNormKernels, onnxKernels, rowNormKernels } from './kernels.js';
import type { OnnxEncodeNode, OnnxNode, OnnxOutputInfo, OnnxTensor, TensorInfo } from './onnx/validate.js';

export type { TuneResult } from './ops/row-norm/tune.js';
import type { Normalizer } from './normalizer-api.js';
export type { Normalizer };
import { checkNormalizerOptions, checkTuningTable, type LeanNormalizerOptions, type NormalizerOptions } from './normalizer-options.js';
export type { LeanNormalizerOptions, NormalizerOptions };

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
  checkNormalizerOptions(options, false);
  return openNormalizer(options, ALL_KERNELS);
}

/** Every family: what createNormalizer loads (and so bundles). */
const ALL_KERNELS = [rowNormKernels, lpNormKernels, backwardKernels, groupNormKernels, batchNormKernels, onnxKernels];

/**
 * Creates a normalizer that loads only the kernel families in `options.kernels`, so an app's
 * bundle carries only their WGSL. Everything else is as {@link createNormalizer}; an op whose
 * family was not given throws (or rejects with) `NormError('op-not-loaded')` naming the object to import.
 *
 * @example
 * ```ts
 * import { createLeanNormalizer, rowNormKernels } from 'webgpu-norm';
 * const norm = await createLeanNormalizer({ device, kernels: [rowNormKernels] });
 * const { y } = await norm.layerNorm(x, { cols: 768, gamma, beta });
 * await norm.groupNorm(img, { ... }); // NormError 'op-not-loaded': import { groupNormKernels }
 * ```
 */
export async function createLeanNormalizer(options: LeanNormalizerOptions): Promise<Normalizer> {
  if (typeof options !== 'object' || options === null) {
    throw new NormError('invalid-argument', `expected an options object { kernels: [...] }, got ${describe(options)}`, 'options');
  }
  checkNormalizerOptions(options, true);
  return openNormalizer(options, options.kernels);
}

/** Checks the kernel families (the options are checked), then creates the normalizer on the given or a new device. */
async function openNormalizer(options: NormalizerOptions, kernels: unknown): Promise<Normalizer> {
  const loaded = new LoadedKernels(kernels);
  const probe = (device: GPUDevice): Promise<DeviceFacts> => (options.probeDevice === false ? Promise.resolve({}) : loaded.probe(device));
  if (options.device !== undefined) {
    return new GpuNormalizer(options.device, false, options, loaded, await probe(options.device), options.adapterInfo);
  }
  const { device, adapter } = await requestNormDevice({ powerPreference: options.powerPreference });
  return new GpuNormalizer(device, true, options, loaded, await probe(device), options.adapterInfo ?? adapter.info);
}

class GpuNormalizer implements Normalizer {
  private readonly ctx: KernelContext;
  private readonly persistTuning: boolean;
  private readonly life: DeviceLifecycle;
  private readonly debug: DebugMode;
  /** What the typed-array forms run with: the kernel context and a read-back map that rejects on device loss. */
  private readonly arrayRun: ArrayRunContext;

  constructor(
    readonly device: GPUDevice,
    private readonly ownsDevice: boolean,
    options: NormalizerOptions,
    /** The kernel families this normalizer was given; each op looks its family up here. */
    private readonly kernels: LoadedKernels,
    /** What the families' probes found about the device (src/core/f16-probe.ts). */
    facts: DeviceFacts,
    adapterInfo?: GPUAdapterInfo,
  ) {
    const t = options.tuning ?? 'localStorage';
    const tuning: TuningTable = t === 'localStorage' ? loadTuning() : t === false ? { version: 1, entries: {} } : { version: 1, entries: { ...t.entries } };
    this.persistTuning = options.persistTuning ?? true;
    this.ctx = { device, limits: snapshotLimits(device.limits), resources: new OwnedResources(device), profile: withFacts(profileDevice(device, adapterInfo), facts), tuning, debug: options.debug === true };
    this.life = new DeviceLifecycle(device);
    this.debug = new DebugMode(device, options.debug === true);
    // A failed read-back is explained by check() where it can be (destroyed, lost, a debug finding).
    this.arrayRun = { ...this.ctx, map: (b) => this.life.mapRead(b, () => this.check()) };
  }

  get profile(): AdapterProfile {
    return this.ctx.profile;
  }

  get destroyed(): boolean {
    return this.life.destroyed;
  }

  private check(): void {
    this.life.check();
    this.debug.throwReported();
  }

  /**
   * An `encode…` call: checks, then `fn`; in debug mode inside error scopes whose findings are
   * queued for the next call / checkErrors(). New ops' encode methods go through here.
   */
  private encode<T>(options: unknown, fn: () => T): T {
    this.check();
    return this.debug.encode(options, fn);
  }

  /**
   * A typed-array call: checks, then `fn`; in debug mode its own GPU errors reject it. The promise
   * it returns is the one the caller gets (see DeviceLifecycle.settle for destroy() mid-call).
   */
  private run<T>(fn: (run: ArrayRunContext) => Promise<T>): Promise<T> {
    return this.life.settle(
      (async () => {
        this.check();
        return this.debug.run(() => fn(this.arrayRun));
      })(),
    );
  }

  flushErrors(): NormError[] {
    return this.debug.flushErrors();
  }

  checkErrors(): Promise<void> {
    return this.debug.checkErrors();
  }

  // ---- LayerNorm / RMSNorm and the fused residual-add forms (src/ops/row-norm) ----

  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('layerNorm').encode(this.ctx, target, 'layerNorm', options));
  }

  encodeRmsNorm(target: EncodeTarget, options: EncodeRmsNormOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('rmsNorm').encode(this.ctx, target, 'rmsNorm', options));
  }

  encodeAddLayerNorm(target: EncodeTarget, options: EncodeAddLayerNormOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('addLayerNorm').encode(this.ctx, target, 'addLayerNorm', options));
  }

  encodeAddRmsNorm(target: EncodeTarget, options: EncodeAddRmsNormOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('addRmsNorm').encode(this.ctx, target, 'addRmsNorm', options));
  }

  layerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: LayerNormOptions<O>): Promise<LayerNormResult<OutputData<X, O>>> {
    return this.run((run) => this.kernels.lookup('layerNorm').run(run, 'layerNorm', x, options).then((r) => ({ y: r.y as OutputData<X, O>, mean: r.mean!, rstd: r.rstd! })));
  }

  rmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: RmsNormOptions<O>): Promise<RmsNormResult<OutputData<X, O>>> {
    return this.run((run) => this.kernels.lookup('rmsNorm').run(run, 'rmsNorm', x, options).then((r) => ({ y: r.y as OutputData<X, O>, rstd: r.rstd! })));
  }

  addLayerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, residual: SameData<X>, options: AddLayerNormOptions<O>): Promise<AddLayerNormResult<OutputData<X, O>, SameData<X>>> {
    return this.run((run) =>
      this.kernels
        .lookup('addLayerNorm')
        .run(run, 'addLayerNorm', x, options, residual)
        .then((r) => ({ y: r.y as OutputData<X, O>, sum: r.sum as SameData<X>, mean: r.mean!, rstd: r.rstd! })),
    );
  }

  addRmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, residual: SameData<X>, options: AddRmsNormOptions<O>): Promise<AddRmsNormResult<OutputData<X, O>, SameData<X>>> {
    return this.run((run) =>
      this.kernels
        .lookup('addRmsNorm')
        .run(run, 'addRmsNorm', x, options, residual)
        .then((r) => ({ y: r.y as OutputData<X, O>, sum: r.sum as SameData<X>, rstd: r.rstd! })),
    );
  }

  async tune(op: RowNormOpName, shape: { rows: number; cols: number; dtype?: 'f32' | 'f16' }, options: { repetitions?: number } = {}): Promise<TuneResult> {
    this.check();
    return this.kernels.lookup('layerNorm', 'op').tune(this.arrayRun, op, shape, options, this.persistTuning);
  }

  exportTuning(): TuningTable {
    return { version: 1, entries: { ...this.ctx.tuning.entries } };
  }

  importTuning(table: TuningTable): void {
    checkTuningTable(table, 'table');
    Object.assign(this.ctx.tuning.entries, table.entries);
  }

  // ---- Backward passes (src/ops/backward) ----

  encodeLayerNormBackward(target: EncodeTarget, options: EncodeLayerNormBackwardOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('layerNormBackward').encode(this.ctx, target, 'layerNormBackward', options));
  }

  encodeRmsNormBackward(target: EncodeTarget, options: EncodeRmsNormBackwardOptions): RowNormVariant {
    return this.encode(options, () => this.kernels.lookup('rmsNormBackward').encode(this.ctx, target, 'rmsNormBackward', options));
  }

  layerNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('layerNormBackward').run(run, 'layerNormBackward', dy, x, options).then((r) => ({ dx: r.dx, dgamma: r.dgamma, dbeta: r.dbeta! }))) as Promise<LayerNormBackwardResult<SameData<X>>>;
  }

  rmsNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('rmsNormBackward').run(run, 'rmsNormBackward', dy, x, options).then((r) => ({ dx: r.dx, dgamma: r.dgamma }))) as Promise<RmsNormBackwardResult<SameData<X>>>;
  }

  // ---- Lp normalization (src/ops/lp-norm) ----

  encodeLpNorm(target: EncodeTarget, options: EncodeLpNormOptions): LpNormVariant {
    return this.encode(options, () => this.kernels.lookup('lpNorm').encode(this.ctx, target, options));
  }

  lpNorm<X extends TensorData>(x: X, options: LpNormOptions): Promise<LpNormResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('lpNorm').run(run, x, options));
  }

  // ---- GroupNorm / InstanceNorm (src/ops/group-norm), BatchNorm (src/ops/batch-norm) ----

  encodeGroupNorm(target: EncodeTarget, options: EncodeGroupNormOptions): NormPlanInfo {
    return this.encode(options, () => this.kernels.lookup('groupNorm').encodeGroupNorm(this.ctx, target, options));
  }

  groupNorm<X extends TensorData>(x: X, options: GroupNormOptions): Promise<GroupNormResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('groupNorm').runGroupNorm(run, x, options));
  }

  encodeInstanceNorm(target: EncodeTarget, options: EncodeInstanceNormOptions): NormPlanInfo {
    return this.encode(options, () => this.kernels.lookup('instanceNorm').encodeInstanceNorm(this.ctx, target, options));
  }

  instanceNorm<X extends TensorData>(x: X, options: InstanceNormOptions): Promise<GroupNormResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('instanceNorm').runInstanceNorm(run, x, options));
  }

  encodeBatchNormInference(target: EncodeTarget, options: EncodeBatchNormInferenceOptions): NormPlanInfo {
    return this.encode(options, () => this.kernels.lookup('batchNormInference').encodeInference(this.ctx, target, options));
  }

  batchNormInference<X extends TensorData>(x: X, options: BatchNormInferenceOptions): Promise<BatchNormInferenceResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('batchNormInference').runInference(run, x, options));
  }

  encodeBatchNormStats(target: EncodeTarget, options: EncodeBatchNormStatsOptions): NormPlanInfo {
    return this.encode(options, () => this.kernels.lookup('batchNormStats').encodeStats(this.ctx, target, options));
  }

  batchNormStats(x: TensorData, options: BatchNormStatsOptions): Promise<BatchNormStatsResult> {
    return this.run((run) => this.kernels.lookup('batchNormStats').runStats(run, x, options));
  }

  encodeBatchNormTraining(target: EncodeTarget, options: EncodeBatchNormTrainingOptions): NormPlanInfo {
    return this.encode(options, () => this.kernels.lookup('batchNormTraining').encodeTraining(this.ctx, target, options));
  }

  batchNormTraining<X extends TensorData>(x: X, options: BatchNormTrainingOptions): Promise<BatchNormTrainingResult<SameData<X>>> {
    return this.run((run) => this.kernels.lookup('batchNormTraining').runTraining(run, x, options));
  }

  // ---- ONNX nodes (src/onnx) ----

  runOnnxNode(node: OnnxNode<OnnxTensor>): Promise<(OnnxTensor | null)[]> {
    return this.run((run) => this.kernels.onnx('runOnnxNode').run(run, node));
  }

  encodeOnnxNode(target: EncodeTarget, node: OnnxEncodeNode): void {
    this.encode(node, () => this.kernels.onnx('encodeOnnxNode').encode(this.ctx, target, node));
  }

  onnxOutputInfo(node: OnnxNode<TensorInfo>): OnnxOutputInfo[] {
    this.check();
    return this.kernels.onnx('onnxOutputInfo').outputInfo(node);
  }

  // ---- end of the families ----

  stats(): ResourceStats {
    return this.ctx.resources.stats();
  }

  destroy(): void {
    if (!this.life.markDestroyed()) return;
    this.ctx.resources.destroy();
    if (this.ownsDevice) this.device.destroy();
  }
}
