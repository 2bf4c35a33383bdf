/**
 * In-page halves of the reliability suites: the bad-input table, debug mode, device loss,
 * concurrency and the leak soak. Each returns a small JSON summary for the Node side to assert on.
 */
import * as lib from '../../../dist/index.js';
import type { Normalizer } from '../../../dist/index.js';
import { badInputs } from './bad-input-table.js';
import { checkRowNorm, isAdd, isRms, ROW_OPS, runConvenience, type RowOp, type RowOptions } from '../../row-norm/check-row-norm.js';
import { normalizer, runInScope } from './harness.js';

type Caught = { code: string; argument: string | null; message: string } | { other: string } | null;

/** What `fn` threw: a NormError of `errorClass` (the built package's, unless a case runs src/), or anything else. */
async function caught(fn: () => unknown, errorClass: typeof lib.NormError = lib.NormError): Promise<Caught> {
  try {
    await fn();
    return null;
  } catch (e) {
    return e instanceof errorClass ? { code: e.code, argument: e.argument ?? null, message: e.message } : { other: String(e) };
  }
}

/** Deterministic values in [-2, 2). */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32) * 4 - 2;
  }
  return a;
}

const S = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const timeout = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

// ---------------------------------------------------------------------------------------------
/** Runs the bad-input table row `id` inside the validation scope of runInScope. */
function runBadInput(id: string) {
  const row = badInputs.find((b) => b.id === id);
  if (!row) throw new Error(`no bad input ${id}`);
  return runInScope((norm, device, kit) => row.run(norm, device, kit));
}

// ---------------------------------------------------------------------------------------------
/**
 * Debug mode with a deliberately broken shader: one line of row-norm/row_norm_core.wgsl gets an
 * unresolved identifier appended, on a fresh device so the module is compiled anew. The library
 * has no test hook: the page wraps that device's createShaderModule, as any code holding the
 * device could. The error must cite that file, line and column.
 */
async function debugBrokenShader() {
  const { createNormalizer } = lib;
  const caughtNorm = (fn: () => unknown) => caught(fn);
  const source = await (await fetch('/shaders/row-norm/row_norm_core.wgsl')).text();
  const lines = source.split('\n');
  const index = lines.findIndex((l) => /^\s+let \w+/.test(l));
  const original = lines[index]!;
  const injected = ' let broken_probe: u32 = no_such_symbol;';
  const expected = `row-norm/row_norm_core.wgsl:${index + 1}:${original.length + injected.indexOf('no_such_symbol') + 1}`;
  const adapter = await navigator.gpu.requestAdapter();
  const fresh = await adapter!.requestDevice();
  const createShaderModule = fresh.createShaderModule.bind(fresh);
  fresh.createShaderModule = (d) => {
    const linked = d.code.split('\n');
    const begin = linked.indexOf('// ---- begin row-norm/row_norm_core.wgsl ----');
    const at = begin < 0 ? -1 : linked.indexOf(original, begin);
    if (at >= 0) linked[at] = original + injected;
    return createShaderModule({ ...d, code: linked.join('\n') });
  };
  const norm = await createNormalizer({ device: fresh, debug: true, tuning: false });
  const device = norm.device;
  const uncaptured: string[] = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  try {
    const x = device.createBuffer({ size: 32, usage: S() });
    const y = device.createBuffer({ size: 32, usage: S() });
    // The encode form cannot wait for the compiler: it returns, and checkErrors() reports.
    const encodeThrew = await caughtNorm(() => norm.encodeLayerNorm(device.createCommandEncoder(), { x, y, rows: 2, cols: 4 }));
    const fromCheck = await caughtNorm(() => norm.checkErrors());
    const afterCheck = await caughtNorm(() => norm.checkErrors());
    // The typed-array form rejects with its own error (a second debug normalizer checks the module anew).
    const other = await createNormalizer({ device, debug: true, tuning: false });
    const fromConvenience = await caughtNorm(() => other.rmsNorm(new Float32Array(8), { cols: 4 }));
    other.destroy();
    return { expected, encodeThrew, fromCheck, afterCheck, fromConvenience, uncaptured };
  } finally {
    norm.destroy();
    fresh.destroy();
  }
}

