/**
 * `encodeOnnxNode`: an ONNX node recorded onto the family kernels, GPU-resident. Everything is
 * validated first (plan.ts: schema, attributes, shapes, types; here: the output tensors against
 * `onnxOutputInfo`, every buffer's size, usage, alignment and aliasing, scratch sizes); then the
 * parameter conversions (convert.ts) and the family kernel's passes are recorded. Never submits.
 */
import type { BufferRange } from '../core/bindings.js';
import type { EncodeTarget, KernelContext } from '../core/context.js';
import { NormError, describe } from '../core/errors.js';
import { checkAliasing, resolveOperand, type NamedRange } from '../core/operands.js';
import { checkTarget } from '../core/record.js';
import { checkScratch, scratchRange } from '../core/scratch.js';
import { storageBytes, type Dtype } from '../core/tensor.js';
import { encodeBatchNormInference, encodeBatchNormStats, encodeBatchNormTraining } from '../ops/batch-norm/encode.js';
import { encodeGroupNorm, encodeInstanceNorm } from '../ops/group-norm/encode.js';
import { encodeLpNorm } from '../ops/lp-norm/encode.js';
import { encodeRowNorm } from '../ops/row-norm/encode.js';
import { checkParamScratch, identityParam, paramOperand, recordConvert } from './convert.js';
import { planNode, type NodePlan, type ParamPlan } from './plan.js';
import type { OnnxTensorType } from './schemas.js';
import { product, type OnnxEncodeNode, type OnnxGpuTensor } from './validate.js';

/**
 * Which kernel features the families provide. A node needing one that is absent is refused
 * (`unsupported-type` / `unsupported-attribute`) rather than approximated on the host.
 */
const FEATURES = {
  /** Row norms writing y in another dtype than x (RMSNormalization's V ≠ T). */
  rowOutputDtype: true,
  /** The fused add forms writing per-row mean / rstd, reading a batch-broadcast residual, sum optional. */
  addStats: true,
  residualRows: true,
  optionalSum: true,
  /** GroupNorm / InstanceNorm with a fused SiLU. */
  silu: true,
  /** BatchNorm training statistics with the running-statistics update. */
  batchNormTraining: true,
  /** Lp normalization along a non-last axis. */
  lpInnerStride: true,
};

/**
 * The storage dtype of an ONNX type the GPU computes.
 *
 * @example
 * ```ts
 * dtypeOf('float16'); // 'f16'
 * ```
 */
export function dtypeOf(type: OnnxTensorType): Dtype {
  return type === 'float16' ? 'f16' : 'f32';
}

/**
 * Refuses a plan needing a kernel feature that is not available (see FEATURES). `onnxOutputInfo`
 * calls it too, so a runtime learns before allocating that the node must go elsewhere.
 *
 * @example
 * ```ts
 * checkImplemented(planNode(node));
 * ```
 */
export function checkImplemented(plan: NodePlan, wanted: readonly boolean[] = plan.outputs.map(() => true)): void {
  const op = plan.node.schema.opType;
  const refuse = (code: 'unsupported-type' | 'unsupported-attribute', message: string, argument: string) => {
    throw new NormError(code, `${op}: ${message} is not implemented by this build's kernels`, argument);
  };
  switch (plan.kind) {
    case 'row':
      if (plan.yType !== plan.xType && !FEATURES.rowOutputDtype) refuse('unsupported-type', `${plan.xType} X with ${plan.yType} scale (Y in the scale's type)`, 'inputs[1].type');
      break;
    case 'skip': {
      const wants = (i: number) => wanted[i] === true;
      if (plan.residualRows !== plan.rows && !FEATURES.residualRows) refuse('unsupported-attribute', 'a skip broadcast over the batch', 'inputs[1].dims');
      if ((wants(1) || wants(2)) && !FEATURES.addStats) refuse('unsupported-attribute', 'the mean / inv_std_var outputs', 'outputCount');
      break;
    }
    case 'channel':
      if (plan.activation === 'silu' && !FEATURES.silu) refuse('unsupported-attribute', 'activation=1 (SiLU)', 'attributes.activation');
      break;
    case 'batch':
      if (plan.mode === 'training' && !FEATURES.batchNormTraining) refuse('unsupported-attribute', 'training_mode=1', 'attributes.training_mode');
      break;
    case 'lp':
      if (plan.inner > 1 && !FEATURES.lpInnerStride) refuse('unsupported-attribute', 'an axis other than the last (of size > 1 after it)', 'attributes.axis');
      break;
  }
}

