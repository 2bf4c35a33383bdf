/**
 * The one validation of an ONNX node, for every entry point (`runOnnxNode`, `encodeOnnxNode`,
 * `onnxOutputInfo`, `cpu.runOnnxNode`): the node's structure, the operator and its schema version
 * (schemas.ts), the input count, every attribute (known, of its kind, default filled in), and the
 * tensor types (the schema's type variables bound consistently; float64 and bfloat16 refused).
 * Shapes and the kernel mapping follow in plan.ts. Nothing reaches the GPU before all of it passes.
 */
import { NormError, describe } from '../core/errors.js';
import { nearestKey } from '../core/option-keys.js';
import { COMPUTED_TYPES, ONNX_SCHEMAS, knownOps, canonicalDomain, type OnnxSchema, type OnnxTensorType } from './schemas.js';

/**
 * An ONNX node as a runtime holds it: `inputs` in the operator's input order, `null` for an
 * omitted optional input; only the first `outputCount` outputs are produced.
 *
 * @example
 * ```ts
 * const node: OnnxNode<OnnxTensor> = { opType: 'LayerNormalization', domain: '', opset: 17, attributes: { axis: -1 }, inputs: [x, scale, null], outputCount: 1 };
 * ```
 */
export interface OnnxNode<I> {
  readonly opType: string;
  /** `''` or `'ai.onnx'` for the standard operators, `'com.microsoft'` for onnxruntime's contrib operators. */
  readonly domain: string;
  /** The version of the node's domain in the model's opset imports. */
  readonly opset: number;
  /** Plain values: numbers, number arrays, strings. Absent ones take the schema's default. */
  readonly attributes?: Readonly<Record<string, number | readonly number[] | string>> | undefined;
  readonly inputs: readonly (I | null | undefined)[];
  /** How many of the operator's outputs, in order, to produce (at least 1). */
  readonly outputCount: number;
}

/**
 * A tensor of `runOnnxNode`: data in a typed array (float16 as `Uint16Array` bits), dims, type.
 *
 * @example
 * ```ts
 * const x: OnnxTensor = { data: new Float32Array(6), dims: [2, 3], type: 'float32' };
 * ```
 */
export interface OnnxTensor {
  readonly data: Float32Array | Uint16Array | Float64Array;
  readonly dims: readonly number[];
  readonly type: OnnxTensorType;
}

/**
 * A tensor of `encodeOnnxNode`: a GPU buffer (or a range of one) holding it, f32 or packed f16.
 *
 * @example
 * ```ts
 * const x: OnnxGpuTensor = { buffer: xBuffer, dims: [2, 3], type: 'float16' };
 * ```
 */
export interface OnnxGpuTensor {
  readonly buffer: GPUBuffer | GPUBufferBinding;
  readonly dims: readonly number[];
  readonly type: OnnxTensorType;
}

/**
 * An ONNX node for `encodeOnnxNode`: GPU inputs, plus the output tensors to write (`null` for an
 * output not wanted; allocate them from `onnxOutputInfo`).
 *
 * @example
 * ```ts
 * const node: OnnxEncodeNode = { ...layerNormNode, inputs: [x, scale, bias], outputs: [y], outputCount: 1 };
 * ```
 */
export interface OnnxEncodeNode extends OnnxNode<OnnxGpuTensor> {
  readonly outputs: readonly (OnnxGpuTensor | null | undefined)[];
}

/**
 * An output's shape and type, from `onnxOutputInfo`.
 *
 * @example
 * ```ts
 * const [y, mean] = norm.onnxOutputInfo(node); // { dims: [2, 3], type: 'float16' }, { dims: [2, 1], type: 'float32' }
 * ```
 */
export interface OnnxOutputInfo {
  readonly dims: number[];
  readonly type: OnnxTensorType;
}

/** What validation needs of an input: its dims and type. */
export interface TensorInfo {
  readonly dims: readonly number[];
  readonly type: OnnxTensorType;
}

/** An attribute value after defaults: a number or a number array. */
export type AttributeValue = number | readonly number[];

/**
 * A node that passed the structural checks: its schema version, attributes with defaults, the
 * inputs' infos (`null` where omitted) and the bound type variables.
 */
export interface CheckedNode {
  readonly schema: OnnxSchema;
  readonly attrs: Readonly<Record<string, AttributeValue>>;
  readonly inputs: readonly (TensorInfo | null)[];
  readonly outputCount: number;
  readonly types: Readonly<Record<string, OnnxTensorType>>;
}

const ONNX_TYPES: readonly string[] = ['float32', 'float16', 'float64', 'bfloat16'];