/**
 * Debug mode on the shared device with a buffer from a second device: the encode returns, the
 * wrong-device finding names the argument via checkErrors() or the next call, and the caller's
 * own error scope around the call stays empty (debug mode's scopes catch the GPU error).
 */
async function debugWrongDevice() {
  const shared = await normalizer();
  const device = shared.device;
  const norm = await lib.createNormalizer({ device, debug: true, tuning: false });
  const adapter = (await navigator.gpu.requestAdapter())!;
  const otherDevice = await adapter.requestDevice();
  const foreign = otherDevice.createBuffer({ label: 'foreign', size: 64, usage: S() });
  const mine = (size = 32) => device.createBuffer({ label: 'mine', size, usage: S() });
  try {
    device.pushErrorScope('validation');
    const encodeThrew = await caught(() => norm.encodeLayerNorm(device.createCommandEncoder(), { x: foreign, y: mine(), rows: 2, cols: 4 }));
    const callerScope = await device.popErrorScope();
    const fromCheck = await caught(() => norm.checkErrors());

    // Not awaited: the finding surfaces on the next call once the GPU has answered.
    norm.encodeRmsNorm(device.createCommandEncoder(), { x: mine(), y: { buffer: foreign, offset: 0, size: 32 }, rows: 2, cols: 4 });
    await device.queue.onSubmittedWorkDone();
    await timeout(150, null);
    const nextCall = await caught(() => norm.encodeLayerNorm(device.createCommandEncoder(), { x: mine(), y: mine(), rows: 2, cols: 4 }));
    const afterwards = await caught(async () => {
      norm.encodeLayerNorm(device.createCommandEncoder(), { x: mine(), y: mine(), rows: 2, cols: 4 });
      await norm.checkErrors();
    });

    // Clean debug work: every op, both forms, right results, no findings, caller's scope empty.
    device.pushErrorScope('validation');
    const checks: { op: string; ok: boolean; detail: string }[] = [];
    for (const op of ROW_OPS) {
      const x = values(3 * 8, 7);
      const residual = isAdd(op) ? values(3 * 8, 8) : undefined;
      const options: RowOptions = { cols: 8, gamma: values(8, 9), ...(isRms(op) ? {} : { beta: values(8, 10) }) };
      const out = await runConvenience(norm, op, x, residual, options);
      const c = checkRowNorm(op, x, residual, options, out);
      checks.push({ op, ok: c.ok, detail: c.detail });
    }
    const enc = device.createCommandEncoder();
    norm.encodeAddRmsNorm(enc, { x: mine(), residual: mine(), sum: mine(), y: mine(), rows: 2, cols: 4 });
    device.queue.submit([enc.finish()]);
    const cleanCheck = await caught(() => norm.checkErrors());
    const cleanScope = await device.popErrorScope();
    return {
      encodeThrew,
      callerScope: callerScope?.message ?? null,
      fromCheck,
      nextCall,
      afterwards,
      checks,
      cleanCheck,
      cleanScope: cleanScope?.message ?? null,
    };
  } finally {
    norm.destroy();
    otherDevice.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
/**
 * Device loss mid-stream: calls in flight when the device is destroyed reject with device-lost
 * (none hang, none fail differently), later calls refuse at once, and a normalizer on a new
 * device works. Both for a normalizer that owns its device and for a caller's device in debug mode.
 */
async function deviceLoss() {
  const cols = 64;
  const x = values(8 * cols, 3);
  const settleAll = (calls: Promise<string>[]) => Promise.race([Promise.all(calls), timeout(30_000, 'timeout' as const)]);
  const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof lib.NormError ? e.code : `other: ${String(e)}`));

  // 1. A normalizer that owns its device; the device is destroyed with 24 calls in flight.
  const owned = await lib.createNormalizer({ tuning: false });
  const inFlight = Array.from({ length: 24 }, (_, i) => outcome(runConvenience(owned, ROW_OPS[i % 4]!, x, i % 4 >= 2 ? x : undefined, { cols })));
  owned.device.destroy();
  const ownedOutcomes = await settleAll(inFlight);
  const lostInfo = await Promise.race([owned.device.lost.then((i) => i.reason as string), timeout(10_000, 'lost never resolved')]);
  const afterLossConvenience = await caught(() => owned.layerNorm(x, { cols }));
  const afterLossEncode = await caught(() => owned.encodeLayerNorm(owned.device.createCommandEncoder(), { x: owned.device.createBuffer({ size: 32, usage: S() }), y: owned.device.createBuffer({ size: 32, usage: S() }), rows: 2, cols: 4 }));
  owned.destroy();

  // 2. The caller's device, debug mode, destroyed by the caller with calls and encodes in flight.
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const debugNorm = await lib.createNormalizer({ device, debug: true, tuning: false });
  const b = () => device.createBuffer({ size: 4 * cols * 8, usage: S() });
  debugNorm.encodeLayerNorm(device.createCommandEncoder(), { x: b(), y: b(), rows: 8, cols });
  const debugInFlight = Array.from({ length: 8 }, (_, i) => outcome(runConvenience(debugNorm, ROW_OPS[i % 4]!, x, i % 4 >= 2 ? x : undefined, { cols })));
  device.destroy();
  const debugOutcomes = await settleAll(debugInFlight);
  const debugCheck = await Promise.race([caught(() => debugNorm.checkErrors()), timeout(30_000, 'timeout' as const)]);
  debugNorm.destroy();

  // 3. A normalizer on a new device works.
  const fresh = await lib.createNormalizer({ tuning: false });
  const out = await fresh.layerNorm(x, { cols });
  const freshCheck = checkRowNorm('layerNorm', x, undefined, { cols }, out);
  fresh.destroy();
  return { ownedOutcomes, lostInfo, afterLossConvenience, afterLossEncode, debugOutcomes, debugCheck, fresh: { ok: freshCheck.ok, detail: freshCheck.detail } };
}

