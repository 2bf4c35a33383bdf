/**
 * The page-side runner of the ONNX node cases (test/onnx/onnx.gpu.test.ts): inputs from a seed,
 * `norm.runOnnxNode` on the GPU inside a validation error scope, compared output by output with
 * `cpuOnnx.runOnnxNodeF64` (the float64 reference) under ONNX's runner tolerance, plus one term that
 * any float32 computation needs (see {@link allowance}).
 */
import { cpuOnnx, f16ToF32, f32ToF16, type Normalizer, type OnnxTensor, type OnnxTensorType } from '../../dist/index.js';
import { normal, rng } from '../shared/data.js';
import { outputHash } from '../shared/output-hash.js';

/** How an input's values are drawn: N(0, 1) · scale + offset, |N(0, 1)| · scale + 0.5 (variances), or zeros. */
export interface InputSpec {
  readonly dims: number[];
  readonly type: OnnxTensorType;
  readonly gen?: 'normal' | 'positive' | 'zeros' | undefined;
  readonly scale?: number | undefined;
  readonly offset?: number | undefined;
  /** Row `poison` (of the last dim) holds one NaN. */
  readonly poison?: number | undefined;
}

export interface OnnxCase {
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly attributes: Record<string, number | number[]>;
  readonly inputs: (InputSpec | null)[];
  readonly outputCount: number;
  readonly seed: number;
  /** Inputs perturbed for the float32 conditioning term (default: input 0; skip ops add input 1). */
  readonly perturb?: number[] | undefined;
}

export interface OutputComparison {
  readonly count: number;
  readonly failures: number;
  /** Largest |gpu − ref| / allowance. */
  readonly maxRatio: number;
  /** Largest |gpu − ref| / (1e-7 + 1e-3·|ref|): ONNX's runner criterion alone. */
  readonly maxOnnxRatio: number;
  readonly nanMismatch: number;
  readonly worst: string;
}

export interface OnnxCaseResult {
  readonly outputs: OutputComparison[];
  readonly produced: (string | null)[];
  readonly validationError: string | null;
  readonly hash: string;
}

function values(spec: InputSpec, seed: number): number[] {
  const n = spec.dims.reduce((a, b) => a * b, 1);
  const gauss = normal(rng(seed));
  const scale = spec.scale ?? 1;
  const v = Array.from({ length: n }, () => (spec.gen === 'zeros' ? 0 : spec.gen === 'positive' ? Math.abs(gauss()) * scale + 0.5 : gauss() * scale + (spec.offset ?? 0)));
  if (spec.poison !== undefined) v[spec.poison * spec.dims[spec.dims.length - 1]!] = NaN;
  return v;
}

/**
 * Builds the case's inputs: float16 as half bits (values rounded to f16 once), float32 as is.
 *
 * @example
 * ```ts
 * const inputs = makeInputs(c);
 * ```
 */
export function makeInputs(c: OnnxCase): (OnnxTensor | null)[] {
  return c.inputs.map((spec, i) => {
    if (!spec) return null;
    const v = values(spec, c.seed * 31 + i);
    const data = spec.type === 'float16' ? Uint16Array.from(v, (a) => f32ToF16(a)) : Float32Array.from(v);
    return { data, dims: spec.dims, type: spec.type };
  });
}

/** The same tensors as float32 values (exact), optionally scaled per element by (1 + δ·sign). */
function asF32(t: OnnxTensor, perturb?: (i: number) => number): OnnxTensor {
  const data = Float32Array.from(t.data as ArrayLike<number>, (v, i) => {
    const x = t.type === 'float16' ? f16ToF32(v) : v;
    return perturb ? x * (1 + perturb(i)) : x;
  });
  return { data, dims: t.dims, type: 'float32' };
}

/**
 * The tolerance of each output element: ONNX's runner criterion 1e-7 + 1e-3·|ref|, plus 4× how
 * far the float64 result moves when the normalized inputs are perturbed by 2^-21 relative (all
 * up, or with random signs): what rounding the inputs to float32 alone can do. Without that term
 * no float32 implementation passes an element that cancels to near zero in a row of mean 1e4.
 */
function allowance(c: OnnxCase, inputs: (OnnxTensor | null)[], ref: Float64Array[]): Float64Array[] {
  const f32 = inputs.map((t) => (t ? asF32(t) : null));
  const perturbed = c.perturb ?? (/^Skip/.test(c.opType) ? [0, 1] : [0]);
  const delta = 2 ** -21;
  const random = rng(c.seed ^ 0x5bd1e995);
  const runs = [() => delta, () => (random() < 0.5 ? -delta : delta)].map((sign) => {
    const moved = f32.map((t, i) => (t && perturbed.includes(i) ? asF32(t, sign) : t));
    return cpuOnnx.runOnnxNodeF64({ opType: c.opType, domain: c.domain, opset: c.opset, attributes: c.attributes, inputs: moved, outputCount: c.outputCount }).map((o) => o.data);
  });
  return ref.map((r, k) => Float64Array.from(r, (v, j) => 1e-7 + 1e-3 * Math.abs(v) + 4 * Math.max(...runs.map((run) => Math.abs(run[k]![j]! - v) || 0))));
}

/**
 * Runs one case on the GPU and compares it with the float64 reference.
 *
 * @example
 * ```ts
 * const r = await onnxCase(norm, c); // r.outputs[0].failures === 0
 * ```
 */
export async function onnxCase(norm: Normalizer, c: OnnxCase): Promise<OnnxCaseResult> {
  const inputs = makeInputs(c);
  const node = { opType: c.opType, domain: c.domain, opset: c.opset, attributes: c.attributes, inputs, outputCount: c.outputCount };
  norm.device.pushErrorScope('validation');
  const gpu = await norm.runOnnxNode(node);
  const validationError = (await norm.device.popErrorScope())?.message ?? null;
  const ref = cpuOnnx.runOnnxNodeF64(node).map((o) => o.data);
  const allow = allowance(c, inputs, ref);
  const outputs = ref.map((r, k) => {
    const o = gpu[k]!;
    const got = (i: number) => (o.type === 'float16' ? f16ToF32((o.data as Uint16Array)[i]!) : (o.data as Float32Array)[i]!);
    let failures = 0;
    let nanMismatch = 0;
    let maxRatio = 0;
    let maxOnnxRatio = 0;
    let worst = '';
    for (let i = 0; i < r.length; i++) {
      const a = got(i);
      const e = r[i]!;
      if (Number.isNaN(e) || Number.isNaN(a)) {
        if (Number.isNaN(e) !== Number.isNaN(a)) nanMismatch++;
        continue;
      }
      const err = Math.abs(a - e);
      const ratio = err / allow[k]![i]!;
      maxOnnxRatio = Math.max(maxOnnxRatio, err / (1e-7 + 1e-3 * Math.abs(e)));
      if (!(ratio <= 1)) failures++;
      if (!(ratio <= maxRatio)) {
        maxRatio = ratio;
        worst = `element ${i}: gpu ${a}, ref ${e}, allowance ${allow[k]![i]!.toExponential(2)}`;
      }
    }
    return { count: r.length, failures, maxRatio, maxOnnxRatio, nanMismatch, worst };
  });
  return { outputs, produced: gpu.map((o) => (o ? o.type : null)), validationError, hash: outputHash(...gpu.map((o) => o?.data)) };
}

