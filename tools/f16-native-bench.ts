/**
 * Native `shader-f16` row-norm kernels against the packed-u32 ones, in one run (issue 14, item 4).
 * For each op and shape, the variant the selection rule picks on this device is timed twice per
 * round, once with f16 as WGSL's own f16 (`nativeF16`, vec4<f16> when cols % 4 == 0) and once
 * packed two per u32 (same layout otherwise), in one submission whose order alternates every round
 * (A/B, B/A, ...), after an untimed wake-up dispatch (src/core/gpu-timer.ts); GPU time by
 * timestamp queries where the device has them. Shapes under 2^20 elements repeat the dispatch in
 * the timed pass (up to 50 times) and report the time per dispatch. Prints medians, the native/packed ratio, and the
 * largest f16 ULP distance of native from packed and of each from the float64 reference.
 *
 *   npm run build
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json npx tsx tools/f16-native-bench.ts [--rounds 21] [--shapes 64x768,1x4099] [--ops layerNorm,addLayerNorm]
 *
 * `--adversarial` replaces the data with rows of a large offset, f16 values whose squares overflow
 * f16, zero variance, a NaN and an Inf (NaN must meet NaN in the ULP columns; a lone NaN counts as
 * Infinity). Any adapter with `shader-f16` will do (on a real GPU, leave VK_ICD_FILENAMES unset). Ratios are
 * the point: absolute times on a CPU adapter say little about a GPU.
 */
import { loadavg, cpus } from 'node:os';
import { GpuTimer } from '../src/core/gpu-timer.js';
import type * as Lib from '../src/index.js';

const lib = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof Lib;
const { createNormalizer, cpu, toF16Array, describeVariant } = lib;

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROUNDS = Number(arg('rounds') ?? 21);
const SHAPES = (arg('shapes') ?? '4096x1024,1024x4096,64x768,1x4096,64x4099,1x4099')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const OPS = (arg('ops') ?? 'layerNorm,rmsNorm,addRmsNorm').split(',') as ('layerNorm' | 'rmsNorm' | 'addLayerNorm' | 'addRmsNorm')[];
// Rows cycling through noise, a 1000 offset, |x| up to 60000 (squares overflow f16), zero variance,
// a NaN, an Inf: for the ULP columns rather than the times.
const ADVERSARIAL = process.argv.includes('--adversarial');

function adversarial(rows: number, cols: number, seed: number): Float32Array {
  const out = data(rows * cols, seed, 0, 0.5);
  for (let r = 0; r < rows; r++) {
    const kind = r % 6;
    for (let c = 0; c < cols; c++) {
      const u = out[r * cols + c]!;
      out[r * cols + c] = kind === 0 ? 3 * u : kind === 1 ? 1000 + 8 * u : kind === 2 ? 60000 * Math.max(-1, Math.min(1, u)) : kind === 3 ? 7.5 : u;
    }
    if (kind === 4) out[r * cols + Math.floor(cols / 2)] = NaN;
    if (kind === 5) out[r * cols + cols - 1] = Infinity;
  }
  return out;
}

/** Deterministic pseudo-normal data with an offset. */
function data(n: number, seed: number, offset: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * (next() + next() + next() - 1.5) * 2;
  return out;
}

/** Distance in representable f16 values (sign-magnitude bits made monotonic); NaN vs NaN is 0. */
function ulps(a: number, b: number): number {
  const nan = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
  if (nan(a) || nan(b)) return nan(a) && nan(b) ? 0 : Infinity;
  const ord = (h: number) => (h & 0x8000 ? -(h & 0x7fff) : h);
  return Math.abs(ord(a) - ord(b));
}
const maxUlps = (a: Uint16Array, b: Uint16Array) => a.reduce((m, v, i) => Math.max(m, ulps(v, b[i]!)), 0);
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;

const norm = await createNormalizer();
const { device } = norm;
if (!device.features.has('shader-f16')) throw new Error('this adapter has no shader-f16: nothing to compare');
const timer = new GpuTimer(device, { label: 'f16-native' });
const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
const load0 = loadavg()[0]!;
const t0 = Date.now();
console.log(`${new Date().toISOString()}${ADVERSARIAL ? ' · adversarial rows' : ''} · ${info?.vendor}/${info?.architecture} (${info?.description || info?.device}) · timer ${timer.mode} · ${ROUNDS} rounds · ${cpus().length} CPUs, 1-min load ${load0.toFixed(2)}`);
console.log('| op | shape | native variant | dispatches per pass | packed ms | native ms | native / packed | y native vs packed (ULP) | y packed vs f64 (ULP) | y native vs f64 (ULP) | sum native vs packed (ULP) |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');

