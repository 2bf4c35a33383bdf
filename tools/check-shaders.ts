/**
 * Compiles every kernel module (each linked combination the library ships) with Dawn in Node and
 * prints WGSL compilation messages with file-relative line numbers. A quick check while editing
 * shaders: `npx tsx tools/check-shaders.ts` (needs the `webgpu` package; on machines without a GPU
 * driver, VK_ICD_FILENAMES pointing at SwiftShader is set automatically when Chromium's is present).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hoistDirectives, linkWgsl } from '../src/build/wgsl-plugin.ts';

const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
if (!process.env.VK_ICD_FILENAMES && existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
const { create, globals } = (await import('webgpu')) as unknown as { create: (f: string[]) => GPU; globals: object };
Object.assign(globalThis, globals);
// Keep the GPU object referenced: if it were collected, Dawn would destroy its instance under the device.
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) throw new Error('no adapter');
const device = await adapter.requestDevice({ requiredFeatures: (['subgroups', 'shader-f16'] as const).filter((f) => adapter.features.has(f)) });

// Every `?shader` import of the library, i.e. every module combination it ships.
const ops = fileURLToPath(new URL('../src/ops/', import.meta.url));
const src = (readdirSync(ops, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(ops + f, 'utf8'))
  .join('\n');
const imports = [...new Map([...src.matchAll(/'(?:\.\.\/)+shaders\/([^?]+)\?shader(?:&link=([^']*))?'/g)].map((m) => [m[0], m])).values()];
let failed = 0;
let skipped = 0;
for (const [, file, link] of imports) {
  const kernel = fileURLToPath(new URL(`../shaders/${file}`, import.meta.url));
  const seen = new Set<string>();
  const parts = [await linkWgsl(kernel, seen)];
  // `link=` files are relative to the kernel's folder, comma-separated (as in the Vite plugin).
  for (const l of (link ?? '').split(',').filter(Boolean)) parts.push(await linkWgsl(resolve(dirname(kernel), l), seen));
  const code = hoistDirectives(parts.map((p) => p.code).join('\n'));
  // Native f16 modules compile only where the adapter has shader-f16 (lavapipe: VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json).
  if (/^enable f16;/m.test(code) && !device.features.has('shader-f16')) {
    skipped++;
    continue;
  }
  const info = await device.createShaderModule({ code }).getCompilationInfo();
  const lines = code.split('\n');
  for (const m of info.messages) {
    if (m.type === 'error') failed++;
    console.log(`${file}+${link ?? ''}:${m.lineNum}:${m.linePos} ${m.type}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim()}`);
  }
}
console.log(`${imports.length} modules, ${failed} errors${skipped ? `, ${skipped} skipped (enable f16; this adapter has no shader-f16)` : ''}`);
process.exit(failed ? 1 : 0);