// ---------------------------------------------------------------------------------------------
/**
 * `callers` independent callers, each making `perCaller` sequential calls of mixed ops, shapes and
 * dtypes, all overlapping on one normalizer; every result is checked against the reference.
 */
async function concurrency(callers: number, perCaller: number) {
  const norm = await normalizer();
  const shapes = [
    [1, 3],
    [2, 4],
    [5, 17],
    [3, 64],
    [7, 100],
    [2, 768],
  ] as const;
  let calls = 0;
  const failures: string[] = [];
  const caller = async (c: number) => {
    for (let k = 0; k < perCaller; k++) {
      const op: RowOp = ROW_OPS[(c + k) % 4]!;
      const [rows, cols] = shapes[(c * 5 + k) % shapes.length]!;
      const dtype = (c + k) % 3 === 0 ? 'f16' : 'f32';
      const seed = c * 1000 + k;
      const f = values(rows * cols, seed);
      const toStorage = (v: Float32Array) => (dtype === 'f16' ? Uint16Array.from(v, (t) => lib.f32ToF16(t)) : v);
      const x = toStorage(f);
      const residual = isAdd(op) ? toStorage(values(rows * cols, seed + 1)) : undefined;
      const options: RowOptions = { cols, gamma: values(cols, seed + 2), ...(isRms(op) ? {} : { beta: values(cols, seed + 3) }), epsilon: 1e-5 * (1 + c) };
      const out = await runConvenience(norm, op, x, residual, options);
      calls++;
      const r = checkRowNorm(op, x, residual, options, out);
      if (!r.ok) failures.push(`caller ${c} call ${k} ${op} ${rows}x${cols} ${dtype}: ${r.detail}`);
    }
  };
  const before = norm.stats();
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
  return { calls, failures: failures.slice(0, 5), failureCount: failures.length, before, after: norm.stats() };
}

