/**
 * The benchmark panel's shape field. Pure, so it is unit-tested in Node.
 */
import type { Shape } from '../bench/core/types.js';

/**
 * Parses `"1x768, 128×768"` into shapes (the CLI's `--shapes` syntax; bench/args.ts itself needs
 * node:util, so it is not imported into the page). Throws on anything else.
 *
 * @example
 * ```ts
 * parseShapeList('1x768,128x768'); // [{ rows: 1, cols: 768 }, { rows: 128, cols: 768 }]
 * ```
 */
export function parseShapeList(text: string): Shape[] {
  const shapes = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .map((t) => {
      const m = /^(\d+)\s*[x×*]\s*(\d+)$/i.exec(t);
      if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`bad shape "${t}": expected ROWSxCOLS, e.g. 128x768`);
      return { rows: Number(m[1]), cols: Number(m[2]) };
    });
  if (shapes.length === 0) throw new Error('no shapes given');
  return shapes;
}
