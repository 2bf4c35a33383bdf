/**
 * One Vite config for the library build (`vite build` → dist/index.js, WGSL and its reflection
 * inlined), the demo and test pages (`vite` / `vite preview` serve the repository root), and
 * Vitest (test/<family>/ and test/core/ in Node; `*.gpu.test.ts` and test/gpu/ drive headless Chromium
 * against the built dist/; test/node/ runs the built dist/ through Dawn in Node).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { wgslPlugin } from './src/build/wgsl-plugin.ts';
import { DRIVER_ENV, driverOfIcd, installedDrivers, type SoftwareDriver } from './test/node/drivers.ts';

/**
 * The GPU case tables that also run in Node, in-process on Dawn (test/gpu/page.ts): row norms
 * with every variant forced, channel norms, backward, lpNorm, the bad-input table, a fuzz sample.
 * The Chromium-only suites (demo, interop, device loss, debug mode, ...) stay in the gpu project.
 */
const NODE_CASE_TABLES = [
  'test/row-norm/row-norm.gpu.test.ts',
  'test/group-norm/group-norm.gpu.test.ts',
  'test/batch-norm/batch-norm.gpu.test.ts',
  'test/backward/backward.gpu.test.ts',
  'test/lp-norm/lp-norm.gpu.test.ts',
  'test/gpu/bad-input-table.test.ts',
  'test/gpu/fuzz.test.ts',
  'test/onnx/onnx.gpu.test.ts',
];

/**
 * One project per driver (`node:swiftshader`, `node:lavapipe`): the Vulkan loader reads
 * VK_ICD_FILENAMES once per process, so each project sets it for its own forks, one process per
 * test file. An explicit VK_ICD_FILENAMES gives a single project for that driver only.
 */
function nodeProjects() {
  const explicit = process.env.VK_ICD_FILENAMES;
  const drivers: SoftwareDriver[] = explicit ? [driverOfIcd(explicit)] : installedDrivers();
  return drivers.map((d) => ({
    extends: true as const,
    test: {
      name: `node:${d.name}`,
      include: ['test/node/**/*.test.ts', ...NODE_CASE_TABLES],
      environment: 'node',
      setupFiles: ['test/node/setup.ts'],
      pool: 'forks' as const,
      isolate: true,
      env: { VK_ICD_FILENAMES: d.icd, [DRIVER_ENV]: d.name, FUZZ_RUNS: process.env.FUZZ_RUNS ?? '25', NODE_CASE_SAMPLE: process.env.NODE_CASE_SAMPLE ?? '1' },
      // Two cores: files of one driver run one after another.
      fileParallelism: false,
      testTimeout: 180_000,
      hookTimeout: 180_000,
    },
  }));
}

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
      // Dawn in Node: test/node/ and the GPU case tables, once per installed software Vulkan driver.
      ...nodeProjects(),
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
