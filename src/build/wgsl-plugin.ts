/**
 * Vite plugin: `import info from '../shaders/layer_norm.wgsl?shader'` yields the shader's
 * {@link ShaderInfo} (source plus reflection) as a plain object, inlined into the library bundle.
 *
 * Shared WGSL helpers are linked, not templated: a line `// #include "common/f16.wgsl"` (path
 * relative to the including file) is replaced by that file's text, once per module, so several
 * kernels can use the same functions without copies. Nothing else in a shader is rewritten.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { reflectWgsl } from './reflect-wgsl.js';

const SUFFIX = '.wgsl?shader';
const INCLUDE = /^\s*\/\/\s*#include\s+"([^"]+)"\s*$/;

/**
 * Reads `file` and splices in its `#include`s (depth-first, each file once). Returns the linked
 * source and every file it read, so the dev server can watch them.
 *
 * @example
 * ```ts
 * const { code } = await linkWgsl('shaders/group_norm.wgsl');
 * ```
 */
export async function linkWgsl(file: string, seen = new Set<string>()): Promise<{ code: string; files: string[] }> {
  const path = resolve(file);
  if (seen.has(path)) return { code: '', files: [] };
  seen.add(path);
  const files = [path];
  const out: string[] = [];
  for (const line of (await readFile(path, 'utf8')).split('\n')) {
    const m = INCLUDE.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const linked = await linkWgsl(resolve(dirname(path), m[1]!), seen);
    files.push(...linked.files);
    out.push(`// ---- begin ${m[1]} ----`, linked.code, `// ---- end ${m[1]} ----`);
  }
  return { code: out.join('\n'), files };
}

/**
 * @example
 * ```ts
 * // vite.config.ts
 * export default defineConfig({ plugins: [wgslPlugin()] });
 * ```
 */
export function wgslPlugin(): Plugin {
  return {
    name: 'webgpu-norm:wgsl',
    enforce: 'pre',
    async load(id) {
      if (!id.endsWith(SUFFIX)) return null;
      const file = id.slice(0, -'?shader'.length);
      const { code, files } = await linkWgsl(file);
      for (const f of files) this.addWatchFile(f);
      const info = reflectWgsl(basename(file, '.wgsl'), code);
      return { code: `export default ${JSON.stringify(info)};`, map: null };
    },
  };
}
