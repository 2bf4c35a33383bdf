/**
 * What an app pays for what it imports: tiny apps built with Vite against the built package
 * (dist/, as users install it), minified and gzipped like a production page. Runs after
 * `npm run build` (npm test builds first).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = 'virtual:bundle-size-app';

/** Builds `source` as an app's only module; returns its minified JS and that JS's gzip size. */
async function app(source: string): Promise<{ js: string; gzip: number }> {
  const out = (await build({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'bundle-size-app',
        resolveId: (id) => (id === ENTRY ? `\0${ENTRY}` : null),
        load: (id) => (id === `\0${ENTRY}` ? source : null),
      },
    ],
    build: { write: false, minify: true, target: 'es2022', rollupOptions: { input: ENTRY } },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const js = (Array.isArray(out) ? out : [out])
    .flatMap((o) => o.output)
    .map((c) => (c.type === 'chunk' ? c.code : ''))
    .join('\n');
  return { js, gzip: gzipSync(js).length };
}

/** A function each family's WGSL defines (the channel kernels serve GroupNorm and BatchNorm). */
const WGSL_OF = {
  rowNorm: /fn row_norm_multi\(/,
  groupNorm: /fn group_norm_fused_vec4\(/,
  channel: /fn merge_partials\(|fn apply_word\(/,
  lpNorm: /fn serial_row_norm\(/,
  backward: /fn dx_chunk\(|fn sum_item\(/,
};

describe('bundle size', () => {
  test('the markers are in the package, so their absence below means something', () => {
    const dist = readFileSync(`${root}dist/index.js`, 'utf8');
    for (const re of Object.values(WGSL_OF)) expect(dist).toMatch(re);
  });

  test('an app importing only cpu.layerNorm carries no WGSL and stays under 10 kB gzip', async () => {
    const { js, gzip } = await app(`import { cpu } from 'webgpu-norm';\nconsole.log(cpu.layerNorm(new Float32Array(4), { cols: 4 }).y);`);
    for (const re of Object.values(WGSL_OF)) expect(js).not.toMatch(re);
    // The `cpu` namespace ships whole (member access on it is not tree-shaken): every family's
    // reference. The ONNX reference is `cpuOnnx` for that reason.
    expect(gzip).toBeLessThanOrEqual(10 * 1024);
  });

  test('an app importing only toF16Array stays under 10 kB gzip', async () => {
    const { js, gzip } = await app(`import { toF16Array } from 'webgpu-norm';\nconsole.log(toF16Array(new Float32Array(4)));`);
    for (const re of Object.values(WGSL_OF)) expect(js).not.toMatch(re);
    expect(gzip).toBeLessThanOrEqual(10 * 1024);
  });

  test('an app with createNormalizer + layerNorm stays under its bound', async () => {
    // createNormalizer loads every family, so every family's kernels ship with it; an app that
    // wants less names its families with createLeanNormalizer (below). This bound catches regressions.
    const { js, gzip } = await app(
      `import { createNormalizer } from 'webgpu-norm';\nconst n = await createNormalizer();\nconsole.log(await n.layerNorm(new Float32Array(4), { cols: 4 }));`,
    );
    for (const re of Object.values(WGSL_OF)) expect(js).toMatch(re);
    // 48 kB before the ONNX entry point (src/onnx, ~8 kB with its two small shaders), which
    // createNormalizer loads too; 62 kB before the typed-array row norms recorded their validated
    // call directly (recordRowNorm), 63 kB before the f16 probe (src/core/f16-probe.ts: its
    // module carries its own copy of shaders/common/f16.wgsl), 64 kB before tune() shuffled its
    // candidates' order each round (64.03 kB).
    expect(gzip).toBeLessThanOrEqual(65 * 1024);
  });

  test('createLeanNormalizer with no family is the core: no WGSL, under 8 kB gzip', async () => {
    const { js, gzip } = await app(`import { createLeanNormalizer } from 'webgpu-norm';\nconst n = await createLeanNormalizer({ kernels: [] });\nconsole.log(n.stats());`);
    for (const re of Object.values(WGSL_OF)) expect(js).not.toMatch(re);
    expect(gzip).toBeLessThanOrEqual(8 * 1024);
  });

  /**
   * createLeanNormalizer + one family: that family's WGSL and nobody else's, within a bound a
   * little above what it measures today (the core is about 6 kB gzip of each).
   */
  test.each<[string, string, (keyof typeof WGSL_OF)[], number]>([
    // With the native-f16 and outputDtype modules. Row norms, backward, GroupNorm and BatchNorm
    // also carry the f16 probe's module (src/core/f16-probe.ts), about 1 kB.
    ['rowNormKernels', 'n.layerNorm(x, { cols: 4 })', ['rowNorm'], 32], // 31 before tune() shuffled its candidates' order each round (31.04 kB)
    ['lpNormKernels', 'n.lpNorm(x, { cols: 4 })', ['lpNorm'], 17], // 16 before createNormalizer checked its own options
    ['backwardKernels', 'n.rmsNormBackward(x, x, { cols: 4, rstd: x })', ['backward'], 23], // 22 before the dx kernel's chunk rotation (22.05 kB)
    ['groupNormKernels', "n.groupNorm(x, { batch: 1, channels: 2, spatial: 2, layout: 'NCHW', groups: 1 })", ['groupNorm', 'channel'], 26],
    ['batchNormKernels', "n.batchNormStats(x, { batch: 1, channels: 2, spatial: 2, layout: 'NCHW' })", ['channel'], 26], // 25 before the f16 probe
  ])('createLeanNormalizer with %s ships that family\'s kernels only', async (family, call, own, kB) => {
    const { js, gzip } = await app(
      `import { createLeanNormalizer, ${family} } from 'webgpu-norm';\nconst n = await createLeanNormalizer({ kernels: [${family}] });\nconst x = new Float32Array(4);\nconsole.log(await ${call});`,
    );
    for (const [name, re] of Object.entries(WGSL_OF)) {
      if (own.includes(name as keyof typeof WGSL_OF)) expect(js, name).toMatch(re);
      else expect(js, name).not.toMatch(re);
    }
    expect(gzip).toBeLessThanOrEqual(kB * 1024);
  });
});
