/**
 * The bad-input table (test/gpu/bad-input-table.test.ts): one row per distinct mistake, for every
 * op and both forms, run in the page against the shared normalizer inside a validation error
 * scope (`runInScope` in harness.ts). Complements test/gpu/bad-input.test.ts (which covers the
 * encode form's operand rules for LayerNorm in depth) without repeating its cases.
 *
 * New ops slot in by adding rows: `op` names the op (from the op table) or `tune`, `run` calls it;
 * the test requires typed-array and encode rows for every row-norm op of the table.
 */
import type { Normalizer } from '../../../dist/index.js';
import type { BadInputKit } from './harness.js';
import { encodeMethod, type OpName, type OPS, type RowNormOpName } from '../../../src/ops/table.js';

export interface BadInput {
  /** Unique id (also the test name). */
  readonly id: string;
  /** The op the row calls (the report groups by it), or `tune`. */
  readonly op: OpName | 'tune';
  readonly form: 'convenience' | 'encode' | 'tune' | 'lifecycle';
  /** Expected NormError code and argument. */
  readonly code: string;
  readonly argument: string | null;
  /** What the message must say (besides naming the argument). */
  readonly says?: RegExp;
  readonly run: (norm: Normalizer, device: GPUDevice, kit: BadInputKit) => unknown;
}

const f32 = (n: number) => new Float32Array(n);
const f16 = (n: number) => new Uint16Array(n);
const S = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
type AnyOptions = Record<string, unknown>;
/** Row-norm ops by whether they fuse a residual add (their typed-array forms take one more array). */
type FusedOp = { [K in RowNormOpName]: (typeof OPS)[K]['fusedAdd'] extends true ? K : never }[RowNormOpName];
type PlainOp = Exclude<RowNormOpName, FusedOp>;
/** Encode forms (the op table's `encodeMethod(op)`) called with deliberately wrong options (the type system would refuse them). */
const enc = (norm: Normalizer, op: RowNormOpName, target: GPUCommandEncoder | GPUComputePassEncoder, o: AnyOptions) =>
  (norm[encodeMethod(op)] as (t: unknown, o: unknown) => unknown).call(norm, target, o);
const conv = (norm: Normalizer, op: PlainOp, x: unknown, o: unknown) => (norm[op] as (x: unknown, o: unknown) => unknown).call(norm, x, o);
const convAdd = (norm: Normalizer, op: FusedOp, x: unknown, r: unknown, o: unknown) =>
  (norm[op] as (x: unknown, r: unknown, o: unknown) => unknown).call(norm, x, r, o);
/** Plain operands for a 2 x 4 f32 call of each encode op. */
const plain = (kit: BadInputKit, add: boolean): AnyOptions =>
  add ? { x: kit.buffer(32), residual: kit.buffer(32), sum: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4 } : { x: kit.buffer(32), y: kit.buffer(32), rows: 2, cols: 4 };

/** A normalizer on the same device, destroyed: every op must refuse with `destroyed`. */
async function destroyedNorm(norm: Normalizer, kit: BadInputKit): Promise<Normalizer> {
  const other = await kit.lib.createNormalizer({ device: norm.device, tuning: false });
  other.destroy();
  return other;
}

