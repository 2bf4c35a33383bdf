/**
 * The tarball as a new user gets it: `npm pack`, unpacked into a fresh app's node_modules (what
 * `npm install webgpu-norm-0.1.0.tgz` puts there), then
 * - in Chromium: the app built with Vite (production build, no project config, no WGSL plugin)
 *   and served from 127.0.0.1 by `vite preview`, opened in the suite's headless Chromium;
 * - in Node: a plain `.mjs` script run by `node`, with the `webgpu` package (Dawn) next to it.
 * Both run LayerNorm and RMSNorm through `createNormalizer` and `createLeanNormalizer`, compare
 * with the float64 reference at the library's stated f32 tolerance, and check that an op of a
 * family not loaded is refused as `op-not-loaded`. Runs after `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { MAX_PACKED_BYTES } from '../shared/package-bounds.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The app's one module, for the page and for Node alike: the results it reports are maxima of
 * the error against the reference, in units of the stated tolerance (≤ 1 passes).
 */
const APP = `
import { createNormalizer, createLeanNormalizer, rowNormKernels, cpu, NormError } from 'webgpu-norm';

function data(n, seed, offset) {
  let s = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = offset + (s / 2 ** 32 - 0.5) * 4;
  }
  return out;
}

/** max over elements of |got - ref| / (1e-5 * max(1, |gamma|) + 1e-5 * |ref|). */
function worst(got, ref, gamma, cols) {
  let w = 0;
  for (let i = 0; i < ref.length; i++) w = Math.max(w, Math.abs(got[i] - ref[i]) / (1e-5 * Math.max(1, Math.abs(gamma[i % cols])) + 1e-5 * Math.abs(ref[i])));
  return w;
}

export async function run() {
  const rows = 7, cols = 771;
  const x = data(rows * cols, 11, 1000);
  const gamma = data(cols, 12, 1);
  const beta = data(cols, 13, 0);
  const norm = await createNormalizer();
  const lean = await createLeanNormalizer({ device: norm.device, kernels: [rowNormKernels] });
  const o = { cols, gamma, beta };
  const full = worst((await norm.layerNorm(x, o)).y, cpu.layerNormF64(x, o).y, gamma, cols);
  const leanLn = worst((await lean.layerNorm(x, o)).y, cpu.layerNormF64(x, o).y, gamma, cols);
  const leanRms = worst((await lean.rmsNorm(x, { cols, gamma })).y, cpu.rmsNormF64(x, { cols, gamma }).y, gamma, cols);
  const refused = await lean.lpNorm(x, { cols }).then(() => 'ran', (e) => (e instanceof NormError ? e.code + ' ' + e.argument : String(e)));
  lean.destroy();
  norm.destroy();
  return { full, leanLn, leanRms, refused };
}
`;

let app: string;
let tarballBytes: number;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'webgpu-norm-packed-'));
  // --ignore-scripts: the suite runs after a build; prepack would build again.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', app], { cwd: root, encoding: 'utf8' });
  const [packed] = JSON.parse(out) as { filename: string }[];
  const tarball = join(app, packed!.filename);
  tarballBytes = statSync(tarball).size;
  mkdirSync(join(app, 'node_modules'));
  execFileSync('tar', ['-xzf', tarball, '-C', join(app, 'node_modules')]);
  renameSync(join(app, 'node_modules', 'package'), join(app, 'node_modules', 'webgpu-norm'));
  // Node's WebGPU, as `npm install webgpu` would add it (a link: it carries a native binary).
  symlinkSync(join(root, 'node_modules', 'webgpu'), join(app, 'node_modules', 'webgpu'), 'dir');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packed-app', private: true, type: 'module' }));
  writeFileSync(join(app, 'app.js'), APP);
  writeFileSync(join(app, 'main.js'), `import { run } from './app.js';\nrun().then((r) => { window.result = r; }, (e) => { window.result = { error: String(e) }; });\n`);
  writeFileSync(join(app, 'index.html'), `<!doctype html><meta charset="utf-8"><title>packed</title><script type="module" src="./main.js"></script>\n`);
  writeFileSync(join(app, 'node.mjs'), `import { run } from './app.js';\nconsole.log(JSON.stringify(await run()));\n`);
}, 120_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

function expectResults(r: { full: number; leanLn: number; leanRms: number; refused: string; error?: string }) {
  expect(r.error).toBeUndefined();
  expect(r.full, 'createNormalizer layerNorm').toBeLessThanOrEqual(1);
  expect(r.leanLn, 'lean layerNorm').toBeLessThanOrEqual(1);
  expect(r.leanRms, 'lean rmsNorm').toBeLessThanOrEqual(1);
  expect(r.refused).toBe('op-not-loaded lpNorm');
}

describe('the packed tarball in a fresh app', () => {
  test('holds only what package.json lists: no tests, sources, shaders or source maps', () => {
    const pkg = join(app, 'node_modules', 'webgpu-norm');
    expect(readdirSync(pkg).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json', 'types']);
    // The README states the packed size; package.test.ts bounds it too.
    expect(tarballBytes).toBeLessThan(MAX_PACKED_BYTES);
  });

  test('a Vite production build of the app runs in Chromium from 127.0.0.1', async () => {
    await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir: join(app, 'dist'), target: 'es2022' } });
    const server = await preview({ root: app, configFile: false, logLevel: 'silent', build: { outDir: join(app, 'dist') }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    const browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint'), protocolTimeout: 300_000 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      const address = server.httpServer.address();
      if (!address || typeof address === 'string') throw new Error('vite preview has no port');
      await page.goto(`http://127.0.0.1:${address.port}/`);
      await page.waitForFunction('window.result !== undefined', { timeout: 120_000 });
      expectResults(await page.evaluate(() => (window as unknown as { result: never }).result));
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await browser.disconnect();
      // server.close() also ends the browser's keep-alive connections; httpServer.close() alone
      // waited for them to time out (about 2 minutes).
      await server.close();
    }
  }, 120_000);

  test('a Node script runs it through the webgpu package (Dawn)', () => {
    const env = { ...process.env };
    // As test/node/setup.ts: without a GPU driver, Chromium's SwiftShader ICD gives Dawn an adapter.
    env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
    const out = execFileSync(process.execPath, ['node.mjs'], { cwd: app, env, encoding: 'utf8', timeout: 120_000 });
    expectResults(JSON.parse(out.trim().split('\n').pop()!));
  });
});
