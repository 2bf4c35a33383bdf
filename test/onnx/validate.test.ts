/**
 * The ONNX entry point's validation, in Node: every refusal of issue #13 (unsupported-op naming the
 * nearest operator, shape-mismatch, invalid-argument, unsupported-attribute, unsupported-type) from
 * onnxOutputInfo, the CPU reference and the encode form on the fake device (which must record
 * nothing), plus the output shapes and types of every operator and its attribute defaults.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { Usage } from '../../src/core/operands.js';
import { createNormalizer } from '../../src/normalizer.js';
import { onnxOutputInfo } from '../../src/onnx/output-info.js';
import { planNode } from '../../src/onnx/plan.js';
import { runOnnxNode as cpuRunOnnxNode } from '../../src/onnx/reference.js';
import type { OnnxTensorType } from '../../src/onnx/schemas.js';
import type { OnnxNode, TensorInfo } from '../../src/onnx/validate.js';
import { fakeDevice } from '../core/fake-device.js';

const t = (dims: number[], type: OnnxTensorType = 'float32'): TensorInfo => ({ dims, type });
const node = (opType: string, inputs: (TensorInfo | null)[], attributes: Record<string, number | number[] | string> = {}, extra: Partial<OnnxNode<TensorInfo>> = {}): OnnxNode<TensorInfo> => ({
  opType,
  domain: '',
  opset: 23,
  attributes,
  inputs,
  outputCount: 1,
  ...extra,
});
const ms = { domain: 'com.microsoft', opset: 1 };

function refusal(fn: () => unknown): { code: string; argument: string | undefined; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NormError) return { code: e.code, argument: e.argument, message: e.message };
    throw e;
  }
  return undefined;
}

type Bad = [name: string, node: OnnxNode<TensorInfo>, code: string, argument: string, message?: RegExp, referenceComputes?: boolean];

// prettier-ignore
const BAD: Bad[] = [
  ['unknown opType names the nearest', node('LayerNormalisation', [t([2, 4]), t([4])]), 'unsupported-op', 'opType', /did you mean LayerNormalization/],
  ['contrib op in the ONNX domain', node('SkipLayerNormalization', [t([1, 2, 4]), t([1, 2, 4]), t([4])]), 'unsupported-op', 'domain', /com\.microsoft/],
  ['unknown domain', node('LayerNormalization', [t([2, 4]), t([4])], {}, { domain: 'org.pytorch' }), 'unsupported-op', 'domain'],
  ['opset before the operator', node('LayerNormalization', [t([2, 4]), t([4])], {}, { opset: 16 }), 'unsupported-op', 'opset', /from opset 17/],
  ['RMSNormalization before 23', node('RMSNormalization', [t([2, 4]), t([4])], {}, { opset: 22 }), 'unsupported-op', 'opset'],
  ['BatchNormalization before 14', node('BatchNormalization', [t([2, 3]), t([3]), t([3]), t([3]), t([3])], {}, { opset: 9 }), 'unsupported-op', 'opset'],
  ['too few inputs', node('LayerNormalization', [t([2, 4])]), 'shape-mismatch', 'inputs'],
  ['too many inputs', node('LpNormalization', [t([2, 4]), t([4])]), 'shape-mismatch', 'inputs'],
  ['required input null', node('GroupNormalization', [t([1, 4, 2]), null, t([4])], { num_groups: 2 }), 'shape-mismatch', 'inputs[1]'],
  ['zero-size dim', node('LpNormalization', [t([2, 0])]), 'shape-mismatch', 'inputs[0].dims'],
  ['scale not broadcastable', node('LayerNormalization', [t([2, 3, 4]), t([3])], { axis: -1 }), 'shape-mismatch', 'inputs[1].dims'],
  ['scale varying along a non-normalized axis', node('LayerNormalization', [t([2, 4]), t([2, 4])], { axis: 1 }), 'shape-mismatch', 'inputs[1].dims'],
  ['skip of another shape', { ...node('SkipLayerNormalization', [t([2, 3, 4]), t([2, 4]), t([4])]), ...ms }, 'shape-mismatch', 'inputs[1].dims'],
  ['gamma of the wrong length', { ...node('SkipLayerNormalization', [t([2, 3, 4]), t([2, 3, 4]), t([3])]), ...ms }, 'shape-mismatch', 'inputs[2].dims'],
  ['SkipLayerNormalization of rank 4', { ...node('SkipLayerNormalization', [t([1, 2, 3, 4]), t([1, 2, 3, 4]), t([4])]), ...ms }, 'shape-mismatch', 'inputs[0].dims'],
  ['GroupNormalization-21 scale per group', node('GroupNormalization', [t([1, 4, 2]), t([2]), t([2])], { num_groups: 2 }, { opset: 21 }), 'shape-mismatch', 'inputs[1].dims'],
  ['GroupNormalization-18 scale per channel', node('GroupNormalization', [t([1, 4, 2]), t([4]), t([4])], { num_groups: 2 }, { opset: 18 }), 'shape-mismatch', 'inputs[1].dims'],
  ['InstanceNormalization of rank 2', node('InstanceNormalization', [t([2, 3]), t([3]), t([3])]), 'shape-mismatch', 'inputs[0].dims'],
  ['BatchNormalization mean of the wrong length', node('BatchNormalization', [t([2, 3, 4]), t([3]), t([3]), t([4]), t([3])]), 'shape-mismatch', 'inputs[3].dims'],
  ['com.microsoft GroupNorm of rank 3', { ...node('GroupNorm', [t([1, 4, 8]), t([8]), t([8])], { groups: 2, activation: 0 }), ...ms }, 'shape-mismatch', 'inputs[0].dims'],
  ['axis past the rank', node('LayerNormalization', [t([2, 4]), t([4])], { axis: 2 }), 'invalid-argument', 'attributes.axis'],
  ['axis before -rank', node('LpNormalization', [t([2, 4])], { axis: -3 }), 'invalid-argument', 'attributes.axis'],
  ['num_groups not dividing C', node('GroupNormalization', [t([1, 6, 2]), t([6]), t([6])], { num_groups: 4 }), 'invalid-argument', 'attributes.num_groups'],
  ['groups not dividing C', { ...node('GroupNorm', [t([1, 2, 2, 6]), t([6]), t([6])], { groups: 4, activation: 0 }), ...ms }, 'invalid-argument', 'attributes.groups'],
  ['num_groups missing (required)', node('GroupNormalization', [t([1, 4, 2]), t([4]), t([4])]), 'invalid-argument', 'attributes.num_groups'],
  ['activation missing (required)', { ...node('GroupNorm', [t([1, 2, 2, 4]), t([4]), t([4])], { groups: 2 }), ...ms }, 'invalid-argument', 'attributes.activation'],
  ['activation 2', { ...node('GroupNorm', [t([1, 2, 2, 4]), t([4]), t([4])], { groups: 2, activation: 2 }), ...ms }, 'invalid-argument', 'attributes.activation'],
  ['channels_last 2', { ...node('GroupNorm', [t([1, 2, 2, 4]), t([4]), t([4])], { groups: 2, activation: 0, channels_last: 2 }), ...ms }, 'invalid-argument', 'attributes.channels_last'],
  ['p = 3', node('LpNormalization', [t([2, 4])], { p: 3 }), 'invalid-argument', 'attributes.p'],
  ['negative epsilon', node('LayerNormalization', [t([2, 4]), t([4])], { epsilon: -1 }), 'invalid-argument', 'attributes.epsilon'],
  ['epsilon a GPU would flush', node('LayerNormalization', [t([2, 4]), t([4])], { epsilon: 1e-45 }), 'invalid-argument', 'attributes.epsilon'],
  ['a float axis', node('LayerNormalization', [t([2, 4]), t([4])], { axis: 0.5 }), 'invalid-argument', 'attributes.axis'],
  ['a string attribute', node('LayerNormalization', [t([2, 4]), t([4])], { epsilon: '1e-5' }), 'invalid-argument', 'attributes.epsilon'],
  ['an unknown attribute names the nearest', node('LayerNormalization', [t([2, 4]), t([4])], { epsilom: 1e-5 }), 'invalid-argument', 'attributes.epsilom', /did you mean epsilon/],
  ['training_mode 2', node('BatchNormalization', [t([2, 3]), t([3]), t([3]), t([3]), t([3])], { training_mode: 2 }), 'invalid-argument', 'attributes.training_mode'],
  ['inference BatchNorm asking for running stats', node('BatchNormalization', [t([2, 3]), t([3]), t([3]), t([3]), t([3])], {}, { outputCount: 3 }), 'invalid-argument', 'outputCount'],
  ['repeated MVN axes', node('MeanVarianceNormalization', [t([2, 3, 4, 5])], { axes: [0, 0] }), 'invalid-argument', 'attributes.axes'],
  ['MVN axis out of range', node('MeanVarianceNormalization', [t([2, 3])], {}), 'invalid-argument', 'attributes.axes'],
  ['outputCount 0', node('LpNormalization', [t([2, 4])], {}, { outputCount: 0 }), 'invalid-argument', 'outputCount'],
  ['outputCount past the schema', node('LayerNormalization', [t([2, 4]), t([4])], {}, { outputCount: 4 }), 'invalid-argument', 'outputCount'],
  ['types differing within T', node('LayerNormalization', [t([2, 4], 'float16'), t([4], 'float32')]), 'invalid-argument', 'inputs[1].type'],
  ['a type the schema excludes', { ...node('GroupNorm', [t([1, 2, 2, 4], 'float64'), t([4]), t([4])], { groups: 2, activation: 0 }), ...ms }, 'invalid-argument', 'inputs[0].type'],
  ['an unknown type', node('LpNormalization', [t([2, 4], 'int8' as OnnxTensorType)]), 'invalid-argument', 'inputs[0].type'],
  ['stash_type 11 (double)', node('LayerNormalization', [t([2, 4]), t([4])], { stash_type: 11 }), 'unsupported-attribute', 'attributes.stash_type'],
  ['GroupNormalization-21 stash_type 16', node('GroupNormalization', [t([1, 4, 2]), t([4]), t([4])], { num_groups: 2, stash_type: 16 }, { opset: 21 }), 'unsupported-attribute', 'attributes.stash_type'],
  ['MVN over alternating blocks', node('MeanVarianceNormalization', [t([2, 3, 4, 5])], { axes: [0, 2] }), 'unsupported-attribute', 'attributes.axes'],
  ['float64', node('LayerNormalization', [t([2, 4], 'float64'), t([4], 'float64')]), 'unsupported-type', 'inputs[0].type'],
  ['bfloat16', node('LpNormalization', [t([2, 4], 'bfloat16')]), 'unsupported-type', 'inputs[0].type'],
  ['float64 running statistics', node('BatchNormalization', [t([2, 3]), t([3]), t([3]), t([3], 'float64'), t([3], 'float64')]), 'unsupported-type', 'inputs[3].type'],
];

describe('bad nodes are refused with a specific code, from every entry point', () => {
  for (const [name, n, code, argument, message, referenceComputes] of BAD) {
    test(name, () => {
      const r = refusal(() => onnxOutputInfo(n));
      expect(r, 'onnxOutputInfo').toMatchObject({ code, argument });
      if (message) expect(r!.message).toMatch(message);
      // The reference takes data: give each input zeros of its dims.
      const withData = { ...n, inputs: n.inputs.map((i) => (i ? { ...i, data: i.type === 'float16' ? new Uint16Array(i.dims.reduce((a, b) => a * b, 1)) : i.type === 'float64' ? new Float64Array(i.dims.reduce((a, b) => a * b, 1)) : new Float32Array(i.dims.reduce((a, b) => a * b, 1))} : null)) };
      // The float64 reference computes what only the GPU kernels lack.
      if (referenceComputes) expect(refusal(() => cpuRunOnnxNode(withData)), 'cpu.runOnnxNode').toBeUndefined();
      else expect(refusal(() => cpuRunOnnxNode(withData)), 'cpu.runOnnxNode').toMatchObject({ code, argument });
    });
  }
});

test('the encode form refuses before recording anything, and checks the output tensors against onnxOutputInfo', async () => {
  const fake = fakeDevice();
  const norm = await createNormalizer({ device: fake.device, tuning: false });
  const buf = (bytes: number) => fake.device.createBuffer({ size: bytes, usage: Usage.STORAGE });
  const x = { buffer: buf(64), dims: [2, 8], type: 'float32' as const };
  const scale = { buffer: buf(32), dims: [8], type: 'float32' as const };
  const ln = { opType: 'LayerNormalization', domain: '', opset: 17, attributes: {}, inputs: [x, scale, null], outputCount: 1 };
  const enc = () => fake.device.createCommandEncoder();
  const before = fake.dispatches.length;
  const cases: [unknown, string, string][] = [
    [{ ...ln, outputs: [] }, 'invalid-argument', 'outputs[0]'],
    [{ ...ln, outputs: [{ buffer: buf(64), dims: [16], type: 'float32' }] }, 'shape-mismatch', 'outputs[0].dims'],
    [{ ...ln, outputs: [{ buffer: buf(64), dims: [2, 8], type: 'float16' }] }, 'invalid-argument', 'outputs[0].type'],
    [{ ...ln, outputs: [{ buffer: buf(32), dims: [2, 8], type: 'float32' }] }, 'buffer-too-small', 'outputs[0]'],
    [{ ...ln, outputs: [{ buffer: x.buffer, dims: [2, 8], type: 'float32' }] }, 'aliasing', 'outputs[0]'],
    [{ ...ln, outputs: [{ buffer: buf(64), dims: [2, 8], type: 'float32' }, { buffer: buf(8), dims: [2, 1], type: 'float32' }] }, 'invalid-argument', 'outputs[1]'],
    [{ ...ln, inputs: [{ ...x, buffer: buf(32) }, scale, null], outputs: [{ buffer: buf(64), dims: [2, 8], type: 'float32' }] }, 'buffer-too-small', 'inputs[0]'],
  ];
  for (const [n, code, argument] of cases) {
    expect(refusal(() => norm.encodeOnnxNode(enc(), n as never)), `${code} ${argument}`).toMatchObject({ code, argument });
  }
  expect(fake.dispatches.length, 'nothing recorded').toBe(before);
  // A valid node records the row norm; a float16 scale adds one conversion pass before it.
  norm.encodeOnnxNode(enc(), { ...ln, outputs: [{ buffer: buf(64), dims: [2, 8], type: 'float32' }] });
  const direct = fake.dispatches.slice(before);
  expect(direct.some((l) => /convert/.test(l))).toBe(false);
  const x16 = { buffer: buf(32), dims: [2, 8], type: 'float16' as const };
  const scale16 = { buffer: buf(16), dims: [8], type: 'float16' as const };
  const mark = fake.dispatches.length;
  norm.encodeOnnxNode(enc(), { ...ln, inputs: [x16, scale16, null], outputs: [{ buffer: buf(32), dims: [2, 8], type: 'float16' }] });
  expect(fake.dispatches.slice(mark)[0]).toMatch(/convert/);
  // A SkipLayerNormalization runs the fused add kernel alone; float16 ones with its ROUND_SUM
  // override off (ONNX normalizes the exact sum, not the f16-rounded one), float32 ones as is.
  const skipNode = (type: 'float16' | 'float32') => {
    const size = type === 'float16' ? 32 : 64;
    const e = { buffer: buf(size), dims: [2, 8], type };
    return { opType: 'SkipLayerNormalization', domain: 'com.microsoft', opset: 1, attributes: {}, inputs: [e, { ...e, buffer: buf(size) }, { buffer: buf(32), dims: [8], type: 'float32' as const }], outputs: [{ ...e, buffer: buf(size) }], outputCount: 1 };
  };
  const skipMark = fake.dispatches.length;
  norm.encodeOnnxNode(enc(), skipNode('float32'));
  const fused = fake.dispatches.slice(skipMark);
  expect(fused, fused.join(', ')).toHaveLength(1);
  expect(fused[0]).toMatch(/^add_row_norm_/);
  expect(fused[0]).not.toMatch(/ROUND_SUM/);
  const f16Mark = fake.dispatches.length;
  norm.encodeOnnxNode(enc(), { ...skipNode('float16'), inputs: [...skipNode('float16').inputs.slice(0, 2), { buffer: buf(16), dims: [8], type: 'float16' as const }] });
  const exact = fake.dispatches.slice(f16Mark);
  // The float16 gamma's conversion, then the fused kernel (no sum pass; width 8: the chunk-at-a-time packed kernel).
  expect(exact, exact.join(', ')).toHaveLength(2);
  expect(exact[0]).toMatch(/convert/);
  expect(exact[1]).toMatch(/^add_row_norm_f16(_vec)?\b.*ROUND_SUM=(0|false)/);
  expect(fake.validationErrors).toEqual([]);
});

describe('output shapes and types, and attribute defaults', () => {
  test('LayerNormalization: Y as X, Mean and InvStdDev float32 with the normalized axes as 1; axis 0 is one row', () => {
    const n = node('LayerNormalization', [t([2, 3, 4], 'float16'), t([3, 4], 'float16'), t([4], 'float16')], { axis: -2 }, { opset: 17, outputCount: 3 });
    expect(onnxOutputInfo(n)).toEqual([{ dims: [2, 3, 4], type: 'float16' }, { dims: [2, 1, 1], type: 'float32' }, { dims: [2, 1, 1], type: 'float32' }]);
    expect(planNode(n)).toMatchObject({ kind: 'row', op: 'layerNorm', rows: 2, cols: 12, epsilon: 1e-5 });
    expect(planNode({ ...n, attributes: { axis: 0 } })).toMatchObject({ rows: 1, cols: 24 });
    // B broadcast over the block: one conversion, strides 0 on the broadcast dim.
    expect(planNode(n)).toMatchObject({ beta: { direct: false, count: 12, dims: [1, 1, 3, 4], strides: [0, 0, 0, 1] } });
  });
  test('RMSNormalization: Y has the scale type; one output', () => {
    expect(onnxOutputInfo(node('RMSNormalization', [t([2, 4], 'float16'), t([4], 'float16')]))).toEqual([{ dims: [2, 4], type: 'float16' }]);
    expect(planNode(node('RMSNormalization', [t([2, 4], 'float16'), t([4], 'float32')]))).toMatchObject({ yType: 'float32', epsilon: 1e-5 });
  });
  test('SimplifiedLayerNormalization (ONNX domain): Y and inv_std_var', () => {
    expect(onnxOutputInfo(node('SimplifiedLayerNormalization', [t([3, 4]), t([4])], {}, { opset: 1, outputCount: 2 }))).toEqual([{ dims: [3, 4], type: 'float32' }, { dims: [3, 1], type: 'float32' }]);
  });
  test('SkipLayerNormalization: default epsilon 1e-12, (1,S,H) and (S,H) skips broadcast over the batch', () => {
    const full = planNode({ ...node('SkipLayerNormalization', [t([2, 3, 4]), t([2, 3, 4]), t([4]), t([4]), t([4])]), ...ms, outputCount: 4 });
    expect(full).toMatchObject({ kind: 'skip', op: 'addLayerNorm', rows: 6, cols: 4, residualRows: 6, epsilon: 1e-12 });
    expect(full.outputs).toEqual([{ dims: [2, 3, 4], type: 'float32' }, { dims: [2, 3, 1], type: 'float32' }, { dims: [2, 3, 1], type: 'float32' }, { dims: [2, 3, 4], type: 'float32' }]);
    expect(planNode({ ...node('SkipLayerNormalization', [t([2, 3, 4]), t([1, 3, 4]), t([4])]), ...ms })).toMatchObject({ residualRows: 3 });
    expect(planNode({ ...node('SkipLayerNormalization', [t([2, 3, 4]), t([3, 4]), t([4])]), ...ms })).toMatchObject({ residualRows: 3 });
  });
  test('SkipSimplifiedLayerNormalization: bias is input 3 (no beta slot)', () => {
    const p = planNode({ ...node('SkipSimplifiedLayerNormalization', [t([5, 4]), t([5, 4]), t([4]), t([4])]), ...ms });
    expect(p).toMatchObject({ kind: 'skip', op: 'addRmsNorm', epsilon: 1e-12, bias: { input: 3 } });
    expect('beta' in p && p.beta).toBeFalsy();
  });
  test('GroupNormalization 18 scales per group, 21 per channel; InstanceNormalization one group per channel', () => {
    expect(planNode(node('GroupNormalization', [t([2, 6, 5]), t([3]), t([3])], { num_groups: 3 }, { opset: 18 }))).toMatchObject({
      kind: 'channel', op: 'groupNorm', groups: 3, channels: 6, spatial: 5, layout: 'NCHW', gamma: { count: 6, dims: [1, 1, 3, 2], strides: [0, 0, 1, 0] },
    });
    expect(planNode(node('GroupNormalization', [t([2, 6, 5]), t([6]), t([6])], { num_groups: 3 }, { opset: 21 }))).toMatchObject({ gamma: { direct: true } });
    expect(planNode(node('InstanceNormalization', [t([2, 6, 5, 1]), t([6]), t([6])]))).toMatchObject({ op: 'instanceNorm', groups: 6, spatial: 5 });
  });
  test('com.microsoft GroupNorm: NHWC by default, SiLU by activation=1', () => {
    expect(planNode({ ...node('GroupNorm', [t([1, 3, 5, 8], 'float16'), t([8]), t([8], 'float32')], { groups: 4, activation: 1 }), ...ms })).toMatchObject({
      layout: 'NHWC', channels: 8, spatial: 15, activation: 'silu', epsilon: 1e-5,
    });
    expect(planNode({ ...node('GroupNorm', [t([1, 8, 3, 5]), t([8]), t([8])], { groups: 4, activation: 0, channels_last: 0 }), ...ms })).toMatchObject({ layout: 'NCHW', channels: 8 });
  });
  test('BatchNormalization: running statistics in T2, momentum 0.9 by default', () => {
    const n = node('BatchNormalization', [t([2, 3, 4], 'float16'), t([3]), t([3]), t([3], 'float16'), t([3], 'float16')], { training_mode: 1 }, { opset: 15, outputCount: 3 });
    expect(planNode(n)).toMatchObject({ kind: 'batch', mode: 'training', momentum: 0.9, channels: 3, spatial: 4, statType: 'float16' });
    expect(planNode(n).outputs).toEqual([{ dims: [2, 3, 4], type: 'float16' }, { dims: [3], type: 'float16' }, { dims: [3], type: 'float16' }]);
  });
  test('MeanVarianceNormalization: default axes [0, 2, 3] are per-channel statistics; a middle block is InstanceNorm over NHWC', () => {
    expect(planNode(node('MeanVarianceNormalization', [t([2, 3, 4, 5])]))).toMatchObject({ kind: 'batch', mode: 'mvn', batch: 2, channels: 3, spatial: 20, epsilon: 1e-9, epsilonMode: 'add-to-std' });
    expect(planNode(node('MeanVarianceNormalization', [t([2, 3, 4, 5])], { axes: [1, 2] }))).toMatchObject({ kind: 'channel', op: 'instanceNorm', layout: 'NHWC', batch: 2, spatial: 12, channels: 5 });
    expect(planNode(node('MeanVarianceNormalization', [t([2, 3, 4, 5])], { axes: [-1] }))).toMatchObject({ kind: 'batch', batch: 1, channels: 24, spatial: 5 });
  });
  test('LpNormalization: p 2 and axis -1 by default; other axes stride', () => {
    expect(planNode(node('LpNormalization', [t([2, 3, 4])], {}, { opset: 1 }))).toMatchObject({ kind: 'lp', p: 2, rows: 6, cols: 4, inner: 1 });
    expect(planNode(node('LpNormalization', [t([2, 3, 4])], { axis: 1, p: 1 }, { opset: 1 }))).toMatchObject({ rows: 8, cols: 3, inner: 4, p: 1 });
  });
  test("'ai.onnx' is the standard domain", () => {
    expect(onnxOutputInfo(node('LpNormalization', [t([2, 3])], {}, { domain: 'ai.onnx' }))).toEqual([{ dims: [2, 3], type: 'float32' }]);
  });
});