function bytesOf(dims: readonly number[], type: OnnxTensorType): number {
  return storageBytes(product(dims), dtypeOf(type));
}

/** The output tensors: given ones checked against the plan; `undefined` where not wanted. */
function checkOutputs(node: OnnxEncodeNode, plan: NodePlan): (OnnxGpuTensor | undefined)[] {
  const outs = node.outputs;
  if (!Array.isArray(outs)) throw new NormError('invalid-argument', `expected an array of output tensors (null where not wanted), got ${describe(outs)}`, 'outputs');
  outs.forEach((o, i) => {
    if (i >= plan.outputs.length && o !== null && o !== undefined) {
      throw new NormError('invalid-argument', `outputCount is ${plan.outputs.length}, but output ${i} is given`, `outputs[${i}]`);
    }
  });
  return plan.outputs.map((info, i) => {
    const o = outs[i];
    if (o === null || o === undefined) {
      if (i === 0) throw new NormError('invalid-argument', `${plan.node.schema.outputs[0]!.name} (output 0) is required`, 'outputs[0]');
      return undefined;
    }
    if (typeof o !== 'object') throw new NormError('invalid-argument', `expected { buffer, dims, type } or null, got ${describe(o)}`, `outputs[${i}]`);
    const dims = o.dims;
    if (!Array.isArray(dims) || dims.length !== info.dims.length || dims.some((d, k) => d !== info.dims[k])) {
      throw new NormError('shape-mismatch', `expected dims [${info.dims.join(', ')}] (onnxOutputInfo), got ${Array.isArray(dims) ? `[${dims.join(', ')}]` : describe(dims)}`, `outputs[${i}].dims`);
    }
    if (o.type !== info.type) throw new NormError('invalid-argument', `expected type ${info.type} (onnxOutputInfo), got ${describe(o.type)}`, `outputs[${i}].type`);
    return o;
  });
}

/**
 * Records `node` into `target` (the caller's command encoder or open compute pass). Inputs and
 * outputs are GPU tensors; allocate the outputs from `onnxOutputInfo(node)`.
 *
 * @example
 * ```ts
 * encodeOnnxNode(ctx, encoder, { opType: 'SkipLayerNormalization', domain: 'com.microsoft', opset: 1, attributes: {}, inputs: [x, skip, gamma, beta, null], outputs: [y], outputCount: 1 });
 * ```
 */
