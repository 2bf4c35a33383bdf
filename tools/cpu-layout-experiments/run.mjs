/**
 * Layout experiments for LayerNorm on CPU adapters (issue 15, item 1): which part of the row-norm
 * kernel costs what, against the two-read floor, in one run. Each round times every kernel once,
 * back to back in one submission after an untimed wake-up pass, in rotating order; medians of the
 * rounds are printed with their ratio to the first kernel (the span-shaped two-read floor).
 *
 *   npm run build
 *   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node tools/cpu-layout-experiments/run.mjs [4096x1024] [31]
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node tools/cpu-layout-experiments/run.mjs
 *   node tools/cpu-layout-experiments/run.mjs 4096x1024 31 f16    (the packed-f16 conversions, f16-kernels.mjs)
 *   node tools/cpu-layout-experiments/run.mjs 2048x768 15 atomic  (atomic loads and stores, atomic-kernels.mjs)
 *   node tools/cpu-layout-experiments/run.mjs 2048x768 21 split   (statistics, then a column-layout output: split-kernels.mjs)
 *   node tools/cpu-layout-experiments/run.mjs 4096x1024 31 skew   (rows that alias in L1, rotated: skew-kernels.mjs)
 *
 *
 * ONLY='lib x4|lanes of 4, 4' keeps the first kernel and those whose names contain one of the
 * strings. DAWN_EXTRA=enable-dawn-features=disable_robustness turns off Dawn's robustness checks,
 * which make SwiftShader through Node about twice as slow as in Chromium on the floors (see
 * docs/cpu-adapter-experiments.md, "SwiftShader through Dawn in Node"). Each kernel prints the
 * ratio of its median to the first kernel's and the median of its per-round ratios; the second
 * drifts less when the machine's speed changes during a run.
 *
 * The kernels (kernels.mjs) are stripped-down LayerNorms written for the experiment, not the
 * library's shaders; the library's own x4 kernel runs beside them (`lib x4`) to show they cost
 * the same. Results and what they mean: docs/cpu-adapter-experiments.md. Timings on this 2-core
 * machine move by 10-30 % from run to run: compare ratios within one run, and repeat a run before
 * believing a difference under 10 %.
 */
import { create, globals } from 'webgpu';
import { defineKernels, floorKernel } from './kernels.mjs';
import { defineF16Kernels } from './f16-kernels.mjs';
import { defineAtomicKernels } from './atomic-kernels.mjs';
import { defineSplitKernels } from './split-kernels.mjs';
import { defineSkewKernels } from './skew-kernels.mjs';

Object.assign(globalThis, globals);
// Kept in a global: the webgpu package tears Dawn down when this object is collected while its
// devices live (docs/software-drivers.md).
globalThis.__experimentGpu = create(['disable-dawn-features=timestamp_quantization', ...(process.env.DAWN_EXTRA ? [process.env.DAWN_EXTRA] : [])]);
const adapter = await globalThis.__experimentGpu.requestAdapter();
const features = ['timestamp-query', 'subgroups'].filter((f) => adapter.features.has(f));
const device = await adapter.requestDevice({ requiredFeatures: features });
// A kernel that fails validation would otherwise be timed as an empty pass: stop at once.
device.addEventListener('uncapturederror', (e) => {
  console.error(e.error.message);
  process.exit(1);
});
const [R, C] = (process.argv[2] ?? '4096x1024').split('x').map(Number);
const ROUNDS = Number(process.argv[3] ?? 31);
const SET = process.argv[4] ?? 'layout';
console.log(`${adapter.info.description || adapter.info.device} · subgroups of ${adapter.info.subgroupMinSize} · ${R}×${C} · ${ROUNDS} rounds`);

const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.UNIFORM;
const buffer = (size) => device.createBuffer({ size, usage: usage | GPUBufferUsage.COPY_SRC });
const x = buffer(R * C * 4);
const y = buffer(R * C * 4);
const gamma = buffer(C * 8); // room for the interleaved (gamma, beta) experiment
const beta = buffer(C * 4);
const rowsData = new Float32Array(R * C).map((_, i) => 1000 + Math.sin(i));
device.queue.writeBuffer(x, 0, rowsData);
device.queue.writeBuffer(gamma, 0, new Float32Array(2 * C).fill(1.5));
device.queue.writeBuffer(beta, 0, new Float32Array(C).fill(0.25));
const lib = await import(new URL('../../dist/index.js', import.meta.url).href);
// Packed halves, for the f16 set only: the same rows as x, rounded to f16.
const xh = SET === 'f16' ? buffer(R * C * 2) : undefined;
const yh = SET === 'f16' ? buffer(R * C * 2) : undefined;
if (xh) device.queue.writeBuffer(xh, 0, lib.toF16Array(rowsData));

