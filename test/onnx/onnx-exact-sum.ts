/**
 * The page-side runner of the exact-sum rows of test/onnx/onnx.gpu.test.ts: a float16 Skip* node
 * run with its fused add kernel forced onto one layout (a tuning entry on a second normalizer of
 * the same device), on data whose f16-rounded sum differs from the exact one, against the float64
 * reference of the exact sum. ONNX normalizes input + skip + bias unrounded; the fused f16
 * kernels round it unless their ROUND_SUM override is off, so a layout that ignores the override
 * fails here. Each result also says how many elements a rounded-sum kernel would get wrong under
 * the same tolerance, so the test can show the data would catch it.
 */
import { cpuOnnx, createNormalizer, f16ToF32, f32ToF16, type Normalizer, type OnnxTensor, type RowNormVariant } from '../../dist/index.js';
import { rng } from '../shared/data.js';

export interface ExactSumCase {
  readonly opType: 'SkipLayerNormalization' | 'SkipSimplifiedLayerNormalization';
  readonly variant: RowNormVariant;
  readonly batch: number;
  readonly seq: number;
  readonly hidden: number;
  /** 'seq': an (S,H) skip broadcast over the batch. */
  readonly skip: 'full' | 'seq';
  readonly seed: number;
}

export interface ExactSumResult {
  /** The variant the probe encode of each fused op got (the forced one when the entry matched). */
  readonly used: RowNormVariant[];
  /** Elements whose f16-rounded sum differs from the exact one (the data's premise). */
  readonly roundedDiffers: number;
  /** y elements outside the tolerance: of the GPU, and of a kernel normalizing the rounded sum. */
  readonly yFailures: number;
  readonly roundedYFailures: number;
  readonly statFailures: number;
  /** input_skip_bias_sum elements whose bits are not the exact sum rounded once. */
  readonly sumMismatches: number;
  readonly count: number;
  readonly worst: string;
  readonly validationError: string | null;
}

let exactNorm: Promise<Normalizer> | undefined;

/** The gap between f16 neighbours at |v| (the larger one at a power of two). */
function f16Spacing(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -14) return 2 ** -24;
  return 2 ** (Math.floor(Math.log2(a)) - 10);
}

/**
 * Runs one case; see the file comment.
 *
 * @example
 * ```ts
 * const r = await onnxExactSum(norm, { opType: 'SkipLayerNormalization', variant, batch: 2, seq: 3, hidden: 61, skip: 'full', seed: 1 });
 * ```
 */
