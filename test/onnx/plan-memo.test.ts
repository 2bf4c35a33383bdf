/**
 * The memo of validated ONNX plans (src/onnx/plan-memo.ts): a node of the same structure gets the
 * same plan whatever its buffers or data; a node differing in any field that validation reads gets
 * its own plan or its own refusal; the caller's arrays may change after a call; plans are frozen.
 */
import { describe, expect, test } from 'vitest';
import { NormError } from '../../src/core/errors.js';
import { planNode } from '../../src/onnx/plan.js';
import type { OnnxNode, TensorInfo } from '../../src/onnx/validate.js';

type Node = OnnxNode<TensorInfo & { buffer?: unknown }>;
const layerNorm = (rows = 4, cols = 8): Node => ({
  opType: 'LayerNormalization',
  domain: '',
  opset: 17,
  attributes: { axis: -1, epsilon: 1e-5 },
  inputs: [{ dims: [rows, cols], type: 'float32', buffer: {} }, { dims: [cols], type: 'float32', buffer: {} }, null],
  outputCount: 1,
});
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof NormError ? e.code : String(e);
  }
  return 'accepted';
};

describe('a node of the same structure gets the same plan', () => {
  test('other buffers, a fresh object, fresh arrays: the remembered plan', () => {
    const first = planNode(layerNorm());
    const again = planNode({ ...layerNorm(), inputs: [{ dims: [4, 8], type: 'float32', buffer: { other: 1 } }, { dims: [8], type: 'float32' }, undefined] });
    expect(again).toBe(first);
  });

  test.each<[string, (n: Node) => Node]>([
    ['rows', (n) => ({ ...n, inputs: [{ dims: [5, 8], type: 'float32' }, n.inputs[1]!, null] })],
    ['rank', (n) => ({ ...n, inputs: [{ dims: [1, 4, 8], type: 'float32' }, n.inputs[1]!, null] })],
    ['x type', (n) => ({ ...n, inputs: [{ dims: [4, 8], type: 'float16' }, { dims: [8], type: 'float16' }, null] })],
    ['an optional input given', (n) => ({ ...n, inputs: [n.inputs[0]!, n.inputs[1]!, { dims: [8], type: 'float32' }] })],
    ['epsilon', (n) => ({ ...n, attributes: { axis: -1, epsilon: 1e-6 } })],
    ['axis', (n) => ({ ...n, attributes: { axis: 0, epsilon: 1e-5 } })],
    ['an attribute left out', (n) => ({ ...n, attributes: { axis: -1 } })],
    ['no attributes object', (n) => ({ ...n, attributes: undefined })],
    ['outputCount', (n) => ({ ...n, outputCount: 3 })],
    ['opset', (n) => ({ ...n, opset: 18 })],
    ["domain 'ai.onnx'", (n) => ({ ...n, domain: 'ai.onnx' })],
  ])('%s differing: a plan of its own, equal to a fresh validation', (_, change) => {
    const base = planNode(layerNorm());
    const other = planNode(change(layerNorm()));
    expect(other).not.toBe(base);
    // What the memo returns for the changed node is what validating it afresh gives.
    expect(JSON.stringify(other)).toBe(JSON.stringify(planNode(JSON.parse(JSON.stringify(change(layerNorm())), (k, v) => (k === 'buffer' ? undefined : v)))));
    expect(planNode(layerNorm())).toBe(base);
  });

  test('a node differing only in what validation refuses is refused, every time', () => {
    planNode(layerNorm());
    const bad: [Node, string][] = [
      [{ ...layerNorm(), inputs: [{ dims: [4, 8], type: 'float32' }, { dims: [7], type: 'float32' }, null] }, 'shape-mismatch'],
      [{ ...layerNorm(), attributes: { axis: -1, epsilon: Number.NaN } }, 'invalid-argument'],
      [{ ...layerNorm(), attributes: { axis: -1, epsilon: 1e-5, stash_type: 2, bogus: 1 } }, 'invalid-argument'],
      [{ ...layerNorm(), inputs: [{ dims: [4, 8], type: 'float64' }, { dims: [8], type: 'float64' }, null] }, 'unsupported-type'],
      [{ ...layerNorm(), inputs: [{ dims: [4, -0], type: 'float32' }, { dims: [8], type: 'float32' }, null] }, 'shape-mismatch'],
    ];
    // The same values under swapped names: axis 0.5 is no integer.
    expect(codeOf(() => planNode({ ...layerNorm(), attributes: { axis: -1, epsilon: 0.5 } }))).toBe('accepted');
    bad.push([{ ...layerNorm(), attributes: { epsilon: -1, axis: 0.5 } }, 'invalid-argument']);
    for (const [node, code] of bad) for (let i = 0; i < 2; i++) expect(codeOf(() => planNode(node))).toBe(code);
  });

  test("the caller's arrays changed after a call: the next call sees the change", () => {
    // Shapes no other test uses, so the first call is the one remembered.
    const dims = [37, 8];
    const attributes = { axis: -1, epsilon: 1e-3 };
    const node: Node = { ...layerNorm(), attributes, inputs: [{ dims, type: 'float32' }, { dims: [8], type: 'float32' }, null] };
    expect(planNode(node)).toMatchObject({ rows: 37, cols: 8, epsilon: 1e-3 });
    dims[0] = 38;
    expect(planNode(node)).toMatchObject({ rows: 38, cols: 8 });
    attributes.epsilon = 2e-3;
    expect(planNode(node)).toMatchObject({ rows: 38, epsilon: 2e-3 });
    // An ints attribute: MeanVarianceNormalization over (N, H, W) keeps 5 channels; over (H, W), 3 × 5.
    const axes = [0, 2, 3];
    const mvn = { opType: 'MeanVarianceNormalization', domain: '', opset: 13, attributes: { axes }, inputs: [{ dims: [3, 5, 7, 2], type: 'float32' as const }], outputCount: 1 };
    expect(planNode(mvn)).toMatchObject({ kind: 'batch', batch: 3, channels: 5, spatial: 14 });
    axes.splice(0, 1);
    expect(planNode(mvn)).toMatchObject({ kind: 'batch', batch: 1, channels: 15, spatial: 14 });
  });

  test('plans are frozen: a caller cannot change what the next node of its structure gets', () => {
    const plan = planNode(layerNorm(3, 8));
    expect(Object.isFrozen(plan)).toBe(true);
    expect(() => ((plan.outputs[0]!.dims as number[])[0] = 9)).toThrow(TypeError);
    expect(planNode(layerNorm(3, 8)).outputs[0]!.dims).toEqual([3, 8]);
  });

  test('a bounded number of shapes per operator, most recent kept', () => {
    const first = planNode(layerNorm(101, 8));
    for (let r = 102; r < 102 + 16; r++) planNode(layerNorm(r, 8));
    const again = planNode(layerNorm(101, 8));
    expect(again).not.toBe(first);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    expect(planNode(layerNorm(101, 8))).toBe(again);
  });
});
