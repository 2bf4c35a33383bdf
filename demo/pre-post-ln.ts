/**
 * "Pre-LN vs Post-LN": a stack of transformer-style blocks, sublayer = one matmul (a stand-in for
 * attention or the MLP), run on the GPU in ONE compute pass where our matmul kernel and the
 * library's fused residual-add + LayerNorm kernel alternate:
 *
 * - Post-LN (original Transformer): x₍ₗ₊₁₎ = LN(xₗ + xₗWₗ)          → encodeAddLayerNorm(x: xₗ, residual: f, y: x₍ₗ₊₁₎)
 * - Pre-LN  (GPT-2 onwards):        h₍ₗ₊₁₎ = hₗ + LN(hₗ)Wₗ, carrying uₗ = LN(hₗ)
 *                                    → encodeAddLayerNorm(x: hₗ, residual: f, sum: h₍ₗ₊₁₎, y: u₍ₗ₊₁₎)
 *
 * Every intermediate is read back and its statistics shown per layer: in Pre-LN the residual stream
 * is never normalized and its scale grows with depth, while each sublayer still sees unit-scale
 * input; in Post-LN the stream is re-normalized after every block. The whole stack is recomputed
 * on the CPU (float64 reference) and the difference reported.
 */
import type { Normalizer } from '../dist/index.js';
import { cpu } from '../dist/index.js';
import { el, fmt, results } from './dom.js';
import { lineChart } from './svg-chart.js';

const ROWS = 16;
const D = 64;

const MATMUL_WGSL = /* wgsl */ `
struct Dims { rows: u32, d: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> o: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= dims.rows * dims.d) { return; }
  let r = i / dims.d;
  let j = i % dims.d;
  var acc = 0.0;
  for (var k = 0u; k < dims.d; k++) { acc += a[r * dims.d + k] * w[k * dims.d + j]; }
  o[i] = acc;
}`;

/** Mean, standard deviation and max |v| over all elements. Pure. */
export function stats(v: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let maxAbs = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(v[i]!));
  }
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(q / v.length), maxAbs };
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  // Box–Muller: normal draws, so weight scale means what the text says.
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function matmulCpu(a: Float32Array, w: Float32Array): Float32Array {
  const o = new Float32Array(ROWS * D);
  for (let r = 0; r < ROWS; r++)
    for (let j = 0; j < D; j++) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += a[r * D + k]! * w[k * D + j]!;
      o[r * D + j] = acc;
    }
  return o;
}

interface LayoutResult {
  /** Per layer 0…L: the residual stream (Pre-LN hₗ; Post-LN the sum before its norm, xₗ for l = 0). */
  readonly stream: Float32Array[];
  /** Per layer 0…L: what the next sublayer reads (Pre-LN uₗ = LN(hₗ); Post-LN xₗ). */
  readonly normed: Float32Array[];
}

/** Both layouts on the CPU (float64 reference for the norms, f32 matmul), for the comparison. */
function runCpu(x0: Float32Array, weights: Float32Array[]): { pre: LayoutResult; post: LayoutResult } {
  const post: LayoutResult = { stream: [x0], normed: [x0] };
  let x = x0;
  for (const w of weights) {
    const r = cpu.addLayerNorm(x, matmulCpu(x, w), { cols: D });
    post.stream.push(r.sum);
    post.normed.push(r.y);
    x = r.y;
  }
  let h = x0;
  let u = cpu.layerNorm(x0, { cols: D }).y;
  const pre: LayoutResult = { stream: [h], normed: [u] };
  for (const w of weights) {
    const r = cpu.addLayerNorm(h, matmulCpu(u, w), { cols: D });
    h = r.sum;
    u = r.y;
    pre.stream.push(h);
    pre.normed.push(u);
  }
  return { pre, post };
}

