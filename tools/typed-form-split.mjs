// One-off: where a one-token typed-array call's time goes in Node, against the same work by hand.
// Times each call in four parts (call -> submit, submit -> mapAsync, the map, after the map) by
// wrapping queue.submit and GPUBuffer.mapAsync. `by hand + stats` does what the typed form does
// structurally (mean and rstd too, three copies into one read-back), so the gap between it and
// the typed form is the library's own JavaScript. Findings: docs/software-drivers.md.
// A third argument idles that many ms (a timer) before every call: the same JavaScript then runs
// slower, as it does in an application that calls between other work.
//   npm run build
//   VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json node tools/typed-form-split.mjs 1x768 600 [gap-ms]
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
globalThis.__splitGpu = create([]); // kept alive: Dawn is torn down when this object is collected
const adapter = await globalThis.__splitGpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: ['subgroups'].filter((f) => adapter.features.has(f)) });
const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const norm = await lib.createNormalizer({ device });
const [R, C] = (process.argv[2] ?? '1x768').split('x').map(Number);
const N = Number(process.argv[3] ?? 600);
const GAP = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const x = new Float32Array(R * C).map(() => Math.random());
const gamma = new Float32Array(C).fill(1.1);
const beta = new Float32Array(C).fill(0.1);
const U = GPUBufferUsage;
const buffer = (size, usage) => device.createBuffer({ size, usage });
const bx = buffer(R * C * 4, U.STORAGE | U.COPY_DST);
const bg = buffer(C * 4, U.STORAGE | U.COPY_DST);
const bb = buffer(C * 4, U.STORAGE | U.COPY_DST);
const by = buffer(R * C * 4, U.STORAGE | U.COPY_SRC);
const bm = buffer(Math.max(16, R * 4), U.STORAGE | U.COPY_SRC);
const br = buffer(Math.max(16, R * 4), U.STORAGE | U.COPY_SRC);
const rd = buffer(R * C * 4 + R * 8, U.MAP_READ | U.COPY_DST);

async function byHand(stats) {
  device.queue.writeBuffer(bx, 0, x);
  device.queue.writeBuffer(bg, 0, gamma);
  device.queue.writeBuffer(bb, 0, beta);
  const e = device.createCommandEncoder();
  norm.encodeLayerNorm(e, { x: bx, y: by, gamma: bg, beta: bb, rows: R, cols: C, ...(stats ? { mean: bm, rstd: br } : {}) });
  e.copyBufferToBuffer(by, 0, rd, 0, R * C * 4);
  if (stats) {
    e.copyBufferToBuffer(bm, 0, rd, R * C * 4, R * 4);
    e.copyBufferToBuffer(br, 0, rd, R * C * 4 + R * 4, R * 4);
  }
  device.queue.submit([e.finish()]);
  await rd.mapAsync(GPUMapMode.READ);
  const all = rd.getMappedRange();
  const out = [all.slice(0, R * C * 4), ...(stats ? [all.slice(R * C * 4, R * C * 4 + R * 4), all.slice(R * C * 4 + R * 4)] : [])];
  rd.unmap();
  return out;
}

let tSubmit = 0;
let tMapCall = 0;
let tMapped = 0;
const submit = device.queue.submit.bind(device.queue);
device.queue.submit = (c) => ((tSubmit = performance.now()), submit(c));
const proto = Object.getPrototypeOf(rd);
const mapAsync = proto.mapAsync;
proto.mapAsync = function (...a) {
  tMapCall = performance.now();
  return mapAsync.apply(this, a).then((v) => ((tMapped = performance.now()), v));
};

const forms = { 'by hand': () => byHand(false), 'by hand + stats': () => byHand(true), 'typed form': () => norm.layerNorm(x, { cols: C, gamma, beta }) };
const parts = Object.fromEntries(Object.keys(forms).map((k) => [k, [[], [], [], []]]));
for (let i = 0; i < 20; i++) for (const f of Object.values(forms)) await f();
for (let i = 0; i < N; i++) {
  for (const [name, f] of Object.entries(forms)) {
    if (GAP !== undefined) await new Promise((r) => setTimeout(r, GAP));
    const t0 = performance.now();
    await f();
    const t1 = performance.now();
    [tSubmit - t0, tMapCall - tSubmit, tMapped - tMapCall, t1 - tMapped].forEach((v, k) => parts[name][k].push(v));
  }
}
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1] * 1000;
console.log(`${adapter.info.description || adapter.info.device} · ${R}×${C} · medians of ${N} interleaved calls${GAP === undefined ? '' : `, each after ${GAP} ms idle`}, µs`);
for (const [name, p] of Object.entries(parts)) {
  const m = p.map(med);
  console.log(`${name.padEnd(16)} total ${m.reduce((s, v) => s + v, 0).toFixed(0).padStart(4)} · to submit ${m[0].toFixed(0)} · submit→mapAsync ${m[1].toFixed(0)} · map ${m[2].toFixed(0)} · after map ${m[3].toFixed(0)}`);
}
device.destroy();
process.exit(0);
