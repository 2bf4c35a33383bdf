/**
 * `onnxOutputInfo`: the dims and type of each output a node produces (the first `outputCount`),
 * from its inputs' dims and types, for a runtime to allocate them before `encodeOnnxNode`. It
 * validates the node exactly as the encode form does, so a node it accepts encodes.
 */
import { checkImplemented } from './encode.js';
import { outputInfos, planNode } from './plan.js';
import type { OnnxNode, OnnxOutputInfo, TensorInfo } from './validate.js';

/**
 * The outputs' dims and types of `node`; its inputs need only `dims` and `type`.
 *
 * @example
 * ```ts
 * onnxOutputInfo({ opType: 'LayerNormalization', domain: '', opset: 17, attributes: {}, inputs: [{ dims: [2, 8], type: 'float16' }, { dims: [8], type: 'float16' }], outputCount: 3 });
 * // [{ dims: [2, 8], type: 'float16' }, { dims: [2, 1], type: 'float32' }, { dims: [2, 1], type: 'float32' }]
 * ```
 */
export function onnxOutputInfo(node: OnnxNode<TensorInfo>): OnnxOutputInfo[] {
  const plan = planNode(node);
  checkImplemented(plan);
  return outputInfos(plan);
}
