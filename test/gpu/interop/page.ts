/**
 * Runs inside headless Chromium, bundled by Vite (test/gpu/interop.test.ts builds it: TF.js ships
 * CommonJS dependencies the unbundled dev server cannot serve). Each case runs one framework's
 * GPU tensor through our LayerNorm with no readback of the input, then compares what comes out
 * with the float64 reference, returning a small summary.
 */
import * as ort from 'onnxruntime-web/webgpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { cpu, createNormalizer } from '../../../dist/index.js';
import { layerNormOrtTensor } from '../../../demo/interop/ort-layer-norm.js';
import { layerNormTfTensor, tfjsDevice } from '../../../demo/interop/tfjs-layer-norm.js';
import { squareModel } from './tiny-onnx.js';

const ROWS = 4;
const COLS = 768;

function data(n: number, seed: number): Float32Array {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 4;
  return Float32Array.from({ length: n }, () => 3 + next());
}

/** Largest error relative to the allowance `atol + rtol·|ref|` (≤ 1 passes). */
function worst(got: ArrayLike<number>, ref: ArrayLike<number>, rtol: number, atol: number): { ratio: number; at: number } {
  let ratio = 0;
  let at = -1;
  for (let i = 0; i < ref.length; i++) {
    const r = Math.abs(got[i]! - ref[i]!) / (atol + rtol * Math.abs(ref[i]!));
    if (!(r <= ratio)) {
      ratio = Number.isNaN(r) ? Infinity : r;
      at = i;
    }
  }
  return { ratio, at };
}

function watch(device: GPUDevice): string[] {
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
  return errors;
}

/** ORT (WebGPU EP on our device): X → [Mul: X·X] → our LayerNorm on the GPU tensor → [Mul] → compare. */
async function ortCase() {
  const norm = await createNormalizer();
  const errors = watch(norm.device);
  ort.env.wasm.numThreads = 1; // no SharedArrayBuffer needed (the page is not cross-origin isolated)
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/'; // served by Vite from node_modules
  // ORT ≥ 1.2x (WebGPU EP compiled into its wasm) takes the device as an EP option; setting
  // ort.env.webgpu.device is not enough there (it is overwritten with ORT's own device).
  const session = await ort.InferenceSession.create(squareModel([ROWS, COLS]), {
    executionProviders: [{ name: 'webgpu', device: norm.device }],
    preferredOutputLocation: 'gpu-buffer',
  });
  const x = data(ROWS * COLS, 1);
  const first = (await session.run({ X: new ort.Tensor('float32', x, [ROWS, COLS]) })).Y!;
  const normed = layerNormOrtTensor(norm, first); // reads first.gpuBuffer in place
  const second = (await session.run({ X: normed })).Y!; // ORT reads our buffer in place
  const got = (await second.getData()) as Float32Array;
  const ref = cpu.layerNormF64(Float32Array.from(x, (v) => Math.fround(v * v)), { cols: COLS }).y.map((v) => v * v);
  const result = {
    // Informational: with a device passed as an EP option, ort.env.webgpu.device does not report
    // it. That one device is shared is proven by the runs themselves: WebGPU refuses a buffer of
    // another device in a bind group (ORT reading ours, we reading ORT's).
    envDeviceIsOurs: (await ort.env.webgpu.device) === norm.device,
    firstLocation: first.location,
    normedLocation: normed.location,
    bufferUsage: (first.gpuBuffer as GPUBuffer).usage,
    bufferSize: (first.gpuBuffer as GPUBuffer).size,
    ...worst(got, ref, 4e-5, 4e-5),
    errors,
  };
  first.dispose();
  normed.dispose();
  second.dispose();
  await session.release();
  return result;
}

/** TF.js (WebGPU backend): x·2 on the GPU → dataToGPU → our LayerNorm → zero-copy tensor → +1 → compare. */
async function tfCase() {
  tf.env().set('WEBGPU_CPU_FORWARD', false); // small ops would otherwise run on the CPU
  if (!(await tf.setBackend('webgpu'))) throw new Error('tf.setBackend("webgpu") failed');
  await tf.ready();
  const norm = await createNormalizer({ device: tfjsDevice() });
  const errors = watch(norm.device);
  const x = data(ROWS * COLS, 2);
  const xt = tf.mul(tf.tensor(x, [ROWS, COLS]), 2); // a tensor TF.js computed on the GPU
  const { tensor, release } = layerNormTfTensor(norm, xt);
  const z = tf.add(tensor, 1); // TF.js reads our output buffer in place
  const got = await z.data();
  release();
  const ref = cpu.layerNormF64(Float32Array.from(x, (v) => v * 2), { cols: COLS }).y.map((v) => v + 1);
  const result = { backend: tf.getBackend(), sameDevice: tfjsDevice() === norm.device, ...worst(got, ref, 2e-5, 2e-5), errors, numTensors: tf.memory().numTensors };
  tf.dispose([xt, z]);
  return result;
}

const interop = { ortCase, tfCase, versions: { ort: ort.env.versions.web, tf: tf.version_core } };
(window as unknown as { interop: typeof interop }).interop = interop;
export type Interop = typeof interop;
