/**
 * From a checked ONNX node (validate.ts) to a plan: each operator's shape rules, attribute ranges
 * and output shapes and types, and the family kernel that computes it with which shape (rows and
 * cols, or batch, channels, spatial and layout) and which parameter conversions (convert.ts). The
 * encode form, the typed-array form, `onnxOutputInfo` and the float64 reference all follow the
 * plan, so they agree on every shape, default and refusal.
 */
import { NormError, checkEpsilon, checkF32Option } from '../core/errors.js';
import type { EpsilonMode } from '../core/tensor.js';
import { PlanMemo } from './plan-memo.js';
import type { OnnxTensorType } from './schemas.js';
import { checkDims, checkNode, normalizeAxis, product, type CheckedNode, type OnnxOutputInfo, type TensorInfo } from './validate.js';

/**
 * How one parameter input reaches a kernel as an f32 vector of `count` elements: element i reads
 * source element Σ_d digit_d(i) · strides[d], with i split over `dims` (slowest first). `direct`
 * when the input already is exactly that vector (f32, no broadcast): it is bound as is.
 */
export interface ParamPlan {
  readonly input: number;
  readonly type: OnnxTensorType;
  readonly count: number;
  readonly dims: readonly [number, number, number, number];
  readonly strides: readonly [number, number, number, number];
  readonly direct: boolean;
}

interface PlanBase {
  /** The shape and type of each produced output (the first `outputCount`). */
  readonly outputs: readonly OnnxOutputInfo[];
  readonly xType: OnnxTensorType;
  readonly epsilon: number;
}

/** LayerNormalization, RMSNormalization, SimplifiedLayerNormalization: a row norm. */
export interface RowPlan extends PlanBase {
  readonly kind: 'row';
  readonly op: 'layerNorm' | 'rmsNorm';
  readonly rows: number;
  readonly cols: number;
  readonly gamma: ParamPlan;
  readonly beta?: ParamPlan | undefined;
  /** Output slot of the per-row mean and 1/σ (or 1/rms), when produced. */
  readonly meanOutput?: number | undefined;
  readonly rstdOutput?: number | undefined;
  readonly yType: OnnxTensorType;
}

/** SkipLayerNormalization, SkipSimplifiedLayerNormalization: a fused add + row norm. */
export interface SkipPlan extends PlanBase {
  readonly kind: 'skip';
  readonly op: 'addLayerNorm' | 'addRmsNorm';
  readonly rows: number;
  readonly cols: number;
  /** Rows of skip: `rows` for a (B,S,H) skip, S for (1,S,H) or (S,H); row r adds skip row r % residualRows. */
  readonly residualRows: number;
  readonly gamma: ParamPlan;
  readonly beta?: ParamPlan | undefined;
  readonly bias?: ParamPlan | undefined;
  readonly skipInput: number;
}

/** GroupNormalization, InstanceNormalization, com.microsoft GroupNorm, and MeanVarianceNormalization over a middle block. */
export interface ChannelPlan extends PlanBase {
  readonly kind: 'channel';
  readonly op: 'groupNorm' | 'instanceNorm';
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly layout: 'NCHW' | 'NHWC';
  readonly groups: number;
  readonly epsilonMode: EpsilonMode;
  readonly activation: 'none' | 'silu';
  readonly gamma?: ParamPlan | undefined;
  readonly beta?: ParamPlan | undefined;
}

/** BatchNormalization (both modes), and MeanVarianceNormalization over outer and inner blocks (statistics, then apply). */
export interface BatchPlan extends PlanBase {
  readonly kind: 'batch';
  readonly mode: 'inference' | 'training' | 'mvn';
  readonly batch: number;
  readonly channels: number;
  readonly spatial: number;
  readonly epsilonMode: EpsilonMode;
  /** ONNX's momentum: running = running · momentum + batch · (1 − momentum). */
  readonly momentum: number;
  readonly gamma?: ParamPlan | undefined;
  readonly beta?: ParamPlan | undefined;
  readonly mean?: ParamPlan | undefined;
  readonly var?: ParamPlan | undefined;
  /** T2: the type of the running statistics, in and out. */
  readonly statType: OnnxTensorType;
}

/** LpNormalization: each (outer, inner) line of `cols` elements, `inner` apart. */
export interface LpPlan extends PlanBase {
  readonly kind: 'lp';
  readonly rows: number;
  readonly cols: number;
  readonly inner: number;
  readonly p: 1 | 2;
}

