/**
 * Opens the harness page in the shared Chromium and gives typed access to `window.harness`.
 * Console errors and page errors are collected so a test can assert there were none.
 */
import puppeteer, { type Page, type Browser } from 'puppeteer-core';
import { inject } from 'vitest';
import type { Harness } from './harness/harness.js';

export interface HarnessPage {
  readonly page: Page;
  readonly errors: string[];
  /** Runs `fn(harness)` in the page and returns its (JSON-serializable) result. */
  run<T>(fn: (h: Harness) => Promise<T> | T): Promise<T>;
  run<T, A>(fn: (h: Harness, arg: A) => Promise<T> | T, arg: A): Promise<T>;
  close(): Promise<void>;
}

export async function openHarness(): Promise<HarnessPage> {
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
