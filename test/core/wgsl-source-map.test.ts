/**
 * Mapping compiler messages on a linked WGSL module back to the original file and line
 * (src/wgsl-source-map.ts), against the same linker the build uses (src/build/wgsl-plugin.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { hoistDirectives, linkWgsl } from '../../src/build/wgsl-plugin.js';
import { compilationError, mapWgslLocation } from '../../src/core/wgsl-source-map.js';

/** Links like the plugin: kernel with its #includes, then `?link=` files between markers. */
async function link(kernel: string, links: string[]) {
  const seen = new Set<string>();
  const parts = [(await linkWgsl(`shaders/${kernel}.wgsl`, seen)).code];
  for (const l of links) parts.push(`// ---- begin ${l} ----\n${(await linkWgsl(`shaders/${l}`, seen)).code}\n// ---- end ${l} ----`);
  return { name: [kernel, ...links].map((l) => l.replace(/^.*\//, '').replace('.wgsl', '')).join('+'), file: `${kernel}.wgsl`, code: hoistDirectives(parts.join('\n')) };
}

/** Every non-blank, non-marker line of the linked module maps to a line with the same text. */
async function expectExactMap(kernel: string, links: string[]) {
  const shader = await link(kernel, links);
  const lines = shader.code.split('\n');
  let checked = 0;
  lines.forEach((text, i) => {
    if (text.startsWith('// ---- ') || /^\s*(enable|requires|diagnostic)\b/.test(text) || text.startsWith('// (hoisted)')) return;
    const at = mapWgslLocation(shader, i + 1, 1);
    const original = readFileSync(`shaders/${at.file}`, 'utf8').split('\n')[at.line - 1];
    expect(original, `${shader.name}:${i + 1} → ${at.file}:${at.line}`).toBe(text);
    checked++;
  });
  return checked;
}

describe('mapWgslLocation', () => {
  test.each([
    ['row-norm/row_norm_vec4', ['common/reduce_workgroup.wgsl']],
    ['row-norm/row_norm_f16', ['common/reduce_subgroup.wgsl']], // nested include (f16_chunk → f16) and a hoisted `enable`
    ['row-norm/add_row_norm_scalar', ['common/reduce_subgroup.wgsl']],
  ])('%s + %j: every source line maps to its original file and line', async (kernel, links) => {
    expect(await expectExactMap(kernel, links)).toBeGreaterThan(50);
  });

  test('a hoisted directive line is reported as such', async () => {
    const shader = await link('row-norm/row_norm_vec4', ['common/reduce_subgroup.wgsl']);
    expect(shader.code.split('\n')[0]).toMatch(/^enable subgroups;/);
    expect(mapWgslLocation(shader, 1, 1).file).toMatch(/hoisted/);
  });
});

describe('compilationError', () => {
  test('cites file:line:column and the source line; warnings alone are not errors', async () => {
    const shader = await link('row-norm/row_norm_vec4', ['common/reduce_workgroup.wgsl']);
    const lines = shader.code.split('\n');
    const target = lines.findIndex((l) => l.includes('// ---- begin common/reduce_workgroup.wgsl')) + 3;
    const msg = (type: GPUCompilationMessageType) => ({ type, message: 'bad thing', lineNum: target, linePos: 7, offset: 0, length: 1 }) as GPUCompilationMessage;
    expect(compilationError(shader, { messages: [msg('warning')] } as unknown as GPUCompilationInfo)).toBeNull();
    const e = compilationError(shader, { messages: [msg('error')] } as unknown as GPUCompilationInfo)!;
    expect(e.code).toBe('gpu-error');
    expect(e.message).toContain('common/reduce_workgroup.wgsl:2:7: error: bad thing');
    expect(e.message).toContain(lines[target - 1]!.trim());
  });
});
