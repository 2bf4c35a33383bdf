/**
 * The package as users install it: the exports map, the built bundle and its types. Runs after
 * `npm run build` (npm test builds first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { MAX_PACKED_BYTES } from '../shared/package-bounds.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

describe('package.json', () => {
  test('ESM with an exports map whose types come first, and no side effects', () => {
    expect(pkg.name).toBe('webgpu-norm');
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    // TypeScript takes the first matching types condition: the versioned one must come first.
    expect(Object.keys(pkg.exports['.'])).toEqual(['types@<6.0', 'types', 'import']);
    expect(pkg.exports['.']).toEqual({ 'types@<6.0': './types/ts5.d.ts', types: './dist/index.d.ts', import: './dist/index.js' });
  });

  test('no runtime dependencies: the WGSL parser is a build-time tool only', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(Object.keys(pkg.devDependencies)).toContain('wgsl_reflect');
  });
});

describe('dist/', () => {
  const js = readFileSync(`${root}dist/index.js`, 'utf8');

  test('the bundle and its declarations exist', () => {
    expect(existsSync(`${root}dist/index.d.ts`)).toBe(true);
    expect(readFileSync(`${root}dist/index.d.ts`, 'utf8')).toMatch(/createNormalizer/);
  });

  test('WGSL is inlined with its reflection; no ?shader imports, no parser, no bare imports left', () => {
    expect(js).not.toMatch(/(from|import\()\s*['"][^'"]*\?shader/);
    expect(js).not.toMatch(/(from|import\()\s*['"]wgsl_reflect/);
    expect(js).toMatch(/fn row_norm\(/);
    expect(js).toMatch(/"minBindingSize"/);
    const bare = [...js.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(bare).toEqual([]);
  });

  test("import { createNormalizer, NormError, cpu } from 'webgpu-norm' resolves through the exports map", async () => {
    const lib = await import('webgpu-norm' as string);
    expect(typeof lib.createNormalizer).toBe('function');
    expect(typeof lib.NormError).toBe('function');
    expect(Array.from(lib.cpu.layerNorm(new Float32Array([2, 4, 6, 8]), { cols: 4, epsilon: 0 }).y as Float32Array).map((v) => v.toFixed(4))).toEqual([
      '-1.3416',
      '-0.4472',
      '0.4472',
      '1.3416',
    ]);
  });

  test('the entry exports the public API and no internals', async () => {
    const lib = (await import('webgpu-norm' as string)) as Record<string, unknown>;
    expect(Object.keys(lib).sort()).toEqual(
      ['NormError', 'TUNE_MARGIN', 'cpu', 'createNormalizer', 'createLeanNormalizer', 'rowNormKernels', 'lpNormKernels', 'backwardKernels', 'groupNormKernels', 'batchNormKernels', 'onnxKernels', 'cpuOnnx', 'describeVariant', 'f16ToF32', 'f32ToF16', 'fromF16Array', 'requestNormDevice', 'roundF16', 'toF16Array'].sort(),
    );
    const internals = [
      'foldWorkgroups',
      'tuningKey',
      'candidateVariants',
      'paramGradBlocks',
      'MAX_CACHED_CHUNKS',
      '__testHooks',
      'testHooks',
      'selectVariant',
      'profileDevice',
      'mapWgslLocation',
      'compilationError',
      'GpuTimer',
    ];
    for (const name of internals) expect(lib, name).not.toHaveProperty(name);
    // The ONNX entry point: its reference in cpuOnnx (not cpu: see bundle-size), its types in the declarations.
    expect(Object.keys(lib.cpuOnnx as object).sort()).toEqual(['runOnnxNode', 'runOnnxNodeF64']);
    expect(lib.cpu as object).not.toHaveProperty('runOnnxNode');
    const declared = readFileSync(`${root}dist/index.d.ts`, 'utf8');
    for (const name of ['OnnxNode', 'OnnxEncodeNode', 'OnnxTensor', 'OnnxGpuTensor', 'OnnxOutputInfo', 'OnnxTensorInfo', 'OnnxTensorType']) expect(declared, name).toMatch(new RegExp(`\\b${name}\\b`));
    // The declarations must not promise them either.
    const dts = readFileSync(`${root}dist/index.d.ts`, 'utf8');
    for (const name of internals) expect(dts, name).not.toMatch(new RegExp(`\\b${name}\\b`));
    // No test hook ships: tests reach the GPU through the device they hand the normalizer.
    expect(readFileSync(`${root}dist/index.js`, 'utf8')).not.toMatch(/testHooks|transformCode/);
  });
});

describe('npm pack', () => {

  test('ships LICENSE, README, the bundle and its declarations; no shaders, source map or tests; under the bound', () => {
    // --ignore-scripts: the suite runs after a build; prepack would build again.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const [packed] = JSON.parse(out) as { size: number; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/cpu.d.ts', 'types/ts5.d.ts']) expect(files).toContain(f);
    expect(files.filter((f) => /^shaders\/|\.wgsl$|\.map$|^test\/|\.test\.|^src\//.test(f))).toEqual([]);
    expect(packed!.size).toBeLessThan(MAX_PACKED_BYTES);
  });

  test('LICENSE is the MIT licence package.json names; prepack builds', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(`${root}LICENSE`, 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 webgpu-norm contributors/);
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
    expect(pkg.keywords).toContain('webgpu');
  });
});
