/// <reference types="@webgpu/types" />

declare module '*.wgsl?shader' {
  const info: import('./core/shader-info.js').ShaderInfo;
  export default info;
}

// Kernels linked with a reduction: `x.wgsl?shader&link=../common/reduce_subgroup.wgsl`.
declare module '*.wgsl?shader&link=../common/reduce_workgroup.wgsl' {
  const info: import('./core/shader-info.js').ShaderInfo;
  export default info;
}

declare module '*.wgsl?shader&link=../common/reduce_subgroup.wgsl' {
  const info: import('./core/shader-info.js').ShaderInfo;
  export default info;
}

// Several linked files, the reduction last: `x.wgsl?shader&link=common/a.wgsl,../common/reduce_subgroup.wgsl`.
declare module '*,../common/reduce_workgroup.wgsl' {
  const info: import('./core/shader-info.js').ShaderInfo;
  export default info;
}

declare module '*,../common/reduce_subgroup.wgsl' {
  const info: import('./core/shader-info.js').ShaderInfo;
  export default info;
}

declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
