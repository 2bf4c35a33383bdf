/**
 * "LayerNorm vs RMSNorm vs BatchNorm": what each one normalizes over (a batch × features grid with
 * the set of elements that share one mean/variance highlighted), and their measured speed on this
 * adapter for one activation shape. LayerNorm and RMSNorm are timed on the GPU with timestamp
 * queries; BatchNorm's GPU kernel is used when this build has it (`norm.batchNormInference`,
 * feature-detected — it is being added separately), otherwise only its CPU path is shown.
 */
import type { Normalizer } from '../dist/index.js';
import { cpu } from '../dist/index.js';
import { GpuTimer } from '../src/core/gpu-timer.js';
import { median } from '../bench/core/stats.js';
import { el, fmt, results } from './dom.js';
import { barChart } from './svg-chart.js';

const ROWS = 256;
const COLS = 768;
const REPS = 7;

/** What each op normalizes over, as the panel explains it. */
const OPS = [
  {
    name: 'LayerNorm',
    over: 'each token (row) over its features: its own mean and variance, then γ, β',
    used: 'Transformers (BERT, GPT-2): independent of batch size and sequence length',
    highlight: (r: number, _c: number) => r === 1,
  },
  {
    name: 'RMSNorm',
    over: 'each token over its features, without centring: x / √(mean(x²) + ε) · γ',
    used: 'LLaMA, Gemma, Mistral: one reduction fewer, same quality in practice',
    highlight: (r: number, _c: number) => r === 1,
  },
  {
    name: 'BatchNorm',
    over: 'each feature (column) over the batch: statistics shared across examples',
    used: 'CNNs with large batches; unusable at batch size 1 or with variable-length sequences',
    highlight: (_r: number, c: number) => c === 2,
  },
] as const;

/** A small SVG grid (batch × features) with the cells sharing one set of statistics filled. */
function axisDiagram(highlight: (r: number, c: number) => boolean, centred: boolean): string {
  const R = 4;
  const C = 6;
  const s = 16;
  const cells: string[] = [];
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++)
      cells.push(`<rect x="${34 + c * s}" y="${14 + r * s}" width="${s - 2}" height="${s - 2}" rx="2" fill="${highlight(r, c) ? (centred ? '#2563eb' : '#7c3aed') : '#e5e7eb'}"/>`);
  return (
    `<svg class="axis" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 140 84" width="140" height="84" font-size="9" font-family="system-ui, sans-serif">` +
    `<text x="34" y="10" fill="#4b5563">features →</text><text transform="translate(26 14) rotate(90)" fill="#4b5563">batch →</text>${cells.join('')}</svg>`
  );
}

/** BatchNorm in training mode on the CPU: per-column statistics over the rows (float64). */
export function batchNormCpu(x: Float32Array, rows: number, cols: number, epsilon = 1e-5): Float32Array {
  const mean = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += x[r * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const d = x[r * cols + c]! - mean[c]!;
      sq[c]! += d * d;
    }
  const y = new Float32Array(x.length);
  for (let c = 0; c < cols; c++) sq[c] = 1 / Math.sqrt(sq[c]! / rows + epsilon);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r * cols + c] = (x[r * cols + c]! - mean[c]!) * sq[c]!;
  return y;
}

function timeCpu(fn: () => unknown): number {
  // Batch calls so each sample lasts a few ms: pages not cross-origin isolated get a coarse clock.
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - t0;
    if (ms >= 5 || n >= 4096) break;
    n *= 2;
  }
  const samples: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push((performance.now() - t0) / n);
  }
  return median(samples);
}

/**
 * Times BatchNorm on the GPU when this build has it (feature-detected: the ops are being added
 * separately). Training-mode BatchNorm is two passes — per-channel batch statistics, then the
 * per-channel affine — so both are timed together, as kernels with the encode forms when they
 * exist, else as wall time of the convenience forms (labelled). A call shape this panel does not
 * know is reported in the note, not thrown.
 */
async function timeBatchNorm(norm: MaybeBatchNorm, x: Float32Array, bx: GPUBuffer, by: GPUBuffer, timer: GpuTimer, gpuMs: (number | null)[]): Promise<string> {
  // A [batch, channels] activation is NHWC with one spatial position.
  const shape = { batch: ROWS, channels: COLS, spatial: 1, layout: 'NHWC' as const };
  const d = norm.device;
  try {
    if (typeof norm.encodeBatchNormStats === 'function' && typeof norm.encodeBatchNormInference === 'function') {
      const stat = () => d.createBuffer({ size: COLS * 4, usage: GPUBufferUsage.STORAGE });
      const mean = stat();
      const variance = stat();
      try {
        const bn = (p: GPUComputePassEncoder) => {
          // #region library-code
          norm.encodeBatchNormStats!(p, { x: bx, mean, var: variance, ...shape });
          norm.encodeBatchNormInference!(p, { x: bx, y: by, runningMean: mean, runningVar: variance, ...shape });
          // #endregion
        };
        d.pushErrorScope('validation');
        await timer.untimed([bn], 2);
        const samples: number[] = [];
        for (let k = 0; k < REPS; k++) samples.push((await timer.sample([bn]))[0]!);
        const error = await d.popErrorScope();
        if (error) throw new Error(error.message);
        gpuMs[2] = median(samples);
        return 'BatchNorm runs on the GPU: batch statistics + normalize (encodeBatchNormStats + encodeBatchNormInference), kernel time.';
      } finally {
        mean.destroy();
        variance.destroy();
      }
    }
    const wall: number[] = [];
    for (let k = 0; k < REPS; k++) {
      const t0 = performance.now();
      const s = (await norm.batchNormStats!(x, shape)) as { mean: Float32Array; var: Float32Array };
      await norm.batchNormInference!(x, { ...shape, runningMean: s.mean, runningVar: s.var });
      wall.push(performance.now() - t0);
    }
    gpuMs[2] = median(wall);
    return 'BatchNorm runs on the GPU through norm.batchNormStats + norm.batchNormInference (wall time, uploads and readbacks included).';
  } catch (e) {
    gpuMs[2] = null;
    return `norm.batchNormInference exists but this panel could not run it (${e instanceof Error ? e.message : String(e)}); CPU path only.`;
  }
}

