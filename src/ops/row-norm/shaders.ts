/**
 * The compiled-in WGSL of the row-normalization family: one module per (storage access, fused
 * add, reduction). Reductions are linked at build time (see src/build/wgsl-plugin.ts); the
 * subgroup modules start with `enable subgroups;` and are only compiled on devices that have it.
 */
import layerNormVec4 from '../../../shaders/row-norm/row_norm_vec4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormVec4Sub from '../../../shaders/row-norm/row_norm_vec4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormScalar from '../../../shaders/row-norm/row_norm_scalar.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormScalarSub from '../../../shaders/row-norm/row_norm_scalar.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormF16 from '../../../shaders/row-norm/row_norm_f16.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormF16Sub from '../../../shaders/row-norm/row_norm_f16.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormVec4 from '../../../shaders/row-norm/add_row_norm_vec4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormVec4Sub from '../../../shaders/row-norm/add_row_norm_vec4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormScalar from '../../../shaders/row-norm/add_row_norm_scalar.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormScalarSub from '../../../shaders/row-norm/add_row_norm_scalar.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16 from '../../../shaders/row-norm/add_row_norm_f16.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16Sub from '../../../shaders/row-norm/add_row_norm_f16.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import type { ShaderInfo } from '../../core/shader-info.js';

/** How a kernel touches memory: f32 as vec4 (cols % 4 == 0), f32 scalars, or packed f16. */
export type Access = 'vec4' | 'scalar' | 'f16';

const table: Record<'plain' | 'add', Record<Access, Record<'workgroup' | 'subgroup', ShaderInfo>>> = {
  plain: {
    vec4: { workgroup: layerNormVec4, subgroup: layerNormVec4Sub },
    scalar: { workgroup: layerNormScalar, subgroup: layerNormScalarSub },
    f16: { workgroup: layerNormF16, subgroup: layerNormF16Sub },
  },
  add: {
    vec4: { workgroup: addNormVec4, subgroup: addNormVec4Sub },
    scalar: { workgroup: addNormScalar, subgroup: addNormScalarSub },
    f16: { workgroup: addNormF16, subgroup: addNormF16Sub },
  },
};

/**
 * The module for a (fused add?, access, reduction) triple; `fusedAdd` is the op's
 * `OPS[op].fusedAdd` (the fused modules read `residual`, `bias` and write `sum`).
 *
 * @example
 * ```ts
 * rowNormShader(OPS.addRmsNorm.fusedAdd, 'f16', 'workgroup'); // add_row_norm_f16 + reduce_workgroup
 * ```
 */
export function rowNormShader(fusedAdd: boolean, access: Access, reduction: 'workgroup' | 'subgroup'): ShaderInfo {
  return table[fusedAdd ? 'add' : 'plain'][access][reduction];
}
