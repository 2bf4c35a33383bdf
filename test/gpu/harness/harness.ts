/**
 * Runs inside headless Chromium. Imports the *built* library (dist/index.js), so the tests cover
 * the package users install. Generates each case's inputs from its seed, runs it on the GPU inside
 * a validation error scope, compares with the float64 reference, and returns a small summary (no
 * large arrays cross the DevTools protocol).
 */
import { createNormalizer, cpu, NormError, type LayerNormVariant, type Normalizer } from '../../../dist/index.js';
import { compare, type Comparison } from '../../shared/compare.js';
import { makeAffine, makeInput, poisonedRow, type Pattern } from '../../shared/data.js';
import { meanTolerance, rstdTolerance, yTolerance } from '../../shared/tolerance.js';

export interface LayerNormCase {
  readonly rows: number;
  readonly cols: number;
  readonly pattern: Pattern;
  readonly seed: number;
  readonly affine: 'none' | 'gamma' | 'beta' | 'both';
  readonly epsilon: number;
  /** convenience: typed arrays; encode: caller's encoder, operands at non-zero offsets; pass: caller's compute pass. */
  readonly form: 'convenience' | 'encode' | 'pass';
  readonly variant?: LayerNormVariant;
}

export interface LayerNormCaseResult {
  readonly y: Comparison;
  readonly mean: Comparison;
  readonly rstd: Comparison;
  /** The poisoned row (nan-row / inf-row), how many of its outputs are non-finite, and of how many. */
  readonly poisoned: { row: number; nonFinite: number; cols: number } | null;
  readonly validationError: string | null;
  readonly uncapturedErrors: readonly string[];
  readonly variant: LayerNormVariant | null;
  readonly gpuMs: number;
}

let normPromise: Promise<Normalizer> | undefined;
const uncaptured: string[] = [];

function normalizer(): Promise<Normalizer> {
  normPromise ??= createNormalizer().then((n) => {
    n.device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
    return n;
  });
  return normPromise;
}

const align = (n: number, a: number) => Math.ceil(n / a) * a;