const U = GPUBufferUsage;
/** A storage buffer holding `a` (whose byte length is a multiple of 4). */
const upload = (a: Float32Array | Uint16Array) => {
  const b = device.createBuffer({ size: a.byteLength, usage: U.STORAGE | U.COPY_DST | U.COPY_SRC });
  device.queue.writeBuffer(b, 0, a);
  return b;
};
async function read(buffer: GPUBuffer, n: number): Promise<Uint16Array> {
  const size = Math.ceil((n * 2) / 4) * 4;
  const staging = device.createBuffer({ size, usage: U.MAP_READ | U.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Uint16Array(staging.getMappedRange().slice(0), 0, n);
  staging.destroy();
  return out;
}

for (const op of OPS) {
  for (const [rows, cols] of SHAPES) {
    const n = rows * cols;
    // Whole words: odd totals end mid-word, and the packed layout rounds buffers up to 4 bytes.
    const xh = new Uint16Array(n + (n % 2));
    xh.set(toF16Array(ADVERSARIAL ? adversarial(rows, cols, rows * 31 + cols) : data(n, rows * 31 + cols, 3, 2)));
    const rh = new Uint16Array(n + (n % 2));
    rh.set(toF16Array(data(n, rows * 37 + cols, 0, 1)));
    const gamma = data(cols, cols + 2, 1, 0.2);
    const beta = data(cols, cols + 3, 0, 0.2);
    const add = op === 'addLayerNorm' || op === 'addRmsNorm';
    const layer = op === 'layerNorm' || op === 'addLayerNorm';
    const bufs = { x: upload(xh), residual: upload(rh), gamma: upload(gamma), beta: upload(beta) };
    const out = () => device.createBuffer({ size: Math.ceil((n * 2) / 4) * 4, usage: U.STORAGE | U.COPY_SRC });
    const ys = { packed: out(), native: out() };
    const sums = { packed: out(), native: out() };
    const operands = (which: 'packed' | 'native') => ({
      x: bufs.x,
      y: ys[which],
      rows,
      cols,
      dtype: 'f16' as const,
      gamma: bufs.gamma,
      ...(layer ? { beta: bufs.beta } : {}),
      ...(add ? { residual: bufs.residual, sum: sums[which] } : {}),
    });
    const encode = (target: GPUComputePassEncoder | GPUCommandEncoder, which: 'packed' | 'native', variant?: Lib.RowNormVariant) =>
      (norm as unknown as Record<string, (t: unknown, o: object) => Lib.RowNormVariant>)[`encode${op[0]!.toUpperCase()}${op.slice(1)}`]!(target, { ...operands(which), ...(variant ? { variant } : {}) });
    // The rule's layout on this device, native (vec4<f16> when cols % 4 === 0) and packed (the rule
    // itself picks packed on CPU adapters when cols % 4 === 0, native elsewhere with shader-f16).
    const probe = device.createCommandEncoder();
    const ruled = encode(probe, 'native');
    probe.finish();
    const { nativeF16: _, ...layout } = ruled;
    const native: Lib.RowNormVariant = { ...layout, vec4: cols % 4 === 0, nativeF16: true };
    const packed: Lib.RowNormVariant = { ...layout, vec4: false };
    try {
      encode(device.createCommandEncoder(), 'native', native);
    } catch (e) {
      console.log(`${op} ${rows}x${cols}: no native form (${(e as Error).message}); skipped`);
      continue;
    }
    // Small shapes: several dispatches per timed pass (the time divided by them), so that coarse
    // timestamps (lavapipe's step is ~65 µs) still resolve them.
    const reps = Math.max(1, Math.min(50, Math.round(2 ** 20 / n)));
    const repeat = (which: 'packed' | 'native', v: Lib.RowNormVariant) => (p: GPUComputePassEncoder) => {
      for (let i = 0; i < reps; i++) encode(p, which, v);
    };
    const kernels = [repeat('packed', packed), repeat('native', native)];
    await timer.untimed(kernels, 2);
    const times: number[][] = [[], []];
    for (let r = 0; r < ROUNDS; r++) {
      const ms = await timer.sample(kernels, r);
      times[0]!.push(ms[0]! / reps);
      times[1]!.push(ms[1]! / reps);
    }
    const [yp, yn] = [await read(ys.packed, n), await read(ys.native, n)];
    const xs = xh.subarray(0, n);
    const rs = rh.subarray(0, n);
    const o = layer ? { cols, gamma, beta } : { cols, gamma };
    const f64 = add ? (layer ? cpu.addLayerNormF64(xs, rs, o) : cpu.addRmsNormF64(xs, rs, o)) : layer ? cpu.layerNormF64(xs, o) : cpu.rmsNormF64(xs, o);
    const ref = toF16Array(f64.y);
    const [mp, mn] = [median(times[0]!), median(times[1]!)];
    console.log(
      `| ${op} | ${rows}×${cols} | \`${describeVariant(native)}\` | ${reps} | ${mp.toPrecision(3)} | ${mn.toPrecision(3)} | ${(mn / mp).toFixed(2)}× | ${maxUlps(yn, yp)} | ${maxUlps(yp, ref)} | ${maxUlps(yn, ref)} | ${add ? maxUlps(await read(sums.native, n), await read(sums.packed, n)) : '–'} |`,
    );
    for (const b of [...Object.values(bufs), ...Object.values(ys), ...Object.values(sums)]) b.destroy();
  }
}
console.log(`1-min load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}; run took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
timer.destroy();
norm.destroy();
