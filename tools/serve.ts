/**
 * A Vite dev server over the repository root on 127.0.0.1 (WebGPU needs a secure context, and
 * http://localhost is one). Pages under test/ and demo/ import the built dist/ bundle from it.
 */
import { createServer, type ViteDevServer } from 'vite';
import { fileURLToPath } from 'node:url';

export interface Served {
  readonly server: ViteDevServer;
  /** e.g. `http://127.0.0.1:41234`; loopback origins are secure contexts, so navigator.gpu exists. */
  readonly origin: string;
}

export async function serveRepo(): Promise<Served> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server = await createServer({
    root,
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite server has no port');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}
