/**
 * The ONNX operators this library implements, stated once: domain, opType, the opset range of each
 * schema version, inputs and outputs (with their type variables), and every attribute with its
 * default. Validation (validate.ts), output shapes and types (output-info.ts), the kernel mapping
 * (encode.ts) and the reference (reference.ts) all read this table; none restates a default.
 *
 * Sources: the ONNX operator documentation (Operators.md) for the standard domain, and
 * onnxruntime's contrib op definitions (ContribOperators.md, contrib_defs.cc) for com.microsoft
 * and for SimplifiedLayerNormalization, which ORT registers in the ONNX domain.
 */

/**
 * A tensor element type as an ONNX node states it.
 *
 * @example
 * ```ts
 * const t: OnnxTensorType = 'float16';
 * ```
 */
export type OnnxTensorType = 'float32' | 'float16' | 'float64' | 'bfloat16';

/** The tensor types this library computes (float64 and bfloat16 are refused with `unsupported-type`). */
export const COMPUTED_TYPES: readonly OnnxTensorType[] = ['float32', 'float16'];

/** An attribute of a schema: its kind and default (absent: required). */
export interface OnnxAttributeSpec {
  readonly kind: 'int' | 'float' | 'ints';
  /** The default when the node omits it; `undefined` means the attribute is required. */
  readonly default?: number | readonly number[] | undefined;
}

/** An input or output of a schema: its name, type variable, and whether it may be omitted. */
export interface OnnxPortSpec {
  readonly name: string;
  /** The type variable (`T`, `T1`, `U`, `V`): ports sharing one must share a type. */
  readonly type: string;
  readonly optional?: boolean | undefined;
}

/** One version of one operator. */
export interface OnnxSchema {
  readonly domain: '' | 'com.microsoft';
  readonly opType: string;
  /** The first opset of the domain this version applies to (it applies until the next version's). */
  readonly since: number;
  readonly inputs: readonly OnnxPortSpec[];
  readonly outputs: readonly OnnxPortSpec[];
  readonly attributes: Readonly<Record<string, OnnxAttributeSpec>>;
  /** The types each type variable may take under the schema. */
  readonly types: Readonly<Record<string, readonly OnnxTensorType[]>>;
}

const ALL: readonly OnnxTensorType[] = ['float32', 'float16', 'float64', 'bfloat16'];
const F32: readonly OnnxTensorType[] = ['float32'];
const F16_F32: readonly OnnxTensorType[] = ['float32', 'float16'];
const port = (name: string, type: string, optional = false): OnnxPortSpec => ({ name, type, optional });
const int = (d?: number): OnnxAttributeSpec => ({ kind: 'int', default: d });
const float = (d?: number): OnnxAttributeSpec => ({ kind: 'float', default: d });

/**
 * Every implemented schema version. A node's `opset` (the version of its domain's opset import)
 * selects the version with the largest `since` not above it.
 *
 * @example
 * ```ts
 * ONNX_SCHEMAS.find((s) => s.opType === 'LayerNormalization')!.attributes.epsilon.default; // 1e-5
 * ```
 */
