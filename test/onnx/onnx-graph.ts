/**
 * Page side of the graph test (test/onnx/onnx.gpu.test.ts): a small ONNX graph run the way a
 * runtime would (demo/EMBEDDING.md), every tensor resident on the GPU and every node recorded into
 * one command encoder:
 *   x ─ LayerNormalization ─ MatMul (a test-side WGSL kernel) ─ SkipLayerNormalization(skip = x)
 *     ─ Reshape (dims only) ─ com.microsoft GroupNorm (NHWC, SiLU) ─ y
 * Outputs are allocated from `onnxOutputInfo`. The float64 reference runs the same graph node by
 * node with `cpuOnnx.runOnnxNode` (float32 between nodes, as the GPU keeps them).
 */
import { cpuOnnx, f16ToF32, f32ToF16, type Normalizer, type OnnxGpuTensor, type OnnxTensor } from '../../dist/index.js';
import { normal, rng } from '../shared/data.js';

const MATMUL = /* wgsl */ `
struct Shape { rows: u32, inner: u32, cols: u32 }
@group(0) @binding(0) var<uniform> shape: Shape;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= shape.rows * shape.cols) { return; }
  let r = i / shape.cols;
  let k = i % shape.cols;
  var acc = 0.0;
  for (var j = 0u; j < shape.inner; j++) { acc += a[r * shape.inner + j] * b[j * shape.cols + k]; }
  c[i] = acc;
}`;

export interface GraphResult {
  readonly count: number;
  readonly failures: number;
  readonly maxRatio: number;
  readonly worst: string;
  readonly skipSumMaxRatio: number;
  readonly validationError: string | null;
}

/**
 * Runs the graph on the GPU and compares its output with the reference graph.
 *
 * @example
 * ```ts
 * const r = await onnxGraph(norm, { batch: 2, seq: 8, hidden: 32, groups: 8, seed: 1 });
 * ```
 */
