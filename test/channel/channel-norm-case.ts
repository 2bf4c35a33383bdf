/**
 * Harness functions for GroupNorm / InstanceNorm / BatchNorm (runs inside headless Chromium, on
 * the built dist/). Each case generates its tensor from a seed, runs one op inside a validation
 * error scope, compares with the float64 reference and returns a small summary.
 *
 * Tolerances: f32 outputs |gpu − ref| ≤ 1e-5·|ref| + atol (y: 1e-5·max(1, |γ_c|); mean: 1e-5·std;
 * rstd and var: 0); f16 outputs within 1 f16 ULP of the reference rounded to f16, or, for outputs
 * near zero by cancellation, within 1e-6·max(1, |β_c|) (see test/shared/f16-compare.ts).
 */
import { outputHash } from '../shared/output-hash.js';
import { cpu, createNormalizer, toF16Array, type NormPlanInfo, type Normalizer } from '../../dist/index.js';
import { compare, formatWorst, type Comparison, type Tolerance } from '../shared/compare.js';
import {
  coordsOf,
  makeChannelAffine,
  makeChannelInput,
  makeRunningStats,
  poisonedUnit,
  unitOf,
  type ChannelPattern,
  type ChannelShape,
  type UnitKind,
} from '../shared/channel-data.js';
import { compareF16, type F16Comparison } from '../shared/f16-compare.js';
import { ATOL, RTOL } from '../shared/tolerance.js';

export type ChannelOp = 'groupNorm' | 'instanceNorm' | 'batchNormInference' | 'batchNormStats' | 'batchNormTraining';

export interface ChannelNormCase extends ChannelShape {
  readonly op: ChannelOp;
  /** groupNorm only. */
  readonly groups?: number;
  readonly dtype: 'f32' | 'f16';
  readonly pattern: ChannelPattern;
  readonly affine: boolean;
  readonly epsilon?: number;
  readonly epsilonMode?: 'inside-sqrt' | 'add-to-std';
  readonly unbiased?: boolean;
  /** GroupNorm / InstanceNorm: the fused activation. */
  readonly activation?: 'silu';
  /** batchNormTraining: the running update's momentum (default 0.1) and variance (default unbiased). */
  readonly momentum?: number;
  readonly runningVarUnbiased?: boolean;
  /** batchNormTraining, encode forms: write the update to newRunningMean / newRunningVar (else in place). */
  readonly newRunning?: boolean;
  /**
   * Force the GPU layouts (statistics and elementwise): `workgroup` runs on a normalizer told it is on a GPU (the
   * adapter here is SwiftShader, where the automatic rule picks `invocation`).
   */
  readonly statsLayout?: 'workgroup' | undefined;
  /** convenience: typed arrays; encode: caller's encoder, operands at non-zero offsets; pass: caller's compute pass. */
  readonly form: 'convenience' | 'encode' | 'pass';
  readonly seed: number;
}

export interface OutputCheck {
  readonly count: number;
  readonly failures: number;
  /** f16: elements beyond 1 ULP accepted by the cancellation floor. */
  readonly floorUsed: number;
  readonly worstUlp: number;
  /** Largest error over its allowance (f32 outputs; f16 outputs report ULPs only). */
  readonly maxErrorRatio: number;
  /** The worst elements, as a table (only when something failed). */
  readonly report: string;
}