export async function onnxExactSum(shared: Normalizer, c: ExactSumCase): Promise<ExactSumResult> {
  exactNorm ??= createNormalizer({ device: shared.device, tuning: false, persistTuning: false });
  const norm = await exactNorm;
  const rows = c.batch * c.seq;
  const cols = c.hidden;
  const layer = c.opType === 'SkipLayerNormalization';
  const ops = layer ? ['addLayerNorm'] : ['addRmsNorm', 'addLayerNorm'];
  // The tuning key of the fused f16 forms (src/ops/row-norm/tuning.ts): they run the packed
  // kernels, so their profile has no shader-f16 and the key ends in 's'.
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(n));
  const key = (op: string) => `${norm.profile.name}|${op}|f16|${pow2(rows)}x${pow2(cols)}s`;
  norm.importTuning({ version: 1, entries: Object.fromEntries(ops.map((op) => [key(op), { ...c.variant, ms: 0 }])) });
  // A probe encode (never submitted) of each fused op on this shape reports the variant it got.
  const words = (n: number) => Math.ceil(n / 2) * 4;
  const buf = (size: number) => norm.device.createBuffer({ size: Math.max(4, size), usage: GPUBufferUsage.STORAGE });
  const probe = [buf(words(rows * cols)), buf(words(rows * cols)), buf(words(rows * cols)), buf(rows * 4), buf(rows * 4)];
  const enc = norm.device.createCommandEncoder();
  const o = { x: probe[0]!, residual: probe[1]!, y: probe[2]!, rows, cols, dtype: 'f16' as const };
  const used = ops.map((op) => (op === 'addLayerNorm' ? norm.encodeAddLayerNorm(enc, { ...o, mean: probe[3]!, rstd: probe[4]! }) : norm.encodeAddRmsNorm(enc, { ...o, rstd: probe[4]! })));
  probe.forEach((b) => b.destroy());

  // LayerNorm: integers near 1536 (f16 spacing 1 there) plus multiples of 1/16 from skip and
  // bias, so the sum's f16 rounding moves it by up to 0.5 against a spread of ~18. RMS: ±[512,
  // 1024) (spacing 0.5), where the rounding is up to half an f16 ULP of y.
  const random = rng(c.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const skipRows = c.skip === 'full' ? rows : c.seq;
  const f16 = (dims: number[], f: () => number): OnnxTensor => ({ data: Uint16Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => f32ToF16(f())), dims, type: 'float16' });
  const x = f16([c.batch, c.seq, cols], () => (layer ? 1536 + int(-30, 30) : (random() < 0.5 ? -1 : 1) * int(512, 1023)));
  const skip = f16(c.skip === 'full' ? [c.batch, c.seq, cols] : [c.seq, cols], () => int(-4, 4) / 8);
  const gamma = f16([cols], () => 0.75 + int(0, 8) / 16);
  const beta = f16([cols], () => int(-4, 4) / 16);
  const bias = f16([cols], () => int(-4, 4) / 16);
  const node = (inputs: (OnnxTensor | null)[]) => ({ opType: c.opType, domain: 'com.microsoft', opset: 1, attributes: { epsilon: 1e-5 }, inputs, outputCount: 4 });
  const inputs = layer ? [x, skip, gamma, beta, bias] : [x, skip, gamma, bias];

  norm.device.pushErrorScope('validation');
  const gpu = await norm.runOnnxNode(node(inputs));
  const validationError = (await norm.device.popErrorScope())?.message ?? null;
  const ref = cpuOnnx.runOnnxNodeF64(node(inputs)).map((t) => t.data);
  // A kernel that normalizes the rounded sum: the reference of input = round16(sum), no skip or bias.
  const exactSum = ref[3]!;
  const roundedX: OnnxTensor = { data: Uint16Array.from(exactSum, (v) => f32ToF16(v)), dims: x.dims, type: 'float16' };
  const zeros = (t: OnnxTensor): OnnxTensor => ({ ...t, data: new Uint16Array(t.data.length) });
  const rounded = cpuOnnx.runOnnxNodeF64(node(layer ? [roundedX, zeros(x), gamma, beta, zeros(bias)] : [roundedX, zeros(x), gamma, zeros(bias)])).map((t) => t.data);

  // y: rounded once from an f32 result, so within half an f16 spacing of the exact value, plus
  // f32's own error (~1e-6 relative here); a rounded sum moves y by up to half a spacing more.
  const yTol = (e: number) => 0.5 * f16Spacing(e) + 1e-5 * Math.abs(e) + 1e-7;
  const y = gpu[0]!.data as Uint16Array;
  let yFailures = 0;
  let roundedYFailures = 0;
  let worst = '';
  let worstRatio = 0;
  for (let i = 0; i < y.length; i++) {
    const e = ref[0]![i]!;
    const ratio = Math.abs(f16ToF32(y[i]!) - e) / yTol(e);
    if (!(ratio <= 1)) yFailures++;
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = `y[${i}]: gpu ${f16ToF32(y[i]!)}, ref ${e}, ${ratio.toFixed(2)}x the tolerance`;
    }
    if (!(Math.abs(f16ToF32(f32ToF16(rounded[0]![i]!)) - e) <= yTol(e))) roundedYFailures++;
  }
  // mean and inv_std_var (float32): relative to the row's scale.
  let statFailures = 0;
  for (let r = 0; r < rows; r++) {
    let scale = 0;
    for (let j = 0; j < cols; j++) scale = Math.max(scale, Math.abs(exactSum[r * cols + j]!));
    const m = (gpu[1]!.data as Float32Array)[r]!;
    const s = (gpu[2]!.data as Float32Array)[r]!;
    if (!(Math.abs(m - ref[1]![r]!) <= 1e-6 * scale)) statFailures++;
    if (!(Math.abs(s - ref[2]![r]!) <= 1e-5 * ref[2]![r]!)) statFailures++;
  }
  const sum = gpu[3]!.data as Uint16Array;
  let sumMismatches = 0;
  let roundedDiffers = 0;
  for (let i = 0; i < sum.length; i++) {
    const once = f32ToF16(exactSum[i]!);
    if (sum[i] !== once) sumMismatches++;
    if (f16ToF32(once) !== exactSum[i]) roundedDiffers++;
  }
  return { used, roundedDiffers, yFailures, roundedYFailures, statFailures, sumMismatches, count: y.length, worst, validationError };
}