/** The BatchNorm members this panel uses, when the build has them (see the group-norm work). */
type MaybeBatchNorm = Normalizer & {
  batchNormInference?: (x: Float32Array, options: object) => Promise<unknown>;
  batchNormStats?: (x: Float32Array, options: object) => Promise<unknown>;
  encodeBatchNormStats?: (target: GPUComputePassEncoder, options: object) => unknown;
  encodeBatchNormInference?: (target: GPUComputePassEncoder, options: object) => unknown;
};

/**
 * Builds the panel into `host` and runs the timings.
 *
 * @example
 * ```ts
 * await mountNormComparison(document.getElementById('compare')!, norm);
 * ```
 */
export async function mountNormComparison(host: HTMLElement, norm: Normalizer | null): Promise<void> {
  const hasBatchNorm = typeof (norm as MaybeBatchNorm | null)?.batchNormInference === 'function';
  host.append(
    el(
      'div',
      { class: 'cards' },
      ...OPS.map((op) => {
        const card = el('div', { class: 'card' }, el('h3', {}, op.name), el('p', {}, el('b', {}, 'Normalizes '), op.over), el('p', { class: 'muted' }, op.used));
        card.insertAdjacentHTML('afterbegin', axisDiagram(op.highlight, op.name !== 'RMSNorm'));
        return card;
      }),
    ),
  );
  const chartHost = el('div', { class: 'chart', id: 'compare-chart' }, el('p', { class: 'muted' }, `Timing ${ROWS}×${COLS} activations…`));
  const note = el('p', { class: 'muted' });
  host.append(chartHost, note);
  await new Promise((r) => setTimeout(r, 0)); // let the cards paint before the busy loop

  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 3.4;
  const x = Float32Array.from({ length: ROWS * COLS }, rnd);
  const gamma = Float32Array.from({ length: COLS }, () => 1 + rnd() * 0.1);
  const beta = Float32Array.from({ length: COLS }, () => rnd() * 0.1);

  const cpuMs = [
    // #region library-code
    timeCpu(() => cpu.fast.layerNorm(x, { cols: COLS, gamma, beta })),
    timeCpu(() => cpu.fast.rmsNorm(x, { cols: COLS, gamma })),
    // #endregion
    timeCpu(() => batchNormCpu(x, ROWS, COLS)),
  ];
  let gpuMs: (number | null)[] = [null, null, null];
  let timing = 'GPU: not available here (no WebGPU)';
  let bnNote = '';
  if (norm) {
    const d = norm.device;
    const buf = (data: Float32Array | number, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST) => {
      const b = d.createBuffer({ size: typeof data === 'number' ? data : data.byteLength, usage });
      if (typeof data !== 'number') d.queue.writeBuffer(b, 0, data);
      return b;
    };
    const bx = buf(x);
    const by = buf(x.byteLength);
    const bg = buf(gamma);
    const bb = buf(beta);
    const timer = new GpuTimer(d);
    try {
      // #region library-code
      const ln = (p: GPUComputePassEncoder) => void norm.encodeLayerNorm(p, { x: bx, y: by, gamma: bg, beta: bb, rows: ROWS, cols: COLS });
      const rms = (p: GPUComputePassEncoder) => void norm.encodeRmsNorm(p, { x: bx, y: by, gamma: bg, rows: ROWS, cols: COLS });
      // #endregion
      await timer.untimed([ln, rms], 2);
      const samples: number[][] = [[], []];
      for (let k = 0; k < REPS; k++) (await timer.sample([ln, rms])).forEach((v, i) => samples[i]!.push(v));
      gpuMs = [median(samples[0]!), median(samples[1]!), null];
      timing = timer.mode === 'timestamp-query' ? 'GPU kernel time from timestamp queries' : 'GPU time as submit→done wall time (no timestamp-query: an upper bound)';
      if (hasBatchNorm) bnNote = await timeBatchNorm(norm as MaybeBatchNorm, x, bx, by, timer, gpuMs);
    } finally {
      timer.destroy();
      [bx, by, bg, bb].forEach((b) => b.destroy());
    }
  }
  results.compare = { rows: ROWS, cols: COLS, gpuMs, cpuMs, hasBatchNorm };
  chartHost.innerHTML = barChart(
    OPS.map((o) => o.name),
    [
      { label: 'GPU', color: '#2563eb', values: gpuMs },
      { label: 'CPU (JavaScript, this tab)', color: '#dc2626', values: cpuMs },
    ],
    { title: `Median time for ${ROWS}×${COLS} f32 activations (log scale)`, yLabel: 'ms per call', log: true, width: 620, format: (v) => fmt(v, 3) },
  );
  note.textContent =
    `${timing}; CPU: cpu.fast (LN, RMS) and a plain float64 BatchNorm in this tab's JavaScript. ` +
    (hasBatchNorm ? bnNote : 'BatchNorm: this build of webgpu-norm has no GPU BatchNorm yet (norm.batchNormInference is missing), so only its CPU path is shown.') +
    ' On a CPU adapter such as SwiftShader, GPU times are CPU times in disguise; on a real GPU the gap is large.';
}