// ---------------------------------------------------------------------------------------------
/**
 * The soak: a normalizer on its own device whose createBuffer is wrapped, so the buffers the
 * library really holds (created − destroyed) are counted independently of `norm.stats()`.
 */
interface SoakState {
  norm: Normalizer;
  device: GPUDevice;
  operands: Record<string, GPUBuffer>;
  live: Map<GPUBuffer, number>;
  /** Uniform buffers, counted but not held: an evicted one is dropped to the GC, never destroyed. */
  uniforms: { created: number; destroyed: number };
  calls: number;
  uncaptured: string[];
}
let soakState: SoakState | undefined;

async function soakSetup() {
  const adapter = (await navigator.gpu.requestAdapter())!;
  const device = await adapter.requestDevice();
  const uncaptured: string[] = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  const operands: Record<string, GPUBuffer> = {};
  for (const name of ['x', 'residual', 'gamma', 'beta', 'bias', 'y', 'sum', 'mean', 'rstd']) {
    operands[name] = device.createBuffer({ label: `soak ${name}`, size: 1024, usage: S() });
    device.queue.writeBuffer(operands[name]!, 0, values(256, name.length));
  }
  // Every buffer created from here on is the library's.
  const live = new Map<GPUBuffer, number>();
  const uniforms = { created: 0, destroyed: 0 };
  const create = device.createBuffer.bind(device);
  device.createBuffer = (d: GPUBufferDescriptor) => {
    const buffer = create(d);
    if (d.usage & GPUBufferUsage.UNIFORM) {
      // Not held here, so the GC can reclaim the ones the library drops (holding them would leak).
      uniforms.created++;
      const destroyUniform = buffer.destroy.bind(buffer);
      buffer.destroy = () => {
        uniforms.destroyed++;
        destroyUniform();
      };
      return buffer;
    }
    live.set(buffer, d.size);
    const destroy = buffer.destroy.bind(buffer);
    buffer.destroy = () => {
      live.delete(buffer);
      destroy();
    };
    return buffer;
  };
  const norm = await lib.createNormalizer({ device, tuning: false });
  soakState = { norm, device, operands, live, uniforms, calls: 0, uncaptured };
}

/** `count` more soak calls: encode-heavy (submitted every 64), one typed-array call in 50. */
async function soakRun(count: number) {
  const s = soakState!;
  const { norm, device, operands: o } = s;
  const colsChoices = [4, 8, 12, 3, 16, 5];
  let encoder = device.createCommandEncoder();
  let pending = 0;
  const t0 = performance.now();
  for (let n = 0; n < count; n++) {
    const i = s.calls++;
    const op = ROW_OPS[i % 4]!;
    const rows = 1 + (i % 5);
    const cols = colsChoices[(i >> 2) % colsChoices.length]!;
    const dtype = i % 3 === 0 ? 'f16' : 'f32';
    // ~1,500 distinct epsilons × shapes: far more uniforms than the cache holds, so it evicts all the time.
    const epsilon = 1e-5 * (1 + (i % 1499) / 1499);
    if (i % 50 === 49) {
      const x = dtype === 'f16' ? new Uint16Array(rows * cols).fill(0x3c00) : values(rows * cols, i);
      await runConvenience(norm, op, x, isAdd(op) ? x : undefined, { cols, epsilon, gamma: values(cols, i) });
      continue;
    }
    const common = { x: o.x!, y: o.y!, gamma: i % 2 ? o.gamma : undefined, rows, cols, dtype, epsilon } as const;
    const target = i % 7 === 0 ? encoder.beginComputePass() : encoder;
    if (op === 'layerNorm') norm.encodeLayerNorm(target, { ...common, beta: o.beta, ...(i % 5 ? { mean: o.mean, rstd: o.rstd } : {}) });
    else if (op === 'rmsNorm') norm.encodeRmsNorm(target, { ...common, rstd: i % 5 ? o.rstd : undefined });
    else if (op === 'addLayerNorm') norm.encodeAddLayerNorm(target, { ...common, residual: o.residual!, sum: o.sum!, bias: i % 3 ? o.bias : undefined });
    else norm.encodeAddRmsNorm(target, { ...common, residual: o.residual!, sum: o.sum! });
    if (target !== encoder) (target as GPUComputePassEncoder).end();
    if (++pending === 64) {
      device.queue.submit([encoder.finish()]);
      encoder = device.createCommandEncoder();
      pending = 0;
    }
    if (i % 1000 === 999) await device.queue.onSubmittedWorkDone();
  }
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return soakMeasure(performance.now() - t0);
}