/**
 * The schema version for a node: its domain and opType must be implemented, and its opset must
 * reach the operator's first version. `unsupported-op` names the nearest known operator.
 *
 * @example
 * ```ts
 * findSchema({ opType: 'LayerNormalization', domain: '', opset: 18 }).since; // 17
 * findSchema({ opType: 'LayerNorm', domain: '', opset: 17 }); // throws unsupported-op: did you mean LayerNormalization?
 * ```
 */
export function findSchema(node: { readonly opType: unknown; readonly domain: unknown; readonly opset: unknown }): OnnxSchema {
  if (typeof node.opType !== 'string') throw new NormError('invalid-argument', `expected a string, got ${describe(node.opType)}`, 'opType');
  if (typeof node.domain !== 'string') throw new NormError('invalid-argument', `expected a string ('' or 'ai.onnx' or 'com.microsoft'), got ${describe(node.domain)}`, 'domain');
  if (typeof node.opset !== 'number' || !Number.isInteger(node.opset) || node.opset < 1) {
    throw new NormError('invalid-argument', `expected the domain's opset version, an integer >= 1, got ${describe(node.opset)}`, 'opset');
  }
  const domain = canonicalDomain(node.domain);
  const versions = ONNX_SCHEMAS.filter((s) => s.opType === node.opType && s.domain === domain);
  if (versions.length === 0) {
    const elsewhere = ONNX_SCHEMAS.find((s) => s.opType === node.opType);
    if (elsewhere) {
      throw new NormError('unsupported-op', `${node.opType} is in the ${elsewhere.domain === '' ? "ONNX domain ('')" : `'${elsewhere.domain}' domain`}, not '${node.domain}'`, 'domain');
    }
    const near = nearestKey(node.opType, knownOps());
    const known = near ? `did you mean ${near}?` : `implemented: ${knownOps().join(', ')}`;
    throw new NormError('unsupported-op', `no ONNX operator ${JSON.stringify(node.opType)} in domain ${JSON.stringify(node.domain)} here; ${known}`, 'opType');
  }
  const fitting = versions.filter((s) => s.since <= (node.opset as number)).sort((a, b) => b.since - a.since);
  if (fitting.length === 0) {
    const first = Math.min(...versions.map((s) => s.since));
    throw new NormError('unsupported-op', `${node.opType} is implemented from opset ${first} (its versions: ${versions.map((s) => s.since).join(', ')}); the node's opset is ${node.opset}`, 'opset');
  }
  return fitting[0]!;
}

/** The attribute after kind checks, or the schema default. */
function attribute(schema: OnnxSchema, name: string, given: unknown): AttributeValue {
  const spec = schema.attributes[name]!;
  if (given === undefined) {
    if (spec.default === undefined) throw new NormError('invalid-argument', `${schema.opType} requires attribute ${name}`, `attributes.${name}`);
    return spec.default;
  }
  const arg = `attributes.${name}`;
  if (spec.kind === 'ints') {
    if (!Array.isArray(given) || !given.every((v) => typeof v === 'number' && Number.isInteger(v))) {
      throw new NormError('invalid-argument', `expected an array of integers, got ${describe(given)}`, arg);
    }
    return [...(given as number[])];
  }
  if (typeof given !== 'number' || !Number.isFinite(given) || (spec.kind === 'int' && !Number.isInteger(given))) {
    throw new NormError('invalid-argument', `expected ${spec.kind === 'int' ? 'an integer' : 'a finite number'}, got ${describe(given)}`, arg);
  }
  return given;
}

function checkTensorInfo(t: unknown, argument: string): TensorInfo {
  if (typeof t !== 'object' || t === null) throw new NormError('invalid-argument', `expected a tensor { dims, type, … } or null, got ${describe(t)}`, argument);
  const { dims, type } = t as TensorInfo;
  if (!Array.isArray(dims) || !dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new NormError('invalid-argument', `expected dims as an array of non-negative integers, got ${describe(dims)}`, `${argument}.dims`);
  }
  if (dims.some((d) => d === 0)) throw new NormError('shape-mismatch', `dims [${dims.join(', ')}] hold no elements; expected every dim >= 1`, `${argument}.dims`);
  if (typeof type !== 'string' || !ONNX_TYPES.includes(type)) {
    throw new NormError('invalid-argument', `expected one of ${ONNX_TYPES.map((s) => `'${s}'`).join(', ')}, got ${describe(type)}`, `${argument}.type`);
  }
  return { dims: [...dims], type };
}

/**
 * The structural validation of a node (see the file comment): schema, input count, attributes
 * with defaults, type variables. `inputs[i]` needs only `dims` and `type` here.
 *
 * @example
 * ```ts
 * checkNode({ opType: 'LpNormalization', domain: '', opset: 22, attributes: {}, inputs: [{ dims: [2, 3], type: 'float32' }], outputCount: 1 }).attrs;
 * // { axis: -1, p: 2 }
 * ```
 */
