/**
 * How the real-GPU kit bundles the benchmark into plain JavaScript (used by build.ts, and by a unit
 * test so that a change which makes the bench bundle fail, e.g. an import that pulls WGSL into
 * it, shows in `npm test` rather than on the day a GPU is lent).
 */
import { join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * The kit runs the Node runtime only: Chromium (puppeteer) and the Vite server it needs are
 * replaced by modules that say so if anything calls them.
 */
const nodeOnly: Plugin = {
  name: 'node-only',
  setup(b) {
    b.onResolve({ filter: /^(puppeteer-core|vite)$/ }, (args) => ({ path: args.path, namespace: 'kit-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'kit-stub' }, () => ({
      contents: `const fail = () => { throw new Error('the GPU kit runs the Node runtime only (--runtime node)'); };
export default { launch: fail }; export const createServer = fail;`,
      loader: 'js',
    }));
  },
};

/**
 * esbuild's options for the kit's `app/bench.mjs` and `app/node-worker.mjs`: the benchmark's CLI
 * and Node worker with everything but `webgpu` (a package next to the bundles: its addon is loaded
 * by path) inlined.
 *
 * @example
 * ```ts
 * await build(kitBundleOptions('/path/to/repo', 'bench-results/gpu-kit/app'));
 * ```
 */
export function kitBundleOptions(root: string, outdir: string): BuildOptions {
  return {
    entryPoints: { bench: join(root, 'bench/run.ts'), 'node-worker': join(root, 'bench/runtimes/node-worker.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    plugins: [nodeOnly],
    logLevel: 'warning',
  };
}
