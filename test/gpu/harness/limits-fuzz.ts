/**
 * The limits property: every random call (limits-cases.ts) of every op, in the typed-array form,
 * the encode form and inside a caller's compute pass, on a device that claims small limits
 * (limits-device.ts), inside validation and out-of-memory error scopes, either
 * - throws a NormError having touched nothing (no object created, no queue write, nothing recorded
 *   into the caller's encoder or pass), with nothing in the error scopes; or
 * - computes, with no GPU error, no size past the claimed limits, and every output equal to the
 *   CPU reference within the tolerances of docs/numerics.md.
 * A call the CPU reference refuses must be refused on the GPU too. Browser-agnostic: it takes the
 * library and a device (Chromium page: test/gpu/limits-fuzz.test.ts; Node through Dawn:
 * test/node/limits-fuzz.test.ts). Fixed seed, no shrinking: a failure names seed and path.
 */
import fc from 'fast-check';
import type * as Lib from '../../../src/index.js';
import { encodeMethod, OPS, type OpName } from '../../../src/ops/table.js';
import { limitsCase, type Layout, type LimitsCase } from './limits-cases.js';
import { countingTarget, limitedDevice, type ClaimedLimits, type DeviceAudit } from './limits-device.js';

type Library = typeof Lib;
type Arr = Float32Array | Uint16Array;

const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;

/** Claimed limits: small, unequal and not powers of two, so both checks and their arithmetic show. */
export const SMALL_LIMITS: ClaimedLimits = { maxStorageBufferBindingSize: (1 << 20) + 768, maxBufferSize: 1_572_864 };

/** Deterministic values in [-2, 2) plus `shift` (an LCG: big cases stay cheap to generate). */
function values(n: number, seed: number, shift: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = shift + (s / 2 ** 32) * 4 - 2;
  }
  return out;
}

interface Call {
  /** Activation inputs in order (x; x, residual; dy, x). */
  readonly inputs: Arr[];
  readonly options: Record<string, unknown>;
  readonly elements: number;
}

