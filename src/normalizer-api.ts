/**
 * The `Normalizer` interface: what users hold. Each op has two forms: a convenience form that takes
 * and returns typed arrays, and an `encode…` form that records into the caller's encoder or pass
 * and never submits. The implementation is in normalizer.ts.
 */
import type { NormError } from './core/errors.js';
import type { EncodeTarget } from './core/context.js';
import type { ResourceStats } from './core/resources.js';
import type { SameData } from './core/transfers.js';
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
import type { TuningTable } from './ops/row-norm/tuning.js';
import type { RowNormOpName } from './ops/table.js';
import type { AdapterProfile, RowNormVariant } from './ops/row-norm/variant.js';
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
import type { OnnxEncodeNode, OnnxNode, OnnxOutputInfo, OnnxTensor, TensorInfo } from './onnx/validate.js';

/**
 * Normalization kernels bound to one `GPUDevice`: every op in a typed-array form and an `encode…`
 * form, autotuning, debug mode and the lifecycle. Made by `createNormalizer`.
 *
 * @example
 * ```ts
 * const norm: Normalizer = await createNormalizer({ device });
 * const { y } = await norm.rmsNorm(x, { cols: 4096, gamma });
 * ```
 */
export interface Normalizer {
  /** The device every kernel runs on. */
  readonly device: GPUDevice;
  /** What kernel selection knows about the adapter. */
  readonly profile: AdapterProfile;
  /** True after {@link Normalizer.destroy}. */
  readonly destroyed: boolean;