/**
 * The plan of a node: the checked node and what computes it.
 *
 * @example
 * ```ts
 * const plan = planNode(node); // plan.kind === 'row', plan.rows, plan.cols, plan.outputs
 * ```
 */
export type NodePlan = (RowPlan | SkipPlan | ChannelPlan | BatchPlan | LpPlan) & { readonly node: CheckedNode };

const num = (v: unknown) => v as number;

/**
 * A parameter of dims `given` broadcast (unidirectionally, right-aligned) over `target` dims;
 * dims of `target` before `spanFrom` are ones in the parameter (it may not vary along them).
 */
export function broadcastParam(node: CheckedNode, input: number, target: readonly number[], name: string): ParamPlan {
  const t = node.inputs[input]!;
  const given = t.dims;
  const arg = `inputs[${input}].dims`;
  if (given.length > target.length) {
    const extra = given.slice(0, given.length - target.length);
    if (extra.some((d) => d !== 1)) throw new NormError('shape-mismatch', `${name} [${given.join(', ')}] does not broadcast to [${target.join(', ')}]`, arg);
  }
  const aligned = target.map((d, i) => {
    const g = given[given.length - target.length + i] ?? 1;
    if (g !== d && g !== 1) throw new NormError('shape-mismatch', `${name} [${given.join(', ')}] does not broadcast to [${target.join(', ')}]: ${g} against ${d}`, arg);
    return g;
  });
  // Source strides of the aligned dims (0 where broadcast), then adjacent dims merged.
  const dims: number[] = [];
  const strides: number[] = [];
  let stride = 1;
  const raw = target.map((d, i) => ({ d, s: 0, g: aligned[i]! }));
  for (let i = raw.length - 1; i >= 0; i--) {
    raw[i]!.s = raw[i]!.g === 1 ? 0 : stride;
    stride *= raw[i]!.g;
  }
  for (const { d, s } of raw) {
    if (d === 1) continue;
    const last = dims.length - 1;
    // Merge with the previous dim when contiguous in the source too (or both broadcast).
    if (last >= 0 && ((s === 0 && strides[last] === 0) || (s !== 0 && strides[last] === s * d))) {
      dims[last] = dims[last]! * d;
      strides[last] = s;
    } else {
      dims.push(d);
      strides.push(s);
    }
  }
  if (dims.length > 4) throw new NormError('unsupported-attribute', `${name} [${given.join(', ')}] broadcasts over [${target.join(', ')}] in more than four alternating blocks`, arg);
  while (dims.length < 4) {
    dims.unshift(1);
    strides.unshift(0);
  }
  const count = product(target);
  const direct = t.type === 'float32' && product(given) === count;
  return { input, type: t.type, count, dims: dims as unknown as ParamPlan['dims'], strides: strides as unknown as ParamPlan['strides'], direct };
}

function checkStash(node: CheckedNode): void {
  const s = node.attrs.stash_type;
  if (s !== undefined && s !== 1) {
    throw new NormError('unsupported-attribute', `stash_type ${String(s)}: only 1 (float32 statistics, computed in float32) is implemented`, 'attributes.stash_type');
  }
}

function epsilonOf(node: CheckedNode): number {
  return checkEpsilon(node.attrs.epsilon, 'attributes.epsilon');
}

function statsDims(dims: readonly number[], axis: number): number[] {
  return dims.map((d, i) => (i < axis ? d : 1));
}

function rowPlan(node: CheckedNode): RowPlan {
  const { schema, inputs, outputCount } = node;
  checkStash(node);
  const x = inputs[0]!;
  const axis = normalizeAxis(num(node.attrs.axis), x.dims.length, 'attributes.axis');
  const block = x.dims.slice(axis);
  const layer = schema.opType === 'LayerNormalization';
  const gamma = broadcastParam(node, 1, block, schema.inputs[1]!.name);
  const beta = layer && inputs[2] ? broadcastParam(node, 2, block, 'B') : undefined;
  const yType = node.types[layer ? 'T' : 'V']!;
  const stats: OnnxOutputInfo = { dims: statsDims(x.dims, axis), type: 'float32' };
  const all: OnnxOutputInfo[] = [{ dims: [...x.dims], type: yType }, stats, stats];
  const outputs = layer ? all.slice(0, outputCount) : schema.opType === 'SimplifiedLayerNormalization' ? [all[0]!, stats].slice(0, outputCount) : [all[0]!];
  const statSlots = layer ? { meanOutput: outputCount > 1 ? 1 : undefined, rstdOutput: outputCount > 2 ? 2 : undefined } : { rstdOutput: outputCount > 1 ? 1 : undefined };
  return { kind: 'row', op: layer ? 'layerNorm' : 'rmsNorm', rows: product(x.dims.slice(0, axis)), cols: product(block), gamma, beta, yType, xType: x.type, epsilon: epsilonOf(node), outputs, ...statSlots };
}

