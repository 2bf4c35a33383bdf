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
import layerNormF16Vec from '../../../shaders/row-norm/row_norm_f16_vec.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import layerNormF16VecSub from '../../../shaders/row-norm/row_norm_f16_vec.wgsl?shader&link=../common/reduce_subgroup.wgsl';
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
import addNormF16Vec from '../../../shaders/row-norm/add_row_norm_f16_vec.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16VecSub from '../../../shaders/row-norm/add_row_norm_f16_vec.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16x4 from '../../../shaders/row-norm/add_row_norm_f16x4.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16x4Sub from '../../../shaders/row-norm/add_row_norm_f16x4.wgsl?shader&link=../common/reduce_subgroup.wgsl';
import addNormF16Native from '../../../shaders/row-norm/add_row_norm_f16_native.wgsl?shader&link=../common/reduce_workgroup.wgsl';
import addNormF16NativeSub from '../../../shaders/row-norm/add_row_norm_f16_native.wgsl?shader&link=../common/reduce_subgroup.wgsl';
// Output dtype other than the input's: an input side linked with the other output side (and, as
// everywhere, the reduction last).
import vec4ToF16 from '../../../shaders/row-norm/input_vec4.wgsl?shader&link=output_f16.wgsl,../common/reduce_workgroup.wgsl';
import vec4ToF16Sub from '../../../shaders/row-norm/input_vec4.wgsl?shader&link=output_f16.wgsl,../common/reduce_subgroup.wgsl';
import scalarToF16 from '../../../shaders/row-norm/input_scalar.wgsl?shader&link=output_f16.wgsl,../common/reduce_workgroup.wgsl';
import scalarToF16Sub from '../../../shaders/row-norm/input_scalar.wgsl?shader&link=output_f16.wgsl,../common/reduce_subgroup.wgsl';
import f16ToF32 from '../../../shaders/row-norm/input_f16.wgsl?shader&link=output_scalar.wgsl,../common/reduce_workgroup.wgsl';
import f16ToF32Sub from '../../../shaders/row-norm/input_f16.wgsl?shader&link=output_scalar.wgsl,../common/reduce_subgroup.wgsl';
import addVec4ToF16 from '../../../shaders/row-norm/add_input_vec4.wgsl?shader&link=output_f16.wgsl,../common/reduce_workgroup.wgsl';
import addVec4ToF16Sub from '../../../shaders/row-norm/add_input_vec4.wgsl?shader&link=output_f16.wgsl,../common/reduce_subgroup.wgsl';
import addScalarToF16 from '../../../shaders/row-norm/add_input_scalar.wgsl?shader&link=output_f16.wgsl,../common/reduce_workgroup.wgsl';
import addScalarToF16Sub from '../../../shaders/row-norm/add_input_scalar.wgsl?shader&link=output_f16.wgsl,../common/reduce_subgroup.wgsl';
import addF16ToF32 from '../../../shaders/row-norm/add_input_f16.wgsl?shader&link=output_scalar.wgsl,../common/reduce_workgroup.wgsl';
import addF16ToF32Sub from '../../../shaders/row-norm/add_input_f16.wgsl?shader&link=output_scalar.wgsl,../common/reduce_subgroup.wgsl';
import statsCopy from '../../../shaders/row-norm/add_stats_copy.wgsl?shader';
import type { ShaderInfo } from '../../core/shader-info.js';
import type { Dtype } from '../../core/tensor.js';

/**
 * How a kernel touches memory: f32 as vec4 (cols % 4 == 0), f32 scalars, packed f16 (u32 pairs,
 * any device) element by element or, for f16 → f16 where cols % 4 == 0 (plain and fused add), a
 * chunk (vec2<u32>) at a time (`f16vec`, same bits), or WGSL's own f16 (`shader-f16`) as
 * vec4<f16> (cols % 4 == 0) or element by element.
 */
export type Access = PortableAccess | 'f16vec' | 'f16x4' | 'f16native';