  /**
   * LayerNorm over the last dimension of `x` (rows = `x.length / cols`), on the GPU.
   * f16: pass half bits as a Uint16Array; `y` comes back the same way, or in `outputDtype`.
   *
   * @example
   * ```ts
   * const { y, mean, rstd } = await norm.layerNorm(x, { cols: 768, gamma, beta, epsilon: 1e-5 });
   * const { y: half } = await norm.layerNorm(x, { cols: 768, outputDtype: 'f16' }); // Uint16Array
   * ```
   */
  layerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: LayerNormOptions<O>): Promise<LayerNormResult<OutputData<X, O>>>;

  /**
   * RMSNorm: `y = x / sqrt(mean(x²) + eps) · (gamma + gammaOffset)`.
   *
   * @example
   * ```ts
   * const { y, rstd } = await norm.rmsNorm(x, { cols: 4096, gamma, epsilon: 1e-6 });
   * const gemma = await norm.rmsNorm(x, { cols: 2048, gamma, gammaOffset: 1 });
   * ```
   */
  rmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(x: X, options: RmsNormOptions<O>): Promise<RmsNormResult<OutputData<X, O>>>;

  /**
   * Fused residual add + LayerNorm: `sum = x + residual (+ bias)`, `y = LayerNorm(sum)`, in one
   * pass over memory; also returns sum's per-row `mean` and `rstd` (for `layerNormBackward`).
   * `residualRows` broadcasts a residual of fewer rows; `outputDtype` sets y's dtype.
   *
   * @example
   * ```ts
   * // Post-LN block: y = LN(x + sublayer(x))
   * const { y } = await norm.addLayerNorm(x, sublayerOut, { cols: 768, gamma, beta });
   * // Pre-LN block: h = x + sublayer(LN(x)); the next sublayer reads LN(h)
   * const { y: nextIn, sum: h } = await norm.addLayerNorm(x, sublayerOut, { cols: 768, gamma, beta });
   * ```
   */
  addLayerNorm<X extends TensorData, O extends Dtype | undefined = undefined>(
    x: X,
    residual: SameData<X>,
    options: AddLayerNormOptions<O>,
  ): Promise<AddLayerNormResult<OutputData<X, O>, SameData<X>>>;

  /**
   * Fused residual add + RMSNorm (LLaMA-style Pre-LN blocks).
   *
   * @example
   * ```ts
   * const { y, sum } = await norm.addRmsNorm(h, attnOut, { cols: 4096, gamma });
   * ```
   */
  addRmsNorm<X extends TensorData, O extends Dtype | undefined = undefined>(
    x: X,
    residual: SameData<X>,
    options: AddRmsNormOptions<O>,
  ): Promise<AddRmsNormResult<OutputData<X, O>, SameData<X>>>;

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
  encodeLayerNorm(target: EncodeTarget, options: EncodeLayerNormOptions): RowNormVariant;

  /**
   * Records RMSNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeRmsNorm(pass, { x, y, gamma, rstd, rows, cols: 4096, epsilon: 1e-6 });
   * ```
   */
  encodeRmsNorm(target: EncodeTarget, options: EncodeRmsNormOptions): RowNormVariant;

  /**
   * Records the fused residual add + LayerNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeAddLayerNorm(enc, { x: hidden, residual: attnOut, sum: hidden2, y: normed, gamma, beta, rows, cols: 768 });
   * ```
   */
  encodeAddLayerNorm(target: EncodeTarget, options: EncodeAddLayerNormOptions): RowNormVariant;

  /**
   * Records the fused residual add + RMSNorm. Never submits.
   *
   * @example
   * ```ts
   * norm.encodeAddRmsNorm(enc, { x: hidden, residual: mlpOut, sum: hidden2, y: normed, gamma, rows, cols: 4096 });
   * ```
   */
  encodeAddRmsNorm(target: EncodeTarget, options: EncodeAddRmsNormOptions): RowNormVariant;

  /**
   * Times every candidate variant for `op` on this adapter at this shape (GPU timestamps where
   * the device has `timestamp-query`, every candidate once per round, in shuffled order) and uses
   * the winner from now on for all shapes of the same bucket (rows and cols rounded up to powers
   * of two): the candidate faster than the selection rule's variant by more than `TUNE_MARGIN`
   * (3 %) as the median of their per-round ratios, else the rule's variant. Persisted in
   * `localStorage` by default.
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
  layerNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: LayerNormBackwardOptions): Promise<LayerNormBackwardResult<SameData<X>>>;

  /**
   * RMSNorm's gradients: `dx` and `dgamma = Σ dy·x·rstd`.
   *
   * @example
   * ```ts
   * const { rstd } = await norm.rmsNorm(x, { cols: 4096, gamma });
   * const { dx, dgamma } = await norm.rmsNormBackward(dy, x, { cols: 4096, gamma, rstd });
   * ```
   */
  rmsNormBackward<X extends TensorData>(dy: X, x: SameData<X>, options: RmsNormBackwardOptions): Promise<RmsNormBackwardResult<SameData<X>>>;

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
  encodeLayerNormBackward(target: EncodeTarget, options: EncodeLayerNormBackwardOptions): RowNormVariant;

  /**
   * Records the RMSNorm backward pass (dx, and dgamma when given). Never submits.
   *
   * @example
   * ```ts
   * norm.encodeRmsNormBackward(pass, { dy, x, dx, gamma, rstd, dgamma, rows, cols: 4096 });
   * ```
   */
  encodeRmsNormBackward(target: EncodeTarget, options: EncodeRmsNormBackwardOptions): RowNormVariant;

  // ---- end of backward passes ------------------------------------------------------------------

  /** The tuning table (a copy), e.g. to ship with an app. */
  exportTuning(): TuningTable;

  /** Merges a tuning table (entries for other adapters are kept but never match). */
  importTuning(table: TuningTable): void;

  // ---- Lp normalization (src/ops/lp-norm) ----

  /**
   * Lp normalization of each row: `y = x / max(‖x‖_p, ε)`, p = 1 or 2 (ONNX LpNormalization,
   * PyTorch's F.normalize: unit-length embeddings, QK-norm). Also returns each row's norm.
   *
   * @example
   * ```ts
   * const { y, norm: lengths } = await norm.lpNorm(embeddings, { cols: 384 });
   * ```
   */
  lpNorm<X extends TensorData>(x: X, options: LpNormOptions): Promise<LpNormResult<SameData<X>>>;

  /**
   * Records Lp normalization into the caller's encoder or pass. Never submits.
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

  /**
   * One BatchNorm training step: y normalized with the batch statistics (mean, biased variance),
   * which are returned too, and the running statistics updated with `momentum` (PyTorch's meaning,
   * default 0.1; the variance unbiased unless `runningVarUnbiased: false`). The arrays given are
   * not modified; the updated ones are returned.
   *
   * @example
   * ```ts
   * const r = await norm.batchNormTraining(x, { batch: 8, channels: 64, spatial: 3136, layout: 'NCHW', runningMean, runningVar, gamma, beta });
   * runningMean.set(r.runningMean);
   * runningVar.set(r.runningVar);
   * ```
   */
  batchNormTraining<X extends TensorData>(x: X, options: BatchNormTrainingOptions): Promise<BatchNormTrainingResult<SameData<X>>>;

  /**
   * Records one BatchNorm training step (partial statistics → merge → normalize → running update)
   * into the caller's encoder or pass. Never submits. The running statistics are updated in place
   * unless `newRunningMean` / `newRunningVar` are given; `mean` / `var` receive the batch statistics
   * when given.
   *
   * @example
   * ```ts
   * norm.encodeBatchNormTraining(encoder, { x, y, runningMean, runningVar, gamma, beta, batch: 8, channels: 64, spatial: 3136, layout: 'NHWC', momentum: 0.1 });
   * ```
   */
  encodeBatchNormTraining(target: EncodeTarget, options: EncodeBatchNormTrainingOptions): NormPlanInfo;

  // ---- end GroupNorm / InstanceNorm / BatchNorm ----

  // ---- ONNX nodes (src/onnx) ----

  /**
   * Runs one ONNX node (LayerNormalization, RMSNormalization, SimplifiedLayerNormalization,
   * GroupNormalization, InstanceNormalization, BatchNormalization, MeanVarianceNormalization,
   * LpNormalization; com.microsoft SkipLayerNormalization, SkipSimplifiedLayerNormalization,
   * GroupNorm) with its schema's attributes and defaults, on typed arrays. Resolves to the outputs
   * in output order, `null` past `outputCount`. Bad nodes are refused with `unsupported-op`,
   * `shape-mismatch`, `invalid-argument`, `unsupported-attribute` or `unsupported-type`.
   *
   * @example
   * ```ts
   * const [y, mean, invStdDev] = await norm.runOnnxNode({
   *   opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: -1, epsilon: 1e-5 },
   *   inputs: [{ data: x, dims: [2, 768], type: 'float32' }, { data: scale, dims: [768], type: 'float32' }, null],
   *   outputCount: 3,
   * });
   * ```
   */
  runOnnxNode(node: OnnxNode<OnnxTensor>): Promise<(OnnxTensor | null)[]>;

  /**
   * Records one ONNX node into the caller's encoder or pass, GPU-resident; never submits. Inputs
   * and outputs are `{ buffer, dims, type }` (float16 packed two per word), `null` where omitted or
   * not wanted; allocate the outputs from {@link onnxOutputInfo}.
   *
   * @example
   * ```ts
   * const [info] = norm.onnxOutputInfo(node);
   * const y = device.createBuffer({ size: bytesOf(info), usage: GPUBufferUsage.STORAGE });
   * norm.encodeOnnxNode(encoder, { ...node, outputs: [{ buffer: y, ...info }] });
   * ```
   */
  encodeOnnxNode(target: EncodeTarget, node: OnnxEncodeNode): void;

  /**
   * The dims and type of each output `node` produces (the first `outputCount`), from its inputs'
   * dims and types; validates the node as `encodeOnnxNode` does.
   *
   * @example
   * ```ts
   * norm.onnxOutputInfo({ opType: 'SkipLayerNormalization', domain: 'com.microsoft', opset: 1, attributes: {}, inputs: [x, skip, gamma], outputCount: 1 });
   * // [{ dims: [2, 128, 768], type: 'float16' }]
   * ```
   */
  onnxOutputInfo(node: OnnxNode<TensorInfo>): OnnxOutputInfo[];

  // ---- end ONNX nodes ----

  /**
   * GPU memory this normalizer currently owns: uniforms, dummies and in-flight buffers
   * (`liveBuffers`), and the typed-array forms' idle transfer buffers kept for the next call
   * (`pooledBuffers`: the latest call's plus up to 32 MiB of others; `destroy()` frees them).
   *
   * @example
   * ```ts
   * const { liveBytes, pooledBytes } = norm.stats();
   * ```
   */
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

  /**
   * Frees what this normalizer created (and the device, if it requested it). Idempotent. Its
   * buffers (cached uniforms, dummies, scratch) are destroyed at once, so submit every encoder you
   * recorded with `encode…` first: one submitted after `destroy()` fails validation and writes
   * nothing. Work already submitted is unaffected (WebGPU finishes it before the memory goes).
   * Until then an encoder may be submitted any time: the caches drop what they evict, never destroy it.
   *
   * @example
   * ```ts
   * norm.encodeLayerNorm(encoder, { x, y, rows, cols });
   * device.queue.submit([encoder.finish()]); // first submit what was recorded
   * norm.destroy();
   * ```
   */
  destroy(): void;
}

