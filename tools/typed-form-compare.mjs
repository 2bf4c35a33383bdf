// One-off: the typed-array form of two builds of the library, interleaved on one device, against
// the transfer floor (writeBuffer, copy to a read-back buffer, mapAsync, copy out).
// node tools/typed-form-compare.mjs <before dist/index.js> <after dist/index.js>
import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const [beforePath, afterPath] = process.argv.slice(2);
const before = await import(beforePath);
const after = await import(afterPath);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice({
  requiredFeatures: [...adapter.features].filter((f) => ['subgroups', 'shader-f16', 'timestamp-query'].includes(f)),
  requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
});
const nb = await before.createNormalizer({ device });
const na = await after.createNormalizer({ device });
const U = GPUBufferUsage;
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const time = async (fn, n) => { const t0 = performance.now(); for (let i = 0; i < n; i++) await fn(); return (performance.now() - t0) / n; };
console.log(`adapter: ${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`);
console.log('| op | dtype | shape | before ms | after ms | after / before | transfer floor ms |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
for (const dtype of ['f32', 'f16']) {
  for (const [rows, cols] of [[1, 768], [128, 768], [1, 4096], [2048, 768], [512, 4096], [4096, 1024]]) {
    const f = new Float32Array(rows * cols).map(() => Math.random() * 2 - 1);
    const x = dtype === 'f16' ? after.toF16Array(f) : f;
    const gamma = new Float32Array(cols).fill(1.1), beta = new Float32Array(cols).fill(0.1);
    const inBuf = device.createBuffer({ size: x.byteLength, usage: U.STORAGE | U.COPY_DST });
    const gb = device.createBuffer({ size: cols * 4, usage: U.STORAGE | U.COPY_DST });
    const bb = device.createBuffer({ size: cols * 4, usage: U.STORAGE | U.COPY_DST });
    const out = device.createBuffer({ size: x.byteLength + rows * 8, usage: U.STORAGE | U.COPY_SRC });
    const rd = device.createBuffer({ size: x.byteLength + rows * 8, usage: U.MAP_READ | U.COPY_DST });
    const floor = async () => {
      device.queue.writeBuffer(inBuf, 0, x); device.queue.writeBuffer(gb, 0, gamma); device.queue.writeBuffer(bb, 0, beta);
      const e = device.createCommandEncoder(); e.copyBufferToBuffer(out, 0, rd, 0, rd.size); device.queue.submit([e.finish()]);
      await rd.mapAsync(GPUMapMode.READ); const all = rd.getMappedRange(); all.slice(0, x.byteLength); all.slice(x.byteLength, x.byteLength + rows * 4); all.slice(x.byteLength + rows * 4); rd.unmap();
    };
    const options = { cols, gamma, beta };
    const b = () => nb.layerNorm(x, options), a = () => na.layerNorm(x, options);
    for (let i = 0; i < 3; i++) { await b(); await a(); await floor(); }
    const n = rows * cols >= 1 << 20 ? 2 : rows * cols >= 1 << 17 ? 8 : 40;
    const tb = [], ta = [], tf = [];
    for (let r = 0; r < 9; r++) { tb.push(await time(b, n)); ta.push(await time(a, n)); tf.push(await time(floor, n)); }
    const [mb, ma, mf] = [median(tb), median(ta), median(tf)];
    console.log(`| layerNorm | ${dtype} | ${rows}×${cols} | ${mb.toFixed(3)} | ${ma.toFixed(3)} | ${(ma / mb).toFixed(2)}× | ${mf.toFixed(3)} |`);
    for (const buf of [inBuf, gb, bb, out, rd]) buf.destroy();
  }
}
process.exit(0);
