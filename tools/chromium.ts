/**
 * Headless Chromium with WebGPU, for the GPU tests, the benchmark and the demo checks. On a
 * machine without a GPU the flags select SwiftShader (a CPU Vulkan); with `WEBGPU_ADAPTER=default`
 * Chromium picks the real GPU instead.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Where Chromium lives: `CHROMIUM_PATH`, else Debian's package. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new Error('Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH');
}

/** Flags that give WebGPU in headless Chromium; SwiftShader unless WEBGPU_ADAPTER=default. */
export function chromiumArgs(): string[] {
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ];
  if (process.env.WEBGPU_ADAPTER !== 'default') {
    args.push('--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader');
  }
  return args;
}

/** Launches headless Chromium with WebGPU enabled. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: chromiumArgs(),
    protocolTimeout: 600_000,
  });
}