const norm = await lib.createNormalizer({ device });
const kernels = [];
const scratch = SET === 'atomic' ? buffer(R * C * 4 + 16) : undefined;
const st = SET === 'split' ? buffer(R * 16) : undefined;
const bindings = { x, y, gamma, beta, xh, yh, scratch, st };
/** A WGSL kernel; `uses` names the buffers it binds (binding i = uses[i]). */
function add(name, code, constants, groups, uses) {
  addStages(name, [{ code, constants, groups, uses }]);
}
/** Several dispatches timed as one kernel, in one pass; `groups` a count or [x, y]. */
function addStages(name, stages) {
  const recs = stages.map(({ code, constants, groups, uses }) => {
    const module = device.createShaderModule({ code });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main', constants } });
    const entries = uses.map((u, i) => ({ binding: i, resource: { buffer: bindings[u] } }));
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const g = [groups].flat();
    return (pass) => (pass.setPipeline(pipeline), pass.setBindGroup(0, bindGroup), pass.dispatchWorkgroups(...g));
  });
  kernels.push({ name, record: (pass) => recs.forEach((r) => r(pass)), t: [] });
}
/** The library's LayerNorm with a forced variant. */
function addLib(name, variant, op = 'layer') {
  const io = SET === 'f16' ? { x: xh, y: yh, dtype: 'f16' } : { x, y };
  const record = op === 'rms' ? (pass) => norm.encodeRmsNorm(pass, { ...io, gamma, rows: R, cols: C, variant }) : (pass) => norm.encodeLayerNorm(pass, { ...io, gamma, beta, rows: R, cols: C, variant });
  kernels.push({ name, record, t: [] });
}
const shape = { rows: R, cols: C, subgroup: adapter.info.subgroupMinSize };
if (SET === 'atomic') defineAtomicKernels(add, addLib, shape, floorKernel);
else if (SET === 'skew') defineSkewKernels(add, addLib, shape, floorKernel);
else if (SET === 'split') defineSplitKernels(add, addLib, addStages, shape, floorKernel);
else (SET === 'f16' ? defineF16Kernels : defineKernels)(add, addLib, shape);

// ONLY='a|b' keeps the first kernel (the 1x) and those whose names contain a or b: more rounds in
// the same time for the kernels being compared.
if (process.env.ONLY) {
  const keep = process.env.ONLY.split('|');
  kernels.splice(1, kernels.length, ...kernels.slice(1).filter((k) => keep.some((s) => k.name.includes(s))));
}
const queries = device.createQuerySet({ type: 'timestamp', count: 2 * kernels.length });
const resolved = device.createBuffer({ size: 16 * kernels.length, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
const readback = device.createBuffer({ size: 16 * kernels.length, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
for (let round = 0; round < ROUNDS + 2; round++) {
  const encoder = device.createCommandEncoder();
  encoder.beginComputePass().end(); // wake-up
  const order = kernels.map((_, i) => (i + round) % kernels.length);
  order.forEach((k, j) => {
    const pass = encoder.beginComputePass({ timestampWrites: { querySet: queries, beginningOfPassWriteIndex: 2 * j, endOfPassWriteIndex: 2 * j + 1 } });
    kernels[k].record(pass);
    pass.end();
  });
  encoder.resolveQuerySet(queries, 0, 2 * kernels.length, resolved, 0);
  encoder.copyBufferToBuffer(resolved, 0, readback, 0, 16 * kernels.length);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const stamps = new BigInt64Array(readback.getMappedRange().slice(0));
  readback.unmap();
  // The first two rounds warm caches and are not kept.
  if (round >= 2) order.forEach((k, j) => kernels[k].t.push(Number(stamps[2 * j + 1] - stamps[2 * j]) / 1e6));
}
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
const base = median(kernels[0].t);
// Two ratios to the first kernel: of the medians, and the median of the per-round ratios, which
// drifts less when the machine's speed changes during the run (every round times every kernel).
console.log(`${''.padEnd(44)} ${'median'.padStart(12)} ${'ratio'.padStart(7)} ${'per round'.padStart(10)}`);
for (const k of kernels) {
  const perRound = median(k.t.map((t, i) => t / kernels[0].t[i]));
  console.log(`${k.name.padEnd(44)} ${median(k.t).toFixed(3).padStart(9)} ms ${(median(k.t) / base).toFixed(2).padStart(6)}× ${perRound.toFixed(2).padStart(9)}×`);
}
device.destroy();
