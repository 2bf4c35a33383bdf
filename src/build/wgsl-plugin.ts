/**
 * Vite plugin: `import info from '../shaders/row_norm_vec4.wgsl?shader'` yields the shader's
 * {@link ShaderInfo} (source plus reflection) as a plain object, inlined into the library bundle.
 *
 * Shared WGSL is linked, not templated:
 * - a line `// #include "common/f16.wgsl"` (relative to the including file) is replaced by that
 *   file's text, once per module, so kernels share functions without copies;
 * - `?shader&link=common/reduce_subgroup.wgsl` (relative to shaders, comma-separated) appends
 *   files that implement an interface the kernel calls, e.g. which reduction it uses;
 * - directives (`enable`, `requires`, `diagnostic`) of any linked file are hoisted to the top,
 *   where WGSL requires them.
 * Nothing else in a shader is rewritten.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import type { ShaderInfo } from '../core/shader-info.js';
import { reflectWgsl } from './reflect-wgsl.js';

const QUERY = /\.wgsl\?shader(?:&link=([^&]*))?$/;
/** Virtual modules holding one piece of linked WGSL each (see {@link shaderModuleCode}). */
const CHUNK_PREFIX = 'virtual:webgpu-norm-wgsl/';
/** Pieces shorter than this stay inline: an import costs more than it saves. */
const MIN_SHARED_PIECE = 256;
const DIRECTIVE = /^\s*(enable|requires|diagnostic)\b[^;]*;\s*$/;
const INCLUDE = /^\s*\/\/\s*#include\s+"([^"]+)"\s*$/;

/**
 * The path of a WGSL file relative to the `shaders/` folder it lives under (the nearest ancestor of
 * that name), with forward slashes: how linked code and error messages name it.
 *
 * @example
 * ```ts
 * shadersPath('/repo/shaders/common/f16.wgsl'); // 'common/f16.wgsl'
 * ```
 */
export function shadersPath(file: string): string {
  const parts = resolve(file).split(sep);
  const at = parts.lastIndexOf('shaders');
  return (at >= 0 ? parts.slice(at + 1) : [basename(file)]).join('/');
}

/**
 * Reads `file` and splices in its `#include`s (depth-first, each file once). Returns the linked
 * source and every file it read, so the dev server can watch them. Each spliced file sits between
 * `// ---- begin P ----` and `// ---- end P ----` markers, P its path relative to `shaders/`, which
 * is how a compiler message is mapped back to a file and line (src/core/wgsl-source-map.ts).
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
    const included = resolve(dirname(path), m[1]!);
    const linked = await linkWgsl(included, seen);
    files.push(...linked.files);
    const marker = shadersPath(included);
    // A file already spliced in (included from two places) leaves an empty block: no blank line
    // in it, which would map to the file's first line.
    out.push(`// ---- begin ${marker} ----`, ...(linked.files.length > 0 ? [linked.code] : []), `// ---- end ${marker} ----`);
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
  const pieces = new Map<string, string>();
  return {
    name: 'webgpu-norm:wgsl',
    enforce: 'pre',
    resolveId(id) {
      return id.startsWith(CHUNK_PREFIX) ? `\0${id}` : null;
    },
    async load(id) {
      if (id.startsWith(`\0${CHUNK_PREFIX}`)) {
        const text = pieces.get(id.slice(1 + CHUNK_PREFIX.length));
        if (text === undefined) throw new Error(`unknown WGSL piece ${id}`);
        return { code: `export default ${JSON.stringify(text)};`, map: null };
      }
      const m = QUERY.exec(id);
      if (!m) return null;
      const file = id.slice(0, id.indexOf('?'));
      const kernelDir = resolve(dirname(file));
      const links = m[1] ? decodeURIComponent(m[1]).split(',').filter(Boolean) : [];
      const seen = new Set<string>();
      const parts = [await linkWgsl(file, seen)];
      for (const l of links) {
        // Same markers as an #include, so a compiler message can be mapped back to this file's line
        // (src/wgsl-source-map.ts).
        const target = resolve(kernelDir, l);
        const linked = await linkWgsl(target, seen);
        const marker = shadersPath(target);
        parts.push({ code: `// ---- begin ${marker} ----\n${linked.code}\n// ---- end ${marker} ----`, files: linked.files });
      }
      for (const f of parts.flatMap((p) => p.files)) this.addWatchFile(f);
      const code = stripComments(hoistDirectives(parts.map((p) => p.code).join('\n')));
      const name = [basename(file, '.wgsl'), ...links.map((l) => basename(l, '.wgsl'))].join('+');
      const info = reflectWgsl(name, code, shadersPath(file));
      const { js, shared } = shaderModuleCode(info);
      for (const [hash, text] of shared) pieces.set(hash, text);
      return { code: js, map: null };
    },
  };
}

/**
 * The JS module of one linked shader: its {@link ShaderInfo} with `code` rebuilt from pieces.
 * Every kernel module links the same common files (row_norm.wgsl and friends), so the linked
 * sources repeat each other; the pieces between `// ---- begin/end` markers are imported from
 * content-addressed virtual modules instead, and the bundler keeps one copy of each (the bundle's
 * WGSL shrinks ~4×). `code` is the same string as before, joined once on first read.
 *
 * @example
 * ```ts
 * const { js, shared } = shaderModuleCode(reflectWgsl('k', source)); // shared: hash -> piece
 * ```
 */
