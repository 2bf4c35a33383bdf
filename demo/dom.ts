/**
 * The few DOM helpers the demo needs (no framework: five panels of static markup and a handful of
 * live numbers do not justify one).
 */

/**
 * Creates an element with attributes and children.
 *
 * @example
 * ```ts
 * el('p', { class: 'note' }, 'mean = ', el('b', {}, '5'));
 * ```
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** The element with this id, or a clear error naming the id the HTML lacks. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`demo/index.html has no #${id}`);
  return e as T;
}

/** Four significant digits, `−` for minus (reads better in tables), `—` for missing values. */
export function fmt(v: number | undefined | null, digits = 4): string {
  if (v === undefined || v === null) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const s = Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4 ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
  return s.replace('-', '−');
}

/** Per-section progress for the page's readers (and the headless test): `pending`, `done`, or `error: …`. */
export const status: Record<string, string> = {};
(window as unknown as { demoStatus: Record<string, string> }).demoStatus = status;

/** The numbers each section computed last, for the headless test to check against the reference. */
export const results: Record<string, unknown> = {};
(window as unknown as { demoResults: Record<string, unknown> }).demoResults = results;

/**
 * Runs a section, recording its status; an exception becomes a visible message in the section
 * (and a console error, which the test treats as a failure) rather than a blank panel.
 */
export async function section(name: string, host: HTMLElement, fn: () => Promise<void> | void): Promise<void> {
  status[name] = 'pending';
  try {
    await fn();
    status[name] = 'done';
  } catch (e) {
    status[name] = `error: ${e instanceof Error ? e.message : String(e)}`;
    host.append(el('p', { class: 'error' }, `This section failed: ${status[name]}`));
    console.error(e);
  }
}
