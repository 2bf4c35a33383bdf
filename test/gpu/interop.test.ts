/**
 * Zero-copy interop in headless Chromium (SwiftShader): our LayerNorm on the GPU buffer of an
 * onnxruntime-web tensor (WebGPU EP, on our device) and of a TF.js WebGPU tensor (on TF.js's
 * device), with no readback of the input; results compared with the float64 reference. The page
 * (test/gpu/interop/) is bundled first with Vite's build (TF.js has CommonJS dependencies the
 * unbundled dev server cannot serve) into test-results/interop-page/, then served by the shared
 * server; ORT's .wasm comes from node_modules through the same server.
 */
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Interop } from './interop/page.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  await build({
    configFile: false,
    root,
    base: '/test-results/interop-page/',
    logLevel: 'error',
    build: {
      outDir: 'test-results/interop-page',
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      chunkSizeWarningLimit: 20_000,
      rollupOptions: { input: fileURLToPath(new URL('interop/index.html', import.meta.url)) },
    },
  });
  browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint'), protocolTimeout: 600_000 });
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${inject('origin')}/test-results/interop-page/test/gpu/interop/index.html`);
  await page.waitForFunction('window.interop !== undefined', { timeout: 120_000 });
});
afterAll(async () => {
  await page?.close();
  await browser?.disconnect();
});

const run = <K extends 'ortCase' | 'tfCase'>(k: K) => page.evaluate((key) => (window as unknown as { interop: Interop }).interop[key](), k) as ReturnType<Interop[K]>;

describe('zero-copy interop', () => {
  test('onnxruntime-web: LayerNorm between two WebGPU sessions runs, on the GPU tensors, on one device', async () => {
    const r = await run('ortCase');
    console.log('onnxruntime-web', await page.evaluate(() => (window as unknown as { interop: Interop }).interop.versions), r);
    expect(r.firstLocation).toBe('gpu-buffer');
    expect(r.normedLocation).toBe('gpu-buffer');
    expect(r.bufferUsage & GPUBufferUsageStorage).toBe(GPUBufferUsageStorage);
    expect(r.ratio, `worst element ${r.at}`).toBeLessThanOrEqual(1);
    expect(r.errors).toEqual([]);
  });

  test('TF.js WebGPU backend: LayerNorm on dataToGPU(), result adopted zero-copy', async () => {
    const r = await run('tfCase');
    console.log('tfjs', r);
    expect(r.backend).toBe('webgpu');
    expect(r.sameDevice).toBe(true);
    expect(r.ratio, `worst element ${r.at}`).toBeLessThanOrEqual(1);
    expect(r.errors).toEqual([]);
  });

  test('no console errors', () => {
    expect(errors).toEqual([]);
  });
});

/** GPUBufferUsage.STORAGE (Node has no GPUBufferUsage global here). */
const GPUBufferUsageStorage = 0x80;
