/**
 * Setup for the `node` Vitest project: WebGPU in Node through the `webgpu` package (Dawn).
 * On a machine without a GPU driver Dawn's Vulkan backend needs an ICD; Chromium ships
 * SwiftShader's. The Vulkan loader reads VK_ICD_FILENAMES when Dawn creates its instance (on the
 * first `createNormalizer()`), which happens after this file runs, so setting it here is enough.
 * With a real GPU driver installed, set VK_ICD_FILENAMES yourself (or leave it unset and remove
 * Chromium's ICD from the picture) and this file leaves it alone.
 */
import { existsSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

if (process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

if (!existsSync(new URL('../../dist/index.js', import.meta.url))) {
  throw new Error('dist/index.js is missing: the node tests import the built package; run `npm run build` first (npm test does)');
}
