/**
 * One Lp normalization case, run in the page: inputs from a seed (scaled to reach the kernel's
 * overflow and underflow paths), the op on the GPU in one of three forms inside a validation error
 * scope, compared with the float64 reference. Tolerances: y within 1e-5 relative (f32) or 1 f16
 * ULP (f16); the norm within 5e-6 relative.
 */
import { cpu, f16ToF32, f32ToF16, type LpNormVariant, type Normalizer } from '../../dist/index.js';
import { compare, compareF16, type Comparison } from '../shared/compare.js';
import { makeInput, poisonedRow, type Pattern } from '../shared/data.js';
import { outputHash } from '../shared/output-hash.js';

export interface LpNormCase {
  readonly rows: number;
  readonly cols: number;
  readonly p: 1 | 2;
  readonly dtype: 'f32' | 'f16';
  readonly pattern: Pattern;
  readonly seed: number;
  /** Multiplies the inputs: 1e30 overflows f32 squares, 1e-30 underflows them. */
  readonly scale: number;
  readonly epsilon?: number;
  /** convenience: typed arrays; encode: caller's encoder, operands at non-zero offsets; pass: caller's compute pass. */
  readonly form: 'convenience' | 'encode' | 'pass';
  readonly variant?: LpNormVariant;
  /** Rows interleaved this far apart (a middle axis); default 1. */
  readonly inner?: number;
}

export interface LpNormCaseResult {
  readonly y: Comparison;
  readonly norm: Comparison;
  /** What the GPU wrote for norms beyond f32's range (each must be +Inf). */
  readonly normOverflow: string[];
  /** The poisoned row (nan-row / inf-row): how many of its y are NaN, of how many; is its norm non-finite. */
  readonly poisoned: { row: number; nan: number; cols: number; normFinite: boolean } | null;
  readonly validationError: string | null;
  readonly variant: LpNormVariant | null;
  readonly hash: string;
}

type Outputs = { y: Float32Array | Uint16Array; norm: Float32Array; variant: LpNormVariant | null };
const align = (n: number, a: number) => Math.ceil(n / a) * a;
const F32_MAX = 3.4028234663852886e38;

/** The caller's own buffers at non-zero offsets, recorded into its encoder or its open pass. */
async function runEncoded(norm: Normalizer, c: LpNormCase, x: Float32Array | Uint16Array): Promise<Outputs> {
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const bytes = align(x.byteLength, 4);
  const created: GPUBuffer[] = [];
  const buffer = (size: number) => {
    const b = device.createBuffer({ size, usage });
    created.push(b);
    return b;
  };
  const xb = buffer(A + bytes);
  const padded = new Uint8Array(bytes);
  padded.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
  device.queue.writeBuffer(xb, A, padded);
  const yb = buffer(2 * A + bytes);
  const nb = buffer(A + c.rows * 4);
  const encoder = device.createCommandEncoder();
  const options = {
    x: { buffer: xb, offset: A, size: bytes },
    y: { buffer: yb, offset: 2 * A, size: bytes },
    norm: { buffer: nb, offset: A },
    rows: c.rows,
    cols: c.cols,
    p: c.p,
    dtype: c.dtype,
    ...(c.epsilon !== undefined ? { epsilon: c.epsilon } : {}),
    ...(c.variant ? { variant: c.variant } : {}),
    ...(c.inner !== undefined ? { inner: c.inner } : {}),
  };
  let variant: LpNormVariant;
  if (c.form === 'pass') {
    const pass = encoder.beginComputePass();
    variant = norm.encodeLpNorm(pass, options);
    pass.end();
  } else {
    variant = norm.encodeLpNorm(encoder, options);
  }
  const rb = device.createBuffer({ size: bytes + c.rows * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  created.push(rb);
  encoder.copyBufferToBuffer(yb, 2 * A, rb, 0, bytes);
  encoder.copyBufferToBuffer(nb, A, rb, bytes, c.rows * 4);
  device.queue.submit([encoder.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const data = rb.getMappedRange();
  const n = c.rows * c.cols;
  const out: Outputs = {
    y: c.dtype === 'f16' ? new Uint16Array(data.slice(0, n * 2)) : new Float32Array(data.slice(0, n * 4)),
    norm: new Float32Array(data.slice(bytes, bytes + c.rows * 4)),
    variant,
  };
  rb.unmap();
  for (const b of created) b.destroy();
  return out;
}

/** Runs one case on `norm` and compares y and the norms with the float64 reference. */
export async function lpNormCase(norm: Normalizer, c: LpNormCase): Promise<LpNormCaseResult> {
  const values = makeInput(c.pattern, c.rows, c.cols, c.seed).map((v) => v * c.scale);
  const x = c.dtype === 'f16' ? Uint16Array.from(values, (v) => f32ToF16(v)) : values;
  const options = { cols: c.cols, p: c.p, ...(c.epsilon !== undefined ? { epsilon: c.epsilon } : {}), ...(c.inner !== undefined ? { inner: c.inner } : {}) };
  norm.device.pushErrorScope('validation');
  let out!: Outputs;
  let scope: GPUError | null = null;
  try {
    out = c.form === 'convenience' ? { ...(await norm.lpNorm(x, options)), variant: null } : await runEncoded(norm, c, x);
  } finally {
    scope = await norm.device.popErrorScope();
  }
  const ref = cpu.lpNormF64(x, options);
  const bad = poisonedRow(c.pattern, c.rows);
  const healthy = function* (perRow: number) {
    for (let r = 0; r < c.rows; r++) if (r !== bad) for (let j = 0; j < perRow; j++) yield r * perRow + j;
  };
  const y =
    c.dtype === 'f16'
      ? compareF16(out.y as Uint16Array, ref.y, f32ToF16, 1, healthy(c.cols), () => 0, f16ToF32)
      : compare(out.y, ref.y, { rtol: 1e-5, atol: 0 }, healthy(c.cols));
  let poisoned: LpNormCaseResult['poisoned'] = null;
  if (bad >= 0) {
    let nan = 0;
    for (let j = 0; j < c.cols; j++) {
      const v = out.y[bad * c.cols + j]!;
      if (c.dtype === 'f16' ? (v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0 : Number.isNaN(v)) nan++;
    }
    poisoned = { row: bad, nan, cols: c.cols, normFinite: Number.isFinite(out.norm[bad]!) };
  }
  return {
    y,
    // A norm beyond f32's range must read +Inf (checked as `normOverflow`); the others are compared.
    norm: compare(out.norm, ref.norm, { rtol: 5e-6, atol: 0 }, [...healthy(1)].filter((r) => ref.norm[r]! <= F32_MAX)),
    normOverflow: [...healthy(1)].filter((r) => ref.norm[r]! > F32_MAX).map((r) => String(out.norm[r]!)), // as text: JSON has no Infinity
    poisoned,
    validationError: scope ? scope.message : null,
    variant: out.variant,
    hash: outputHash(out.y, out.norm),
  };
}
