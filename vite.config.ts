/**
 * One Vite config for the library build (`vite build` → dist/index.js, WGSL and its reflection
 * inlined), the demo and test pages (`vite` / `vite preview` serve the repository root), and
 * Vitest (test/<family>/ and test/core/ in Node; `*.gpu.test.ts` and test/gpu/ drive headless Chromium
 * against the built dist/; test/node/ runs the built dist/ through Dawn in Node).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { wgslPlugin } from './src/build/wgsl-plugin.ts';

export default defineConfig({
  plugins: [wgslPlugin()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    minify: false,
    lib: {
      entry: resolve(import.meta.dirname, 'src/index.ts'),
      formats: ['es'],
      fileName: 'index',
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          // Each family's tests live in test/<family>/; `*.gpu.test.ts` (and test/gpu/) run in
          // headless Chromium, test/node/ through Dawn in Node, everything else here.
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/gpu/**', 'test/node/**', 'test/**/*.gpu.test.ts'],
          environment: 'node',
        },
      },
      {
        // The public API in Node through the `webgpu` package (Dawn); imports the built dist/.
        extends: true,
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/node/setup.ts'],
          // One Dawn instance per worker is plenty on two cores; files run one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts', 'test/**/*.gpu.test.ts'],
          environment: 'node',
          globalSetup: ['test/gpu/global-setup.ts'],
          // One Chromium, one SwiftShader device: GPU files run one after another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