export interface ChannelNormCaseResult {
  readonly outputs: Readonly<Record<string, OutputCheck>>;
  /** For `nan-unit`: the poisoned statistic, how many of its y elements are non-finite, of how many. */
  readonly poisoned: { unit: number; nonFinite: number; total: number; nonFiniteElsewhere: number } | null;
  /** What the encode forms reported (null for the convenience form). */
  readonly info: NormPlanInfo | null;
  /** Encode forms: bytes of the y / stats buffers outside the operand ranges are untouched. */
  readonly outsideUntouched: boolean | null;
  readonly validationError: string | null;
  readonly uncapturedErrors: readonly string[];
  readonly gpuMs: number;
  readonly refMs: number;
  /** Digest of every output's bytes (y, mean, rstd, var), to prove a refactor bit-identical. */
  readonly hash: string;
  /** batchNormTraining, encode forms with newRunning: the given running statistics were not written (null otherwise). */
  readonly runningInputsUntouched: boolean | null;
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

let gpuNormPromise: Promise<Normalizer> | undefined;

/** A normalizer on the same device whose adapter profile says GPU, so it picks the GPU layouts. */
function gpuProfileNormalizer(): Promise<Normalizer> {
  gpuNormPromise ??= normalizer().then((n) =>
    createNormalizer({ device: n.device, adapterInfo: { vendor: 'test', architecture: 'gpu-profile', device: '', description: '' } as GPUAdapterInfo }),
  );
  return gpuNormPromise;
}

const SENTINEL = 0xa5;
/** Absolute floor for f16 outputs that are near zero by cancellation: 10x below the f32 y atol. */
const F16_CANCELLATION_ATOL = 1e-6;
const align = (n: number, a: number) => Math.ceil(n / a) * a;

function unitKind(c: ChannelNormCase): UnitKind {
  if (c.op === 'groupNorm') return { per: 'group', groups: c.groups! };
  if (c.op === 'instanceNorm') return { per: 'group', groups: c.channels };
  return { per: 'channel' };
}

interface Inputs {
  x: Float32Array | Uint16Array;
  gamma?: Float32Array;
  beta?: Float32Array;
  runningMean?: Float32Array;
  runningVar?: Float32Array;
}

interface Outputs {
  y?: Float32Array | Uint16Array;
  mean?: Float32Array;
  rstd?: Float32Array;
  var?: Float32Array;
  runningMean?: Float32Array;
  runningVar?: Float32Array;
  /** batchNormTraining with newRunning: the given running statistics were left as they were. */
  runningInputsUntouched?: boolean;
  info: NormPlanInfo | null;
  outsideUntouched: boolean | null;
}

function makeInputs(c: ChannelNormCase): Inputs {
  const values = makeChannelInput(c.pattern, c, unitKind(c), c.seed);
  const x = c.dtype === 'f16' ? toF16Array(values) : values;
  const inputs: Inputs = { x };
  if (c.affine) Object.assign(inputs, makeChannelAffine(c.channels, c.seed));
  if (c.op === 'batchNormInference' || c.op === 'batchNormTraining') Object.assign(inputs, makeRunningStats(c.channels, c.seed, c.pattern === 'offset' ? 1e4 : 0));
  return inputs;
}

/** The typed-array options of `c`: only the keys its op takes (the others are refused). */
function options(c: ChannelNormCase, inputs: Inputs) {
  const shape = { batch: c.batch, channels: c.channels, spatial: c.spatial, layout: c.layout, dtype: c.dtype };
  const affine = { gamma: inputs.gamma, beta: inputs.beta };
  const eps = { epsilon: c.epsilon, epsilonMode: c.epsilonMode };
  return {
    groupNorm: { ...shape, ...affine, ...eps, unbiased: c.unbiased, groups: c.groups!, activation: c.activation },
    instanceNorm: { ...shape, ...affine, ...eps, unbiased: c.unbiased, activation: c.activation },
    batchNormInference: { ...shape, ...affine, ...eps, runningMean: inputs.runningMean!, runningVar: inputs.runningVar! },
    batchNormStats: { ...shape, unbiased: c.unbiased },
    batchNormTraining: {
      ...shape,
      ...affine,
      ...eps,
      runningMean: inputs.runningMean!,
      runningVar: inputs.runningVar!,
      momentum: c.momentum,
      runningVarUnbiased: c.runningVarUnbiased,
    },
  };
}

async function runConvenience(norm: Normalizer, c: ChannelNormCase, inputs: Inputs): Promise<Outputs> {
  const o = options(c, inputs);
  const none = { info: null, outsideUntouched: null };
  switch (c.op) {
    case 'groupNorm':
      return { ...(await norm.groupNorm(inputs.x, o.groupNorm)), ...none };
    case 'instanceNorm':
      return { ...(await norm.instanceNorm(inputs.x, o.instanceNorm)), ...none };
    case 'batchNormInference':
      return { ...(await norm.batchNormInference(inputs.x, o.batchNormInference)), ...none };
    case 'batchNormStats':
      return { ...(await norm.batchNormStats(inputs.x, o.batchNormStats)), ...none };
    case 'batchNormTraining':
      return { ...(await norm.batchNormTraining(inputs.x, o.batchNormTraining)), ...none };
  }
}

/** Encode / pass forms: operands at non-zero offsets of caller-owned buffers that are prefilled
 * with a sentinel, so writes outside the operand ranges are detected. */
async function runEncoded(norm: Normalizer, c: ChannelNormCase, inputs: Inputs): Promise<Outputs> {
  const { device } = norm;
  const A = device.limits.minStorageBufferOffsetAlignment;
  const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const created: GPUBuffer[] = [];
  const make = (size: number, fill?: number) => {
    const b = device.createBuffer({ size: align(size, 4), usage: S });
    created.push(b);
    if (fill !== undefined) device.queue.writeBuffer(b, 0, new Uint8Array(b.size).fill(fill));
    return b;
  };
  const elements = c.batch * c.channels * c.spatial;
  const tensorBytes = c.dtype === 'f16' ? 2 * elements : 4 * elements;
  const boundBytes = align(tensorBytes, 4);
  const xBuf = make(A + boundBytes + 64);
  // Padded to whole words; the pad half of an odd-length f16 tensor holds a NaN, which the kernels
  // must never read into any statistic.
  const xBytes = new Uint8Array(boundBytes);
  xBytes.set(new Uint8Array(inputs.x.buffer, inputs.x.byteOffset, inputs.x.byteLength));
  if (boundBytes > tensorBytes) new Uint16Array(xBytes.buffer)[elements] = 0x7e00;
  device.queue.writeBuffer(xBuf, A, xBytes);
  const yOff = 2 * A;
  const yBuf = make(yOff + boundBytes + 64, SENTINEL);
  // Per-channel inputs share one buffer (read-only aliasing is allowed).
  const chanOff = align(c.channels * 4, A);
  const chanBuf = make(4 * chanOff);
  const perChannel = (data: Float32Array | undefined, slot: number) => {
    if (!data) return undefined;
    device.queue.writeBuffer(chanBuf, slot * chanOff, data);
    return { buffer: chanBuf, offset: slot * chanOff, size: c.channels * 4 };
  };
  const gamma = perChannel(inputs.gamma, 0);
  const beta = perChannel(inputs.beta, 1);
  const training = c.op === 'batchNormTraining';
  // Training updates the running statistics (in place unless newRunning), so they get a buffer of
  // their own: an output may not share one with the inputs.
  const runBuf = training ? make(2 * chanOff) : undefined;
  const running = (data: Float32Array | undefined, slot: number) => {
    if (!training) return perChannel(data, slot + 2);
    device.queue.writeBuffer(runBuf!, slot * chanOff, data!);
    return { buffer: runBuf!, offset: slot * chanOff, size: c.channels * 4 };
  };
  const runningMean = running(inputs.runningMean, 0);
  const runningVar = running(inputs.runningVar, 1);
  // Statistic outputs share one buffer at distinct offsets (training: mean, var, then newRunningMean / newRunningVar).
  const stats = c.op === 'batchNormStats' || training ? c.channels : c.op === 'groupNorm' ? c.batch * c.groups! : c.op === 'instanceNorm' ? c.batch * c.channels : 0;
  const statOff = align(Math.max(1, stats) * 4, A);
  const statSlots = training && c.newRunning ? 4 : 2;
  const statBuf = make(statSlots * statOff + 64, SENTINEL);
  const stat = (slot: number) => ({ buffer: statBuf, offset: slot * statOff, size: stats * 4 });

  const encoder = device.createCommandEncoder();
  const pass = c.form === 'pass' ? encoder.beginComputePass() : undefined;
  const target = pass ?? encoder;
  const shape = { batch: c.batch, channels: c.channels, spatial: c.spatial, layout: c.layout, dtype: c.dtype };
  const x = { buffer: xBuf, offset: A, size: boundBytes };
  const y = { buffer: yBuf, offset: yOff };
  const eps = { epsilon: c.epsilon, epsilonMode: c.epsilonMode, unbiased: c.unbiased, activation: c.activation };
  let info: NormPlanInfo;
  switch (c.op) {
    case 'groupNorm':
      info = norm.encodeGroupNorm(target, { ...shape, ...eps, groups: c.groups!, x, y, gamma, beta, mean: stat(0), rstd: stat(1) });
      break;
    case 'instanceNorm':
      info = norm.encodeInstanceNorm(target, { ...shape, ...eps, x, y, gamma, beta, mean: stat(0), rstd: stat(1) });
      break;
    case 'batchNormInference':
      info = norm.encodeBatchNormInference(target, { ...shape, epsilon: c.epsilon, epsilonMode: c.epsilonMode, x, y, gamma, beta, runningMean: runningMean!, runningVar: runningVar! });
      break;
    case 'batchNormStats':
      info = norm.encodeBatchNormStats(target, { ...shape, unbiased: c.unbiased, x, mean: stat(0), var: stat(1) });
      break;
    case 'batchNormTraining':
      info = norm.encodeBatchNormTraining(target, {
        ...shape,
        epsilon: c.epsilon,
        epsilonMode: c.epsilonMode,
        momentum: c.momentum,
        runningVarUnbiased: c.runningVarUnbiased,
        x,
        y,
        gamma,
        beta,
        runningMean: runningMean!,
        runningVar: runningVar!,
        mean: stat(0),
        var: stat(1),
        ...(c.newRunning ? { newRunningMean: stat(2), newRunningVar: stat(3) } : {}),
      });
      break;
  }
  pass?.end();
  const rbY = device.createBuffer({ size: yBuf.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const rbS = device.createBuffer({ size: statBuf.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  created.push(rbY, rbS);
  encoder.copyBufferToBuffer(yBuf, 0, rbY, 0, yBuf.size);
  encoder.copyBufferToBuffer(statBuf, 0, rbS, 0, statBuf.size);
  const rbR = runBuf && device.createBuffer({ size: runBuf.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  if (rbR) {
    created.push(rbR);
    encoder.copyBufferToBuffer(runBuf!, 0, rbR, 0, runBuf!.size);
  }
  device.queue.submit([encoder.finish()]);
  await Promise.all([rbY.mapAsync(GPUMapMode.READ), rbS.mapAsync(GPUMapMode.READ), rbR?.mapAsync(GPUMapMode.READ)]);
  const yBytes = new Uint8Array(rbY.getMappedRange().slice(0));
  const sBytes = new Uint8Array(rbS.getMappedRange().slice(0));
  const rBytes = rbR && rbR.getMappedRange().slice(0);
  for (const b of created) b.destroy();

  const hasY = c.op !== 'batchNormStats';
  let outsideUntouched = true;
  const untouched = (bytes: Uint8Array, ranges: [number, number][]) => {
    for (let i = 0; i < bytes.length; i++) {
      if (ranges.some(([a, b]) => i >= a && i < b)) continue;
      if (bytes[i] !== SENTINEL) return false;
    }
    return true;
  };
  outsideUntouched &&= untouched(yBytes, hasY ? [[yOff, yOff + tensorBytes]] : []);
  const written: [number, number][] = [];
  for (let slot = 0; slot < statSlots && stats; slot++) written.push([slot * statOff, slot * statOff + stats * 4]);
  outsideUntouched &&= untouched(sBytes, written);
  const yData = yBytes.buffer.slice(yOff, yOff + boundBytes);
  const out: Outputs = { info, outsideUntouched };
  if (hasY) out.y = c.dtype === 'f16' ? new Uint16Array(yData, 0, elements) : new Float32Array(yData, 0, elements);
  const statArray = (slot: number) => new Float32Array(sBytes.buffer.slice(slot * statOff, slot * statOff + stats * 4));
  if (c.op === 'batchNormStats') Object.assign(out, { mean: statArray(0), var: statArray(1) });
  else if (training) {
    const given = (slot: number) => new Float32Array(rBytes!.slice(slot * chanOff, slot * chanOff + c.channels * 4));
    Object.assign(out, { mean: statArray(0), var: statArray(1) });
    if (c.newRunning) {
      Object.assign(out, { runningMean: statArray(2), runningVar: statArray(3) });
      const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]));
      out.runningInputsUntouched = same(given(0), inputs.runningMean!) && same(given(1), inputs.runningVar!);
    } else {
      Object.assign(out, { runningMean: given(0), runningVar: given(1) });
    }
  }
  else if (c.op !== 'batchNormInference') Object.assign(out, { mean: statArray(0), rstd: statArray(1) });
  return out;
}

function summarize(cmp: Comparison | F16Comparison, label: (i: number) => string): OutputCheck {
  return {
    count: cmp.count,
    failures: cmp.failures,
    floorUsed: 'floorUsed' in cmp ? cmp.floorUsed : 0,
    worstUlp: cmp.worstUlp,
    maxErrorRatio: 'maxErrorRatio' in cmp ? cmp.maxErrorRatio : 0,
    report: cmp.failures ? formatWorst(cmp.worst, label) : '',
  };
}

async function channelNormCase(c: ChannelNormCase): Promise<ChannelNormCaseResult> {
  const norm = c.statsLayout === 'workgroup' ? await gpuProfileNormalizer() : await normalizer();
  const inputs = makeInputs(c);

  uncaptured.length = 0;
  norm.device.pushErrorScope('validation');
  const t0 = performance.now();
  let out!: Outputs;
  let scopeError: GPUError | null = null;
  try {
    out = c.form === 'convenience' ? await runConvenience(norm, c, inputs) : await runEncoded(norm, c, inputs);
  } finally {
    scopeError = await norm.device.popErrorScope();
  }
  const gpuMs = performance.now() - t0;

  const t1 = performance.now();
  const o = options(c, inputs);
  const ref: { y?: Float64Array; mean?: Float64Array; rstd?: Float64Array; var?: Float64Array; runningMean?: Float64Array; runningVar?: Float64Array } =
    c.op === 'groupNorm'
      ? cpu.groupNormF64(inputs.x, o.groupNorm)
      : c.op === 'instanceNorm'
        ? cpu.instanceNormF64(inputs.x, o.instanceNorm)
        : c.op === 'batchNormInference'
          ? cpu.batchNormInferenceF64(inputs.x, o.batchNormInference)
          : c.op === 'batchNormTraining'
            ? cpu.batchNormTrainingF64(inputs.x, o.batchNormTraining)
            : cpu.batchNormStatsF64(inputs.x, o.batchNormStats);
  const refMs = performance.now() - t1;

  const shape: ChannelShape = c;
  const elementLabel = (i: number) => {
    const { n, c: ch } = coordsOf(shape, i);
    return `[n${n},c${ch},#${i}]`;
  };
  const outputs: Record<string, OutputCheck> = {};
  if (ref.y && out.y) {
    if (c.dtype === 'f16') {
      const beta = inputs.beta;
      const floor = (i: number) => F16_CANCELLATION_ATOL * Math.max(1, beta ? Math.abs(beta[coordsOf(shape, i).c]!) : 0);
      outputs.y = summarize(compareF16(out.y as Uint16Array, ref.y, 1, floor), elementLabel);
    } else {
      const gamma = inputs.gamma;
      const tol: Tolerance = { rtol: RTOL, atol: gamma ? (i) => ATOL * Math.max(1, Math.abs(gamma[coordsOf(shape, i).c]!)) : ATOL };
      outputs.y = summarize(compare(out.y, ref.y, tol), elementLabel);
    }
  }
  const statLabel = (i: number) => `[${i}]`;
  if (ref.mean && out.mean) {
    // The mean is held to 1e-5 of the statistic's spread: 1/rstd, or sqrt(var) for BatchNorm.
    const spread = ref.rstd ? Array.from(ref.rstd, (r) => 1 / r) : Array.from(ref.var!, (v) => Math.sqrt(v));
    outputs.mean = summarize(compare(out.mean, ref.mean, { rtol: RTOL, atol: (i) => (Number.isFinite(spread[i]!) ? ATOL * spread[i]! : 0) }), statLabel);
  }
  if (ref.rstd && out.rstd) outputs.rstd = summarize(compare(out.rstd, ref.rstd, { rtol: RTOL, atol: 0 }), statLabel);
  if (ref.var && out.var) outputs.var = summarize(compare(out.var, ref.var, { rtol: RTOL, atol: 0 }), statLabel);
  if (ref.runningMean && out.runningMean && ref.mean && ref.var) {
    // (1 − m)·old + m·mean: each term held to 1e-5 of itself, the mean's to 1e-5 of the spread.
    const m = c.momentum ?? 0.1;
    const old = inputs.runningMean!;
    const allowed = (i: number) => ATOL * (m * (Math.sqrt(ref.var![i]!) + Math.abs(ref.mean![i]!)) + (1 - m) * Math.abs(old[i]!));
    outputs.runningMean = summarize(compare(out.runningMean, ref.runningMean, { rtol: RTOL, atol: (i) => (Number.isFinite(allowed(i)) ? allowed(i) : 0) }), statLabel);
  }
  // (1 − m)·old + m·var·N/(N − 1): terms of one sign, so 1e-5 of the result.
  if (ref.runningVar && out.runningVar) outputs.runningVar = summarize(compare(out.runningVar, ref.runningVar, { rtol: RTOL, atol: 0 }), statLabel);

  let poisoned: ChannelNormCaseResult['poisoned'] = null;
  const kind = unitKind(c);
  const bad = poisonedUnit(c.pattern, c, kind);
  if (bad >= 0 && out.y && c.op !== 'batchNormInference') {
    let nonFinite = 0;
    let total = 0;
    let nonFiniteElsewhere = 0;
    const f16 = c.dtype === 'f16';
    for (let i = 0; i < out.y.length; i++) {
      const { n, c: ch } = coordsOf(shape, i);
      const v = out.y[i]!;
      const finite = f16 ? (v & 0x7c00) !== 0x7c00 : Number.isFinite(v);
      if (unitOf(shape, kind, n, ch) === bad) {
        total++;
        if (!finite) nonFinite++;
      } else if (!finite) nonFiniteElsewhere++;
    }
    poisoned = { unit: bad, nonFinite, total, nonFiniteElsewhere };
  }

  return {
    // Training adds its running statistics (the other ops keep their digests).
    hash: c.op === 'batchNormTraining' ? outputHash(out.y, out.mean, out.rstd, out.var, out.runningMean, out.runningVar) : outputHash(out.y, out.mean, out.rstd, out.var),
    runningInputsUntouched: out.runningInputsUntouched ?? null,
    outputs,
    poisoned,
    info: out.info,
    outsideUntouched: out.outsideUntouched,
    validationError: scopeError ? scopeError.message : null,
    uncapturedErrors: [...uncaptured],
    gpuMs,
    refMs,
  };
}

/**
 * Two GroupNorms recorded into one encoder (or one compute pass) before a single submit, the second one larger (its
 * scratch buffers must grow while the first's bind groups still reference the old ones), plus the
 * normalizer's resource counts before and after a round of convenience calls.
 */
async function scratchReuse(target: 'encoder' | 'pass'): Promise<{ first: number; second: number; validationError: string | null; uncapturedErrors: string[]; liveBefore: number; liveAfter: number }> {
  const norm = await normalizer();
  const { device } = norm;
  uncaptured.length = 0;
  device.pushErrorScope('validation');
  const run = async () => {
    const shapes = [
      { batch: 1, channels: 8, spatial: 9, groups: 2, layout: 'NCHW' as const },
      { batch: 2, channels: 64, spatial: 48 * 48, groups: 4, layout: 'NHWC' as const },
    ];
    const S = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const encoder = device.createCommandEncoder();
    const pass = target === 'pass' ? encoder.beginComputePass() : undefined;
    const jobs = shapes.map((s, k) => {
      const x = makeChannelInput('offset', s, { per: 'group', groups: s.groups }, 77 + k);
      const xb = device.createBuffer({ size: x.byteLength, usage: S });
      const yb = device.createBuffer({ size: x.byteLength, usage: S });
      const rb = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(xb, 0, x);
      norm.encodeGroupNorm(pass ?? encoder, { ...s, x: xb, y: yb });
      return { s, x, xb, yb, rb };
    });
    pass?.end();
    for (const j of jobs) encoder.copyBufferToBuffer(j.yb, 0, j.rb, 0, j.x.byteLength);
    device.queue.submit([encoder.finish()]);
    const worst: number[] = [];
    for (const j of jobs) {
      await j.rb.mapAsync(GPUMapMode.READ);
      const y = new Float32Array(j.rb.getMappedRange().slice(0));
      const ref = cpu.groupNormF64(j.x, j.s);
      worst.push(compare(y, ref.y, { rtol: RTOL, atol: ATOL }).maxErrorRatio);
      for (const b of [j.xb, j.yb, j.rb]) b.destroy();
    }
    return worst;
  };
  let worst: number[] = [];
  let scopeError: GPUError | null = null;
  let liveBefore = 0;
  let liveAfter = 0;
  try {
    worst = await run();
    const x = makeChannelInput('normal', { batch: 1, channels: 6, spatial: 25, layout: 'NHWC' }, { per: 'channel' }, 5);
    const o = { batch: 1, channels: 6, spatial: 25, layout: 'NHWC' as const };
    const round = async () => {
      await norm.groupNorm(x, { ...o, groups: 3 });
      await norm.batchNormStats(x, o);
      await norm.batchNormInference(x, { ...o, runningMean: new Float32Array(6), runningVar: new Float32Array(6).fill(1) });
    };
    await round(); // creates the dummies and scratch buffers these shapes need, once
    liveBefore = norm.stats().liveBuffers;
    for (let i = 0; i < 3; i++) await round();
    liveAfter = norm.stats().liveBuffers;
  } finally {
    scopeError = await device.popErrorScope();
  }
  return { first: worst[0]!, second: worst[1]!, validationError: scopeError ? scopeError.message : null, uncapturedErrors: [...uncaptured], liveBefore, liveAfter };
}

export const channelNormHarness = { channelNormCase, scratchReuse };
export type ChannelNormHarness = typeof channelNormHarness;
