/**
 * The encode-overhead measurement (measure.mjs) in a Chromium page: what recording one op costs
 * the caller's thread, against three native calls by hand. Findings: docs/design.md, "What an
 * encode call costs".
 *   npm run build
 *   npx tsx tools/encode-overhead/run.ts [rows] [other-dist ...] [--profile out.cpuprofile]
 * Each other-dist (a copy of dist/ built from other code) is measured beside this checkout's,
 * interleaved. `--profile` writes the page's CPU profile (DevTools' format) for the whole run.
 */
import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../chromium.js';

const args = process.argv.slice(2);
const profileAt = args.indexOf('--profile');
const profileOut = profileAt >= 0 ? args.splice(profileAt, 2)[1] : undefined;
const [rowsArg, ...others] = args;
const rows = Number(rowsArg ?? 1);
const dists = [fileURLToPath(new URL('../../dist', import.meta.url)), ...others.map((d) => resolve(d))];
const names = ['lib', ...others];
const measureJs = readFileSync(new URL('./measure.mjs', import.meta.url), 'utf8');
const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { format, measure } from '/measure.mjs';
const libs = {};
${names.map((n, i) => `libs[${JSON.stringify(n)}] = await import('/lib/${i}/index.js');`).join('\n')}
const adapter = await navigator.gpu.requestAdapter();
const device = await adapter.requestDevice();
const results = await measure(device, libs, { rows: ${rows} });
window.result = format(results, (adapter.info.description || adapter.info.device) + ' (Chromium) · ${rows}×4096 f32');
</script>`;

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const lib = /^\/lib\/(\d+)\/index\.js$/.exec(url);
  if (lib) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(resolve(dists[Number(lib[1])]!, 'index.js')));
  else if (url === '/measure.mjs') res.writeHead(200, { 'content-type': 'text/javascript' }).end(measureJs);
  // Cross-origin isolated, so that performance.now() resolves microseconds, not 100 µs.
  else res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(page);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const browser = await launchChromium();
try {
  const tab = await browser.newPage();
  tab.on('pageerror', (e) => console.error(e));
  const cdp = profileOut ? await tab.createCDPSession() : undefined;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    await cdp.send('Profiler.start');
  }
  await tab.goto(`http://127.0.0.1:${port}/`);
  await tab.waitForFunction('window.result !== undefined', { timeout: 300_000, polling: 200 });
  if (cdp && profileOut) writeFileSync(profileOut, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  for (const line of (await tab.evaluate('window.result')) as string[]) console.log(line);
} finally {
  await browser.close();
  server.closeAllConnections();
  server.close();
}
