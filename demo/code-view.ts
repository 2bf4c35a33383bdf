/**
 * "The library code behind this section": each panel's source marks the lines that call the
 * library with `// #region library-code` … `// #endregion`; the page imports the panel's source as
 * text (Vite `?raw`) and shows those lines verbatim in a collapsible block, so what a reader copies
 * is exactly what ran. Pure except {@link codeDetails}.
 */

const BEGIN = /^\s*\/\/ #region library-code\b.*$/;
const END = /^\s*\/\/ #endregion\b.*$/;

/**
 * The marked regions of `source`, each dedented, joined by a `…` line; '' when none is marked.
 *
 * @example
 * ```ts
 * codeRegions('a\n  // #region library-code\n  norm.layerNorm(x);\n  // #endregion\n'); // 'norm.layerNorm(x);'
 * ```
 */
export function codeRegions(source: string): string {
  const regions: string[][] = [];
  let open: string[] | null = null;
  for (const line of source.split('\n')) {
    if (open === null && BEGIN.test(line)) {
      open = [];
    } else if (open !== null && END.test(line)) {
      regions.push(dedent(open));
      open = null;
    } else if (open !== null) {
      open.push(line);
    }
  }
  if (open !== null) throw new Error('a `// #region library-code` without its `// #endregion`');
  return regions.map((r) => r.join('\n')).join('\n…\n');
}

function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut));
}

/**
 * A collapsed `<details class="code">` with the marked regions of each `[source, file]`, each
 * headed by its file name.
 *
 * @example
 * ```ts
 * host.after(codeDetails([stepsSource, 'demo/layer-norm-steps.ts']));
 * ```
 */
export function codeDetails(...files: [source: string, file: string][]): HTMLDetailsElement {
  const details = document.createElement('details');
  details.className = 'code';
  const summary = document.createElement('summary');
  summary.textContent = 'The library code behind this section';
  details.append(summary);
  for (const [source, file] of files) {
    const pre = document.createElement('pre');
    const code = document.createElement('code');
    code.dataset.file = file;
    code.textContent = `// ${file}\n${codeRegions(source)}`;
    pre.append(code);
    details.append(pre);
  }
  return details;
}
