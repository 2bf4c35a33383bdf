/**
 * One case of the LayerNorm / RMSNorm backward passes, run in the page: inputs from a seed, the
 * forward pass on the GPU (its mean/rstd are what the backward pass reuses), the backward pass on
 * the GPU (convenience form; or the caller's encoder / compute pass with every operand at a
 * non-zero offset, forward and backward recorded into the same encoder), inside a validation error
 * scope; gradients compared with the float64 reference fed the same f32 statistics.
 *
 * Tolerances (stated in the README):
 * - dx, f32: |gpu − ref| ≤ 1e-4·|ref| + 1e-5·rstd·(|g_i| + mean|g| + |x̂_i|·mean|g·x̂|), the last
 *   term being the size of what dx is computed from (g = dy·γ), so cancellation is accounted for.
 * - dx, f16: 1 f16 ULP of the reference rounded to f16, or the f32 bound near zero.
 * - dgamma: |gpu − ref| ≤ 1e-5·Σ_rows|dy·x̂|; dbeta: ≤ 1e-5·Σ_rows|dy| (relative to Σ|terms|).
 */
import { outputHash } from '../shared/output-hash.js';
import { cpu, f16ToF32, f32ToF16, type RowNormVariant, type Normalizer } from '../../dist/index.js';
import { compare, compareF16, type Comparison } from '../shared/compare.js';
import { makeAffine, makeInput, normal, rng, type Pattern } from '../shared/data.js';

export interface BackwardCase {
  readonly op: 'layerNorm' | 'rmsNorm';
  readonly rows: number;
  readonly cols: number;
  readonly pattern: Pattern;
  readonly seed: number;
  readonly gamma: boolean;
  readonly dtype: 'f32' | 'f16';
  readonly form: 'convenience' | 'encode' | 'pass';
  /** Add a residual-stream gradient (fused add ops). */
  readonly dsum?: boolean;
  readonly gammaOffset?: number;
  readonly variant?: RowNormVariant;
}

export interface BackwardCaseResult {
  readonly dx: Comparison;
  readonly dgamma: Comparison;
  readonly dbeta: Comparison | null;
  readonly validationError: string | null;
  readonly variant: RowNormVariant | null;
  readonly ms: number;
  /** Digest of dx, dgamma and dbeta's bytes, to prove a refactor bit-identical. */
  readonly hash: string;
}

type Arr = Float32Array | Uint16Array;
const align = (n: number, a: number) => Math.ceil(n / a) * a;
const toStorage = (v: Float32Array, dtype: 'f32' | 'f16'): Arr => (dtype === 'f32' ? v : Uint16Array.from(v, (e) => f32ToF16(e)));
const values = (a: Arr): Float32Array => (a instanceof Uint16Array ? Float32Array.from(a, (b) => f16ToF32(b)) : a);

function inputs(c: BackwardCase) {
  const x = toStorage(makeInput(c.pattern, c.rows, c.cols, c.seed), c.dtype);
  const n = normal(rng(c.seed * 31 + 7));
  const dy = toStorage(Float32Array.from({ length: c.rows * c.cols }, () => n()), c.dtype);
  const dsum = c.dsum ? toStorage(Float32Array.from({ length: c.rows * c.cols }, () => 0.5 * n()), c.dtype) : undefined;
  const gamma = c.gamma ? makeAffine(c.cols, c.seed).gamma : undefined;
  return { x, dy, dsum, gamma };
}

