/**
 * Number and table formatting shared by the terminal report and the chart. Pure.
 */

/**
 * Three significant digits, never in exponent form for the magnitudes a benchmark prints, with
 * no digits after the point past 1000 (`1234`, `12.3`, `0.0123`).
 *
 * @example
 * ```ts
 * formatNumber(0.012345); // '0.0123'
 * formatNumber(12345.6);  // '12346'
 * ```
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  if (Math.abs(v) >= 999.5) return v.toFixed(0);
  // Digits after the point from the rounded value, so a carry (9.996 → 10.0) keeps three digits.
  const rounded = Number(v.toPrecision(3));
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(Math.min(digits, 20));
}

/**
 * An error magnitude: `0`, or two significant digits in exponent form (`4.8e-7`).
 *
 * @example
 * ```ts
 * formatError(4.768e-7); // '4.8e-7'
 * ```
 */
export function formatError(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return String(v);
  return v.toExponential(1).replace('e+', 'e');
}

/** `128×768`. */
export function formatShape(rows: number, cols: number): string {
  return `${rows}×${cols}`;
}

/** Column alignment: text left, numbers right. */
export type Align = 'left' | 'right';

/**
 * Pads `rows` (header first) into aligned columns separated by two spaces; trailing spaces are
 * trimmed. Widths count code points, so `×` and `µ` take one column each.
 *
 * @example
 * ```ts
 * alignColumns([['a', 'b'], ['xx', '1']], ['left', 'right']); // ['a   b', 'xx  1']
 * ```
 */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const width = (s: string) => [...s].length;
  const widths = align.map((_, c) => Math.max(0, ...rows.map((r) => width(r[c] ?? ''))));
  return rows.map((r) =>
    align
      .map((a, c) => {
        const cell = r[c] ?? '';
        const pad = ' '.repeat(widths[c]! - width(cell));
        return a === 'left' ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd(),
  );
}
