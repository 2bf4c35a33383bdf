/**
 * Vite plugin: `import info from '../shaders/layer_norm.wgsl?shader'` yields the shader's
 * {@link ShaderInfo} (source plus reflection) as a plain object, inlined into the library bundle.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Plugin } from 'vite';
import { reflectWgsl } from './reflect-wgsl.js';

const SUFFIX = '.wgsl?shader';

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
      this.addWatchFile(file);
      const info = reflectWgsl(basename(file, '.wgsl'), await readFile(file, 'utf8'));
      return { code: `export default ${JSON.stringify(info)};`, map: null };
    },
  };
}
