/// <reference types="@webgpu/types" />

declare module '*.wgsl?shader' {
  const info: import('./shader-info.js').ShaderInfo;
  export default info;
}

declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
