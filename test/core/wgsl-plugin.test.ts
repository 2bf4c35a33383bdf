/**
 * The Vite plugin's module output (src/build/wgsl-plugin.ts): linked shaders are shipped as pieces
 * shared between modules, and the `code` each module exports is exactly the linked source.
 */
import { describe, expect, test } from 'vitest';
import { hoistDirectives, linkWgsl, shaderModuleCode, stripComments } from '../../src/build/wgsl-plugin.js';
import { reflectWgsl } from '../../src/build/reflect-wgsl.js';
import { rowNormShader } from '../../src/ops/row-norm/shaders.js';
import type { ShaderInfo } from '../../src/core/shader-info.js';

/** Links like the plugin (kernel + `?link=` files, hoisted, comments stripped) and reflects. */
async function linked(kernel: string, link: string) {
  const seen = new Set<string>();
  const parts = [(await linkWgsl(`shaders/${kernel}.wgsl`, seen)).code];
  parts.push(`// ---- begin ${link} ----\n${(await linkWgsl(`shaders/${link}`, seen)).code}\n// ---- end ${link} ----`);
  return reflectWgsl(kernel.replace(/^.*\//, ''), stripComments(hoistDirectives(parts.join('\n'))), `${kernel}.wgsl`);
}

/** Evaluates a generated module with its piece imports replaced by the pieces themselves. */
function evaluate(js: string, shared: Map<string, string>): ShaderInfo {
  const body = js.replace(/^import (w\d+) from "virtual:webgpu-norm-wgsl\/([0-9a-f]+)";$/gm, (_, local: string, hash: string) => {
    const piece = shared.get(hash);
    if (piece === undefined) throw new Error(`missing piece ${hash}`);
    return `const ${local} = ${JSON.stringify(piece)};`;
  });
  return new Function(body.replace('export default', 'return'))() as ShaderInfo;
}

describe('shaderModuleCode', () => {
  test('the module exports the linked code exactly, and the reflection beside it', async () => {
    const info = await linked('row-norm/row_norm_vec4', 'common/reduce_workgroup.wgsl');
    const { js, shared } = shaderModuleCode(info);
    const out = evaluate(js, shared);
    expect(out.code).toBe(info.code);
    expect(out).toEqual(info);
    expect(shared.size).toBeGreaterThan(2);
  });

  test('the code is joined on first read, not at module load (so bundlers can drop unused kernels)', async () => {
    const info = await linked('row-norm/row_norm_vec4', 'common/reduce_workgroup.wgsl');
    const { js, shared } = shaderModuleCode(info);
    // The only call in the module sits inside the getter; everything at the top level is literal.
    expect(js.replace(/get code\(\) \{[^]*\} \};$/, '')).not.toMatch(/\.join\(/);
    const out = evaluate(js, shared);
    expect(typeof Object.getOwnPropertyDescriptor(out, 'code')?.get).toBe('function');
    expect(out.code).toBe(out.code);
  });

  test('modules linking the same common files share their pieces', async () => {
    const a = shaderModuleCode(await linked('row-norm/row_norm_vec4', 'common/reduce_workgroup.wgsl'));
    const b = shaderModuleCode(await linked('row-norm/add_row_norm_vec4', 'common/reduce_subgroup.wgsl'));
    const common = [...a.shared.keys()].filter((h) => b.shared.has(h));
    // row_norm.wgsl and its includes (rstd, multi, split) and affine_vec4 appear in both.
    const sharedChars = common.reduce((n, h) => n + a.shared.get(h)!.length, 0);
    expect(sharedChars).toBeGreaterThan(0.5 * [...a.shared.values()].reduce((n, p) => n + p.length, 0));
  });

  test('the bundled modules the library uses carry the reconstructed code (markers intact)', () => {
    const info = rowNormShader(false, 'vec4', 'workgroup');
    expect(info.code).toContain('// ---- begin row-norm/row_norm_core.wgsl ----');
    expect(info.code).toContain('fn row_norm_multi(');
  });
});
