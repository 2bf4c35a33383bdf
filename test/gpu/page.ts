/**
 * Opens the harness page in the shared Chromium and gives typed access to `window.harness`.
 * Console errors and page errors are collected so a test can assert there were none.
 * In a node project (WEBGPU_NORM_DRIVER set, see test/node/drivers.ts) the same harness runs in
 * this process instead, on Dawn with that project's Vulkan driver: the case tables' test files run
 * unchanged on every driver.
 */
import puppeteer, { type Page, type Browser } from 'puppeteer-core';
import { inject } from 'vitest';
import type { Harness } from './harness/harness.js';
import { DRIVER_ENV, SOFTWARE_DRIVERS } from '../node/drivers.js';

export interface HarnessPage {
  readonly page: Page;
  readonly errors: string[];
  /** Runs `fn(harness)` in the page and returns its (JSON-serializable) result. */
  run<T>(fn: (h: Harness) => Promise<T> | T): Promise<T>;
  run<T, A>(fn: (h: Harness, arg: A) => Promise<T> | T, arg: A): Promise<T>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<HarnessPage> {
  const driver = process.env[DRIVER_ENV];
  if (driver !== undefined) return openInProcess(driver);
  const browser: Browser = await puppeteer.connect({ browserWSEndpoint: inject('browserWSEndpoint'), protocolTimeout: 600_000 });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${inject('origin')}/test/gpu/harness/index.html`);
  await page.waitForFunction('window.harness !== undefined', { timeout: 60_000 });
  await page.evaluate(() => (window as unknown as { harness: Harness }).harness.normalizer().then(() => undefined));
  return {
    page,
    errors,
    run: ((fn: (h: Harness, arg?: unknown) => unknown, arg?: unknown) =>
      page.evaluate(
        (src: string, a: unknown) => {
          const f = new Function(`return (${src})`)() as (h: unknown, a: unknown) => unknown;
          return f((window as unknown as { harness: unknown }).harness, a);
        },
        fn.toString(),
        arg,
      )) as HarnessPage['run'],
    async close() {
      await page.close();
      await browser.disconnect();
    },
  };
}

/**
 * The harness in this process (Dawn in Node). `run` calls the function directly, so arguments and
 * results are not serialized; `errors` collects the device's uncaptured errors; there is no page.
 * Fails at once if Dawn reached another adapter than the project's driver (say, a Vulkan loader
 * that ignored VK_ICD_FILENAMES), so a result is never credited to the wrong driver.
 */
async function openInProcess(driver: string): Promise<HarnessPage> {
  await import('./harness/harness.js');
  const harness = (globalThis as unknown as { harness: Harness }).harness;
  const norm = await harness.normalizer();
  const info = norm.device.adapterInfo;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const known = SOFTWARE_DRIVERS.find((d) => d.name === driver);
  if (known && !known.adapter.test(text)) throw new Error(`${driver}: VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} gave Dawn the adapter '${text}', not ${driver}`);
  const errors: string[] = [];
  norm.device.addEventListener('uncapturederror', (e) => errors.push(`${driver}: ${(e as GPUUncapturedErrorEvent).error.message}`));
  return {
    get page(): Page {
      throw new Error(`no page in the node project (${driver}): this test needs Chromium`);
    },
    errors,
    run: ((fn: (h: Harness, arg?: unknown) => unknown, arg?: unknown) => Promise.resolve().then(() => fn(harness, arg))) as HarnessPage['run'],
    async close() {
      // The normalizer (and Dawn) live until the process ends: one test file per process.
    },
  };
}
