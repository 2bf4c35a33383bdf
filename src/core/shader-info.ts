/**
 * What the library knows about one WGSL file, derived from the shader itself by `wgsl_reflect` at
 * build time (see `src/build/reflect-wgsl.ts`), so the runtime carries no parser and no
 * hand-written binding tables or uniform offsets that could drift from the shader.
 */
export interface ShaderInfo {
  /** The file name without extension, e.g. `layer_norm`; used in error messages. */
  readonly name: string;
  /** The kernel file's path relative to `shaders/`, e.g. `row-norm/row_norm_vec4.wgsl`. */
  readonly file: string;
  /** The WGSL source. */
  readonly code: string;
  /** Every pipeline-overridable constant of the module and its scalar type. */
  readonly overrides: Readonly<Record<string, OverrideType>>;
  /** Compute entry points by name. */
  readonly entryPoints: Readonly<Record<string, EntryPointInfo>>;
  /** Uniform-buffer structs by variable name. */
  readonly uniforms: Readonly<Record<string, UniformInfo>>;
}

export type OverrideType = 'bool' | 'u32' | 'i32' | 'f32' | 'f16';

export interface EntryPointInfo {
  /** The resources this entry point statically uses, sorted by (group, binding). */
  readonly bindings: readonly BindingInfo[];
}

export interface BindingInfo {
  /** The WGSL variable name: operands are bound by this name. */
  readonly name: string;
  readonly group: number;
  readonly binding: number;
  /** `var<uniform>` → uniform; `var<storage, read>` → read-only-storage; `read_write` → storage. */
  readonly type: GPUBufferBindingType;
  /**
   * Smallest byte size a bound range may have: the struct size for uniforms, the element stride
   * of a runtime-sized array (one element) for storage.
   */
  readonly minBindingSize: number;
  /** Byte stride of one array element (4 for f32, 16 for vec4<f32>); 0 for non-arrays. */
  readonly elementStride: number;
}

export interface UniformInfo {
  /** The struct's size in bytes, rounded up to its alignment (what the buffer must hold). */
  readonly size: number;
  readonly members: Readonly<Record<string, { readonly offset: number; readonly type: string }>>;
}
