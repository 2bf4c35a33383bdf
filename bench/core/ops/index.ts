/**
 * The op registry: `--ops` names resolve here. Adding an op is one entry: for a row
 * normalization (RMSNorm) a {@link rowNormOp} call like `layerNorm` below; for an op with other
 * shapes (GroupNorm), its own {@link BenchOp} with `defaultShapes` (e.g. a UNet activation).
 */
import type { BenchOp } from '../bench-op.js';
import { batchNormInferenceNhwcOp, batchNormInferenceOp, groupNormNhwcOp, groupNormOp } from './group-norm-op.js';
import { normBackwardOp } from './norm-backward-op.js';
import { rowNormOp } from './row-norm-op.js';

const layerNorm = rowNormOp({
  name: 'layerNorm',
  params: ['gamma', 'beta'],
  stats: ['mean', 'rstd'],
  encode: (lib, norm, target, options) => lib.describeVariant(norm.encodeLayerNorm(target, options)),
  convenience: (norm, x, options) => norm.layerNorm(x, options),
  cpu: (lib, x, options) => lib.cpu.fast.layerNorm(x, options),
  reference: (lib, x, options) => lib.cpu.layerNormF64(x, options),
});

const rmsNorm = rowNormOp({
  name: 'rmsNorm',
  params: ['gamma'],
  stats: ['rstd'],
  encode: (lib, norm, target, options) => lib.describeVariant(norm.encodeRmsNorm(target, options)),
  convenience: (norm, x, options) => norm.rmsNorm(x, options),
  cpu: (lib, x, options) => lib.cpu.fast.rmsNorm(x, options),
  reference: (lib, x, options) => lib.cpu.rmsNormF64(x, options),
});

const lpNorm = rowNormOp({
  name: 'lpNorm',
  params: [],
  stats: [],
  encode: (_lib, norm, target, { x, y, rows, cols, epsilon }) => {
    const v = norm.encodeLpNorm(target, { x, y, rows, cols, epsilon });
    return `${v.rowPerWorkgroup ? 'row/wg' : 'row/inv'}/wg${v.workgroupSize}`;
  },
  convenience: (norm, x, { cols, epsilon }) => norm.lpNorm(x, { cols, epsilon }),
  // No separate fast JS path: the CPU column times the float64 reference.
  cpu: (lib, x, { cols, epsilon }) => lib.cpu.lpNorm(x, { cols, epsilon }),
  reference: (lib, x, { cols, epsilon }) => lib.cpu.lpNormF64(x, { cols, epsilon }),
});

/** Every op the benchmark knows, by `--ops` name. */
export const BENCH_OPS: ReadonlyMap<string, BenchOp> = new Map([layerNorm, rmsNorm, lpNorm, groupNormOp, groupNormNhwcOp, batchNormInferenceOp, batchNormInferenceNhwcOp, normBackwardOp(false), normBackwardOp(true)].map((op) => [op.name, op]));
