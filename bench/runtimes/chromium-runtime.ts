/**
 * Runs the benchmark page in headless Chromium (SwiftShader unless WEBGPU_ADAPTER=default, as in
 * tools/chromium.ts) served by the repository's Vite dev server, one `page.evaluate` per case.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import puppeteer from 'puppeteer-core';
import type { ViteDevServer } from 'vite';
import { chromiumArgs, chromiumPath } from '../../tools/chromium.js';
import { serveRepo } from '../../tools/serve.js';
import type { BenchRuntime } from './runtime.js';
import { PROGRESS_PREFIX, type BenchPageApi } from './protocol.js';

/**
 * Flags added to the shared Chromium flags: developer features expose the adapter's full
 * description and lift the browser's timestamp rounding; disabling Dawn's own quantization
 * makes sure timestamps keep their nanoseconds. The run still checks (the header says).
 */
export const BENCH_CHROMIUM_FLAGS: readonly string[] = ['--enable-webgpu-developer-features', '--disable-dawn-features=timestamp_quantization'];

type BenchWindow = Window & { bench: BenchPageApi };

/**
 * Makes the served pages cross-origin isolated (COOP + COEP), which gives the page a 5 µs
 * `performance.now()` instead of 100 µs. A middleware placed first in Vite's connect stack only
 * sets the headers and passes on; every resource is same-origin, so nothing is blocked.
 */
function isolate(server: ViteDevServer): void {
  const stack = (server.middlewares as unknown as { stack: { route: string; handle: unknown }[] }).stack;
  stack.unshift({
    route: '',
    handle: (_req: IncomingMessage, res: ServerResponse, next: () => void) => {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      next();
    },
  });
}

/** Starts the server and browser, opens the page and its WebGPU session. */
export async function openChromiumRuntime(): Promise<BenchRuntime> {
  const served = await serveRepo();
  isolate(served.server);
  const browser = await puppeteer
    .launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [...chromiumArgs(), ...BENCH_CHROMIUM_FLAGS],
      protocolTimeout: 600_000,
      // The CLI stops on Ctrl-C or SIGTERM itself (bench/stop.ts) and closes the browser after
      // writing what it measured; puppeteer's own handlers would kill it and exit at once.
      handleSIGINT: false,
      handleSIGTERM: false,
    })
    .catch(async (e: unknown) => {
      await served.server.close();
      throw e;
    });
  const closeAll = async () => {
    await browser.close().catch(() => {});
    await served.server.close();
  };
  try {
    const page = await browser.newPage();
    let onProgress: ((phase: string) => void) | undefined;
    const pageErrors: string[] = [];
    page.on('console', (m) => {
      const text = m.text();
      if (text.startsWith(PROGRESS_PREFIX)) onProgress?.(text.slice(PROGRESS_PREFIX.length));
      else if (m.type() === 'error') pageErrors.push(text);
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${served.origin}/bench/page/index.html`);
    await page.waitForFunction('window.bench !== undefined', { timeout: 60_000 }).catch(() => {
      throw new Error(`the benchmark page did not load${pageErrors.length ? `: ${pageErrors.join('; ')}` : ''}`);
    });
    const withErrors = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (e) {
        throw new Error(`${what} failed in the page: ${(e as Error).message}${pageErrors.length ? ` (page errors: ${pageErrors.join('; ')})` : ''}`);
      }
    };
    const environment = await withErrors('opening WebGPU', () => page.evaluate(() => (window as unknown as BenchWindow).bench.environment()));
    return {
      environment,
      notes: [`Chromium flags: ${[...chromiumArgs(), ...BENCH_CHROMIUM_FLAGS].filter((f) => f.includes('webgpu') || f.includes('dawn')).join(' ')}`],
      async runCase(spec, progress) {
        onProgress = progress;
        try {
          return await withErrors(`${spec.op} ${spec.shape.rows}x${spec.shape.cols}`, () =>
            page.evaluate((s) => (window as unknown as BenchWindow).bench.runCase(s), spec),
          );
        } finally {
          onProgress = undefined;
        }
      },
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
