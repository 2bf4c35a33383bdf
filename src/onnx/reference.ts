/**
 * The float64 reference of the ONNX entry point: each operator's formula from its schema, computed
 * in float64 over the plan (plan.ts) every other form follows, and rounded once to each output's
 * type. `runOnnxNodeF64` keeps the unrounded values for the tests' tolerances.
 */
import { NormError, describe } from '../core/errors.js';
import { f16ToF32, f32ToF16 } from '../core/f16.js';
import { planNode, type NodePlan, type ParamPlan } from './plan.js';
import type { OnnxTensorType } from './schemas.js';
import { product, type OnnxNode, type OnnxTensor } from './validate.js';

/**
 * Checks the typed-array inputs of a node: each one's data is the typed array its type travels in
 * (float32: Float32Array, float16: Uint16Array of half bits, float64: Float64Array) with
 * product(dims) elements. Then validates the node (planNode).
 *
 * @example
 * ```ts
 * const plan = planTypedNode({ opType: 'LpNormalization', domain: '', opset: 1, attributes: {}, inputs: [{ data: new Float32Array(6), dims: [2, 3], type: 'float32' }], outputCount: 1 });
 * ```
 */
export function planTypedNode(node: OnnxNode<OnnxTensor>): NodePlan {
  const plan = planNode(node);
  node.inputs.forEach((t, i) => {
    if (!t) return;
    const want = t.type === 'float16' ? Uint16Array : t.type === 'float64' ? Float64Array : Float32Array;
    if (!(t.data instanceof want)) throw new NormError('invalid-argument', `${t.type} data travels as a ${want.name}, got ${describe(t.data)}`, `inputs[${i}].data`);
    const n = product(t.dims);
    if (t.data.length !== n) throw new NormError('shape-mismatch', `dims [${t.dims.join(', ')}] hold ${n} elements, data has ${t.data.length}`, `inputs[${i}].data`);
  });
  return plan;
}

function decode(t: OnnxTensor): Float64Array {
  const out = new Float64Array(t.data.length);
  if (t.type === 'float16') for (let i = 0; i < out.length; i++) out[i] = f16ToF32(t.data[i]!);
  else out.set(t.data);
  return out;
}

/** A parameter expanded to its `count` kernel elements (the conversion pass's mapping). */
function expand(p: ParamPlan | undefined, inputs: readonly Float64Array[], fill: number, count: number): Float64Array {
  const out = new Float64Array(count).fill(fill);
  if (!p) return out;
  const src = inputs[p.input]!;
  const [, d1, d2, d3] = p.dims;
  for (let i = 0; i < count; i++) {
    let rest = i;
    const a3 = rest % d3;
    rest = Math.floor(rest / d3);
    const a2 = rest % d2;
    rest = Math.floor(rest / d2);
    const a1 = rest % d1;
    const a0 = Math.floor(rest / d1);
    out[i] = src[a0 * p.strides[0] + a1 * p.strides[1] + a2 * p.strides[2] + a3 * p.strides[3]]!;
  }
  return out;
}

/** Mean and biased variance of `n` values read by `at` (two passes, float64). */
function moments(n: number, at: (j: number) => number): [number, number] {
  let s = 0;
  for (let j = 0; j < n; j++) s += at(j);
  const mean = s / n;
  let q = 0;
  for (let j = 0; j < n; j++) q += (at(j) - mean) ** 2;
  return [mean, q / n];
}

const silu = (v: number) => v / (1 + Math.exp(-v));

/**
 * The outputs of `node` in float64, unrounded (`null` past `outputCount`), with each output's type.
 *
 * @example
 * ```ts
 * const [y] = runOnnxNodeF64(node); // { data: Float64Array, dims, type }
 * ```
 */
