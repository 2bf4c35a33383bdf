/**
 * The plans of nodes already validated, found again by the node's structure. A runtime records the
 * same node shape once per layer and token, each time as a fresh object with fresh buffers, and
 * validating it from scratch cost more than the kernel's own encode. A plan depends only on what
 * `checkNode` reads: opType, domain, opset, the attributes, each input's presence, dims and type,
 * and outputCount. A node equal to a remembered one in all of these has that one's plan; any other
 * node, a refused one included, goes through the whole validation. Buffers, data and outputs are
 * not part of a plan and are checked on every call by the entry points.
 */

/** What of a node its plan depends on, copied when remembered (the caller may reuse its arrays). */
interface NodeShape {
  readonly opType: string;
  readonly domain: string;
  readonly opset: number;
  readonly outputCount: number;
  /** Attribute names (Object.keys order) and values, arrays copied; undefined: none given. */
  readonly attrNames: readonly string[] | undefined;
  readonly attrValues: readonly unknown[];
  /** Per input: undefined when omitted (null or undefined), else its dims and type. */
  readonly inputs: readonly ({ readonly dims: readonly number[]; readonly type: unknown } | undefined)[];
}

interface Remembered<P> {
  readonly shape: NodeShape;
  readonly plan: P;
}

/** Plans remembered per opType, most recent first: a model's distinct shapes per operator are few. */
const PER_OP = 8;

type NodeLike = {
  readonly opType?: unknown;
  readonly domain?: unknown;
  readonly opset?: unknown;
  readonly outputCount?: unknown;
  readonly attributes?: unknown;
  readonly inputs?: unknown;
};

function sameNumbers(a: unknown, b: readonly number[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameValue(given: unknown, kept: unknown): boolean {
  return Array.isArray(kept) ? sameNumbers(given, kept as number[]) : Object.is(given, kept);
}

function matches(n: NodeLike, s: NodeShape): boolean {
  if (n.opType !== s.opType || n.domain !== s.domain || !Object.is(n.opset, s.opset) || !Object.is(n.outputCount, s.outputCount)) return false;
  const attrs = n.attributes;
  if (attrs === undefined || s.attrNames === undefined) {
    if (attrs !== s.attrNames) return false;
  } else {
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) return false;
    const names = Object.keys(attrs);
    if (names.length !== s.attrNames.length) return false;
    for (let i = 0; i < names.length; i++) {
      if (names[i] !== s.attrNames[i] || !sameValue((attrs as Record<string, unknown>)[names[i]!], s.attrValues[i])) return false;
    }
  }
  const inputs = n.inputs;
  if (!Array.isArray(inputs) || inputs.length !== s.inputs.length) return false;
  for (let i = 0; i < inputs.length; i++) {
    const t: unknown = inputs[i];
    const k = s.inputs[i];
    if (t === null || t === undefined || k === undefined) {
      if ((t === null || t === undefined) !== (k === undefined)) return false;
      continue;
    }
    if (typeof t !== 'object') return false;
    const { dims, type } = t as { dims?: unknown; type?: unknown };
    if (type !== k.type || !sameNumbers(dims, k.dims)) return false;
  }
  return true;
}

function shapeOf(n: NodeLike): NodeShape {
  const attrs = n.attributes as Record<string, unknown> | undefined;
  const attrNames = attrs === undefined ? undefined : Object.keys(attrs);
  return {
    opType: n.opType as string,
    domain: n.domain as string,
    opset: n.opset as number,
    outputCount: n.outputCount as number,
    attrNames,
    attrValues: (attrNames ?? []).map((k) => (Array.isArray(attrs![k]) ? [...(attrs![k] as number[])] : attrs![k])),
    inputs: (n.inputs as unknown[]).map((t) => {
      if (t === null || t === undefined) return undefined;
      const { dims, type } = t as { dims: number[]; type: unknown };
      return { dims: [...dims], type };
    }),
  };
}

/**
 * A memo from node structure to plan. `plan(node)` returns the remembered plan of a node of the
 * same structure, else runs `make(node)` (which validates and throws on a bad node) and remembers
 * what it returns.
 *
 * @example
 * ```ts
 * const memo = new PlanMemo(planNodeFully);
 * memo.plan(node) === memo.plan({ ...node, inputs: [{ ...node.inputs[0], buffer: other }] }); // true
 * ```
 */
export class PlanMemo<P> {
  private readonly byOp = new Map<unknown, Remembered<P>[]>();

  constructor(private readonly make: (node: unknown) => P) {}

  plan(node: unknown): P {
    if (typeof node !== 'object' || node === null) return this.make(node);
    const n = node as NodeLike;
    const list = this.byOp.get(n.opType);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!;
        if (!matches(n, r.shape)) continue;
        if (i > 0) list.splice(i, 1), list.unshift(r);
        return r.plan;
      }
    }
    const plan = this.make(node);
    // Only a node that passed validation gets here, so its fields have the checked types.
    const remembered = { shape: shapeOf(n), plan };
    if (list) {
      list.unshift(remembered);
      if (list.length > PER_OP) list.pop();
    } else {
      this.byOp.set(n.opType, [remembered]);
    }
    return plan;
  }
}
