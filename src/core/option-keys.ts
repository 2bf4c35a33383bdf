/**
 * Refuses option keys an op does not know. JavaScript callers get no type checking, and a
 * misspelled key (`{ eps: 1e-3 }`, `{ epsilonmode: 'add-to-std' }`) would otherwise run silently
 * with the defaults; the message names the key and suggests the nearest known one.
 */
import { NormError } from './errors.js';

/**
 * Throws `NormError('invalid-argument')` for the first own key of `options` that is not in
 * `known` and whose value is not `undefined` (an explicit `undefined` means "absent" throughout
 * this API). `misplaced` maps keys that belong to a sibling op to a specific explanation
 * (`beta` on RMSNorm: "RMSNorm has no beta; …").
 *
 * @example
 * ```ts
 * checkOptionKeys({ cols: 4, eps: 1e-3 }, ['cols', 'epsilon'], 'layerNorm');
 * // throws NormError invalid-argument, argument 'eps': "unknown option of layerNorm; did you mean 'epsilon'? ..."
 * ```
 */
export function checkOptionKeys(options: object, known: readonly string[], op: string, misplaced: Readonly<Record<string, string>> = {}): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const why = misplaced[key];
    if (why !== undefined) throw new NormError('invalid-argument', why, key);
    const near = nearestKey(key, known);
    const hint = near ? `did you mean '${near}'? ` : '';
    throw new NormError('invalid-argument', `unknown option of ${op}; ${hint}known options: ${known.join(', ')}`, key);
  }
}

/**
 * What {@link checkOptionKeys} takes for one op in one call form: the known keys, the name its
 * messages use, and the sibling ops' keys with the reason each is refused.
 *
 * @example
 * ```ts
 * const t: OptionKeyTable = { known: ['cols', 'epsilon'], method: 'layerNorm', misplaced: { groups: 'layerNorm has no groups' } };
 * ```
 */
export interface OptionKeyTable {
  readonly known: readonly string[];
  readonly method: string;
  readonly misplaced: Readonly<Record<string, string>>;
}

/**
 * `make` memoized per (op, form): a family's key tables are built on the first call of each op
 * and form and then looked up without building a key, since every call checks its keys. `extra`
 * (e.g. the op's own key lists) goes to `make` on that first call and is not part of the key.
 *
 * @example
 * ```ts
 * const keysOf = optionKeysPerOpAndForm((op: 'layerNorm', form: 'encode') => ({ known: ['x', 'y'], method: 'encodeLayerNorm', misplaced: {} }));
 * checkOptionKeys(options, keysOf('layerNorm', 'encode').known, 'encodeLayerNorm');
 * ```
 */
export function optionKeysPerOpAndForm<Op extends string, Form extends string, E = undefined>(make: (op: Op, form: Form, extra: E) => OptionKeyTable): (op: Op, form: Form, extra: E) => OptionKeyTable {
  const made = new Map<Form, Map<Op, OptionKeyTable>>();
  return (op, form, extra) => {
    let perOp = made.get(form);
    if (!perOp) made.set(form, (perOp = new Map()));
    let table = perOp.get(op);
    if (!table) perOp.set(op, (table = make(op, form, extra)));
    return table;
  };
}

/**
 * The known key closest to `key` (case-insensitive edit distance with transpositions), if it is
 * close enough to be a plausible typo: at most a third of the longer name, at least 2 edits
 * allowed, or a case-only difference, or a prefix/abbreviation (`eps` → `epsilon`).
 *
 * @example
 * ```ts
 * nearestKey('epsilonmode', ['epsilon', 'epsilonMode']); // 'epsilonMode'
 * nearestKey('eps', ['epsilon', 'gamma']);               // 'epsilon'
 * nearestKey('foo', ['epsilon', 'gamma']);               // undefined
 * ```
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const k = key.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const c = candidate.toLowerCase();
    const d = c === k ? 0 : c.startsWith(k) && k.length >= 3 ? 1 : editDistance(k, c);
    const allowed = Math.max(2, Math.floor(Math.max(k.length, c.length) / 3));
    if (d <= allowed && d < bestScore) {
      best = candidate;
      bestScore = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