export const badInputs: readonly BadInput[] = [
  // ---- convenience forms: dimensions
  { id: 'layerNorm cols NaN', op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'cols', says: /integer >= 1, got NaN/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: NaN }) },
  { id: 'rmsNorm cols 0', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'cols', says: /integer >= 1, got 0/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 0 }) },
  { id: 'rmsNorm cols 2.5', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'cols', says: /integer/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 2.5 }) },
  { id: 'addLayerNorm cols -3', op: 'addLayerNorm', form: 'convenience', code: 'invalid-argument', argument: 'cols', says: /got -3/, run: (n) => convAdd(n, 'addLayerNorm', f32(6), f32(6), { cols: -3 }) },
  { id: 'addRmsNorm cols missing', op: 'addRmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'cols', says: /got undefined/, run: (n) => convAdd(n, 'addRmsNorm', f32(6), f32(6), {}) },
  { id: 'layerNorm empty x', op: 'layerNorm', form: 'convenience', code: 'shape-mismatch', argument: 'x', says: /empty/, run: (n) => conv(n, 'layerNorm', f32(0), { cols: 4 }) },
  { id: 'rmsNorm x.length not a multiple of cols (f16)', op: 'rmsNorm', form: 'convenience', code: 'shape-mismatch', argument: 'x', says: /multiple of cols 4/, run: (n) => conv(n, 'rmsNorm', f16(10), { cols: 4 }) },
  // ---- convenience forms: parameter and residual lengths
  { id: 'rmsNorm gamma of length cols + 1', op: 'rmsNorm', form: 'convenience', code: 'shape-mismatch', argument: 'gamma', says: /cols = 4, got 5/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, gamma: f32(5) }) },
  { id: 'layerNorm beta of length rows*cols', op: 'layerNorm', form: 'convenience', code: 'shape-mismatch', argument: 'beta', says: /cols = 4, got 8/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: 4, beta: f32(8) }) },
  { id: 'addLayerNorm bias too short', op: 'addLayerNorm', form: 'convenience', code: 'shape-mismatch', argument: 'bias', says: /cols = 4, got 3/, run: (n) => convAdd(n, 'addLayerNorm', f32(8), f32(8), { cols: 4, bias: f32(3) }) },
  { id: 'addRmsNorm residual shorter than x', op: 'addRmsNorm', form: 'convenience', code: 'shape-mismatch', argument: 'residual', says: /length of x \(8\), got 4/, run: (n) => convAdd(n, 'addRmsNorm', f32(8), f32(4), { cols: 4 }) },
  { id: 'addRmsNorm residual missing', op: 'addRmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'residual', says: /got undefined/, run: (n) => convAdd(n, 'addRmsNorm', f32(8), undefined, { cols: 4 }) },
  // ---- convenience forms: dtypes
  { id: 'addLayerNorm mixed dtypes: f32 x, f16 residual', op: 'addLayerNorm', form: 'convenience', code: 'invalid-argument', argument: 'residual', says: /dtype is 'f32'/, run: (n) => convAdd(n, 'addLayerNorm', f32(8), f16(8), { cols: 4 }) },
  { id: 'addRmsNorm mixed dtypes: f16 x, f32 residual', op: 'addRmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'residual', says: /dtype is 'f16'/, run: (n) => convAdd(n, 'addRmsNorm', f16(8), f32(8), { cols: 4 }) },
  { id: "layerNorm Uint16Array with dtype 'f32'", op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'x', says: /Uint16Array/, run: (n) => conv(n, 'layerNorm', f16(8), { cols: 4, dtype: 'f32' }) },
  { id: "rmsNorm Float32Array with dtype 'f16'", op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'x', says: /half bits/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, dtype: 'f16' }) },
  { id: 'layerNorm f16 gamma (Uint16Array)', op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'gamma', says: /Float32Array \(parameters are f32/, run: (n) => conv(n, 'layerNorm', f16(8), { cols: 4, gamma: f16(4) }) },
  { id: "layerNorm dtype 'bf16'", op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'dtype', says: /'f32' or 'f16'/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: 4, dtype: 'bf16' }) },
  { id: 'rmsNorm x as a plain array', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'x', says: /Float32Array/, run: (n) => conv(n, 'rmsNorm', [1, 2, 3, 4], { cols: 4 }) },
  // ---- convenience forms: options
  { id: 'layerNorm options null', op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'options', says: /options object/, run: (n) => conv(n, 'layerNorm', f32(8), null) },
  { id: "rmsNorm epsilonMode 'add-to-std'", op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'epsilonMode', says: /inside-sqrt/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, epsilonMode: 'add-to-std' }) },
  { id: 'rmsNorm unbiased', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'unbiased', says: /no variance/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, unbiased: true }) },
  { id: "layerNorm unbiased 'yes'", op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'unbiased', says: /boolean/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: 4, unbiased: 'yes' }) },
  { id: 'layerNorm gammaOffset (an RMSNorm option)', op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'gammaOffset', says: /RMSNorm option/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: 4, gammaOffset: 1 }) },
  { id: 'rmsNorm gammaOffset NaN', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'gammaOffset', says: /finite number/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, gammaOffset: NaN }) },
  { id: 'rmsNorm gammaOffset 3.5e38 (±Inf as an f32)', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'gammaOffset', says: /±Infinity as an f32/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, gamma: f32(4), gammaOffset: 3.5e38 }) },
  { id: 'layerNorm epsilon 1e-45 (flushed to 0 as an f32)', op: 'layerNorm', form: 'convenience', code: 'invalid-argument', argument: 'epsilon', says: /may flush to 0/, run: (n) => conv(n, 'layerNorm', f32(8), { cols: 4, epsilon: 1e-45 }) },
  { id: 'rmsNorm gammaOffset without gamma', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'gammaOffset', says: /needs gamma/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, gammaOffset: 1 }) },
  { id: 'encodeAddRmsNorm gammaOffset without gamma', op: 'addRmsNorm', form: 'encode', code: 'invalid-argument', argument: 'gammaOffset', says: /ambiguous/, run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), gammaOffset: 1 }) },
  { id: 'addLayerNorm epsilon -0.5', op: 'addLayerNorm', form: 'convenience', code: 'invalid-argument', argument: 'epsilon', says: /finite number >= 0/, run: (n) => convAdd(n, 'addLayerNorm', f32(8), f32(8), { cols: 4, epsilon: -0.5 }) },
  { id: 'rmsNorm epsilon -Infinity', op: 'rmsNorm', form: 'convenience', code: 'invalid-argument', argument: 'epsilon', says: /finite/, run: (n) => conv(n, 'rmsNorm', f32(8), { cols: 4, epsilon: -Infinity }) },
  // ---- encode forms: usage, alignment, sizes
  { id: 'encodeRmsNorm rstd without STORAGE', op: 'rmsNorm', form: 'encode', code: 'buffer-usage', argument: 'rstd', says: /STORAGE/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), rstd: k.buffer(16, GPUBufferUsage.COPY_DST) }) },
  { id: 'encodeAddLayerNorm residual without STORAGE', op: 'addLayerNorm', form: 'encode', code: 'buffer-usage', argument: 'residual', says: /STORAGE/, run: (n, _d, k) => enc(n, 'addLayerNorm', k.encoder(), { ...plain(k, true), residual: k.buffer(32, GPUBufferUsage.COPY_SRC | GPUBufferUsage.VERTEX) }) },
  { id: 'encodeAddRmsNorm sum in an INDEX buffer', op: 'addRmsNorm', form: 'encode', code: 'buffer-usage', argument: 'sum', says: /STORAGE/, run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), sum: k.buffer(32, GPUBufferUsage.INDEX) }) },
  { id: 'encodeAddRmsNorm sum at offset 4', op: 'addRmsNorm', form: 'encode', code: 'misaligned-offset', argument: 'sum', says: /minStorageBufferOffsetAlignment/, run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), sum: { buffer: k.buffer(512, S()), offset: 4, size: 32 } }) },
  { id: 'encodeLayerNorm beta at offset alignment + 16', op: 'layerNorm', form: 'encode', code: 'misaligned-offset', argument: 'beta', says: /not a multiple/, run: (n, d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), beta: { buffer: k.buffer(1024), offset: d.limits.minStorageBufferOffsetAlignment + 16 } }) },
  { id: 'encodeLayerNorm x a buffer-shaped plain object', op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'x', says: /expected a GPUBuffer/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), x: { size: 1024, usage: S(), mapState: 'unmapped', label: 'impostor', getMappedRange: () => new ArrayBuffer(0) } as unknown as GPUBuffer }) },
  { id: 'encodeRmsNorm gamma a binding of a wrapper', op: 'rmsNorm', form: 'encode', code: 'invalid-argument', argument: 'gamma', says: /expected a GPUBuffer/, run: (n, _d, k) => { const real = k.buffer(64); return enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), gamma: { buffer: { size: real.size, usage: real.usage, mapState: real.mapState, label: 'wrapper', getMappedRange: () => real.getMappedRange() } as unknown as GPUBuffer } }); } },
  { id: 'encodeLayerNorm x offset -256', op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'x', says: /non-negative integer/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), x: { buffer: k.buffer(1024), offset: -256 } }) },
  { id: 'encodeRmsNorm x size 31.5', op: 'rmsNorm', form: 'encode', code: 'invalid-argument', argument: 'x', says: /size must be a non-negative integer/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), x: { buffer: k.buffer(64), size: 31.5 } }) },
  { id: 'encodeLayerNorm x at a huge aligned offset (2^40)', op: 'layerNorm', form: 'encode', code: 'buffer-too-small', argument: 'x', says: /needs 32 bytes at offset 1099511627776/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), x: { buffer: k.buffer(64), offset: 2 ** 40 } }) },
  { id: 'encodeRmsNorm rstd of rows - 1 floats', op: 'rmsNorm', form: 'encode', code: 'buffer-too-small', argument: 'rstd', says: /needs 12 bytes/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { x: k.buffer(48), y: k.buffer(48), rstd: k.buffer(8), rows: 3, cols: 4 }) },
  { id: 'encodeAddLayerNorm bias of cols - 1 floats', op: 'addLayerNorm', form: 'encode', code: 'buffer-too-small', argument: 'bias', says: /needs 16 bytes/, run: (n, _d, k) => enc(n, 'addLayerNorm', k.encoder(), { ...plain(k, true), bias: k.buffer(12) }) },
  { id: 'encodeAddRmsNorm f16 sum too small', op: 'addRmsNorm', form: 'encode', code: 'buffer-too-small', argument: 'sum', says: /needs 16 bytes/, run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), { x: k.buffer(16), residual: k.buffer(16), sum: k.buffer(12), y: k.buffer(16), rows: 2, cols: 4, dtype: 'f16' }) },
  // ---- encode forms: aliasing
  { id: 'encodeAddLayerNorm y is residual', op: 'addLayerNorm', form: 'encode', code: 'aliasing', argument: 'y', says: /input residual/, run: (n, _d, k) => { const o = plain(k, true); return enc(n, 'addLayerNorm', k.encoder(), { ...o, y: o.residual }); } },
  { id: 'encodeAddRmsNorm sum overlapping y', op: 'addRmsNorm', form: 'encode', code: 'aliasing', argument: 'sum', says: /overlaps the output y/, run: (n, _d, k) => { const out = k.buffer(64); return enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), sum: { buffer: out, offset: 0, size: 32 }, y: { buffer: out, offset: 0, size: 32 } }); } },
  { id: 'encodeRmsNorm rstd in the buffer of x', op: 'rmsNorm', form: 'encode', code: 'aliasing', argument: 'rstd', says: /input x/, run: (n, d, k) => { const A = d.limits.minStorageBufferOffsetAlignment; const b = k.buffer(2 * A); return enc(n, 'rmsNorm', k.encoder(), { x: { buffer: b, offset: 0, size: 32 }, y: k.buffer(32), rstd: { buffer: b, offset: A, size: 8 }, rows: 2, cols: 4 }); } },
  // ---- encode forms: options and operands that do not belong
  { id: 'encodeAddLayerNorm given mean without rstd', op: 'addLayerNorm', form: 'encode', code: 'invalid-argument', argument: 'rstd', says: /give both mean and rstd/, run: (n, _d, k) => enc(n, 'addLayerNorm', k.encoder(), { ...plain(k, true), mean: k.buffer(8) }) },
  { id: 'encodeAddRmsNorm given mean', op: 'addRmsNorm', form: 'encode', code: 'invalid-argument', argument: 'mean', says: /no mean/, run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), mean: k.buffer(8), rstd: k.buffer(8) }) },
  { id: 'encodeAddLayerNorm residualRows 3 of 2 rows', op: 'addLayerNorm', form: 'encode', code: 'shape-mismatch', argument: 'residualRows', says: /does not divide rows 2/, run: (n, _d, k) => enc(n, 'addLayerNorm', k.encoder(), { ...plain(k, true), residualRows: 3 }) },
  { id: "encodeRmsNorm outputDtype 'bf16'", op: 'rmsNorm', form: 'encode', code: 'invalid-argument', argument: 'outputDtype', says: /'f32' or 'f16'/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), outputDtype: 'bf16' }) },
  { id: 'encodeLayerNorm given residual', op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'residual', says: /fused add/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), residual: k.buffer(32) }) },
  { id: 'encodeRmsNorm given mean', op: 'rmsNorm', form: 'encode', code: 'invalid-argument', argument: 'mean', says: /no mean/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), mean: k.buffer(8) }) },
  { id: "encodeLayerNorm dtype 'f64'", op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'dtype', says: /'f32' or 'f16'/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), dtype: 'f64' }) },
  { id: "encodeLayerNorm epsilonMode 'outside'", op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'epsilonMode', says: /add-to-std/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), epsilonMode: 'outside' }) },
  { id: 'encodeRmsNorm rows NaN', op: 'rmsNorm', form: 'encode', code: 'invalid-argument', argument: 'rows', says: /got NaN/, run: (n, _d, k) => enc(n, 'rmsNorm', k.encoder(), { ...plain(k, false), rows: NaN }) },
  { id: 'encodeAddLayerNorm cols Infinity', op: 'addLayerNorm', form: 'encode', code: 'invalid-argument', argument: 'cols', says: /got Infinity/, run: (n, _d, k) => enc(n, 'addLayerNorm', k.encoder(), { ...plain(k, true), cols: Infinity }) },
  { id: 'encodeLayerNorm a variant with workgroupSize 7', op: 'layerNorm', form: 'encode', code: 'invalid-argument', argument: 'variant.workgroupSize', says: /power of two/, run: (n, _d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), variant: { workgroupSize: 7, threadsPerRow: 1, cachedChunks: 0, vec4: false, reduction: 'workgroup' } }) },
  { id: 'encodeAddRmsNorm options undefined', op: 'addRmsNorm', form: 'encode', code: 'invalid-argument', argument: 'options', run: (n, _d, k) => enc(n, 'addRmsNorm', k.encoder(), undefined as unknown as AnyOptions) },
  // ---- encode forms: device limits (tiny buffers: the shape is refused before any size check)
  { id: 'encodeAddRmsNorm rows*cols*4 over maxStorageBufferBindingSize', op: 'addRmsNorm', form: 'encode', code: 'limit-exceeded', argument: 'rows', says: /maxStorageBufferBindingSize \(\d+\); split the rows/, run: (n, d, k) => enc(n, 'addRmsNorm', k.encoder(), { ...plain(k, true), cols: 1024, rows: Math.floor(d.limits.maxStorageBufferBindingSize / 4096) + 1 }) },
  { id: 'encodeLayerNorm f16: rows*cols*2 over maxStorageBufferBindingSize', op: 'layerNorm', form: 'encode', code: 'limit-exceeded', argument: 'rows', says: /f16 elements .* split the rows/, run: (n, d, k) => enc(n, 'layerNorm', k.encoder(), { ...plain(k, false), dtype: 'f16', cols: 2048, rows: Math.floor(d.limits.maxStorageBufferBindingSize / 4096) + 1 }) },
  { id: 'encodeRmsNorm inside a pass: rows over maxStorageBufferBindingSize', op: 'rmsNorm', form: 'encode', code: 'limit-exceeded', argument: 'rows', says: /split/, run: (n, d, k) => enc(n, 'rmsNorm', k.pass(), { ...plain(k, false), cols: 1, rows: d.limits.maxStorageBufferBindingSize / 4 + 1 }) },
  // ---- tune
  { id: 'tune an op that does not exist', op: 'tune', form: 'tune', code: 'invalid-argument', argument: 'op', says: /layerNorm, rmsNorm/, run: (n) => (n.tune as (op: unknown, s: unknown) => unknown)('groupNorm', { rows: 4, cols: 4 }) },
  { id: 'tune rows 0', op: 'tune', form: 'tune', code: 'invalid-argument', argument: 'rows', run: (n) => n.tune('rmsNorm', { rows: 0, cols: 4 }) },
  { id: "tune dtype 'f8'", op: 'tune', form: 'tune', code: 'invalid-argument', argument: 'dtype', run: (n) => n.tune('layerNorm', { rows: 4, cols: 4, dtype: 'f8' as 'f16' }) },
  { id: 'tune repetitions Infinity', op: 'tune', form: 'tune', code: 'invalid-argument', argument: 'repetitions', says: /\[3, 1000\]/, run: (n) => n.tune('layerNorm', { rows: 4, cols: 4 }, { repetitions: Infinity }) },
  { id: "tune shape key 'dtpye'", op: 'tune', form: 'tune', code: 'invalid-argument', argument: 'dtpye', says: /did you mean 'dtype'/, run: (n) => n.tune('rmsNorm', { rows: 4, cols: 4, dtpye: 'f16' } as { rows: number; cols: number }) },
  // ---- use after destroy(), every op and form
  { id: 'rmsNorm after destroy()', op: 'rmsNorm', form: 'lifecycle', code: 'destroyed', argument: null, says: /destroyed/, run: async (n, _d, k) => conv(await destroyedNorm(n, k), 'rmsNorm', f32(8), { cols: 4 }) },
  { id: 'addLayerNorm after destroy()', op: 'addLayerNorm', form: 'lifecycle', code: 'destroyed', argument: null, run: async (n, _d, k) => convAdd(await destroyedNorm(n, k), 'addLayerNorm', f32(8), f32(8), { cols: 4 }) },
  { id: 'encodeAddRmsNorm after destroy()', op: 'addRmsNorm', form: 'lifecycle', code: 'destroyed', argument: null, run: async (n, _d, k) => enc(await destroyedNorm(n, k), 'addRmsNorm', k.encoder(), plain(k, true)) },
  { id: 'encodeRmsNorm after destroy()', op: 'rmsNorm', form: 'lifecycle', code: 'destroyed', argument: null, run: async (n, _d, k) => enc(await destroyedNorm(n, k), 'rmsNorm', k.encoder(), plain(k, false)) },
  { id: 'tune after destroy()', op: 'tune', form: 'lifecycle', code: 'destroyed', argument: null, run: async (n, _d, k) => (await destroyedNorm(n, k)).tune('layerNorm', { rows: 4, cols: 4 }) },
  { id: 'checkErrors after destroy() is harmless; encode still refuses', op: 'layerNorm', form: 'lifecycle', code: 'destroyed', argument: null, run: async (n, _d, k) => { const o = await destroyedNorm(n, k); await o.checkErrors(); return enc(o, 'layerNorm', k.encoder(), plain(k, false)); } },
];
