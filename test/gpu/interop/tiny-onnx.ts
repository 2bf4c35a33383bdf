/**
 * A one-node ONNX model (`Y = X * X`, float32, fixed shape) encoded by hand, so the interop test
 * needs no model file and no converter: a dozen protobuf fields of ModelProto / GraphProto /
 * NodeProto / ValueInfoProto (onnx.proto3 field numbers).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const field = (no: number, wire: 0 | 2) => varint((no << 3) | wire);
const int = (no: number, v: number) => [...field(no, 0), ...varint(v)];
const bytes = (no: number, b: number[]) => [...field(no, 2), ...varint(b.length), ...b];
const str = (no: number, s: string) => bytes(no, [...new TextEncoder().encode(s)]);

/** ValueInfoProto for a float32 tensor of fixed shape. */
function tensorInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, int(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...int(1, 1), ...bytes(2, shape)]; // elem_type FLOAT = 1, shape
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))]; // name, type { tensor_type }
}

/**
 * The serialized model, for `ort.InferenceSession.create(bytes)`.
 *
 * @example
 * ```ts
 * const session = await ort.InferenceSession.create(squareModel([4, 768]), { executionProviders: ['webgpu'] });
 * ```
 */
export function squareModel(dims: readonly number[]): Uint8Array {
  const node = [...str(1, 'X'), ...str(1, 'X'), ...str(2, 'Y'), ...str(3, 'square'), ...str(4, 'Mul')];
  const graph = [...bytes(1, node), ...str(2, 'square'), ...bytes(11, tensorInfo('X', dims)), ...bytes(12, tensorInfo('Y', dims))];
  const opset = int(2, 17); // domain "" (default), version 17
  return new Uint8Array([...int(1, 8), ...str(2, 'webgpu-norm-test'), ...bytes(7, graph), ...bytes(8, opset)]);
}
