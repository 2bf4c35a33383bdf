/**
 * LayerNorm on an onnxruntime-web tensor that lives on the GPU, without reading it back: our kernel
 * reads `tensor.gpuBuffer` directly and writes a buffer that is handed back to ORT as a GPU tensor
 * (`Tensor.fromGpuBuffer`). Both sides must use the same `GPUDevice`: give ORT ours as the WebGPU
 * EP option `{ name: 'webgpu', device: norm.device }` (onnxruntime-web 1.30's EP ignores a device
 * set through `ort.env.webgpu.device` and overwrites that property with its own).
 */
import * as ort from 'onnxruntime-web/webgpu';
import type { Normalizer } from '../../dist/index.js';

export interface OrtLayerNormOptions {
  readonly gamma?: GPUBuffer;
  readonly beta?: GPUBuffer;
  readonly epsilon?: number;
}

/**
 * Normalizes the last dimension of a float32 GPU tensor; returns a new float32 GPU tensor whose
 * `dispose()` destroys the buffer we created.
 *
 * @example
 * ```ts
 * const norm = await createNormalizer();
 * const session = await ort.InferenceSession.create(model, {
 *   executionProviders: [{ name: 'webgpu', device: norm.device }],   // ORT runs on our device
 *   preferredOutputLocation: 'gpu-buffer',                           // outputs stay on the GPU
 * });
 * const { logits } = await session.run({ x });
 * const normed = layerNormOrtTensor(norm, logits);     // stays on the GPU
 * const next = await session2.run({ h: normed });
 * ```
 */
export function layerNormOrtTensor(norm: Normalizer, tensor: ort.Tensor, options: OrtLayerNormOptions = {}): ort.TypedTensor<'float32'> {
  if (tensor.location !== 'gpu-buffer') throw new Error(`expected a GPU tensor (location 'gpu-buffer'), got '${tensor.location}': create the session with preferredOutputLocation: 'gpu-buffer'`);
  if (tensor.type !== 'float32') throw new Error(`expected float32, got ${tensor.type}`);
  const dims = tensor.dims;
  const cols = dims[dims.length - 1]!;
  const rows = dims.slice(0, -1).reduce((a, b) => a * b, 1);
  const device = norm.device;
  // ORT sizes its buffers up to a multiple of 16 bytes; bind exactly the tensor's bytes.
  const bytes = rows * cols * 4;
  const y = device.createBuffer({ label: 'layerNorm of an ORT tensor', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder({ label: 'webgpu-norm on ORT tensor' });
  norm.encodeLayerNorm(encoder, { x: { buffer: tensor.gpuBuffer as GPUBuffer, offset: 0, size: bytes }, y, rows, cols, ...options });
  // Same device, same queue: ORT's earlier submissions that wrote the input run first.
  device.queue.submit([encoder.finish()]);
  return ort.Tensor.fromGpuBuffer(y, { dataType: 'float32', dims, dispose: () => y.destroy(), download: () => download(device, y, bytes) });
}

/** Reads a buffer back (used only when someone calls `getData()` on the returned tensor). */
async function download(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const e = device.createCommandEncoder();
  e.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([e.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}