/** Both layouts on the GPU: one command encoder, one compute pass, matmul and fused add+LN interleaved. */
async function runGpu(norm: Normalizer, x0: Float32Array, weights: Float32Array[]): Promise<{ pre: LayoutResult; post: LayoutResult }> {
  const device = norm.device;
  const L = weights.length;
  const bytes = ROWS * D * 4;
  const owned: GPUBuffer[] = [];
  const slot = (data?: Float32Array) => {
    const b = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    if (data) device.queue.writeBuffer(b, 0, data);
    owned.push(b);
    return b;
  };
  const module = device.createShaderModule({ code: MATMUL_WGSL, label: 'demo matmul' });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'demo matmul' });
  const dims = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  owned.push(dims);
  device.queue.writeBuffer(dims, 0, new Uint32Array([ROWS, D, 0, 0]));
  const ws = weights.map((w) => {
    const b = device.createBuffer({ size: w.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(b, 0, w);
    owned.push(b);
    return b;
  });
  const matmul = (pass: GPUComputePassEncoder, a: GPUBuffer, w: GPUBuffer, o: GPUBuffer) => {
    // Set after every library call: encode… leaves its own pipeline and bind group 0 on the pass.
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [a, w, o, dims].map((buffer, binding) => ({ binding, resource: { buffer } })) }));
    pass.dispatchWorkgroups(Math.ceil((ROWS * D) / 64));
  };

  const postX = [slot(x0)];
  const postH = [postX[0]!];
  const preH = [slot(x0)];
  const preU = [slot()];
  const f = slot();
  const encoder = device.createCommandEncoder({ label: 'demo pre/post-LN stack' });
  device.pushErrorScope('validation');
  // #region library-code
  const pass = encoder.beginComputePass();
  for (let l = 0; l < L; l++) {
    const y = slot();
    const h = slot();
    matmul(pass, postX[l]!, ws[l]!, f);
    norm.encodeAddLayerNorm(pass, { x: postX[l]!, residual: f, sum: h, y, rows: ROWS, cols: D });
    postX.push(y);
    postH.push(h);
  }
  norm.encodeLayerNorm(pass, { x: preH[0]!, y: preU[0]!, rows: ROWS, cols: D });
  for (let l = 0; l < L; l++) {
    const h = slot();
    const u = slot();
    matmul(pass, preU[l]!, ws[l]!, f);
    norm.encodeAddLayerNorm(pass, { x: preH[l]!, residual: f, sum: h, y: u, rows: ROWS, cols: D });
    preH.push(h);
    preU.push(u);
  }
  pass.end();
  // #endregion
  const all = [...postH, ...postX, ...preH, ...preU];
  const readback = device.createBuffer({ size: bytes * all.length, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  all.forEach((b, i) => encoder.copyBufferToBuffer(b, 0, readback, i * bytes, bytes));
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  try {
    if (error) throw new Error(`WebGPU validation error in the stack: ${error.message}`);
    await readback.mapAsync(GPUMapMode.READ);
    const data = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    const at = (i: number) => data.subarray(i * ROWS * D, (i + 1) * ROWS * D);
    const n = L + 1;
    return {
      post: { stream: postH.map((_, i) => at(i)), normed: postX.map((_, i) => at(n + i)) },
      pre: { stream: preH.map((_, i) => at(2 * n + i)), normed: preU.map((_, i) => at(3 * n + i)) },
    };
  } finally {
    readback.destroy();
    owned.forEach((b) => b.destroy());
  }
}

/**
 * Builds the panel into `host` (controls, chart, table) and runs it; reruns when a control changes.
 *
 * @example
 * ```ts
 * await mountPrePostLn(document.getElementById('prepost')!, norm);
 * ```
 */
export async function mountPrePostLn(host: HTMLElement, norm: Normalizer | null): Promise<void> {
  const layers = el('input', { type: 'number', min: '1', max: '48', value: '12', id: 'pp-layers', 'aria-label': 'layers' });
  const gain = el('input', { type: 'range', min: '0.2', max: '3', step: '0.1', value: '1', id: 'pp-gain', 'aria-label': 'sublayer weight gain' });
  const gainText = el('output', {}, '1.0');
  const chart = el('div', { class: 'chart', id: 'prepost-chart' });
  const table = el('table', { class: 'stats', title: 'each cell: standard deviation / largest |value|' });
  const verdict = el('p', { class: 'verdict', id: 'prepost-verdict' });
  host.append(
    el('div', { class: 'controls' }, el('label', {}, 'blocks ', layers), el('label', {}, 'sublayer weight scale (× 1/√d) ', gain, ' ', gainText)),
    el('div', { class: 'split' }, chart, el('div', {}, el('p', { class: 'muted' }, 'each cell: std / max |value| over all 16 × 64 activations'), table)),
    verdict,
  );

  async function run(): Promise<void> {
    const L = Math.max(1, Math.min(48, Math.round(Number(layers.value)) || 12));
    const g = Number(gain.value);
    gainText.textContent = g.toFixed(1);
    const rnd = rng(7);
    const x0 = Float32Array.from({ length: ROWS * D }, () => rnd());
    const weights = Array.from({ length: L }, () => Float32Array.from({ length: D * D }, () => (rnd() * g) / Math.sqrt(D)));
    const ref = runCpu(x0, weights);
    const gpu = norm ? await runGpu(norm, x0, weights) : null;
    const use = gpu ?? ref;
    const xs = Array.from({ length: L + 1 }, (_, l) => String(l));
    const std = (arr: Float32Array[]) => arr.map((a) => stats(a).std);
    chart.innerHTML = lineChart(
      xs,
      [
        { label: 'Pre-LN residual stream hₗ', color: '#2563eb', values: std(use.pre.stream) },
        { label: 'Post-LN xₗ + F(xₗ) (before LN)', color: '#dc2626', values: std(use.post.stream) },
        { label: 'LN output (both)', color: '#6b7280', values: std(use.post.normed), dashed: true },
      ],
      { title: `Std of activations after each block (${gpu ? 'GPU' : 'CPU'}, ${ROWS} tokens × ${D})`, yLabel: 'standard deviation', xLabel: 'block', width: 600, format: (v) => fmt(v, 3) },
    );
    const sp = (a: Float32Array) => {
      const s = stats(a);
      return `${fmt(s.std, 3)} / ${fmt(s.maxAbs, 3)}`;
    };
    table.replaceChildren(
      el('tr', {}, el('th', {}, 'block'), el('th', {}, 'Pre-LN hₗ'), el('th', {}, 'Pre-LN LN(hₗ)'), el('th', {}, 'Post-LN sum'), el('th', {}, 'Post-LN xₗ')),
      ...xs.map((x, l) => el('tr', {}, el('td', {}, x), el('td', {}, sp(use.pre.stream[l]!)), el('td', {}, sp(use.pre.normed[l]!)), el('td', {}, sp(use.post.stream[l]!)), el('td', {}, sp(use.post.normed[l]!)))),
    );
    let maxErr = 0;
    if (gpu) {
      for (const k of ['pre', 'post'] as const)
        for (const part of ['stream', 'normed'] as const) gpu[k][part].forEach((a, l) => a.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - ref[k][part][l]![i]!)))));
    }
    const preStd0 = stats(use.pre.stream[0]!).std;
    const preStdL = stats(use.pre.stream[L]!).std;
    const preGrowth = preStdL / preStd0;
    results.prepost = { layers: L, gain: g, maxErr: gpu ? maxErr : null, preGrowth, preStd: std(use.pre.stream), postStd: std(use.post.stream) };
    verdict.textContent =
      // The two stds as the table prints them, so the text and the table agree digit for digit.
      `After ${L} blocks the Pre-LN residual stream's std has grown from ${fmt(preStd0, 3)} to ${fmt(preStdL, 3)} (${fmt(preGrowth, 3)}×) — it is never normalized, so it grows with depth while every sublayer still reads unit-scale LN(hₗ); Post-LN renormalizes the stream after every block, so gradients must pass through ${L} norms on the way back, which is why it needs learning-rate warm-up. ` +
      (gpu ? `GPU stack (${2 * L} matmuls + ${2 * L + 1} norm kernels in one compute pass) vs the CPU reference: max |Δ| = ${fmt(maxErr, 2)}.` : 'Computed on the CPU (no WebGPU).');
  }
  const rerun = () => void run().catch((e) => console.error(e));
  layers.addEventListener('change', rerun);
  gain.addEventListener('input', rerun);
  await run();
}