/** The accesses every device can run (the backward kernels have only these). */
export type PortableAccess = 'vec4' | 'scalar' | 'f16';

const table: Record<'plain' | 'add', Record<Access, Record<'workgroup' | 'subgroup', ShaderInfo>>> = {
  plain: {
    vec4: { workgroup: layerNormVec4, subgroup: layerNormVec4Sub },
    scalar: { workgroup: layerNormScalar, subgroup: layerNormScalarSub },
    f16: { workgroup: layerNormF16, subgroup: layerNormF16Sub },
    f16vec: { workgroup: layerNormF16Vec, subgroup: layerNormF16VecSub },
    f16x4: { workgroup: layerNormF16x4, subgroup: layerNormF16x4Sub },
    f16native: { workgroup: layerNormF16Native, subgroup: layerNormF16NativeSub },
  },
  add: {
    vec4: { workgroup: addNormVec4, subgroup: addNormVec4Sub },
    scalar: { workgroup: addNormScalar, subgroup: addNormScalarSub },
    f16: { workgroup: addNormF16, subgroup: addNormF16Sub },
    f16vec: { workgroup: addNormF16Vec, subgroup: addNormF16VecSub },
    f16x4: { workgroup: addNormF16x4, subgroup: addNormF16x4Sub },
    f16native: { workgroup: addNormF16Native, subgroup: addNormF16NativeSub },
  },
};

/** Modules whose y dtype differs from x's: f32 input (either access) to f16, f16 input to f32. */
const converting: Record<'plain' | 'add', Record<PortableAccess, Record<'workgroup' | 'subgroup', ShaderInfo>>> = {
  plain: {
    vec4: { workgroup: vec4ToF16, subgroup: vec4ToF16Sub },
    scalar: { workgroup: scalarToF16, subgroup: scalarToF16Sub },
    f16: { workgroup: f16ToF32, subgroup: f16ToF32Sub },
  },
  add: {
    vec4: { workgroup: addVec4ToF16, subgroup: addVec4ToF16Sub },
    scalar: { workgroup: addScalarToF16, subgroup: addScalarToF16Sub },
    f16: { workgroup: addF16ToF32, subgroup: addF16ToF32Sub },
  },
};

/**
 * The module for a (fused add?, input access, reduction) triple and y's dtype; `fusedAdd` is the
 * op's `OPS[op].fusedAdd` (the fused modules read `residual`, `bias` and write `sum`). Every input
 * access has a module for each output dtype, so every variant honours `outputDtype` (absent: x's).
 *
 * @example
 * ```ts
 * rowNormShader(OPS.addRmsNorm.fusedAdd, 'f16', 'workgroup', 'f16'); // add_row_norm_f16 + reduce_workgroup
 * rowNormShader(false, 'vec4', 'subgroup', 'f16'); // input_vec4 + reduce_subgroup + output_f16
 * ```
 */
export function rowNormShader(fusedAdd: boolean, access: Access, reduction: 'workgroup' | 'subgroup', outputDtype?: Dtype): ShaderInfo {
  const f16In = access === 'f16' || access === 'f16vec' || access === 'f16x4' || access === 'f16native';
  const same = outputDtype === undefined || f16In === (outputDtype === 'f16');
  if (same) return table[fusedAdd ? 'add' : 'plain'][access][reduction];
  // The native-f16 modules write f16 only; the rule and checkVariant keep them to f16 → f16.
  if (access === 'f16x4' || access === 'f16native' || access === 'f16vec') throw new Error(`internal: no ${access} module writes ${outputDtype}`);
  return converting[fusedAdd ? 'add' : 'plain'][access][reduction];
}

/**
 * The fused ops' statistics copy: (mean, rstd) per row from scratch into the caller's buffers.
 *
 * @example
 * ```ts
 * getPipeline(device, addStatsCopyShader, 'main', { WORKGROUP_SIZE: 64, WRITE_MEAN: true });
 * ```
 */
export const addStatsCopyShader: ShaderInfo = statsCopy;
