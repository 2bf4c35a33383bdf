/**
 * `npm run demo`: serves the repository with Vite (the demo page imports the built dist/, which
 * the npm script builds first) and prints the demo's URL. Opens a browser only when there is a
 * display to open it on and `--no-open` was not given, so a headless machine or CI check just
 * gets the URL instead of an `xdg-open` failure.
 *
 * @example
 * ```sh
 * npm run demo                 # http://127.0.0.1:5173/demo/ (opens a browser on a desktop)
 * npm run demo -- --no-open    # serve only
 * PORT=8080 npm run demo
 * ```
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

/** Whether to open a browser: a desktop session, not CI, not told otherwise. Pure. */
export function shouldOpen(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, platform: string): boolean {
  if (argv.includes('--no-open') || env.CI) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const open = shouldOpen(process.argv.slice(2), process.env, process.platform);
  const server = await createServer({
    root,
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    // 127.0.0.1 is a secure context, so navigator.gpu exists; a LAN address would not be.
    server: { host: '127.0.0.1', port: Number(process.env.PORT) || 5173, open: open ? '/demo/' : false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
  console.log(`webgpu-norm demo: ${new URL('demo/', url).href}${open ? '' : '  (open it in a browser with WebGPU)'}\nCtrl-C to stop.`);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
