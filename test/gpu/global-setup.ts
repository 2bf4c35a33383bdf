/**
 * Starts what every GPU test file shares: a Vite server over the repository (serving the built
 * dist/ and the harness page) and one headless Chromium with WebGPU on SwiftShader. Test files
 * connect to the browser over its DevTools endpoint.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { launchChromium } from '../../tools/chromium.js';
import { serveRepo } from '../../tools/serve.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browserWSEndpoint: string;
    origin: string;
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(new URL('../../dist/index.js', import.meta.url))) {
    throw new Error('dist/index.js is missing: the GPU tests import the built package; run `npm run build` first (npm test does)');
  }
  const served = await serveRepo();
  const browser = await launchChromium();
  project.provide('browserWSEndpoint', browser.wsEndpoint());
  project.provide('origin', served.origin);
  return async () => {
    await browser.close();
    await served.server.close();
  };
}