// Built in a pure function call so that an app importing none of the ONNX API bundles none of it.
export const ONNX_SCHEMAS: readonly OnnxSchema[] = /* @__PURE__ */ ((): OnnxSchema[] => [
  {
    domain: '',
    opType: 'LayerNormalization',
    since: 17,
    inputs: [port('X', 'T'), port('Scale', 'T'), port('B', 'T', true)],
    outputs: [port('Y', 'T'), port('Mean', 'U', true), port('InvStdDev', 'U', true)],
    attributes: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
    types: { T: ALL, U: ['float32', 'bfloat16'] },
  },
  {
    domain: '',
    opType: 'RMSNormalization',
    since: 23,
    inputs: [port('X', 'T'), port('scale', 'V')],
    outputs: [port('Y', 'V')],
    attributes: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
    types: { T: ALL, V: ALL },
  },
  {
    // onnxruntime registers it in the ONNX domain at version 1 (contrib_defs.cc).
    domain: '',
    opType: 'SimplifiedLayerNormalization',
    since: 1,
    inputs: [port('X', 'T'), port('scale', 'V')],
    outputs: [port('Y', 'V'), port('inv_std_var', 'U', true)],
    attributes: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
    types: { T: ALL, U: ['float32', 'float64'], V: ALL },
  },
  {
    domain: '',
    opType: 'GroupNormalization',
    since: 18,
    inputs: [port('X', 'T'), port('scale', 'T'), port('bias', 'T')],
    outputs: [port('Y', 'T')],
    attributes: { num_groups: int(), epsilon: float(1e-5) },
    types: { T: ALL },
  },
  {
    domain: '',
    opType: 'GroupNormalization',
    since: 21,
    inputs: [port('X', 'T'), port('scale', 'T'), port('bias', 'T')],
    outputs: [port('Y', 'T')],
    attributes: { num_groups: int(), epsilon: float(1e-5), stash_type: int(1) },
    types: { T: ALL },
  },
  {
    domain: '',
    opType: 'InstanceNormalization',
    since: 6,
    inputs: [port('input', 'T'), port('scale', 'T'), port('B', 'T')],
    outputs: [port('output', 'T')],
    attributes: { epsilon: float(1e-5) },
    types: { T: ALL },
  },
  {
    // Version 14 introduced training_mode with these semantics; 15 only split the parameter types.
    domain: '',
    opType: 'BatchNormalization',
    since: 14,
    inputs: [port('X', 'T'), port('scale', 'T'), port('B', 'T'), port('input_mean', 'U'), port('input_var', 'U')],
    outputs: [port('Y', 'T'), port('running_mean', 'U', true), port('running_var', 'U', true)],
    attributes: { epsilon: float(1e-5), momentum: float(0.9), training_mode: int(0) },
    types: { T: ALL, U: ALL },
  },
  {
    domain: '',
    opType: 'BatchNormalization',
    since: 15,
    inputs: [port('X', 'T'), port('scale', 'T1'), port('B', 'T1'), port('input_mean', 'T2'), port('input_var', 'T2')],
    outputs: [port('Y', 'T'), port('running_mean', 'T2', true), port('running_var', 'T2', true)],
    attributes: { epsilon: float(1e-5), momentum: float(0.9), training_mode: int(0) },
    types: { T: ALL, T1: ALL, T2: ALL },
  },
  {
    // Version 13 only added bfloat16 to version 9.
    domain: '',
    opType: 'MeanVarianceNormalization',
    since: 9,
    inputs: [port('X', 'T')],
    outputs: [port('Y', 'T')],
    attributes: { axes: { kind: 'ints', default: [0, 2, 3] } },
    types: { T: ALL },
  },
  {
    domain: '',
    opType: 'LpNormalization',
    since: 1,
    inputs: [port('input', 'T')],
    outputs: [port('output', 'T')],
    attributes: { axis: int(-1), p: int(2) },
    types: { T: ALL },
  },
  {
    domain: 'com.microsoft',
    opType: 'SkipLayerNormalization',
    since: 1,
    inputs: [port('input', 'T'), port('skip', 'T'), port('gamma', 'T'), port('beta', 'T', true), port('bias', 'T', true)],
    outputs: [port('output', 'T'), port('mean', 'U', true), port('inv_std_var', 'U', true), port('input_skip_bias_sum', 'T', true)],
    // contrib_defs.cc: kDefaultSkipLayerNormEpsilon.
    attributes: { epsilon: float(1e-12) },
    types: { T: ['float32', 'float16', 'bfloat16'], U: F32 },
  },
  {
    domain: 'com.microsoft',
    opType: 'SkipSimplifiedLayerNormalization',
    since: 1,
    // No beta: bias is input 3 here, input 4 in SkipLayerNormalization.
    inputs: [port('input', 'T'), port('skip', 'T'), port('gamma', 'T'), port('bias', 'T', true)],
    outputs: [port('output', 'T'), port('mean', 'U', true), port('inv_std_var', 'U', true), port('input_skip_bias_sum', 'T', true)],
    attributes: { epsilon: float(1e-12) },
    types: { T: ['float32', 'float16', 'bfloat16'], U: F32 },
  },
  {
    domain: 'com.microsoft',
    opType: 'GroupNorm',
    since: 1,
    inputs: [port('X', 'T'), port('gamma', 'M'), port('beta', 'M')],
    outputs: [port('Y', 'T')],
    // contrib_defs.cc: kDefaultGroupNormEpsilon.
    attributes: { activation: int(), channels_last: int(1), epsilon: float(1e-5), groups: int() },
    types: { T: F16_F32, M: F16_F32 },
  },
])();

/**
 * The domain as the table spells it: `''` and `'ai.onnx'` are the standard domain.
 *
 * @example
 * ```ts
 * canonicalDomain('ai.onnx'); // ''
 * ```
 */
export function canonicalDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/**
 * Every implemented opType, for `unsupported-op`'s nearest-name suggestion.
 *
 * @example
 * ```ts
 * knownOps().includes('GroupNorm'); // true
 * ```
 */
export function knownOps(): string[] {
  return [...new Set(ONNX_SCHEMAS.map((s) => s.opType))];
}