function skipPlan(node: CheckedNode): SkipPlan {
  const { schema, inputs, outputCount } = node;
  const x = inputs[0]!;
  const skip = inputs[1]!;
  if (x.dims.length !== 3 && x.dims.length !== 2) throw new NormError('shape-mismatch', `expected input (batch, sequence, hidden) or (tokens, hidden), got [${x.dims.join(', ')}]`, 'inputs[0].dims');
  const hidden = x.dims[x.dims.length - 1]!;
  const rows = product(x.dims) / hidden;
  let residualRows = rows;
  const same = skip.dims.length === x.dims.length && skip.dims.every((d, i) => d === x.dims[i]);
  if (!same) {
    const [, s, h] = x.dims;
    const broadcast = x.dims.length === 3 && ((skip.dims.length === 3 && skip.dims[0] === 1 && skip.dims[1] === s && skip.dims[2] === h) || (skip.dims.length === 2 && skip.dims[0] === s && skip.dims[1] === h));
    if (!broadcast) {
      const forms = x.dims.length === 3 ? `[${x.dims.join(', ')}], [1, ${x.dims[1]}, ${hidden}] or [${x.dims[1]}, ${hidden}]` : `[${x.dims.join(', ')}]`;
      throw new NormError('shape-mismatch', `expected skip ${forms}, got [${skip.dims.join(', ')}]`, 'inputs[1].dims');
    }
    residualRows = x.dims[1]!;
  }
  const layer = schema.opType === 'SkipLayerNormalization';
  const vector = (i: number, name: string) => {
    if (!inputs[i]) return undefined;
    checkDims(inputs[i]!.dims, [hidden], `inputs[${i}].dims`, `${name} of shape`);
    return broadcastParam(node, i, [hidden], name);
  };
  const gamma = vector(2, 'gamma')!;
  const beta = layer ? vector(3, 'beta') : undefined;
  const bias = vector(layer ? 4 : 3, 'bias');
  const stats: OnnxOutputInfo = { dims: [...x.dims.slice(0, -1), 1], type: 'float32' };
  const data: OnnxOutputInfo = { dims: [...x.dims], type: x.type };
  const outputs = [data, stats, stats, data].slice(0, outputCount);
  return { kind: 'skip', op: layer ? 'addLayerNorm' : 'addRmsNorm', rows, cols: hidden, residualRows, gamma, beta, bias, skipInput: 1, xType: x.type, epsilon: epsilonOf(node), outputs };
}

function groupPlan(node: CheckedNode): ChannelPlan {
  const { schema, inputs } = node;
  const x = inputs[0]!;
  const contrib = schema.domain === 'com.microsoft';
  const instance = schema.opType === 'InstanceNormalization';
  const minRank = contrib ? 4 : instance ? 3 : 2;
  if (x.dims.length < minRank || (contrib && x.dims.length !== 4)) {
    const form = contrib ? '4 dims (N, H, W, C) or (N, C, H, W)' : `at least ${minRank} dims (N, C, …)`;
    throw new NormError('shape-mismatch', `${schema.opType} expects ${form}, got [${x.dims.join(', ')}]`, 'inputs[0].dims');
  }
  let activation: 'none' | 'silu' = 'none';
  let layout: 'NCHW' | 'NHWC' = 'NCHW';
  if (contrib) {
    const act = num(node.attrs.activation);
    if (act !== 0 && act !== 1) throw new NormError('invalid-argument', `expected 0 (none) or 1 (SiLU), got ${act}`, 'attributes.activation');
    activation = act === 1 ? 'silu' : 'none';
    const last = num(node.attrs.channels_last);
    if (last !== 0 && last !== 1) throw new NormError('invalid-argument', `expected 0 (NCHW) or 1 (NHWC), got ${last}`, 'attributes.channels_last');
    layout = last === 1 ? 'NHWC' : 'NCHW';
  }
  checkStash(node);
  const batch = x.dims[0]!;
  const channels = layout === 'NHWC' ? x.dims[x.dims.length - 1]! : x.dims[1]!;
  const spatial = product(x.dims) / (batch * channels);
  const groupsAttr = instance ? channels : num(node.attrs[contrib ? 'groups' : 'num_groups']);
  const gArg = `attributes.${contrib ? 'groups' : 'num_groups'}`;
  if (groupsAttr < 1 || channels % groupsAttr !== 0) throw new NormError('invalid-argument', `expected a divisor of the ${channels} channels, got ${groupsAttr}`, gArg);
  const perGroup = schema.opType === 'GroupNormalization' && schema.since === 18;
  const param = (i: number) => {
    const name = schema.inputs[i]!.name;
    if (perGroup) {
      checkDims(inputs[i]!.dims, [groupsAttr], `inputs[${i}].dims`, `${name} (one per group, opset 18-20) of shape`);
      const p = broadcastParam(node, i, [groupsAttr], name);
      // Per-group to per-channel: channel c reads group c / (channels / groups).
      return { ...p, count: channels, dims: [1, 1, groupsAttr, channels / groupsAttr] as const, strides: [0, 0, 1, 0] as const, direct: channels === groupsAttr && p.direct };
    }
    checkDims(inputs[i]!.dims, [channels], `inputs[${i}].dims`, `${name} (one per channel) of shape`);
    return broadcastParam(node, i, [channels], name);
  };
  return {
    kind: 'channel', op: instance ? 'instanceNorm' : 'groupNorm', batch, channels, spatial, layout, groups: groupsAttr, epsilon: epsilonOf(node), epsilonMode: 'inside-sqrt', activation,
    gamma: param(1), beta: param(2), xType: x.type, outputs: [{ dims: [...x.dims], type: x.type }],
  };
}

