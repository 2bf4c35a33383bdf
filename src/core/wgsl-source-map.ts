/**
 * Maps a line of a linked WGSL module back to the file it came from. The build
 * (`src/build/wgsl-plugin.ts`) splices `#include`d and `?link=`ed files in between
 * `// ---- begin common/x.wgsl ----` / `// ---- end common/x.wgsl ----` markers and hoists
 * directives to the top (leaving a placeholder line), so a compiler message about line 212 of
 * `row_norm_vec4+reduce_workgroup` can be reported as `row-norm/row_norm_core.wgsl:87:5`, the line a
 * developer can open.
 */
import { NormError } from './errors.js';

/** Where a line of the linked module came from. */
export interface WgslLocation {
  /** Path relative to `shaders/`, e.g. `row_norm_vec4.wgsl` or `row-norm/row_norm_core.wgsl`. */
  readonly file: string;
  /** 1-based line in that file. */
  readonly line: number;
  /** 1-based column (unchanged by linking). */
  readonly column: number;
}

const BEGIN = /^\/\/ ---- begin (.+) ----$/;
const END = /^\/\/ ---- end (.+) ----$/;
const DIRECTIVE = /^\s*(enable|requires|diagnostic)\b[^;]*;\s*$/;

/**
 * The original file, line and column of 1-based `line`/`column` in a linked module `code` whose
 * ShaderInfo `name` is `kernel+link1+link2` (the kernel file comes first).
 *
 * @example
 * ```ts
 * mapWgslLocation({ name: 'row_norm_vec4+reduce_workgroup', code }, 212, 5);
 * // { file: 'row-norm/row_norm_core.wgsl', line: 87, column: 5 }
 * ```
 */
export function mapWgslLocation(shader: { readonly name: string; readonly code: string; readonly file?: string }, line: number, column: number): WgslLocation {
  const lines = shader.code.split('\n');
  const main = shader.file ?? `${shader.name.split('+')[0]}.wgsl`;
  // Hoisted directives sit above the kernel's first line; their placeholder marks the real origin.
  let hoisted = 0;
  while (hoisted < lines.length && DIRECTIVE.test(lines[hoisted]!)) hoisted++;
  if (line <= hoisted) return { file: `${main} (hoisted directive)`, line, column };
  const stack: { file: string; line: number }[] = [{ file: main, line: 0 }];
  for (let i = hoisted; i < Math.min(line, lines.length); i++) {
    const text = lines[i]!;
    const begin = BEGIN.exec(text);
    const end = END.exec(text);
    const top = stack[stack.length - 1]!;
    if (begin) {
      top.line++; // the `#include` line this block replaced
      if (i === line - 1) return { file: top.file, line: top.line, column };
      stack.push({ file: begin[1]!, line: 0 }); // markers carry the path relative to shaders/
    } else if (end && stack.length > 1) {
      stack.pop();
      if (i === line - 1) return { file: stack[stack.length - 1]!.file, line: stack[stack.length - 1]!.line, column };
    } else {
      top.line++;
    }
  }
  const top = stack[stack.length - 1]!;
  return { file: top.file, line: top.line, column };
}

/**
 * Turns a module's compilation messages into one `NormError('gpu-error')` citing each error's
 * original file, line and column (and the offending source line), or null if it compiled without
 * errors. Warnings and infos are left out.
 *
 * @example
 * ```ts
 * const err = compilationError(shader, await module.getCompilationInfo());
 * if (err) throw err; // "shader compilation failed: row-norm/row_norm_core.wgsl:87:5: error: ..."
 * ```
 */
export function compilationError(shader: { readonly name: string; readonly code: string; readonly file?: string }, info: GPUCompilationInfo): NormError | null {
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return null;
  const lines = shader.code.split('\n');
  const described = errors.map((m) => {
    if (!m.lineNum) return `${shader.name}: ${m.message}`;
    const at = mapWgslLocation(shader, m.lineNum, m.linePos);
    const source = lines[m.lineNum - 1]?.trim() ?? '';
    return `${at.file}:${at.line}:${at.column}: error: ${m.message}${source ? `\n    ${source}` : ''}`;
  });
  return new NormError('gpu-error', `shader compilation failed (module ${shader.name}):\n${described.join('\n')}`);
}
