/**
 * The compiled-in WGSL of the LayerNorm / RMSNorm backward passes: the dx kernel per (storage
 * access, reduction), linked with the same reductions as the forward kernels, which also writes
 * the per-block dgamma/dbeta partials, and the final stage of that deterministic reduction.
 */
import backwardVec4 from '../../../shaders/backward/row_norm_backward_vec4.wgsl?shader&link=param_grad_partials_vec4.wgsl,../common/reduce_workgroup.wgsl';
import backwardVec4Sub from '../../../shaders/backward/row_norm_backward_vec4.wgsl?shader&link=param_grad_partials_vec4.wgsl,../common/reduce_subgroup.wgsl';
import backwardScalar from '../../../shaders/backward/row_norm_backward_scalar.wgsl?shader&link=param_grad_partials_scalar.wgsl,../common/reduce_workgroup.wgsl';
import backwardScalarSub from '../../../shaders/backward/row_norm_backward_scalar.wgsl?shader&link=param_grad_partials_scalar.wgsl,../common/reduce_subgroup.wgsl';
import backwardF16 from '../../../shaders/backward/row_norm_backward_f16.wgsl?shader&link=param_grad_partials_f16.wgsl,../common/reduce_workgroup.wgsl';
import backwardF16Sub from '../../../shaders/backward/row_norm_backward_f16.wgsl?shader&link=param_grad_partials_f16.wgsl,../common/reduce_subgroup.wgsl';
import directVec4 from '../../../shaders/backward/row_norm_backward_vec4.wgsl?shader&link=param_grad_direct_vec4.wgsl,../common/reduce_workgroup.wgsl';
import directVec4Sub from '../../../shaders/backward/row_norm_backward_vec4.wgsl?shader&link=param_grad_direct_vec4.wgsl,../common/reduce_subgroup.wgsl';
import directScalar from '../../../shaders/backward/row_norm_backward_scalar.wgsl?shader&link=param_grad_direct_scalar.wgsl,../common/reduce_workgroup.wgsl';
import directScalarSub from '../../../shaders/backward/row_norm_backward_scalar.wgsl?shader&link=param_grad_direct_scalar.wgsl,../common/reduce_subgroup.wgsl';
import directF16 from '../../../shaders/backward/row_norm_backward_f16.wgsl?shader&link=param_grad_direct_scalar.wgsl,../common/reduce_workgroup.wgsl';
import directF16Sub from '../../../shaders/backward/row_norm_backward_f16.wgsl?shader&link=param_grad_direct_scalar.wgsl,../common/reduce_subgroup.wgsl';
import paramGradFinal from '../../../shaders/backward/param_grad_final.wgsl?shader';
import paramGradFinalVec4 from '../../../shaders/backward/param_grad_final_vec4.wgsl?shader';
import type { ShaderInfo } from '../../core/shader-info.js';
import type { PortableAccess as Access } from '../row-norm/shaders.js';

/**
 * Where the dx kernel's dgamma/dbeta sums go: `partials` (per-block rows in scratch, added by the
 * final stage; also binds dsum) or `direct` (one block: straight into dgamma/dbeta, no final
 * stage; no dsum, whose binding dbeta takes).
 */
export type ParamGradSink = 'partials' | 'direct';

const dxTable: Record<ParamGradSink, Record<Access, Record<'workgroup' | 'subgroup', ShaderInfo>>> = {
  partials: {
    vec4: { workgroup: backwardVec4, subgroup: backwardVec4Sub },
    scalar: { workgroup: backwardScalar, subgroup: backwardScalarSub },
    f16: { workgroup: backwardF16, subgroup: backwardF16Sub },
  },
  direct: {
    vec4: { workgroup: directVec4, subgroup: directVec4Sub },
    scalar: { workgroup: directScalar, subgroup: directScalarSub },
    f16: { workgroup: directF16, subgroup: directF16Sub },
  },
};

/**
 * The dx kernel for an (access, reduction) pair and a dgamma/dbeta sink.
 *
 * @example
 * ```ts
 * const shader = backwardDxShader('vec4', 'subgroup', 'partials');
 * ```
 */
export function backwardDxShader(access: Access, reduction: 'workgroup' | 'subgroup', sink: ParamGradSink = 'partials'): ShaderInfo {
  return dxTable[sink][access][reduction];
}

/**
 * The final stage of dgamma/dbeta: the blocks' partials (written by the dx kernel) added in order,
 * four columns per invocation when `cols % 4 === 0`.
 *
 * @example
 * ```ts
 * const shader = paramGradFinalShader(768 % 4 === 0);
 * ```
 */
export function paramGradFinalShader(vec4: boolean): ShaderInfo {
  return vec4 ? paramGradFinalVec4 : paramGradFinal;
}
