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

  test('an app importing only cpu.layerNorm carries no WGSL and stays under 16 kB gzip', async () => {
    const { js, gzip } = await app(`import { cpu } from 'webgpu-norm';\nconsole.log(cpu.layerNorm(new Float32Array(4), { cols: 4 }).y);`);
    for (const re of Object.values(WGSL_OF)) expect(js).not.toMatch(re);
    // The `cpu` namespace ships whole (member access on it is not tree-shaken): every family's
    // reference, and the ONNX reference with its schema table and validation (~6 kB, was 10 kB).
    expect(gzip).toBeLessThanOrEqual(16 * 1024);
  });

  test('an app importing only toF16Array stays under 10 kB gzip', async () => {
    const { js, gzip } = await app(`import { toF16Array } from 'webgpu-norm';\nconsole.log(toF16Array(new Float32Array(4)));`);
    for (const re of Object.values(WGSL_OF)) expect(js).not.toMatch(re);
    expect(gzip).toBeLessThanOrEqual(10 * 1024);
  });

  test('an app with createNormalizer + layerNorm stays under its bound', async () => {
    // The normalizer object carries every op, so every family's kernels ship with it (issue #16:
    // per-op loading needs an API that names the ops up front). This bound catches regressions.
    const { js, gzip } = await app(
      `import { createNormalizer } from 'webgpu-norm';\nconst n = await createNormalizer();\nconsole.log(await n.layerNorm(new Float32Array(4), { cols: 4 }));`,
    );
    expect(js).toMatch(WGSL_OF.rowNorm);
    // 48 kB before the ONNX entry point (src/onnx: ~8 kB with its two small shaders).
    expect(gzip).toBeLessThanOrEqual(60 * 1024);
  });
});
