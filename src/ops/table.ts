/**
 * Op identity, stated once. Every other list of ops derives from this table: the normalizer's
 * method names, the row-norm kernel's constants, tuning names, the benchmark registry, the
 * bad-input table and the test op lists. Adding an op starts with one row here (see
 * docs/adding-an-op.md).
 */

/** The folder under `src/ops/` (and `shaders/`, `test/`) that holds an op. */
export type OpFamily = 'row-norm' | 'lp-norm' | 'backward' | 'group-norm' | 'batch-norm';

/** What a row of the table says about an op. */
export interface OpSpec {
  /** The home of its options, encode, runner, reference and tests. */
  readonly family: OpFamily;
  /** Its name in messages, as papers and frameworks write it. */
  readonly title: string;
  /** Epsilon when none is given (the convention of the framework the op is usually ported from). */
  readonly defaultEpsilon: number;
  /** Whether `norm.tune(op, …)` can time its kernel variants. */
  readonly tunable: boolean;
  /**
   * Row-norm family: which statistic the kernel reduces. `mean-var` centres and scales
   * (LayerNorm), `mean-square` only scales (RMSNorm).
   */
  readonly statistic?: 'mean-var' | 'mean-square';
  /** Row-norm family: a fused residual add before the norm (writes `sum` = x + residual (+ bias)). */
  readonly fusedAdd?: boolean;
  /** Backward family: the forward op whose gradients it computes. */
  readonly gradientOf?: 'layerNorm' | 'rmsNorm';
}

/**
 * Every op of the library, by its method name on the normalizer and in `cpu`.
 *
 * @example
 * ```ts
 * OPS.rmsNorm.defaultEpsilon; // 1e-6
 * opsOf('row-norm');          // ['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm']
 * ```
 */
export const OPS = {
  layerNorm: { family: 'row-norm', title: 'LayerNorm', defaultEpsilon: 1e-5, tunable: true, statistic: 'mean-var', fusedAdd: false },
  rmsNorm: { family: 'row-norm', title: 'RMSNorm', defaultEpsilon: 1e-6, tunable: true, statistic: 'mean-square', fusedAdd: false },
  addLayerNorm: { family: 'row-norm', title: 'residual add + LayerNorm', defaultEpsilon: 1e-5, tunable: true, statistic: 'mean-var', fusedAdd: true },
  addRmsNorm: { family: 'row-norm', title: 'residual add + RMSNorm', defaultEpsilon: 1e-6, tunable: true, statistic: 'mean-square', fusedAdd: true },
  lpNorm: { family: 'lp-norm', title: 'Lp normalization', defaultEpsilon: 1e-12, tunable: false },
  layerNormBackward: { family: 'backward', title: 'LayerNorm backward', defaultEpsilon: 1e-5, tunable: false, gradientOf: 'layerNorm' },
  rmsNormBackward: { family: 'backward', title: 'RMSNorm backward', defaultEpsilon: 1e-6, tunable: false, gradientOf: 'rmsNorm' },
  groupNorm: { family: 'group-norm', title: 'GroupNorm', defaultEpsilon: 1e-5, tunable: false },
  instanceNorm: { family: 'group-norm', title: 'InstanceNorm', defaultEpsilon: 1e-5, tunable: false },
  batchNormInference: { family: 'batch-norm', title: 'BatchNorm (inference)', defaultEpsilon: 1e-5, tunable: false },
  batchNormStats: { family: 'batch-norm', title: 'BatchNorm statistics', defaultEpsilon: 1e-5, tunable: false },
  batchNormTraining: { family: 'batch-norm', title: 'BatchNorm (training)', defaultEpsilon: 1e-5, tunable: false },
} as const satisfies Record<string, OpSpec>;

/** The name of an op: `'layerNorm'`, `'groupNorm'`, … */
export type OpName = keyof typeof OPS;

/** The ops of one family. */
export type OpsOf<F extends OpFamily> = { [K in OpName]: (typeof OPS)[K]['family'] extends F ? K : never }[OpName];

/** The row-norm family: LayerNorm, RMSNorm and their fused residual-add forms. */
export type RowNormOpName = OpsOf<'row-norm'>;

/** The ops `norm.tune()` accepts. */
export type TunableOpName = { [K in OpName]: (typeof OPS)[K]['tunable'] extends true ? K : never }[OpName];

/**
 * The ops of `family`, in table order.
 *
 * @example
 * ```ts
 * opsOf('batch-norm'); // ['batchNormInference', 'batchNormStats', 'batchNormTraining']
 * ```
 */
export function opsOf<F extends OpFamily>(family: F): OpsOf<F>[] {
  return (Object.keys(OPS) as OpName[]).filter((op) => OPS[op].family === family) as OpsOf<F>[];
}

/**
 * The ops `norm.tune()` can time.
 *
 * @example
 * ```ts
 * tunableOps(); // ['layerNorm', 'rmsNorm', 'addLayerNorm', 'addRmsNorm']
 * ```
 */
export function tunableOps(): TunableOpName[] {
  return (Object.keys(OPS) as OpName[]).filter((op) => OPS[op].tunable) as TunableOpName[];
}

/**
 * The normalizer method that records `op` into an encoder or pass.
 *
 * @example
 * ```ts
 * encodeMethod('addRmsNorm'); // 'encodeAddRmsNorm'
 * ```
 */
export function encodeMethod<K extends OpName>(op: K): `encode${Capitalize<K>}` {
  return `encode${op[0]!.toUpperCase()}${op.slice(1)}` as `encode${Capitalize<K>}`;
}