function batchPlan(node: CheckedNode): BatchPlan {
  const { inputs, outputCount } = node;
  const x = inputs[0]!;
  if (x.dims.length < 2) throw new NormError('shape-mismatch', `BatchNormalization expects (N, C, …), got [${x.dims.join(', ')}]`, 'inputs[0].dims');
  const training = num(node.attrs.training_mode);
  if (training !== 0 && training !== 1) throw new NormError('invalid-argument', `expected 0 or 1, got ${training}`, 'attributes.training_mode');
  if (training === 0 && outputCount > 1) throw new NormError('invalid-argument', `training_mode=0 has one output (Y); running_mean and running_var exist only with training_mode=1, got outputCount ${outputCount}`, 'outputCount');
  const channels = x.dims[1]!;
  const names = ['X', 'scale', 'B', 'input_mean', 'input_var'];
  const params = [1, 2, 3, 4].map((i) => {
    checkDims(inputs[i]!.dims, [channels], `inputs[${i}].dims`, `${names[i]} (one per channel) of shape`);
    return broadcastParam(node, i, [channels], names[i]!);
  });
  const momentum = checkF32Option(node.attrs.momentum, 'attributes.momentum');
  if (training === 1 && (momentum < 0 || momentum > 1)) {
    throw new NormError('unsupported-attribute', `momentum ${momentum}: only a weight in [0, 1] (running · momentum + batch · (1 − momentum)) is implemented`, 'attributes.momentum');
  }
  const statType = inputs[3]!.type;
  const stat: OnnxOutputInfo = { dims: [channels], type: statType };
  return {
    kind: 'batch', mode: training === 1 ? 'training' : 'inference', batch: x.dims[0]!, channels, spatial: product(x.dims) / (x.dims[0]! * channels), epsilon: epsilonOf(node), epsilonMode: 'inside-sqrt', momentum,
    gamma: params[0], beta: params[1], mean: params[2], var: params[3], statType, xType: x.type, outputs: [{ dims: [...x.dims], type: x.type }, stat, stat].slice(0, outputCount),
  };
}

/** ONNX's MeanVarianceNormalization: y = (x − E[x]) / (sqrt(Var[x]) + 1e-9) over `axes` (its function body's constant). */
export const MVN_EPSILON = 1e-9;