export function runOnnxNodeF64(node: OnnxNode<OnnxTensor>): { data: Float64Array; dims: number[]; type: OnnxTensorType }[] {
  const plan = planTypedNode(node);
  const ins = node.inputs.map((t) => (t ? decode(t) : new Float64Array(0)));
  const x = ins[0]!;
  const outs = plan.outputs.map((o) => ({ data: new Float64Array(product(o.dims)), dims: [...o.dims], type: o.type }));
  const y = outs[0]!.data;
  const { epsilon } = plan;
  switch (plan.kind) {
    case 'row':
    case 'skip': {
      const { rows, cols } = plan;
      const g = expand(plan.gamma, ins, 1, cols);
      const b = expand(plan.beta, ins, 0, cols);
      const bias = plan.kind === 'skip' ? expand(plan.bias, ins, 0, cols) : undefined;
      const layer = plan.op === 'layerNorm' || plan.op === 'addLayerNorm';
      const s = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          s[j] = x[r * cols + j]!;
          if (plan.kind === 'skip') s[j]! += ins[plan.skipInput]![(r % plan.residualRows) * cols + j]! + bias![j]!;
        }
        const [mean, v] = moments(cols, (j) => s[j]!);
        const ms = v + mean * mean;
        const rstd = 1 / Math.sqrt((layer ? v : ms) + epsilon);
        for (let j = 0; j < cols; j++) y[r * cols + j] = ((layer ? s[j]! - mean : s[j]!) * rstd) * g[j]! + b[j]!;
        const slots = plan.kind === 'row' ? { mean: plan.meanOutput, rstd: plan.rstdOutput, sum: undefined } : { mean: 1, rstd: 2, sum: 3 };
        if (slots.mean !== undefined && outs[slots.mean]) outs[slots.mean]!.data[r] = mean;
        if (slots.rstd !== undefined && outs[slots.rstd]) outs[slots.rstd]!.data[r] = rstd;
        if (slots.sum !== undefined && outs[slots.sum]) outs[slots.sum]!.data.set(s, r * cols);
      }
      break;
    }
    case 'channel': {
      const { batch, channels, spatial, groups, layout } = plan;
      const g = expand(plan.gamma, ins, 1, channels);
      const b = expand(plan.beta, ins, 0, channels);
      const per = channels / groups;
      const index = (n: number, c: number, p: number) => (layout === 'NCHW' ? (n * channels + c) * spatial + p : (n * spatial + p) * channels + c);
      for (let n = 0; n < batch; n++) {
        for (let grp = 0; grp < groups; grp++) {
          const at = (k: number) => x[index(n, grp * per + Math.floor(k / spatial), k % spatial)]!;
          const [mean, v] = moments(per * spatial, at);
          const scale = plan.epsilonMode === 'add-to-std' ? 1 / (Math.sqrt(v) + epsilon) : 1 / Math.sqrt(v + epsilon);
          for (let k = 0; k < per * spatial; k++) {
            const c = grp * per + Math.floor(k / spatial);
            const out = (at(k) - mean) * scale * g[c]! + b[c]!;
            y[index(n, c, k % spatial)] = plan.activation === 'silu' ? silu(out) : out;
          }
        }
      }
      break;
    }
    case 'batch': {
      const { batch, channels, spatial, mode } = plan;
      const g = expand(plan.gamma, ins, 1, channels);
      const b = expand(plan.beta, ins, 0, channels);
      const m = expand(plan.mean, ins, 0, channels);
      const v = expand(plan.var, ins, 1, channels);
      for (let c = 0; c < channels; c++) {
        const at = (k: number) => x[(Math.floor(k / spatial) * channels + c) * spatial + (k % spatial)]!;
        let mean = m[c]!;
        let variance = v[c]!;
        if (mode !== 'inference') [mean, variance] = moments(batch * spatial, at);
        const scale = plan.epsilonMode === 'add-to-std' ? 1 / (Math.sqrt(variance) + epsilon) : 1 / Math.sqrt(variance + epsilon);
        for (let k = 0; k < batch * spatial; k++) y[(Math.floor(k / spatial) * channels + c) * spatial + (k % spatial)] = (at(k) - mean) * scale * g[c]! + b[c]!;
        if (outs[1]) outs[1].data[c] = m[c]! * plan.momentum + mean * (1 - plan.momentum);
        if (outs[2]) outs[2].data[c] = v[c]! * plan.momentum + variance * (1 - plan.momentum);
      }
      break;
    }
    case 'lp': {
      const { rows, cols, inner, p } = plan;
      for (let r = 0; r < rows; r++) {
        const base = Math.floor(r / inner) * cols * inner + (r % inner);
        let norm = 0;
        for (let j = 0; j < cols; j++) norm += p === 1 ? Math.abs(x[base + j * inner]!) : x[base + j * inner]! ** 2;
        if (p === 2) norm = Math.sqrt(norm);
        const d = Math.max(norm, epsilon);
        for (let j = 0; j < cols; j++) y[base + j * inner] = Number.isNaN(norm) ? NaN : x[base + j * inner]! / d;
      }
      break;
    }
  }
  return outs;
}

/**
 * Rounds float64 values once to an ONNX type: a Float32Array, or Uint16Array float16 bits.
 *
 * @example
 * ```ts
 * roundTo(new Float64Array([1]), 'float16'); // Uint16Array [0x3c00]
 * ```
 */
export function roundTo(values: Float64Array, type: OnnxTensorType): Float32Array | Uint16Array {
  if (type === 'float16') {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = f32ToF16(values[i]!);
    return out;
  }
  return Float32Array.from(values);
}

/**
 * The float64 reference of `norm.runOnnxNode`: same node, same outputs (`null` past
 * `outputCount`), each rounded once from float64 to its type.
 *
 * @example
 * ```ts
 * import { cpu } from 'webgpu-norm';
 * const [y, mean, invStdDev] = cpu.runOnnxNode({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: {}, inputs: [x, scale, null], outputCount: 3 });
 * ```
 */
export function runOnnxNode(node: OnnxNode<OnnxTensor>): (OnnxTensor | null)[] {
  const outs = runOnnxNodeF64(node);
  const schemaOutputs = planNode(node).node.schema.outputs.length;
  return Array.from({ length: schemaOutputs }, (_, i) => {
    const o = outs[i];
    return o ? { data: roundTo(o.data, o.type), dims: o.dims, type: o.type } : null;
  });
}
