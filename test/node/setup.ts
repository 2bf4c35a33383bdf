/**
 * Setup for the `node` Vitest project: WebGPU in Node through the `webgpu` package (Dawn).
 * On a machine without a GPU driver Dawn's Vulkan backend needs an ICD; Chromium ships
 * SwiftShader's. The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance (on the
 * first `createNormalizer()`), which happens after this file runs, so setting it here is enough.
 * With a real GPU driver installed, set VK_ICD_FILENAMES yourself (or leave it unset and remove
 * Chromium's ICD from the picture) and this file leaves it alone.
 */
import { existsSync } from 'node:fs';
import { beforeEach } from 'vitest';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

if (!existsSync(new URL('../../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: the node tests import the built package; run `npm run build` first (npm test does)');
}

/**
 * `NODE_CASE_SAMPLE=k` (k > 1) runs one case in k of the GPU case tables (every file outside
 * test/node/ and the bad-input table), chosen by a stable hash of the test's full name, so `npm
 * test` covers both drivers within its time budget; the same cases run every time, and a skipped
 * case shows as skipped. `npm run test:node` leaves it at 1: every case on every driver.
 */
const sample = Number(process.env.NODE_CASE_SAMPLE ?? '1');
if (Number.isInteger(sample) && sample > 1) {
  beforeEach((ctx) => {
    const file = ctx.task.file?.filepath ?? '';
    if (file.includes('/test/node/') || file.endsWith('bad-input-table.test.ts')) return;
    const names: string[] = [];
    for (let t: { name: string; suite?: unknown } | undefined = ctx.task; t; t = t.suite as typeof t) names.unshift(t.name);
    let h = 2166136261;
    for (const ch of names.join(' > ')) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    if (h % sample !== 0) ctx.skip();
  });
}