async function runEncoded(norm: Normalizer, c: LayerNormCase, x: Float32Array, gamma?: Float32Array, beta?: Float32Array) {
  const { device } = norm;
  const { rows, cols } = c;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const make = (size: number, usage: number) => device.createBuffer({ size: align(size, 4), usage });
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  // x sits at offset A, y at offset 2A of their buffers; gamma and beta share one buffer (read-only
  // aliasing is allowed); mean and rstd share another at distinct offsets.
  const xBuf = make(A + x.byteLength, S);
  const yBuf = make(2 * A + x.byteLength, S);
  const gbOff = align(cols * 4, A);
  const gbBuf = make(2 * gbOff, S);
  const statOff = align(rows * 4, A);
  const statBuf = make(2 * statOff, S);
  device.queue.writeBuffer(xBuf, A, x);
  if (gamma) device.queue.writeBuffer(gbBuf, 0, gamma);
  if (beta) device.queue.writeBuffer(gbBuf, gbOff, beta);
  const operands = {
    x: { buffer: xBuf, offset: A, size: x.byteLength },
    y: { buffer: yBuf, offset: 2 * A },
    gamma: gamma ? { buffer: gbBuf, offset: 0, size: cols * 4 } : undefined,
    beta: beta ? { buffer: gbBuf, offset: gbOff, size: cols * 4 } : undefined,
    mean: { buffer: statBuf, offset: 0, size: rows * 4 },
    rstd: { buffer: statBuf, offset: statOff, size: rows * 4 },
    rows,
    cols,
    epsilon: c.epsilon,
    variant: c.variant,
  };
  const encoder = device.createCommandEncoder();
  let variant: LayerNormVariant;
  if (c.form === 'pass') {
    const pass = encoder.beginComputePass();
    variant = norm.encodeLayerNorm(pass, operands);
    pass.end();
  } else {
    variant = norm.encodeLayerNorm(encoder, operands);
  }
  const yBytes = x.byteLength;
  const rb = device.createBuffer({ size: yBytes + 2 * rows * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  encoder.copyBufferToBuffer(yBuf, 2 * A, rb, 0, yBytes);
  encoder.copyBufferToBuffer(statBuf, 0, rb, yBytes, rows * 4);
  encoder.copyBufferToBuffer(statBuf, statOff, rb, yBytes + rows * 4, rows * 4);
  device.queue.submit([encoder.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const all = new Float32Array(rb.getMappedRange().slice(0));
  rb.unmap();
  for (const b of [xBuf, yBuf, gbBuf, statBuf, rb]) b.destroy();
  return { y: all.subarray(0, rows * cols), mean: all.subarray(rows * cols, rows * cols + rows), rstd: all.subarray(rows * cols + rows), variant };
}

function* rowsExcept(rows: number, skip: number) {
  for (let r = 0; r < rows; r++) if (r !== skip) yield r;
}

async function layerNormCase(c: LayerNormCase): Promise<LayerNormCaseResult> {
  const norm = await normalizer();
  const { rows, cols } = c;
  const x = makeInput(c.pattern, rows, cols, c.seed);
  const affine = makeAffine(cols, c.seed);
  const gamma = c.affine === 'gamma' || c.affine === 'both' ? affine.gamma : undefined;
  const beta = c.affine === 'beta' || c.affine === 'both' ? affine.beta : undefined;

  uncaptured.length = 0;
  norm.device.pushErrorScope('validation');
  const t0 = performance.now();
  let out!: { y: Float32Array; mean: Float32Array; rstd: Float32Array; variant: LayerNormVariant | null };
  let scopeError: GPUError | null = null;
  try {
    out =
      c.form === 'convenience'
        ? { ...(await norm.layerNorm(x, { cols, gamma, beta, epsilon: c.epsilon })), variant: null }
        : await runEncoded(norm, c, x, gamma, beta);
  } finally {
    scopeError = await norm.device.popErrorScope();
  }
  const gpuMs = performance.now() - t0;

  const ref = cpu.layerNormF64(x, { cols, gamma, beta, epsilon: c.epsilon });
  const bad = poisonedRow(c.pattern, rows);
  const healthyRows = () => rowsExcept(rows, bad);
  const healthyElements = function* () {
    for (const r of rowsExcept(rows, bad)) for (let j = 0; j < cols; j++) yield r * cols + j;
  };
  let nonFinite = 0;
  if (bad >= 0) for (let j = 0; j < cols; j++) if (!Number.isFinite(out.y[bad * cols + j]!)) nonFinite++;
  return {
    y: compare(out.y, ref.y, yTolerance(cols, gamma), healthyElements()),
    mean: compare(out.mean, ref.mean, meanTolerance(ref.rstd), healthyRows()),
    rstd: compare(out.rstd, ref.rstd, rstdTolerance, healthyRows()),
    poisoned: bad >= 0 ? { row: bad, nonFinite, cols } : null,
    validationError: scopeError ? scopeError.message : null,
    uncapturedErrors: [...uncaptured],
    variant: out.variant,
    gpuMs,
  };
}

/** Calls `fn` and reports the NormError it throws (code, argument), or null if it did not throw one. */
async function expectNormError(fn: (norm: Normalizer, device: GPUDevice) => unknown): Promise<{ code: string; argument?: string; message: string } | { other: string } | null> {
  const norm = await normalizer();
  try {
    await fn(norm, norm.device);
    return null;
  } catch (e) {
    if (e instanceof NormError) return { code: e.code, argument: e.argument, message: e.message };
    return { other: String(e) };
  }
}

async function adapterInfo() {
  const norm = await normalizer();
  const d = norm.device;
  return { features: [...d.features], vendor: d.adapterInfo?.vendor, architecture: d.adapterInfo?.architecture, limits: { maxComputeWorkgroupsPerDimension: d.limits.maxComputeWorkgroupsPerDimension, minStorageBufferOffsetAlignment: d.limits.minStorageBufferOffsetAlignment } };
}

const harness = { layerNormCase, expectNormError, adapterInfo, normalizer };
(window as unknown as { harness: typeof harness }).harness = harness;
export type Harness = typeof harness;

// ---- GroupNorm / InstanceNorm / BatchNorm: functions in ./channel-norm.ts, added to the same
// window.harness object (tests type it as Harness & ChannelNormHarness). ----
import { channelNormHarness } from './channel-norm.js';
Object.assign(harness, channelNormHarness);
