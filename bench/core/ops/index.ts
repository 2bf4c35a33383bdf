/**
 * The op registry: `--ops` names resolve here, each an op of the table (src/ops/table.ts), or one
 * with its layout appended (`groupNormNHWC`). Adding an op is one entry: for a row normalization a
 * {@link rowNormOp} call like `lpNorm` below; for an op with other shapes (GroupNorm), its own
 * {@link BenchOp} with `defaultShapes` (e.g. a UNet activation).
 */
import type { BenchOp } from '../bench-op.js';
import { batchNormInferenceNhwcOp, batchNormInferenceOp, groupNormNhwcOp, groupNormOp } from './group-norm-op.js';
import { normBackwardOp } from './norm-backward-op.js';
import { rowNormOp } from './row-norm-op.js';
import { encodeMethod, OPS } from '../../../src/ops/table.js';
import type { RowNormVariant } from '../../../src/index.js';
import { cpuOnDtype } from '../dtype.js';

/**
 * LayerNorm and RMSNorm, from the op table: which parameters and statistics the op has follows
 * from the statistic it reduces (`mean-var`: gamma, beta, mean, rstd; `mean-square`: gamma, rstd).
 */
function rowNorm(op: 'layerNorm' | 'rmsNorm'): BenchOp {
  const centres = OPS[op].statistic === 'mean-var';
  type Any = (...a: unknown[]) => unknown;
  return rowNormOp({
    name: op,
    params: centres ? ['gamma', 'beta'] : ['gamma'],
    stats: centres ? ['mean', 'rstd'] : ['rstd'],
    encode: (lib, norm, target, options) => lib.describeVariant((norm[encodeMethod(op)] as Any).call(norm, target, options) as RowNormVariant),
    convenience: (norm, x, options) => (norm[op] as Any).call(norm, x, options) as Promise<unknown>,
    cpu: (lib, x, options) => cpuOnDtype(lib, x, (v) => lib.cpu.fast[op](v, options)),
    reference: (lib, x, options) => lib.cpu[`${op}F64`](x, options),
  });
}

const lpNorm = rowNormOp({
  name: 'lpNorm',
  params: [],
  stats: [],
  rowOutputs: 1, // the per-row norm
  encode: (_lib, norm, target, { x, y, rows, cols, epsilon, dtype }) => {
    const v = norm.encodeLpNorm(target, { x, y, rows, cols, epsilon, dtype });
    return `${v.rowPerWorkgroup ? 'row/wg' : 'row/inv'}/wg${v.workgroupSize}`;
  },
  convenience: (norm, x, { cols, epsilon }) => norm.lpNorm(x, { cols, epsilon }),
  // No separate fast JS path: the CPU column times the float64 reference.
  cpu: (lib, x, { cols, epsilon }) => lib.cpu.lpNorm(x, { cols, epsilon }),
  reference: (lib, x, { cols, epsilon }) => lib.cpu.lpNormF64(x, { cols, epsilon }),
});

const ALL: readonly BenchOp[] = [rowNorm('layerNorm'), rowNorm('rmsNorm'), lpNorm, groupNormOp, groupNormNhwcOp, batchNormInferenceOp, batchNormInferenceNhwcOp, normBackwardOp(false), normBackwardOp(true)];
for (const { name } of ALL) {
  // Op identity lives in the table: a benchmark name is an op's, or an op's plus its layout.
  if (!(name.replace(/NHWC$/, '') in OPS)) throw new Error(`bench op ${name} is not in src/ops/table.ts`);
}

/** Every op the benchmark knows, by `--ops` name. */
export const BENCH_OPS: ReadonlyMap<string, BenchOp> = new Map(ALL.map((op) => [op.name, op]));