export function checkNode(node: unknown): CheckedNode {
  if (typeof node !== 'object' || node === null) throw new NormError('invalid-argument', `expected a node { opType, domain, opset, attributes, inputs, outputCount }, got ${describe(node)}`, 'node');
  const n = node as OnnxNode<unknown>;
  const schema = findSchema(n);
  const given = n.attributes ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new NormError('invalid-argument', `expected a plain object, got ${describe(given)}`, 'attributes');
  const known = Object.keys(schema.attributes);
  for (const name of Object.keys(given)) {
    if (!(name in schema.attributes)) {
      const near = nearestKey(name, known);
      throw new NormError('invalid-argument', `${schema.opType} has no attribute ${name}${near ? `; did you mean ${near}?` : ''} (its attributes: ${known.join(', ') || 'none'})`, `attributes.${name}`);
    }
  }
  const attrs: Record<string, AttributeValue> = {};
  for (const name of known) attrs[name] = attribute(schema, name, (given as Record<string, unknown>)[name]);

  if (!Array.isArray(n.inputs)) throw new NormError('invalid-argument', `expected an array of inputs, got ${describe(n.inputs)}`, 'inputs');
  const required = schema.inputs.filter((p) => !p.optional).length;
  if (n.inputs.length < required || n.inputs.length > schema.inputs.length) {
    const range = required === schema.inputs.length ? `${required}` : `${required} to ${schema.inputs.length}`;
    throw new NormError('shape-mismatch', `${schema.opType} takes ${range} inputs (${schema.inputs.map((p) => p.name + (p.optional ? '?' : '')).join(', ')}), got ${n.inputs.length}`, 'inputs');
  }
  const inputs = schema.inputs.map((p, i) => {
    const t = n.inputs[i];
    if (t === null || t === undefined) {
      if (!p.optional) throw new NormError('shape-mismatch', `${schema.opType}'s input ${i} (${p.name}) is required`, `inputs[${i}]`);
      return null;
    }
    return checkTensorInfo(t, `inputs[${i}]`);
  });
  const oc = n.outputCount;
  if (typeof oc !== 'number' || !Number.isInteger(oc) || oc < 1 || oc > schema.outputs.length) {
    throw new NormError('invalid-argument', `expected an integer in [1, ${schema.outputs.length}] (${schema.outputs.map((p) => p.name).join(', ')}), got ${describe(oc)}`, 'outputCount');
  }
  return { schema, attrs, inputs, outputCount: oc, types: bindTypes(schema, inputs) };
}

/**
 * Binds each type variable to its inputs' type: all inputs of one variable agree, each type is
 * one the schema allows (else `invalid-argument`), and one this library computes (else
 * `unsupported-type`).
 */
function bindTypes(schema: OnnxSchema, inputs: readonly (TensorInfo | null)[]): Record<string, OnnxTensorType> {
  const bound: Record<string, OnnxTensorType> = {};
  const from: Record<string, number> = {};
  schema.inputs.forEach((p, i) => {
    const t = inputs[i];
    if (!t) return;
    if (!schema.types[p.type]!.includes(t.type)) {
      throw new NormError('invalid-argument', `${schema.opType}'s ${p.name} (type ${p.type}) may be ${schema.types[p.type]!.join(', ')}, got ${t.type}`, `inputs[${i}].type`);
    }
    const prior = bound[p.type];
    if (prior !== undefined && prior !== t.type) {
      const other = schema.inputs[from[p.type]!]!.name;
      throw new NormError('invalid-argument', `${p.name} and ${other} share type ${p.type} in ${schema.opType}'s schema, but ${p.name} is ${t.type} and ${other} is ${prior}`, `inputs[${i}].type`);
    }
    bound[p.type] = t.type;
    from[p.type] ??= i;
  });
  schema.inputs.forEach((p, i) => {
    const t = inputs[i];
    if (t && !COMPUTED_TYPES.includes(t.type)) {
      throw new NormError('unsupported-type', `${t.type} ${p.name} is not computed here (float32 and float16 are; float64 would need float64 arithmetic the GPU lacks, and nothing is silently approximated)`, `inputs[${i}].type`);
    }
  });
  return bound;
}

/** Normalizes an axis attribute to [0, rank), refusing one outside [-rank, rank). */
export function normalizeAxis(axis: number, rank: number, argument: string): number {
  if (axis < -rank || axis >= rank) throw new NormError('invalid-argument', `expected an axis in [${-rank}, ${rank}) for a rank-${rank} input, got ${axis}`, argument);
  return axis < 0 ? axis + rank : axis;
}

/** The product of `dims` (1 for none). */
export function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** `shape-mismatch` unless `actual` equals `expected`. */
export function checkDims(actual: readonly number[], expected: readonly number[], argument: string, what: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new NormError('shape-mismatch', `expected ${what} [${expected.join(', ')}], got [${actual.join(', ')}]`, argument);
  }
}
