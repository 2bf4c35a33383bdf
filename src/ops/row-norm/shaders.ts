/**
 * The compiled-in WGSL of the row-normalization family: one module per (storage access, fused
 * add, reduction). The f16x4/f16native modules start with `enable f16;` and are only compiled on
 * devices with `shader-f16`. Reductions are linked at build time (see src/build/wgsl-plugin.ts); the
 * subgroup modules start with `enable subgroups;` and are only compiled on devices that have it.
 */
import layerNormVec4 from '../../../shaders/row-norm/row_norm_vec4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormVec4Sub from '../../../shaders/row-norm/row_norm_vec4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormScalar from '../../../shaders/row-norm/row_norm_scalar.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormScalarSub from '../../../shaders/row-norm/row_norm_scalar.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormF16 from '../../../shaders/row-norm/row_norm_f16.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormF16Sub from '../../../shaders/row-norm/row_norm_f16.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormF16x4 from '../../../shaders/row-norm/row_norm_f16x4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormF16x4Sub from '../../../shaders/row-norm/row_norm_f16x4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import layerNormF16Native from '../../../shaders/row-norm/row_norm_f16_native.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormF16NativeSub from '../../../shaders/row-norm/row_norm_f16_native.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormVec4 from '../../../shaders/row-norm/add_row_norm_vec4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormVec4Sub from '../../../shaders/row-norm/add_row_norm_vec4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormScalar from '../../../shaders/row-norm/add_row_norm_scalar.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormScalarSub from '../../../shaders/row-norm/add_row_norm_scalar.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16 from '../../../shaders/row-norm/add_row_norm_f16.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16Sub from '../../../shaders/row-norm/add_row_norm_f16.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16x4 from '../../../shaders/row-norm/add_row_norm_f16x4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16x4Sub from '../../../shaders/row-norm/add_row_norm_f16x4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16Native from '../../../shaders/row-norm/add_row_norm_f16_native.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16NativeSub from '../../../shaders/row-norm/add_row_norm_f16_native.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import type { ShaderInfo } from '../../core/shader-info.js';

/**
 * How a kernel touches memory: f32 as vec4 (cols % 4 == 0), f32 scalars, packed f16 (u32 pairs,
 * any device), or WGSL's own f16 (`shader-f16`) as vec4<f16> (cols % 4 == 0) or element by element.
 */
export type Access = PortableAccess | 'f16x4' | 'f16native';

/** The accesses every device can run (the backward kernels have only these). */
export type PortableAccess = 'vec4' | 'scalar' | 'f16';

const table: Record<'plain' | 'add', Record<Access, Record<'workgroup' | 'subgroup', ShaderInfo>>> = {
  plain: {
    vec4: { workgroup: layerNormVec4, subgroup: layerNormVec4Sub },
    scalar: { workgroup: layerNormScalar, subgroup: layerNormScalarSub },
    f16: { workgroup: layerNormF16, subgroup: layerNormF16Sub },
    f16x4: { workgroup: layerNormF16x4, subgroup: layerNormF16x4Sub },
    f16native: { workgroup: layerNormF16Native, subgroup: layerNormF16NativeSub },
  },
  add: {
    vec4: { workgroup: addNormVec4, subgroup: addNormVec4Sub },
    scalar: { workgroup: addNormScalar, subgroup: addNormScalarSub },
    f16: { workgroup: addNormF16, subgroup: addNormF16Sub },
    f16x4: { workgroup: addNormF16x4, subgroup: addNormF16x4Sub },
    f16native: { workgroup: addNormF16Native, subgroup: addNormF16NativeSub },
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