/** The typed-array call a case describes (also what the CPU reference takes). */
function materialize(lib: Library, c: LimitsCase): Call {
  const family = OPS[c.op].family;
  const rowFamily = family === 'row-norm' || family === 'lp-norm' || family === 'backward';
  const elements = rowFamily ? c.rows * c.cols : c.batch * c.channels * c.spatial;
  const width = rowFamily ? c.cols : c.channels;
  const act = (seed: number, shift: number): Arr => {
    const v = values(elements, seed, shift);
    return c.dtype === 'f16' ? lib.toF16Array(v) : v;
  };
  const param = (seed: number) => values(width, seed, 0);
  const o: Record<string, unknown> = rowFamily ? { cols: c.cols } : { batch: c.batch, channels: c.channels, spatial: c.spatial, layout: c.layout };
  if (c.dtype === 'f16' || c.seed % 2) o.dtype = c.dtype;
  const put = (k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  put('epsilon', c.epsilon);
  put('epsilonMode', c.epsilonMode);
  put('unbiased', c.unbiased);
  put('p', c.p);
  if (c.withGamma) o.gamma = param(c.seed + 1);
  if (c.withGamma) put('gammaOffset', c.gammaOffset);
  if (c.withBeta) o.beta = param(c.seed + 2);
  if (c.withBias) o.bias = param(c.seed + 3);
  if (c.op === 'groupNorm') o.groups = c.groups;
  if (c.op === 'batchNormInference') {
    o.runningMean = values(c.channels, c.seed + 4, c.shift);
    o.runningVar = values(c.channels, c.seed + 5, 0).map((v) => 0.25 + v * v);
  }
  const x = act(c.seed, c.shift);
  if (family === 'backward') {
    const dy = act(c.seed + 6, 0);
    // Statistics of x as the forward pass gives them (any positive rstd would do; these are realistic).
    const fwd = (c.op === 'layerNormBackward' ? lib.cpu.layerNorm(x as Float32Array, { cols: c.cols, dtype: c.dtype }) : lib.cpu.rmsNorm(x as Float32Array, { cols: c.cols, dtype: c.dtype })) as { mean?: Float32Array; rstd: Float32Array };
    o.rstd = fwd.rstd;
    if (fwd.mean) o.mean = fwd.mean;
    if (c.withDsum) o.dsum = act(c.seed + 7, 0);
    return { inputs: [dy, x], options: o, elements };
  }
  const add = family === 'row-norm' && (OPS[c.op] as { fusedAdd?: boolean }).fusedAdd;
  return { inputs: add ? [x, act(c.seed + 8, 0)] : [x], options: o, elements };
}

/** Input names of the encode form, in the order `materialize` lists them. */
function inputNames(op: OpName): string[] {
  const family = OPS[op].family;
  if (family === 'backward') return ['dy', 'x'];
  return family === 'row-norm' && (OPS[op] as { fusedAdd?: boolean }).fusedAdd ? ['x', 'residual'] : ['x'];
}

const bytesOf = (a: Arr) => (a instanceof Uint16Array ? Math.ceil(a.length / 2) * 4 : a.length * 4);

interface Placed {
  readonly operand: GPUBuffer | GPUBufferBinding;
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly bytes: number;
}

/** A buffer on the real device holding `bytes` at the layout's offset (and `data`, when given). */
function place(real: GPUDevice, l: Layout, bytes: number, data?: Arr): Placed {
  const A = real.limits.minStorageBufferOffsetAlignment;
  const offset = l.slot * A + (l.defect === 'misaligned' ? 4 : 0);
  const size = l.defect === 'short' ? bytes - 4 : bytes;
  const usage = (l.defect === 'no-storage' ? 0 : STORAGE) | COPY_SRC | COPY_DST;
  const buffer = real.createBuffer({ size: Math.max(4, offset + size + l.pad), usage });
  if (data) {
    const padded = new Uint8Array(Math.min(bytes, buffer.size - offset) & ~3);
    padded.set(new Uint8Array(data.buffer, data.byteOffset, Math.min(data.byteLength, padded.length)));
    real.queue.writeBuffer(buffer, offset, padded);
  }
  const explicit = l.explicitSize || l.defect === 'short';
  const operand = offset === 0 && !explicit ? buffer : { buffer, offset, ...(explicit ? { size } : {}) };
  return { operand, buffer, offset, bytes };
}

/** Outcome of one call. */
type Got = { refused: { code: string; argument: string | null; message: string } } | { out: Record<string, Arr> };

/** Runs the case's form on `norm` (over the limited device); `audit.touched` is read around it by the caller. */
async function runForm(lib: Library, norm: Lib.Normalizer, real: GPUDevice, audit: DeviceAudit, c: LimitsCase, call: Call, ref: Record<string, Arr> | null): Promise<{ got: Got; touchedBefore: number; touchedAfterRefusal: number }> {
  const created: GPUBuffer[] = [];
  const touchedBefore = audit.touched;
  try {
    if (c.form === 'typed') {
      try {
        const out = (await (norm as unknown as Record<string, (...a: unknown[]) => Promise<Record<string, Arr>>>)[c.op]!(...call.inputs, call.options)) as Record<string, Arr>;
        return { got: { out }, touchedBefore, touchedAfterRefusal: touchedBefore };
      } catch (e) {
        if (e instanceof lib.NormError) return { got: { refused: { code: e.code, argument: e.argument ?? null, message: e.message } }, touchedBefore, touchedAfterRefusal: audit.touched };
        throw e;
      }
    }
    // Encode forms: every array operand becomes a buffer range laid out by the case; outputs are
    // sized like the reference's (or the inputs', when the reference refused).
    const o: Record<string, unknown> = { ...call.options };
    const family = OPS[c.op].family;
    if (family === 'row-norm' || family === 'lp-norm' || family === 'backward') o.rows = c.rows;
    if (c.variant) o.variant = c.variant;
    let li = 0;
    const nextLayout = () => c.layouts[li++ % c.layouts.length]!;
    const track = (p: Placed) => (created.push(p.buffer), p);
    inputNames(c.op).forEach((name, i) => (o[name] = track(place(real, nextLayout(), bytesOf(call.inputs[i]!), call.inputs[i])).operand));
    for (const [k, v] of Object.entries(call.options)) if (v instanceof Float32Array || v instanceof Uint16Array) o[k] = track(place(real, nextLayout(), bytesOf(v), v)).operand;
    const outputs: [string, Placed, Arr][] = [];
    for (const [k, v] of Object.entries(ref ?? { [family === 'backward' ? 'dx' : 'y']: call.inputs[0]! })) {
      const p = track(place(real, nextLayout(), bytesOf(v)));
      o[k] = p.operand;
      outputs.push([k, p, v]);
    }
    const encoder = real.createCommandEncoder();
    const method = (norm as unknown as Record<string, (t: unknown, o: unknown) => unknown>)[encodeMethod(c.op)]!;
    let refusal: Got | null = null;
    const pass = c.form === 'pass' ? encoder.beginComputePass() : null;
    const before = audit.touched;
    try {
      method.call(norm, countingTarget(pass ?? encoder, audit), o);
    } catch (e) {
      if (!(e instanceof lib.NormError)) throw e;
      refusal = { refused: { code: e.code, argument: e.argument ?? null, message: e.message } };
    }
    pass?.end();
    if (refusal) {
      real.queue.submit([encoder.finish()]);
      return { got: refusal, touchedBefore: before, touchedAfterRefusal: audit.touched };
    }
    const total = outputs.reduce((s, [, p]) => s + p.bytes, 0);
    const rb = real.createBuffer({ size: total, usage: MAP_READ | COPY_DST });
    created.push(rb);
    let at = 0;
    for (const [, p] of outputs) {
      encoder.copyBufferToBuffer(p.buffer, p.offset, rb, at, p.bytes);
      at += p.bytes;
    }
    real.queue.submit([encoder.finish()]);
    await rb.mapAsync(MAP_READ);
    const data = rb.getMappedRange();
    const out: Record<string, Arr> = {};
    at = 0;
    for (const [k, p, like] of outputs) {
      const slice = data.slice(at, at + p.bytes);
      out[k] = like instanceof Uint16Array ? new Uint16Array(slice, 0, like.length) : new Float32Array(slice, 0, like.length);
      at += p.bytes;
    }
    rb.unmap();
    return { got: { out }, touchedBefore: before, touchedAfterRefusal: before };
  } finally {
    for (const b of created) b.destroy();
  }
}

export interface LimitsFuzzReport {
  readonly runs: number;
  /** Refusals by code (and computed cases under `computed`), to show the generator reaches both sides. */
  readonly outcomes: Record<string, number>;
  /** Cases per op that computed. */
  readonly computedByOp: Record<string, number>;
  readonly failure: string | null;
  readonly ms: number;
}

/**
 * Runs `runs` random calls with `seed` on a device that claims `limits`, over the real `device`
 * (`scratch`: calls that lean on derived scratch sizes, see {@link limitsCase}).
 *
 * @example
 * ```ts
 * const report = await limitsFuzz(lib, norm.device, { seed: 1, runs: 120 });
 * ```
 */
export async function limitsFuzz(lib: Library, device: GPUDevice, o: { seed: number; runs: number; limits?: ClaimedLimits; timeLimitMs?: number; scratch?: boolean }): Promise<LimitsFuzzReport> {
  const limits = o.limits ?? SMALL_LIMITS;
  const { device: small, audit } = limitedDevice(device, limits);
  const outcomes: Record<string, number> = {};
  const computedByOp: Record<string, number> = {};
  let runs = 0;
  const t0 = performance.now();
  const property = fc.asyncProperty(limitsCase(limits, o.scratch === true), async (c) => {
    runs++;
    const norm = await lib.createNormalizer({ device: small, tuning: false, persistTuning: false });
    const call = materialize(lib, c);
    let ref: Record<string, Arr> | null = null;
    let cpuRefusal: string | null = null;
    try {
      ref = (lib.cpu as unknown as Record<string, (...a: unknown[]) => Record<string, Arr>>)[c.op]!(...call.inputs, call.options);
    } catch (e) {
      if (!(e instanceof lib.NormError)) throw e;
      cpuRefusal = e.code;
    }
    if (c.tuned) {
      const p = norm.profile;
      const np2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
      const key = `${p.name}|${c.op}|${c.dtype}|${np2(c.rows)}x${np2(c.cols)}${c.dtype === 'f32' && c.cols % 4 === 0 ? 'v' : 's'}`;
      norm.importTuning({ version: 1, entries: { [key]: c.tuned } } as unknown as Lib.TuningTable);
    }
    const violationsBefore = audit.violations.length;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    let r: Awaited<ReturnType<typeof runForm>>;
    try {
      r = await runForm(lib, norm, device, audit, c, call, ref);
    } finally {
      const oom = await device.popErrorScope();
      const validation = await device.popErrorScope();
      norm.destroy();
      if (oom || validation) throw new Error(`GPU error: ${(validation ?? oom)!.message}`);
    }
    const violations = audit.violations.slice(violationsBefore);
    if (violations.length) throw new Error(`sizes past the claimed limits: ${violations.join('; ')}`);
    const what = `${c.op} ${c.form} ${c.dtype} ${c.rows}x${c.cols} b${c.batch}c${c.channels}s${c.spatial}`;
    if ('refused' in r.got) {
      const { code, argument, message } = r.got.refused;
      outcomes[code] = (outcomes[code] ?? 0) + 1;
      if (r.touchedAfterRefusal !== r.touchedBefore) throw new Error(`${what}: refused (${code}, ${argument}: ${message}) after touching the device ${r.touchedAfterRefusal - r.touchedBefore} time(s)`);
      return;
    }
    if (cpuRefusal) throw new Error(`${what}: the CPU reference refuses (${cpuRefusal}) but the GPU computed`);
    outcomes.computed = (outcomes.computed ?? 0) + 1;
    computedByOp[c.op] = (computedByOp[c.op] ?? 0) + 1;
    const bad = compareOutputs(lib, c, call, ref!, r.got.out);
    if (bad) throw new Error(`${what}: ${bad}`);
  });
  const details = await fc.check(property, { seed: o.seed, numRuns: o.runs, endOnFailure: true, ...(o.timeLimitMs ? { interruptAfterTimeLimit: o.timeLimitMs } : {}) });
  const failure = details.failed ? `seed ${o.seed}, path "${details.counterexamplePath}": ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}\n${(fc.defaultReportMessage(details) ?? '').slice(0, 3000)}` : null;
  return { runs, outcomes, computedByOp, failure, ms: performance.now() - t0 };
}

/**
 * The first output element outside tolerance (docs/numerics.md), or null. f32: `|g − r| ≤ atol +
 * rtol·|r|` per output kind; f16: within 1 f16 ULP of the reference (rounded to f16 like the GPU's)
 * or the f32 bound; NaN matches NaN and an infinity the same infinity; a subnormal may be flushed.
 */
function compareOutputs(lib: Library, c: LimitsCase, call: Call, ref: Record<string, Arr>, got: Record<string, Arr>): string | null {
  const o = call.options;
  const gammaScale = (() => {
    const g = o.gamma as Float32Array | undefined;
    const off = (o.gammaOffset as number | undefined) ?? 0;
    let m = 1;
    if (g) for (const v of g) m = Math.max(m, Math.abs(v + off));
    return m;
  })();
  const backward = OPS[c.op].family === 'backward';
  const dxTol = backward ? dxTolerance(lib, call) : null;
  for (const [k, r] of Object.entries(ref)) {
    const g = got[k];
    if (!g) return `output ${k} missing`;
    const f16 = r instanceof Uint16Array;
    const rv = f16 ? lib.fromF16Array(r) : r;
    const gv = g instanceof Uint16Array ? lib.fromF16Array(g) : g;
    const stats = ref.rstd as Float32Array | undefined;
    const colTol = k === 'dgamma' || k === 'dbeta' ? colTolerance(lib, call, k) : null;
    // σ of the reference (0 where it is not finite: unbiased statistics of one element are NaN).
    const sigmaOf = (i: number) => (k === 'mean' && stats ? 1 / stats[i]! : k === 'mean' && ref.var ? Math.sqrt((ref.var as Float32Array)[i]!) : 0);
    const sigma = (i: number) => (Number.isFinite(sigmaOf(i)) ? sigmaOf(i) : 0);
    // rstd, var, norm: relative; y/sum/dx: the γ-scaled absolute term; mean: σ-scaled; dgamma/dbeta: column scale.
    const rtol = backward ? 1e-4 : 1e-5;
    const atol = (i: number) =>
      k === 'y' ? 1e-5 * gammaScale : k === 'mean' ? 1e-5 * sigma(i) : k === 'dx' ? dxTol![i]! : k === 'dgamma' || k === 'dbeta' ? colTol![i]! : k === 'sum' ? 0 : 0;
    for (let i = 0; i < rv.length; i++) {
      const a = gv[i]!;
      const b = rv[i]!;
      if (a === b) continue;
      if (Number.isNaN(b) || !Number.isFinite(b)) {
        if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
        return `${k}[${i}] = ${a}, reference ${b}`;
      }
      // A subnormal f32 result may be flushed to zero (WGSL permits it): FLT_MIN of slack everywhere.
      const tol = atol(i) + rtol * Math.abs(b) + 2 ** -126;
      if (Math.abs(a - b) <= tol) continue;
      if (f16 && g instanceof Uint16Array && Math.abs(g[i]! - r[i]!) <= 1 && (g[i]! & 0x8000) === (r[i]! & 0x8000)) continue;
      if (f16 && Math.abs(a - b) <= tol + 2 ** -24) continue;
      return `${k}[${i}] = ${a}, reference ${b} (tolerance ${tol})`;
    }
  }
  return null;
}

const f32 = (lib: Library, a: Arr) => (a instanceof Uint16Array ? lib.fromF16Array(a) : a);

/**
 * The stated dx tolerance's absolute term per element: `10⁻⁵ · rstd · (|gᵢ| + mean|g| + |x̂ᵢ| ·
 * mean|g·x̂|)`, g = dy·(γ + gammaOffset), x̂ from the statistics the call was given.
 */
function dxTolerance(lib: Library, call: Call): Float64Array {
  const o = call.options;
  const cols = o.cols as number;
  const dy = f32(lib, call.inputs[0]!);
  const x = f32(lib, call.inputs[1]!);
  const gamma = o.gamma as Float32Array | undefined;
  const off = (o.gammaOffset as number | undefined) ?? 0;
  const mean = o.mean as Float32Array | undefined;
  const rstd = o.rstd as Float32Array;
  const out = new Float64Array(dy.length);
  for (let r = 0; r * cols < dy.length; r++) {
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const g = dy[i]! * ((gamma ? gamma[j]! : 1) + off);
      const xh = (x[i]! - (mean ? mean[r]! : 0)) * rstd[r]!;
      sg += Math.abs(g);
      sgx += Math.abs(g * xh);
    }
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const g = dy[i]! * ((gamma ? gamma[j]! : 1) + off);
      const xh = (x[i]! - (mean ? mean[r]! : 0)) * rstd[r]!;
      out[i] = 1e-5 * rstd[r]! * (Math.abs(g) + sg / cols + Math.abs(xh) * (sgx / cols));
    }
  }
  return out;
}

/** The stated dgamma / dbeta tolerance per column: 10⁻⁵ · Σ_rows |dy·x̂| (dgamma) or |dy| (dbeta). */
function colTolerance(lib: Library, call: Call, k: string): Float64Array {
  const o = call.options;
  const cols = o.cols as number;
  const dy = f32(lib, call.inputs[0]!);
  const x = f32(lib, call.inputs[1]!);
  const mean = o.mean as Float32Array | undefined;
  const rstd = o.rstd as Float32Array;
  const out = new Float64Array(cols);
  for (let i = 0; i < dy.length; i++) {
    const r = Math.floor(i / cols);
    const xh = (x[i]! - (mean ? mean[r]! : 0)) * rstd[r]!;
    out[i % cols]! += 1e-5 * Math.abs(k === 'dgamma' ? dy[i]! * xh : dy[i]!);
  }
  return out;
}