export function shaderModuleCode(info: ShaderInfo): { js: string; shared: Map<string, string> } {
  const shared = new Map<string, string>();
  const imports: string[] = [];
  const parts: string[] = [];
  // Split keeping the markers: joining the parts with '' gives the code back exactly.
  for (const piece of info.code.split(/(\/\/ ---- (?:begin|end) [^\n]*)/)) {
    if (piece.length < MIN_SHARED_PIECE) {
      parts.push(JSON.stringify(piece));
      continue;
    }
    const hash = createHash('sha256').update(piece).digest('hex').slice(0, 16);
    shared.set(hash, piece);
    const local = `w${imports.length}`;
    imports.push(`import ${local} from ${JSON.stringify(CHUNK_PREFIX + hash)};`);
    parts.push(local);
  }
  const { code: _code, ...rest } = info;
  // `code` is a getter joined on first read, not at module load: a top-level `[…].join('')` is a
  // call a bundler must keep, which kept every kernel's WGSL in apps that never run a kernel.
  // The object literal itself has no side effects, so an unused module drops out whole.
  const fields = JSON.stringify(rest).slice(1, -1);
  const js = `${imports.join('\n')}\nlet code;\nexport default { ${fields}, get code() { return (code ??= [${parts.join(', ')}].join('')); } };`;
  return { js, shared };
}


/**
 * Moves WGSL directives to the top of a linked module, keeping their order and dropping repeats.
 * Each moved directive leaves a `// (hoisted) …` comment in its place, so every line after the
 * directives keeps its position relative to its file's markers (compiler messages map back).
 */
export function hoistDirectives(code: string): string {
  const directives: string[] = [];
  const body: string[] = [];
  for (const line of code.split('\n')) {
    if (DIRECTIVE.test(line)) {
      const d = line.trim();
      if (!directives.includes(d)) directives.push(d);
      body.push(`// (hoisted) ${d}`);
    } else {
      body.push(line);
    }
  }
  return [...directives, ...body].join('\n');
}

/**
 * Drops `//` comments and trailing blanks from shipped WGSL — most of the shaders' text is
 * explanation, and every linked module carries the shared parts again — but keeps every line
 * (empty) and the `// ---- begin/end` markers, so compiler messages still map back to the source
 * files' lines (src/wgsl-source-map.ts). WGSL has no string literals for `//` to hide in.
 *
 * @example
 * ```ts
 * stripComments('let a = 1; // why\n// ---- begin x.wgsl ----'); // 'let a = 1;\n// ---- begin x.wgsl ----'
 * ```
 */
export function stripComments(code: string): string {
  return code
    .split('\n')
    .map((line) => (line.startsWith('// ---- ') ? line : line.replace(/\/\/.*$/, '').trimEnd()))
    .join('\n');
}
