/**
 * LayerNorm on a TF.js tensor held by the WebGPU backend, without reading it back:
 * `tensor.dataToGPU()` gives a `GPUBuffer` (TF.js makes a GPU-side copy of the tensor's storage,
 * so later TF ops cannot change what we read), our kernel writes a buffer, and that buffer becomes
 * a TF.js tensor with `tf.tensor({ buffer, zeroCopy: true }, shape)` — no copy on the way back.
 * The normalizer must run on TF.js's device: `createNormalizer({ device: backend.device })`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Normalizer } from '../../dist/index.js';

/**
 * The WebGPU backend's device, for `createNormalizer({ device })`.
 *
 * @example
 * ```ts
 * await tf.setBackend('webgpu');
 * const norm = await createNormalizer({ device: tfjsDevice() });
 * ```
 */
export function tfjsDevice(): GPUDevice {
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  if (tf.getBackend() !== 'webgpu' || !backend.device) throw new Error(`TF.js backend is '${tf.getBackend()}', not 'webgpu': await tf.setBackend('webgpu') first`);
  return backend.device;
}

/**
 * Normalizes the last dimension of a float32 tensor on the GPU. Returns the result as a tensor
 * that uses our buffer directly (`zeroCopy: true`: TF.js does not own it) and `release()`, which
 * disposes the tensor and destroys the buffer.
 *
 * @example
 * ```ts
 * const { tensor, release } = layerNormTfTensor(norm, tf.randomNormal([128, 768]));
 * const logits = tf.matMul(tensor, w);   // TF.js reads our output in place
 * await logits.data();
 * release();
 * ```
 */
export function layerNormTfTensor(norm: Normalizer, x: tf.Tensor, options: { gamma?: GPUBuffer; beta?: GPUBuffer; epsilon?: number } = {}): { tensor: tf.Tensor; release: () => void } {
  if (x.dtype !== 'float32') throw new Error(`expected float32, got ${x.dtype}`);
  const cols = x.shape[x.shape.length - 1]!;
  const rows = x.size / cols;
  const bytes = x.size * 4;
  // dataToGPU flushes TF.js's pending commands and returns a buffer on its device (maybe padded).
  const { buffer, tensorRef } = x.dataToGPU();
  if (!buffer) throw new Error('dataToGPU() returned no buffer: is the backend webgpu?');
  const device = norm.device;
  // TF.js requires STORAGE | COPY_SRC on buffers it adopts; COPY_DST lets callers write them.
  const y = device.createBuffer({ label: 'layerNorm of a TF.js tensor', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder({ label: 'webgpu-norm on TF.js tensor' });
  norm.encodeLayerNorm(encoder, { x: { buffer, offset: 0, size: bytes }, y, rows, cols, ...options });
  device.queue.submit([encoder.finish()]);
  // The copy dataToGPU made is ours to release once the work that reads it is submitted.
  tensorRef.dispose();
  const tensor = tf.tensor({ buffer: y, zeroCopy: true }, x.shape, 'float32');
  return {
    tensor,
    release() {
      tensor.dispose();
      // Call after TF.js has submitted the work that reads `y` (e.g. after awaiting a result's
      // data()): submitted work completes, but TF.js batches commands before it submits them.
      y.destroy();
    },
  };
}
