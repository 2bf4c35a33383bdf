/**
 * `runOnnxNode`: the typed-array form of the ONNX entry point. Validates the node and its data,
 * uploads the inputs, records `encodeOnnxNode`, reads every produced output back in one copy, and
 * frees its temporaries whatever happens.
 */
import { Transfers, tensorView, type ArrayRunContext } from '../core/transfers.js';
import { storageBytes } from '../core/tensor.js';
import { checkImplemented, dtypeOf, encodeOnnxNode } from './encode.js';
import { planTypedNode } from './reference.js';
import { product, type OnnxGpuTensor, type OnnxNode, type OnnxTensor } from './validate.js';

/**
 * Runs `node` on the GPU: outputs in output order, `null` past `outputCount`.
 *
 * @example
 * ```ts
 * const [y] = await runOnnxNode(run, { opType: 'LpNormalization', domain: '', opset: 22, attributes: { p: 2 }, inputs: [x], outputCount: 1 });
 * ```
 */
export async function runOnnxNode(ctx: ArrayRunContext, node: OnnxNode<OnnxTensor>): Promise<(OnnxTensor | null)[]> {
  const plan = planTypedNode(node);
  checkImplemented(plan);
  const outBytes = plan.outputs.map((o) => storageBytes(product(o.dims), dtypeOf(o.type)));
  const uploads = node.inputs.map((t) => (t ? t.data.byteLength : 0));
  const io = new Transfers(ctx, { uploads, outputs: outBytes, argument: 'inputs[0]', outputNames: plan.node.schema.outputs.slice(0, outBytes.length).map((p) => p.name) });
  try {
    const inputs = node.inputs.map((t, i): OnnxGpuTensor | null => {
      if (!t) return null;
      return { buffer: io.upload(t.data as Float32Array | Uint16Array, `inputs[${i}]`), dims: t.dims, type: t.type };
    });
    const outputs = plan.outputs.map((o, i) => ({ buffer: io.output(Math.max(4, outBytes[i]!), `outputs[${i}]`), dims: o.dims, type: o.type }));
    const encoder = ctx.device.createCommandEncoder({ label: `webgpu-norm ${plan.node.schema.opType}` });
    encodeOnnxNode(ctx, encoder, { ...node, inputs, outputs });
    const bytes = await io.readBack(encoder, outputs.map((o) => o.buffer));
    const schemaOutputs = plan.node.schema.outputs.length;
    return Array.from({ length: schemaOutputs }, (_, i) => {
      const o = plan.outputs[i];
      if (!o) return null;
      return { data: tensorView(bytes[i]!, dtypeOf(o.type), product(o.dims)), dims: [...o.dims], type: o.type };
    });
  } finally {
    io.release();
  }
}