export function encodeOnnxNode(ctx: KernelContext, target: EncodeTarget, node: OnnxEncodeNode): void {
  checkTarget(target);
  const plan = planNode(node);
  const outs = checkOutputs(node, plan);
  checkImplemented(plan, outs.map((o) => o !== undefined));
  const { limits } = ctx;
  const ins: (NamedRange | undefined)[] = plan.node.inputs.map((info, i) => {
    if (!info) return undefined;
    const t = node.inputs[i] as OnnxGpuTensor;
    return resolveOperand(t.buffer, `inputs[${i}]`, bytesOf(info.dims, info.type), limits, false);
  });
  const outRanges: (NamedRange | undefined)[] = outs.map((o, i) => (o ? resolveOperand(o.buffer, `outputs[${i}]`, bytesOf(o.dims, o.type), limits, true) : undefined));
  checkAliasing([...ins, ...outRanges].filter((r): r is NamedRange => r !== undefined));
  const params = 'gamma' in plan ? [plan.gamma, plan.beta, 'bias' in plan ? plan.bias : undefined, 'mean' in plan ? plan.mean : undefined, 'var' in plan ? plan.var : undefined] : [];
  checkParamScratch(limits, params);
  const dtype = dtypeOf(plan.xType);
  const x = ins[0]!;
  const y = outRanges[0]!;
  const param = (p: ParamPlan | undefined, role: string): BufferRange | undefined => (p ? paramOperand(ctx, target, p, ins[p.input]!, `onnx-${role}`) : undefined);
  switch (plan.kind) {
    case 'row': {
      // One object literal per call, not a spread of a shared base: in V8 a spread into a fresh
      // literal cost more than recording the dispatch itself (profiled in Node).
      const { rows, cols, epsilon } = plan;
      const outputDtype = dtypeOf(plan.yType);
      const gamma = param(plan.gamma, 'gamma');
      const rstd = plan.rstdOutput !== undefined ? outRanges[plan.rstdOutput] : undefined;
      if (plan.op === 'rmsNorm') return void encodeRowNorm(ctx, target, 'rmsNorm', { x, y, rows, cols, dtype, outputDtype, epsilon, gamma, rstd });
      const beta = param(plan.beta, 'beta');
      let mean: BufferRange | undefined = plan.meanOutput !== undefined ? outRanges[plan.meanOutput] : undefined;
      // The kernel writes both statistics or neither: the one not requested goes to scratch.
      const scratchStat = (role: string) => {
        checkScratch(limits, 'the unrequested row statistic', rows * 4, 'outputCount', 'request both Mean and InvStdDev');
        return scratchRange(ctx.resources, role, rows * 4);
      };
      if (mean && !rstd) return void encodeRowNorm(ctx, target, 'layerNorm', { x, y, rows, cols, dtype, outputDtype, epsilon, gamma, beta, mean, rstd: scratchStat('onnx-rstd') });
      if (rstd && !mean) mean = scratchStat('onnx-mean');
      encodeRowNorm(ctx, target, 'layerNorm', { x, y, rows, cols, dtype, outputDtype, epsilon, gamma, beta, mean, rstd });
      return;
    }
    case 'skip': {
      // The kernels write both statistics or neither: one not requested goes to scratch.
      const stat = (slot: number, role: string): BufferRange => {
        const out = outRanges[slot];
        if (out) return out;
        checkScratch(limits, 'the unrequested row statistic', plan.rows * 4, 'outputCount', 'request both mean and inv_std_var');
        return scratchRange(ctx.resources, role, plan.rows * 4);
      };
      const { rows, cols, epsilon, residualRows } = plan;
      const residual = ins[plan.skipInput]!;
      const sum = outRanges[3];
      const gamma = param(plan.gamma, 'gamma');
      const bias = param(plan.bias, 'bias');
      // ONNX normalizes the exact f32 input + skip + bias; the fused f16 kernels would otherwise
      // normalize it rounded to f16 (input_skip_bias_sum is still stored rounded once).
      const exactSum = { exactSum: true };
      if (plan.op === 'addLayerNorm') {
        // Literals, not spreads of a shared base (see the row case).
        const beta = param(plan.beta, 'beta');
        const stats = outRanges[1] !== undefined || outRanges[2] !== undefined;
        const mean = stats ? stat(1, 'onnx-mean') : undefined;
        const rstd = stats ? stat(2, 'onnx-rstd') : undefined;
        encodeRowNorm(ctx, target, 'addLayerNorm', { x, residual, residualRows, y, sum, rows, cols, dtype, epsilon, gamma, bias, beta, mean, rstd }, exactSum);
        return;
      }
      encodeRowNorm(ctx, target, 'addRmsNorm', { x, residual, residualRows, y, sum, rows, cols, dtype, epsilon, gamma, bias, rstd: outRanges[2] }, exactSum);
      if (outRanges[1]) {
        // SkipSimplifiedLayerNormalization's mean output (the mean of input + skip + bias), which
        // an RMS norm does not compute: one more fused-add pass, its y and 1/σ into scratch.
        const yScratch = scratchRange(ctx.resources, 'onnx-skip-mean-y', storageBytes(rows * cols, dtype));
        encodeRowNorm(ctx, target, 'addLayerNorm', { x, residual, residualRows, y: yScratch, rows, cols, dtype, epsilon, bias, mean: outRanges[1], rstd: stat(-1, 'onnx-rstd') }, exactSum);
      }
      return;
    }
    case 'channel': {
      const o = {
        x, y, batch: plan.batch, channels: plan.channels, spatial: plan.spatial, layout: plan.layout, dtype, epsilon: plan.epsilon, epsilonMode: plan.epsilonMode,
        gamma: param(plan.gamma, 'gamma'), beta: param(plan.beta, 'beta'), activation: plan.activation,
      };
      if (plan.op === 'groupNorm') encodeGroupNorm(ctx, target, { ...o, groups: plan.groups });
      else encodeInstanceNorm(ctx, target, o);
      return;
    }
    case 'batch': {
      const shape = { batch: plan.batch, channels: plan.channels, spatial: plan.spatial, layout: 'NCHW' as const, dtype };
      if (plan.mode === 'mvn') {
        checkScratch(limits, 'the per-channel statistics', plan.channels * 4, 'inputs[0]', 'use fewer channels');
        const mean = scratchRange(ctx.resources, 'onnx-mvn-mean', plan.channels * 4);
        const variance = scratchRange(ctx.resources, 'onnx-mvn-var', plan.channels * 4);
        encodeBatchNormStats(ctx, target, { ...shape, x, mean, var: variance, unbiased: false });
        encodeBatchNormInference(ctx, target, { ...shape, x, y, runningMean: mean, runningVar: variance, epsilon: plan.epsilon, epsilonMode: plan.epsilonMode });
        return;
      }
      const runningMean = param(plan.mean, 'mean')!;
      const runningVar = param(plan.var, 'var')!;
      if (plan.mode === 'training') {
        // The running statistics are inputs: the update goes to the outputs (or scratch when not
        // requested), never in place. ONNX's momentum weighs the old value; the kernel's (PyTorch's)
        // weighs the batch. ONNX updates with the biased batch variance.
        const stat = (slot: number, role: string): BufferRange => {
          const out = outRanges[slot];
          return out && plan.statType === 'float32' ? out : scratchRange(ctx.resources, role, plan.channels * 4);
        };
        const newRunningMean = stat(1, 'onnx-running-mean');
        const newRunningVar = stat(2, 'onnx-running-var');
        encodeBatchNormTraining(ctx, target, {
          ...shape, x, y, runningMean, runningVar, newRunningMean, newRunningVar, gamma: param(plan.gamma, 'gamma'), beta: param(plan.beta, 'beta'),
          epsilon: plan.epsilon, momentum: 1 - plan.momentum, runningVarUnbiased: false,
        });
        for (const [slot, source] of [[1, newRunningMean], [2, newRunningVar]] as const) {
          const out = outRanges[slot];
          if (out && plan.statType === 'float16') recordConvert(ctx, target, identityParam(plan.channels, 'float32'), source, out, true);
        }
        return;
      }
      encodeBatchNormInference(ctx, target, { ...shape, x, y, runningMean, runningVar, gamma: param(plan.gamma, 'gamma'), beta: param(plan.beta, 'beta'), epsilon: plan.epsilon });
      return;
    }
    case 'lp':
      encodeLpNorm(ctx, target, { x, y, rows: plan.rows, cols: plan.cols, p: plan.p, epsilon: plan.epsilon, dtype, inner: plan.inner });
      return;
  }
}