export async function onnxGraph(norm: Normalizer, g: { batch: number; seq: number; hidden: number; groups: number; seed: number; skipDims: 'full' | 'seq' }): Promise<GraphResult> {
  const { device } = norm;
  const { batch, seq, hidden, groups } = g;
  const gauss = normal(rng(g.seed));
  const vec = (n: number, scale = 1, offset = 0) => Float32Array.from({ length: n }, () => gauss() * scale + offset);
  const x = vec(batch * seq * hidden, 1, 3);
  const skip = g.skipDims === 'full' ? vec(batch * seq * hidden) : vec(seq * hidden);
  const skipDims = g.skipDims === 'full' ? [batch, seq, hidden] : [seq, hidden];
  const [ln1Scale, ln1Bias, w, gamma, beta, bias, gnGamma, gnBeta] = [vec(hidden, 0.5, 1), vec(hidden), vec(hidden * hidden, 1 / Math.sqrt(hidden)), vec(hidden, 0.5, 1), vec(hidden), vec(hidden), vec(hidden, 0.5, 1), vec(hidden)];
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const upload = (data: Float32Array, dims: number[]): OnnxGpuTensor => {
    const buffer = device.createBuffer({ size: data.byteLength, usage });
    device.queue.writeBuffer(buffer, 0, data);
    return { buffer, dims, type: 'float32' };
  };
  const alloc = (info: { dims: number[]; type: 'float32' | 'float16' | 'float64' | 'bfloat16' }): OnnxGpuTensor => ({
    buffer: device.createBuffer({ size: Math.max(4, Math.ceil((info.dims.reduce((a, b) => a * b, 1) * (info.type === 'float16' ? 2 : 4)) / 4) * 4), usage }),
    dims: info.dims,
    type: info.type,
  });
  const tx = upload(x, [batch, seq, hidden]);
  const tskip = upload(skip, skipDims);
  const p = (d: Float32Array) => upload(d, [hidden]);
  const encoder = device.createCommandEncoder();
  device.pushErrorScope('validation');

  // LayerNormalization.
  const ln = { opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: -1, epsilon: 1e-5 }, inputs: [tx, p(ln1Scale), p(ln1Bias)], outputCount: 1 };
  const [h1Info] = norm.onnxOutputInfo(ln);
  const h1 = alloc(h1Info!);
  norm.encodeOnnxNode(encoder, { ...ln, outputs: [h1] });

  // MatMul (the runtime's own kernel): h2 = h1 · W.
  const h2 = alloc({ dims: [batch, seq, hidden], type: 'float32' });
  const tw = upload(w, [hidden, hidden]);
  const module = device.createShaderModule({ code: MATMUL });
  const layout = device.createBindGroupLayout({
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
      { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
    ],
  });
  const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
  const shape = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(shape, 0, new Uint32Array([batch * seq, hidden, hidden, 0]));
  const bind = device.createBindGroup({ layout, entries: [shape, h1.buffer as GPUBuffer, tw.buffer as GPUBuffer, h2.buffer as GPUBuffer].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(Math.ceil((batch * seq * hidden) / 64));
  pass.end();

  // SkipLayerNormalization: the residual stream x as skip, with its sum output.
  const sln = { opType: 'SkipLayerNormalization', domain: 'com.microsoft', opset: 1, attributes: {}, inputs: [h2, tskip, p(gamma), p(beta), p(bias)], outputCount: 4 };
  const slnInfo = norm.onnxOutputInfo(sln);
  const h3 = alloc(slnInfo[0]!);
  const sum = alloc(slnInfo[3]!);
  norm.encodeOnnxNode(encoder, { ...sln, outputs: [h3, null, null, sum] });

  // Reshape to (N, H, W, C) is metadata only; GroupNorm NHWC with SiLU.
  const gn = { opType: 'GroupNorm', domain: 'com.microsoft', opset: 1, attributes: { groups, activation: 1, epsilon: 1e-5 }, inputs: [{ ...h3, dims: [batch, seq, 1, hidden] }, p(gnGamma), p(gnBeta)], outputCount: 1 };
  const [yInfo] = norm.onnxOutputInfo(gn);
  const y = alloc(yInfo!);
  norm.encodeOnnxNode(encoder, { ...gn, outputs: [y] });

  const n = batch * seq * hidden;
  const read = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(y.buffer as GPUBuffer, 0, read, 0, n * 4);
  encoder.copyBufferToBuffer(sum.buffer as GPUBuffer, 0, read, n * 4, n * 4);
  device.queue.submit([encoder.finish()]);
  const validationError = (await device.popErrorScope())?.message ?? null;
  await read.mapAsync(GPUMapMode.READ);
  const all = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  const gpuY = all.subarray(0, n);
  const gpuSum = all.subarray(n);

  // The reference graph, float32 between nodes.
  const t = (data: Float32Array, dims: number[]): OnnxTensor => ({ data, dims, type: 'float32' });
  const r1 = cpuOnnx.runOnnxNode({ ...ln, inputs: [t(x, [batch, seq, hidden]), t(ln1Scale, [hidden]), t(ln1Bias, [hidden])] })[0]!.data as Float32Array;
  const r2 = new Float32Array(n);
  for (let r = 0; r < batch * seq; r++) for (let k = 0; k < hidden; k++) {
    let acc = 0;
    for (let j = 0; j < hidden; j++) acc += r1[r * hidden + j]! * w[j * hidden + k]!;
    r2[r * hidden + k] = acc;
  }
  const slnRef = cpuOnnx.runOnnxNodeF64({ ...sln, inputs: [t(r2, [batch, seq, hidden]), t(skip, skipDims), t(gamma, [hidden]), t(beta, [hidden]), t(bias, [hidden])] });
  const r3 = Float32Array.from(slnRef[0]!.data);
  const gnNode = (data: Float32Array) => ({ ...gn, inputs: [t(data, [batch, seq, 1, hidden]), t(gnGamma, [hidden]), t(gnBeta, [hidden])] });
  const ref = cpuOnnx.runOnnxNodeF64(gnNode(r3))[0]!.data;
  // Tolerance: ONNX's 1e-7 + 1e-3·|ref|, plus 4× the move of the result when the GroupNorm input
  // (three float32 nodes deep) is perturbed by 2^-18 relative.
  const moved = cpuOnnx.runOnnxNodeF64(gnNode(Float32Array.from(r3, (v) => v * (1 + 2 ** -18))))[0]!.data;
  let failures = 0;
  let maxRatio = 0;
  let worst = '';
  for (let i = 0; i < n; i++) {
    const allow = 1e-7 + 1e-3 * Math.abs(ref[i]!) + 4 * Math.abs(moved[i]! - ref[i]!);
    const ratio = Math.abs(gpuY[i]! - ref[i]!) / allow;
    if (!(ratio <= 1)) failures++;
    if (!(ratio <= maxRatio)) {
      maxRatio = ratio;
      worst = `element ${i}: gpu ${gpuY[i]}, ref ${ref[i]}`;
    }
  }
  let skipSumMaxRatio = 0;
  const refSum = slnRef[3]!.data;
  for (let i = 0; i < n; i++) skipSumMaxRatio = Math.max(skipSumMaxRatio, Math.abs(gpuSum[i]! - refSum[i]!) / (1e-6 + 1e-3 * Math.abs(refSum[i]!)));
  return { count: n, failures, maxRatio, worst, skipSumMaxRatio, validationError };
}

/**
 * encodeOnnxNode into the caller's open compute pass, every tensor a `{ buffer, offset, size }`
 * range at a non-zero offset (f16 data, an f16 scale broadcast from (S, 1) over the (S, H) block,
 * all three outputs): the conversion pass and the kernel share the caller's pass.
 *
 * @example
 * ```ts
 * const r = await onnxEncodeInPass(norm, 3); // { yBad: 0, statBad: 0, validationError: null }
 * ```
 */
export async function onnxEncodeInPass(norm: Normalizer, seed: number): Promise<{ yBad: number; statBad: number; validationError: string | null }> {
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const gauss = normal(rng(seed));
  const [b, s, hdim] = [2, 3, 10];
  const xv = Uint16Array.from({ length: b * s * hdim }, () => f32ToF16(gauss() * 50 + 20));
  const scale = Uint16Array.from({ length: s }, () => f32ToF16(gauss()));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const range = (bytes: number, data?: Uint16Array) => {
    const size = Math.ceil(bytes / 4) * 4;
    const buffer = device.createBuffer({ size: A + size + A, usage });
    if (data) {
      const padded = new Uint16Array(size / 2);
      padded.set(data);
      device.queue.writeBuffer(buffer, A, padded);
    }
    return { buffer, offset: A, size };
  };
  const node = {
    opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: 1 }, outputCount: 3,
    inputs: [{ buffer: range(xv.byteLength, xv), dims: [b, s, hdim], type: 'float16' as const }, { buffer: range(scale.byteLength, scale), dims: [s, 1], type: 'float16' as const }, null],
  };
  const infos = norm.onnxOutputInfo(node);
  const outputs = infos.map((info) => ({ buffer: range(info.dims.reduce((p, q) => p * q, 1) * (info.type === 'float16' ? 2 : 4)), dims: info.dims, type: info.type }));
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  norm.encodeOnnxNode(pass, { ...node, outputs });
  pass.end();
  const sizes = outputs.map((o) => o.buffer.size);
  const read = device.createBuffer({ size: sizes.reduce((p, q) => p + q, 0), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  let at = 0;
  for (const o of outputs) {
    encoder.copyBufferToBuffer(o.buffer.buffer, A, read, at, o.buffer.size);
    at += o.buffer.size;
  }
  device.queue.submit([encoder.finish()]);
  const validationError = (await device.popErrorScope())?.message ?? null;
  await read.mapAsync(GPUMapMode.READ);
  const bytes = read.getMappedRange().slice(0);
  read.unmap();
  const y = new Uint16Array(bytes, 0, b * s * hdim);
  const stats = new Float32Array(bytes, sizes[0]!, b);
  const inv = new Float32Array(bytes, sizes[0]! + sizes[1]!, b);
  const ref = cpuOnnx.runOnnxNodeF64({ ...node, inputs: [{ data: xv, dims: [b, s, hdim], type: 'float16' }, { data: scale, dims: [s, 1], type: 'float16' }, null] });
  let yBad = 0;
  // float16 y: one rounding (2^-11 relative) plus f32 arithmetic; stats: float32.
  ref[0]!.data.forEach((e, i) => {
    if (!(Math.abs(f16ToF32(y[i]!) - e) <= 1e-3 * Math.abs(e) + 1e-6)) yBad++;
  });
  let statBad = 0;
  for (let r = 0; r < b; r++) {
    if (!(Math.abs(stats[r]! - ref[1]!.data[r]!) <= 1e-5 * Math.abs(ref[1]!.data[r]!) + 1e-7)) statBad++;
    if (!(Math.abs(inv[r]! - ref[2]!.data[r]!) <= 1e-5 * Math.abs(ref[2]!.data[r]!))) statBad++;
  }
  return { yBad, statBad, validationError };
}
