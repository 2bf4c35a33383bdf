/**
 * One-off: what a submission that ends in a read-back costs in Chromium, by what it holds. Each
 * form writes 3 KiB, optionally records a compute pass, copies into a read-back buffer, submits
 * and maps it; medians of interleaved rounds. `empty pass` has no dispatch; `dispatch ×k` runs a
 * kernel that loops k times per invocation over 64 workgroups, so its GPU time grows with k and
 * shows whether the wall time grows with it or in steps. With `--nudge`, each form also runs
 * while the page, as it waits for the map, yields through a MessageChannel and queues a zero-byte
 * `writeBuffer` on every turn: whether more traffic to the GPU process makes it notice finished
 * work sooner. Findings: docs/software-drivers.md.
 *   npx tsx tools/submission-latency.ts [--nudge]
 */
import { createServer } from 'node:http';
import { launchChromium } from './chromium.js';

const NUDGE = process.argv.includes('--nudge');
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const adapter = await navigator.gpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [] });
const U = GPUBufferUsage;
const src = device.createBuffer({ size: 3072, usage: U.STORAGE | U.COPY_DST | U.COPY_SRC });
const rd = device.createBuffer({ size: 3072, usage: U.MAP_READ | U.COPY_DST });
const module = device.createShaderModule({ code: \`
  override K: u32 = 1u;
  @group(0) @binding(0) var<storage, read_write> b: array<f32>;
  @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
    var s = b[g.x % 768u];
    for (var i = 0u; i < K; i++) { s = fma(s, 1.0001, 0.5); }
    b[g.x % 768u] = s;
  }\` });
// Pipeline and bind group per k, made once: the timed calls record only the dispatch.
const pipelines = new Map();
const pipeline = (k) => {
  if (!pipelines.has(k)) {
    const p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main', constants: { K: k } } });
    pipelines.set(k, { p, bindGroup: device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: src } }] }) });
  }
  return pipelines.get(k);
};
const data = new Float32Array(768).fill(1);
// Yields one event-loop turn (a MessageChannel task: timers are clamped to about 4 ms here).
const turn = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = r; c.port2.postMessage(0); });
async function form(kind, k, nudge) {
  device.queue.writeBuffer(src, 0, data);
  const e = device.createCommandEncoder();
  if (kind !== 'copy') {
    const p = e.beginComputePass();
    if (kind === 'dispatch') {
      const pl = pipeline(k);
      p.setPipeline(pl.p);
      p.setBindGroup(0, pl.bindGroup);
      p.dispatchWorkgroups(64);
    }
    p.end();
  }
  e.copyBufferToBuffer(src, 0, rd, 0, 3072);
  device.queue.submit([e.finish()]);
  let mapped = false;
  const map = rd.mapAsync(GPUMapMode.READ).then(() => { mapped = true; });
  while (nudge && !mapped) {
    await turn();
    if (!mapped) device.queue.writeBuffer(src, 0, data, 0, 0);
  }
  await map;
  rd.unmap();
}
const plain = [['copy only', 'copy', 0], ['empty pass', 'pass', 0], ...[1, 64, 256, 1024, 2048, 4096, 8192].map((k) => ['dispatch ×' + k, 'dispatch', k])];
const forms = ${NUDGE} ? plain.flatMap(([n, kind, k]) => [[n, kind, k, false], [n + ', nudged', kind, k, true]]) : plain;
for (const [, kind, k, nudge] of forms) for (let i = 0; i < 5; i++) await form(kind, k, nudge);
const t = forms.map(() => []);
for (let r = 0; r < 40; r++) for (let i = 0; i < forms.length; i++) { const t0 = performance.now(); await form(forms[i][1], forms[i][2], forms[i][3]); t[i].push(performance.now() - t0); }
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
window.result = forms.map(([name], i) => name + ': ' + med(t[i]).toFixed(2) + ' ms (min ' + Math.min(...t[i]).toFixed(2) + ') · ' + [...t[i]].sort((p, q) => p - q).map((v) => v.toFixed(1)).join(' '));
</script>`;

const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction('window.result !== undefined', { timeout: 300_000, polling: 200 });
  for (const line of (await page.evaluate('window.result')) as string[]) console.log(line);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