function soakMeasure(ms = 0) {
  const s = soakState!;
  let bytes = 0;
  for (const size of s.live.values()) bytes += size;
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return { calls: s.calls, ms, stats: s.norm.stats(), counted: { buffers: s.live.size, bytes }, uniforms: { ...s.uniforms }, heap: memory?.usedJSHeapSize ?? null, uncaptured: s.uncaptured.slice(0, 3) };
}

function soakTeardown() {
  const s = soakState!;
  s.norm.destroy();
  const left = soakMeasure();
  s.device.destroy();
  soakState = undefined;
  return left;
}

// ---------------------------------------------------------------------------------------------
/**
 * Encode now, submit later: one LayerNorm recorded into an encoder that is submitted only after
 * `others` other distinct uniforms (epsilons) were encoded and submitted, far more than the
 * uniform cache holds. Returns the validation error of that late submit and y against the CPU.
 */
async function encodeThenSubmitLater(others: number) {
  // Its own normalizer (and device), so the shared one's cache is left as the other suites expect.
  const norm = await lib.createNormalizer({ tuning: false });
  const { device } = norm;
  const uncaptured: string[] = [];
  device.addEventListener('uncapturederror', (e) => uncaptured.push((e as GPUUncapturedErrorEvent).error.message));
  const rows = 2;
  const cols = 8;
  const x = values(rows * cols, 7);
  const xBuf = device.createBuffer({ size: x.byteLength, usage: S() });
  device.queue.writeBuffer(xBuf, 0, x);
  const yBuf = device.createBuffer({ size: x.byteLength, usage: S() });
  const late = device.createCommandEncoder();
  norm.encodeLayerNorm(late, { x: xBuf, y: yBuf, rows, cols, epsilon: 1e-3 });
  const scratch = device.createBuffer({ size: x.byteLength, usage: S() });
  for (let i = 0; i < others; i++) {
    const encoder = device.createCommandEncoder();
    norm.encodeLayerNorm(encoder, { x: xBuf, y: scratch, rows, cols, epsilon: 1e-4 * (1 + i / others) });
    device.queue.submit([encoder.finish()]);
    if (i % 100 === 99) await device.queue.onSubmittedWorkDone();
  }
  await device.queue.onSubmittedWorkDone();
  await timeout(0, null);
  device.pushErrorScope('validation');
  const read = device.createBuffer({ size: x.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  late.copyBufferToBuffer(yBuf, 0, read, 0, x.byteLength);
  device.queue.submit([late.finish()]);
  const error = await device.popErrorScope();
  await read.mapAsync(GPUMapMode.READ);
  const y = new Float32Array(read.getMappedRange().slice(0));
  read.unmap();
  const expected = lib.cpu.layerNorm(x, { cols, epsilon: 1e-3 }).y;
  let maxError = 0;
  for (let i = 0; i < y.length; i++) maxError = Math.max(maxError, Math.abs(y[i]! - expected[i]!));
  const cachedUniforms = norm.stats().cachedUniforms;
  norm.destroy();
  return { error: error?.message ?? null, uncaptured, maxError, cachedUniforms };
}

export const reliability = { runBadInput, debugBrokenShader, debugWrongDevice, deviceLoss, concurrency, soakSetup, soakRun, soakTeardown, encodeThenSubmitLater };