function mvnPlan(node: CheckedNode): ChannelPlan | BatchPlan {
  const x = node.inputs[0]!;
  const r = x.dims.length;
  const axes = (node.attrs.axes as readonly number[]).map((a) => normalizeAxis(a, r, 'attributes.axes'));
  if (new Set(axes).size !== axes.length) throw new NormError('invalid-argument', `axes [${axes.join(', ')}] repeat an axis`, 'attributes.axes');
  // Axes of size 1 can be counted on either side; what remains must be reduced / kept / reduced
  // (per-channel statistics: BatchNorm's passes) or kept / reduced / kept (InstanceNorm, NHWC).
  const runs: { reduced: boolean; size: number }[] = [];
  x.dims.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.includes(i);
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else runs.push({ reduced, size: d });
  });
  const pattern = runs.map((s) => (s.reduced ? 'R' : 'K')).join('');
  const outputs = [{ dims: [...x.dims], type: x.type }];
  const base = { epsilon: MVN_EPSILON, epsilonMode: 'add-to-std' as const, xType: x.type, outputs };
  const size = (p: string) => runs[pattern.indexOf(p)]?.size ?? 1;
  if (/^R?K?R?$/.test(pattern)) {
    const lead = pattern.startsWith('R') ? runs[0]!.size : 1;
    const tail = pattern.length > 0 && pattern.endsWith('R') && (pattern.length > 1 || !pattern.startsWith('R')) ? runs[runs.length - 1]!.size : 1;
    return { kind: 'batch', mode: 'mvn', batch: lead, channels: size('K'), spatial: tail, momentum: 0, statType: 'float32', ...base };
  }
  if (pattern === 'KRK') {
    return { kind: 'channel', op: 'instanceNorm', batch: runs[0]!.size, spatial: runs[1]!.size, channels: runs[2]!.size, layout: 'NHWC', groups: runs[2]!.size, activation: 'none', ...base };
  }
  throw new NormError('unsupported-attribute', `axes [${axes.join(', ')}] over dims [${x.dims.join(', ')}] reduce blocks that are not one outer+inner or one middle block; not implemented`, 'attributes.axes');
}

function lpPlan(node: CheckedNode): LpPlan {
  const x = node.inputs[0]!;
  const axis = normalizeAxis(num(node.attrs.axis), x.dims.length, 'attributes.axis');
  const p = num(node.attrs.p);
  if (p !== 1 && p !== 2) throw new NormError('invalid-argument', `LpNormalization's p is 1 or 2, got ${p}`, 'attributes.p');
  const cols = x.dims[axis]!;
  const inner = product(x.dims.slice(axis + 1));
  // ONNX divides by the norm itself: no epsilon. The smallest normal f32 keeps an all-zero line
  // at 0 (where ONNX's formula gives 0/0) and changes no line whose norm is a normal f32.
  return { kind: 'lp', rows: product(x.dims) / cols, cols, inner, p, epsilon: 2 ** -126, xType: x.type, outputs: [{ dims: [...x.dims], type: x.type }] };
}

function planNodeFully(input: unknown): NodePlan {
  const node = checkNode(input);
  const op = node.schema.opType;
  const plan =
    op === 'LayerNormalization' || op === 'RMSNormalization' || op === 'SimplifiedLayerNormalization' ? rowPlan(node)
    : op === 'SkipLayerNormalization' || op === 'SkipSimplifiedLayerNormalization' ? skipPlan(node)
    : op === 'GroupNormalization' || op === 'InstanceNormalization' || op === 'GroupNorm' ? groupPlan(node)
    : op === 'BatchNormalization' ? batchPlan(node)
    : op === 'MeanVarianceNormalization' ? mvnPlan(node)
    : lpPlan(node);
  // Shared by every later node of the same structure (plan-memo.ts): frozen, so no caller can
  // change what the next one gets.
  return deepFreeze({ ...plan, node });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Made on first use: a module-level `new` would keep the ONNX planning in bundles that never call it.
let memo: PlanMemo<NodePlan> | undefined;

/**
 * Validates `node` completely (validate.ts, then the operator's shapes and attribute ranges) and
 * returns its plan. Every entry point starts here. A node of the same structure as one validated
 * before (plan-memo.ts) gets that one's plan without validating again.
 *
 * @example
 * ```ts
 * planNode({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: 1 }, inputs: [{ dims: [2, 3, 4], type: 'float32' }, { dims: [4], type: 'float32' }], outputCount: 2 });
 * // { kind: 'row', op: 'layerNorm', rows: 2, cols: 12, outputs: [{ dims: [2, 3, 4], … }, { dims: [2, 1, 1], type: 'float32' }], … }
 * ```
 */
export function planNode(input: unknown): NodePlan {
  return (memo ??= new PlanMemo(planNodeFully)).plan(input);
}

/** The shapes and types of a plan's outputs: what `onnxOutputInfo` returns. */
export function outputInfos(plan: NodePlan): OnnxOutputInfo[] {
  return plan.outputs.map((o) => ({ dims: [...o.dims], type: o.type }));
}

export type { TensorInfo };
