/**
 * Comparison of a float32 GPU result with the float64 reference: |gpu − ref| ≤ atol + rtol·|ref|
 * per element, plus the worst ULP distance to the reference rounded to float32, and a table of the
 * worst elements so a failure explains itself.
 */

export interface Tolerance {
  readonly rtol: number;
  /** Absolute slack per element (e.g. scaled by |gamma_j|); a number applies to all. */
  readonly atol: number | ((index: number) => number);
}

export interface Worst {
  readonly index: number;
  readonly expected: number;
  readonly actual: number;
  readonly error: number;
  readonly allowed: number;
}

export interface Comparison {
  readonly count: number;
  readonly failures: number;
  readonly maxAbsError: number;
  /** Largest error as a fraction of what the tolerance allowed (≤ 1 passes). */
  readonly maxErrorRatio: number;
  readonly worstUlp: number;
  readonly worst: readonly Worst[];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Ordered integer image of a float32, so ULP distance is a subtraction. */
function ordered(v: number): number {
  f32[0] = v;
  const bits = u32[0]!;
  return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
}

/** Distance in float32 ULPs between `a` and `b` after rounding both to float32. */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}

/**
 * Compares `actual` with `expected` over `indices` (all by default). Where the reference is not
 * finite, the GPU value must not be finite either (NaN and ±Inf are not told apart: WGSL lets
 * implementations fold non-finite arithmetic).
 */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, indices?: Iterable<number>): Comparison {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  const atol = typeof tol.atol === 'number' ? ((v: number) => () => v)(tol.atol) : tol.atol;
  let failures = 0;
  let count = 0;
  let maxAbsError = 0;
  let maxErrorRatio = 0;
  let worstUlp = 0;
  // The eight elements with the largest error relative to their allowance, worst first.
  const worst: (Worst & { ratio: number })[] = [];
  const consider = (w: Worst, ratio: number) => {
    if (worst.length === 8 && ratio <= worst[7]!.ratio) return;
    worst.push({ ...w, ratio });
    worst.sort((p, q) => q.ratio - p.ratio);
    if (worst.length > 8) worst.pop();
  };
  const visit = (i: number) => {
    count++;
    const e = expected[i]!;
    const a = actual[i]!;
    if (!Number.isFinite(e)) {
      if (Number.isFinite(a)) {
        failures++;
        maxErrorRatio = Infinity;
        consider({ index: i, expected: e, actual: a, error: Infinity, allowed: 0 }, Infinity);
      }
      return;
    }
    const error = Math.abs(a - e);
    const allowed = atol(i) + tol.rtol * Math.abs(e);
    const ratio = Number.isNaN(error) ? Infinity : error / Math.max(allowed, Number.MIN_VALUE);
    if (!(error <= allowed)) failures++;
    if (!(error <= maxAbsError)) maxAbsError = Number.isNaN(error) ? Infinity : Math.max(maxAbsError, error);
    maxErrorRatio = Math.max(maxErrorRatio, ratio);
    worstUlp = Math.max(worstUlp, ulpDistance(a, Math.fround(e)));
    consider({ index: i, expected: e, actual: a, error: Number.isNaN(error) ? Infinity : error, allowed }, ratio);
  };
  if (indices) for (const i of indices) visit(i);
  else for (let i = 0; i < expected.length; i++) visit(i);
  return { count, failures, maxAbsError, maxErrorRatio, worstUlp, worst: worst.map(({ ratio: _, ...w }) => w) };
}

/** The worst elements as an aligned text table, for failure messages. */
export function formatWorst(worst: readonly Worst[], label: (index: number) => string = String): string {
  const rows = [['index', 'expected', 'actual', 'error', 'allowed'], ...worst.map((w) => [label(w.index), fmt(w.expected), fmt(w.actual), fmt(w.error), fmt(w.allowed)])];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(9) : String(v);
}

/** Ordered integer image of binary16 bits, so half ULP distance is a subtraction. */
function orderedF16(bits: number): number {
  return bits & 0x8000 ? -(bits & 0x7fff) : bits;
}

/**
 * Compares f16 results (half bits) with float64 reference values rounded to f16 by `round`
 * (which must map a number to half bits): the distance in half ULPs must be at most `maxUlp`, or
 * the absolute error (after `decode`) at most `atol(i)`.
 * Non-finite reference values need non-finite results. `error` in the worst table is in ULPs.
 */
export function compareF16(
  actual: Uint16Array,
  expected: ArrayLike<number>,
  round: (v: number) => number,
  maxUlp: number,
  indices?: Iterable<number>,
  /** Absolute slack that also passes (f32 arithmetic near zero is coarser than f16 subnormals). */
  atol: (index: number) => number = () => 0,
  decode: (bits: number) => number = () => NaN,
): Comparison {
  let failures = 0;
  let count = 0;
  let worstUlp = 0;
  let maxRatio = 0;
  const worst: (Worst & { ratio: number })[] = [];
  const visit = (i: number) => {
    count++;
    const e = expected[i]!;
    const a = actual[i]!;
    const aFinite = (a & 0x7c00) !== 0x7c00;
    // -Infinity keeps its sign (it used to be compared as +Inf bits, failing a correct -Inf).
    const rounded = Number.isFinite(e) ? round(e) : e === -Infinity ? 0xfc00 : 0x7c00;
    let ulp: number;
    if ((rounded & 0x7c00) === 0x7c00) ulp = aFinite ? Infinity : (a & 0x8000) === (rounded & 0x8000) || Number.isNaN(e) ? 0 : Infinity;
    else if (!aFinite) ulp = Infinity;
    else ulp = Math.abs(orderedF16(a) - orderedF16(rounded));
    const abs = Math.abs(decode(a) - e);
    const passedByAtol = ulp > maxUlp && abs <= atol(i);
    if (ulp > maxUlp && !passedByAtol) failures++;
    worstUlp = Math.max(worstUlp, ulp);
    maxRatio = Math.max(maxRatio, passedByAtol ? abs / atol(i) : ulp / Math.max(maxUlp, 1));
    if (worst.length < 8 || ulp > worst[worst.length - 1]!.ratio) {
      worst.push({ index: i, expected: e, actual: a, error: ulp, allowed: maxUlp, ratio: ulp });
      worst.sort((p, q) => q.ratio - p.ratio);
      if (worst.length > 8) worst.pop();
    }
  };
  if (indices) for (const i of indices) visit(i);
  else for (let i = 0; i < expected.length; i++) visit(i);
  return { count, failures, maxAbsError: worstUlp, maxErrorRatio: maxRatio, worstUlp, worst: worst.map(({ ratio: _, ...w }) => w) };
}