/** Forward on the GPU for the statistics, then backward through the chosen form. */
async function runGpu(norm: Normalizer, c: BackwardCase, inp: ReturnType<typeof inputs>) {
  const rms = c.op === 'rmsNorm';
  const { x, dy, dsum, gamma } = inp;
  const gammaOffset = c.gammaOffset;
  if (c.form === 'convenience') {
    const fwd = rms
      ? await norm.rmsNorm(x as Float32Array, { cols: c.cols, gamma, ...(gammaOffset !== undefined ? { gammaOffset } : {}) })
      : await norm.layerNorm(x as Float32Array, { cols: c.cols, gamma });
    const mean = rms ? undefined : (fwd as unknown as { mean: Float32Array }).mean;
    const common = { cols: c.cols, gamma, rstd: fwd.rstd, dsum };
    const r = rms
      ? await norm.rmsNormBackward(dy as Float32Array, x as Float32Array, { ...common, ...(gammaOffset !== undefined ? { gammaOffset } : {}) })
      : await norm.layerNormBackward(dy as Float32Array, x as Float32Array, { ...common, mean: mean! });
    return { dx: r.dx as Arr, dgamma: r.dgamma, dbeta: (r as { dbeta?: Float32Array }).dbeta, mean, rstd: fwd.rstd, variant: null };
  }
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const act = align(c.rows * c.cols * (c.dtype === 'f16' ? 2 : 4), 4);
  const created: GPUBuffer[] = [];
  const place = (data: Arr | undefined, bytes: number, offset = A) => {
    const buffer = device.createBuffer({ size: offset + align(bytes, 4), usage: S });
    created.push(buffer);
    if (data) {
      const padded = new Uint8Array(align(data.byteLength, 4));
      padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      device.queue.writeBuffer(buffer, offset, padded);
    }
    return { buffer, offset, size: align(bytes, 4) };
  };
  const xb = place(x, act);
  const g = gamma ? place(gamma, c.cols * 4) : undefined;
  const meanB = rms ? undefined : place(undefined, c.rows * 4);
  const rstdB = place(undefined, c.rows * 4, 2 * A);
  const yB = place(undefined, act);
  const dxB = place(undefined, act, 3 * A);
  const dgB = place(undefined, c.cols * 4);
  const dbB = rms ? undefined : place(undefined, c.cols * 4, 2 * A);
  const encoder = device.createCommandEncoder();
  const shape = { rows: c.rows, cols: c.cols, dtype: c.dtype };
  const go = (target: GPUCommandEncoder | GPUComputePassEncoder) => {
    if (rms) norm.encodeRmsNorm(target, { ...shape, x: xb, y: yB, gamma: g, rstd: rstdB, ...(gammaOffset !== undefined ? { gammaOffset } : {}) });
    else norm.encodeLayerNorm(target, { ...shape, x: xb, y: yB, gamma: g, mean: meanB, rstd: rstdB });
    const common = { ...shape, dy: place(dy, act), x: xb, dx: dxB, gamma: g, rstd: rstdB, dgamma: dgB, dsum: dsum && place(dsum, act), variant: c.variant };
    return rms
      ? norm.encodeRmsNormBackward(target, { ...common, ...(gammaOffset !== undefined ? { gammaOffset } : {}) })
      : norm.encodeLayerNormBackward(target, { ...common, mean: meanB!, dbeta: dbB });
  };
  let variant: RowNormVariant;
  if (c.form === 'pass') {
    const pass = encoder.beginComputePass();
    variant = go(pass);
    pass.end();
  } else variant = go(encoder);
  const outs = [dxB, dgB, rstdB, ...(rms ? [] : [dbB!, meanB!])];
  const total = outs.reduce((s, o) => s + o.size, 0);
  const rb = device.createBuffer({ size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  created.push(rb);
  let at = 0;
  const offsets = outs.map((o) => {
    encoder.copyBufferToBuffer(o.buffer, o.offset, rb, at, o.size);
    at += o.size;
    return at - o.size;
  });
  device.queue.submit([encoder.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const data = rb.getMappedRange();
  const n = c.rows * c.cols;
  const f32 = (i: number, len: number) => new Float32Array(data.slice(offsets[i]!, offsets[i]! + len * 4));
  const out = {
    dx: (c.dtype === 'f16' ? new Uint16Array(data.slice(0, n * 2)) : f32(0, n)) as Arr,
    dgamma: f32(1, c.cols),
    rstd: f32(2, c.rows),
    dbeta: rms ? undefined : f32(3, c.cols),
    mean: rms ? undefined : f32(4, c.rows),
    variant,
  };
  rb.unmap();
  for (const b of created) b.destroy();
  return out;
}

/** Runs one backward case and compares dx, dgamma, dbeta with the float64 reference. */
export async function backwardCase(norm: Normalizer, c: BackwardCase): Promise<BackwardCaseResult> {
  const inp = inputs(c);
  norm.device.pushErrorScope('validation');
  const t0 = performance.now();
  let out: Awaited<ReturnType<typeof runGpu>>;
  let scope: GPUError | null;
  try {
    out = await runGpu(norm, c, inp);
  } finally {
    scope = await norm.device.popErrorScope();
  }
  const ms = performance.now() - t0;
  const rms = c.op === 'rmsNorm';
  const { rows, cols } = c;
  const off = rms ? (c.gammaOffset ?? 0) : 0;
  const opts = { cols, gamma: inp.gamma, rstd: out.rstd, dsum: inp.dsum, ...(c.gammaOffset !== undefined ? { gammaOffset: c.gammaOffset } : {}) };
  const ref = rms
    ? cpu.rmsNormBackwardF64(inp.dy as Float32Array, inp.x as Float32Array, opts)
    : cpu.layerNormBackwardF64(inp.dy as Float32Array, inp.x as Float32Array, { ...opts, mean: out.mean! });

  // Scales for the tolerances, from the same inputs and statistics.
  const dy = values(inp.dy);
  const x = values(inp.x);
  const scale = new Float64Array(rows * cols);
  const sumAbsDgamma = new Float64Array(cols);
  const sumAbsDbeta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const m = rms ? 0 : out.mean![r]!;
    const s = out.rstd[r]!;
    let ag = 0;
    let agx = 0;
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const xh = (x[i]! - m) * s;
      const g = dy[i]! * (inp.gamma ? inp.gamma[j]! + off : 1 + off);
      ag += Math.abs(g);
      agx += Math.abs(g * xh);
      sumAbsDgamma[j] = sumAbsDgamma[j]! + Math.abs(dy[i]! * xh);
      sumAbsDbeta[j] = sumAbsDbeta[j]! + Math.abs(dy[i]!);
    }
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const xh = (x[i]! - m) * s;
      const g = dy[i]! * (inp.gamma ? inp.gamma[j]! + off : 1 + off);
      scale[i] = s * (Math.abs(g) + ag / cols + Math.abs(xh) * (agx / cols)) + (inp.dsum ? Math.abs(values(inp.dsum)[i]!) : 0);
    }
  }
  const dxTol = (i: number) => 1e-5 * scale[i]!;
  const dx =
    c.dtype === 'f16'
      ? compareF16(out.dx as Uint16Array, ref.dx, f32ToF16, 1, undefined, dxTol, f16ToF32)
      : compare(out.dx, ref.dx, { rtol: 1e-4, atol: dxTol });
  const dgamma = compare(out.dgamma, ref.dgamma, { rtol: 0, atol: (j) => 1e-5 * sumAbsDgamma[j]! + 1e-30 });
  const dbeta = rms ? null : compare(out.dbeta!, (ref as unknown as { dbeta: Float64Array }).dbeta, { rtol: 0, atol: (j) => 1e-5 * sumAbsDbeta[j]! + 1e-30 });
  return { dx, dgamma, dbeta, validationError: scope ? scope.message : null, variant: out.variant, ms, hash: outputHash(out.dx, out.dgamma, out.dbeta) };
}

/** Runs the same backward call twice (fresh uploads) and reports whether every output bit matched. */
export async function backwardDeterminism(norm: Normalizer, c: BackwardCase): Promise<{ identical: boolean; differing: number }> {
  const inp = inputs(c);
  const once = async () => {
    const r = await runGpu(norm, c, inp);
    const bits = (a: Float32Array | Uint16Array | undefined) => (a ? new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)) : new Uint8Array());
    return [bits(r.dx), bits(r.dgamma), bits(r.dbeta)];
  };
  const a = await once();
  const b = await once();
  let differing = 0;
  for (let k = 0; k < a.length; k++) {
    const p = a[k]!;
    const q = b[k]!;
    for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) differing++;
  }
  return { identical: differing === 0, differing };
}
